import { WorkingDayCalendar } from '../../src/core/kfs/working-days';
import { OVERDUE_EVERY, SERVICING_BENCH_STEPS, ServicingBenchReport, runServicingDay, seedServicingBench } from '../../src/servicing-bench-main';
import { TestApp, startTestApp } from '../support/test-app';

/** `npm run bench -- --servicing N` on a small book: what each step of the day writes, not how fast. */
const LOANS = 200;
const BUSINESS_DATE = '2027-03-15';

let t: TestApp;
let report: ServicingBenchReport;

beforeAll(async () => {
  // No worker: the day's collections are run by the bench itself, as the sandbox clock runs them.
  t = await startTestApp({ worker: false });
  const seed = await seedServicingBench(t.services.db, t.services.sealer, LOANS, BUSINESS_DATE);
  expect(seed).toEqual({ loans: LOANS, overdue: LOANS / OVERDUE_EVERY, dueToday: expect.any(Number) });
  const calendar = new WorkingDayCalendar(t.services.config.kfs.holidayCalendar);
  report = await runServicingDay({ db: t.services.db, collections: t.services.collections, calendar }, BUSINESS_DATE, 4);
}, 120_000);

afterAll(() => t.stop());

// Loan i is in arrears when i is a multiple of OVERDUE_EVERY; otherwise its first instalment falls due i mod 28 days after the business date.
const loans = Array.from({ length: LOANS }, (_, index) => index + 1);
const current = loans.filter((i) => i % OVERDUE_EVERY !== 0);
const inArrears = loans.filter((i) => i % OVERDUE_EVERY === 0);

describe('one business day of the servicing bench', () => {
  it('when the day has run, then the ledger balances and every open loan got exactly one accrual entry', () => {
    expect(report.trialBalanceMicros).toBe(0n);
    expect(report.loansToAccrue).toBe(LOANS);
    expect(report.accrualEntries).toBe(LOANS);
    expect(report.counts.accrue).toBe(LOANS);
  });

  it('then each step is timed in order, the close of business first', () => {
    expect(report.steps.map((step) => step.name)).toEqual([...SERVICING_BENCH_STEPS]);
    expect(report.totalMs).toBeCloseTo(report.closeOfBusinessMs + report.collectionsMs, 6);
  });

  it('then the loans in arrears are reclassified (DPD grows by a day) and the one crossing the grace days is charged', () => {
    expect(report.counts.classify).toBe(inArrears.length);
    // Loan i in arrears fell due 1 + (i / 20) mod 120 days ago; the penal charge comes on the day that exceeds 3 grace days.
    const crossingGrace = inArrears.filter((i) => 1 + ((i / OVERDUE_EVERY) % 120) === 4).length;
    expect(report.counts.penal).toBe(crossingGrace);
    expect(report.written.loan_charge).toBe(crossingGrace);
  });

  it('then the debits due today are presented and paid, and the debits two days ahead are scheduled with their notices', () => {
    const dueToday = current.filter((i) => i % 28 === 0).length;
    const dueInTwoDays = current.filter((i) => i % 28 === 2).length;
    expect(report.counts.present).toBe(dueToday);
    expect(report.outcomes.DEBITED).toBe(dueToday);
    expect(report.written.loan_repayment).toBe(dueToday);
    expect(report.written['mandate_collection (answered)']).toBe(dueToday);
    expect(report.counts.notify).toBe(dueInTwoDays);
    expect(report.notices).toBe(dueInTwoDays);
    expect(report.written.mandate_collection).toBe(dueInTwoDays);
    expect(report.written.outbox_message).toBeGreaterThanOrEqual(dueToday + dueInTwoDays);
  });

  it('then the rows written add up: an accrual per loan, a charge entry per penal charge, at least one entry per repayment', () => {
    const { written, counts } = report;
    expect(written.ledger_entry).toBeGreaterThanOrEqual(LOANS + counts.penal! + report.outcomes.DEBITED);
    expect(written.ledger_posting).toBeGreaterThanOrEqual(2 * written.ledger_entry);
    // Every loan's accruing instalment, plus the instalments the debits paid.
    expect(written['loan_instalment (updated)']).toBeGreaterThanOrEqual(LOANS);
    expect(written.state_transition).toBeGreaterThanOrEqual(report.outcomes.DEBITED);
  });
});

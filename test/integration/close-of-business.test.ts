import { ApplicationRef } from '../../src/core/application/application';
import { CloseOfBusinessRepository } from '../../src/core/servicing/close-of-business.repository';
import { TestApp, startTestApp } from '../support/test-app';
import { disbursedLoan, openOcenApplication } from '../support/ocen-loan-fixtures';

/**
 * The close of business against a real database: one run per business date (a second run writes nothing), a run
 * that crashed resumes where it stopped, RBI's classification as days past due grow (SMA-0/1/2, NPA beyond 90, an
 * NPA upgraded only once every arrear is paid), and a payment that completes after its loan closed is refunded.
 */

const LA = 'la-close-of-business';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ partners: [{ id: LA, displayName: 'Loan agent', protocol: 'OCEN_4' }] });
});
afterAll(() => t.stop());

type Loan = ApplicationRef & { loanId: string };

async function disburse(options: { partnerCollects?: boolean } = {}): Promise<Loan> {
  const ref = await openOcenApplication(t, LA, { amountRupees: 100_000 });
  await disbursedLoan(t.services, ref, { tenureMonths: 12 });
  const loan = await t.services.servicing.loan(ref);
  // The partner collects this one itself: the lender presents no debit, so nothing is paid unless the test pays it.
  if (options.partnerCollects) {
    await t.services.db.query(`UPDATE repayment_mandate SET partner_collects = true WHERE application_id = $1`, [loan.applicationId]);
  }
  return { ...ref, loanId: loan.loanId };
}

const entriesOn = async (date: string) => Number((await t.services.db.query<{ n: string }>(`SELECT COUNT(*)::text AS n FROM ledger_entry WHERE value_date = $1::date`, [date]))[0].n);
const today = () => t.services.servicingClock.today();
const pay = async (loan: Loan, amountMicros: bigint) => {
  const { repayment } = await t.services.servicing.trigger({ ...loan, amountMicros, method: 'UPI' });
  return t.services.servicing.complete(repayment.reference, { status: 'SUCCEEDED', providerReference: `PRV-${repayment.reference}` });
};

it('when a business date is closed twice, then the second run writes nothing and reports the first run\'s counts', async () => {
  await disburse();
  const date = await today();
  const first = await t.services.closeOfBusiness.run(date);
  const written = await entriesOn(date);
  const again = await t.services.closeOfBusiness.run(date);
  expect(again.counts).toEqual(first.counts);
  expect(await entriesOn(date)).toBe(written);
  expect((await t.services.ledger.trialBalance()).totalMicros).toBe(0n);
});

it('when a run stopped after its first step, then the next run resumes at the second and the day is closed once', async () => {
  await disburse();
  await t.services.servicingClock.advance(1);
  const date = await today();
  const repository = new CloseOfBusinessRepository(t.services.db);
  // What a process that died after committing the accrual leaves behind.
  await t.services.db.transaction(async () => {
    await repository.begin(date);
    await repository.markDone(date, 'accrue', await repository.accrue(date));
  });
  const accrued = await entriesOn(date);
  expect(accrued).toBeGreaterThan(0);
  const resumed = await t.services.closeOfBusiness.run(date);
  expect(await entriesOn(date)).toBe(accrued);
  const [day] = await t.services.db.query<{ steps: string[]; finished: boolean }>(`SELECT steps_done AS steps, finished_at IS NOT NULL AS finished FROM servicing_day WHERE business_date = $1::date`, [date]);
  expect(day).toEqual({ steps: ['accrue', 'overdue', 'classify', 'penal', 'present', 'notify'], finished: true });
  expect(resumed.counts.accrue).toBe(accrued);
});

it('when a loan is never paid, then its days past due grow through SMA-0, SMA-1 and SMA-2 to NPA beyond 90 days, and it is upgraded to STANDARD and ACTIVE only when every arrear is paid', async () => {
  const loan = await disburse({ partnerCollects: true });
  const first = (await t.services.servicing.loan(loan)).instalments[0];
  const daysTo = async (date: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${await today()}T00:00:00Z`)) / 86_400_000);
  const classAfter = async (dpd: number) => {
    const target = new Date(Date.parse(`${first.dueDate}T00:00:00Z`) + dpd * 86_400_000).toISOString().slice(0, 10);
    // Close every day up to `target` (the day `dpd` days past the due date is closed too).
    for (let left = (await daysTo(target)) + 1; left > 0; left -= 120) await t.services.servicingClock.advance(Math.min(left, 120));
    const l = await t.services.servicing.loanById(loan.loanId);
    return [l.state, l.daysPastDue, l.assetClass];
  };
  expect(await classAfter(10)).toEqual(['DELINQUENT', 10, 'SMA_0']);
  expect(await classAfter(31)).toEqual(['DELINQUENT', 31, 'SMA_1']);
  expect(await classAfter(61)).toEqual(['DELINQUENT', 61, 'SMA_2']);
  expect(await classAfter(90)).toEqual(['DELINQUENT', 90, 'SMA_2']);
  expect(await classAfter(91)).toEqual(['DELINQUENT', 91, 'NPA']);

  // Charges, every overdue interest, then the oldest principal (the allocation order) paid: instalment 1 is PAID but
  // the next is still 60 days past due, so the loan stays NPA.
  const npa = await t.services.servicing.loanById(loan.loanId);
  const overdue = npa.instalments.filter((l) => l.status === 'OVERDUE');
  const charges = npa.charges.reduce((s, c) => s + c.chargeMicros + c.gstMicros, 0n);
  await pay(loan, charges + overdue.reduce((s, l) => s + l.interestMicros, 0n) + overdue[0].principalMicros);
  await t.services.servicingClock.advance(1);
  const partly = await t.services.servicing.loanById(loan.loanId);
  expect(partly.instalments[0].status).toBe('PAID');
  expect([partly.state, partly.assetClass, partly.daysPastDue > 0]).toEqual(['DELINQUENT', 'NPA', true]);

  // Everything due paid: cured at once, upgraded to STANDARD.
  const position = await t.services.loanPositions.of(loan.loanId);
  await pay(loan, position.overdueMicros);
  const cured = await t.services.servicing.loanById(loan.loanId);
  expect([cured.state, cured.assetClass, cured.daysPastDue]).toEqual(['ACTIVE', 'STANDARD', 0]);
  await t.services.servicingClock.advance(1);
  expect((await t.services.servicing.loanById(loan.loanId)).assetClass).toBe('STANDARD');
  const states = (await t.services.transitions.history('loan_account', loan.loanId)).map((h) => h.toState);
  expect(states).toEqual(['ACTIVE', 'DELINQUENT', 'ACTIVE']);
  expect((await t.services.ledger.trialBalance()).totalMicros).toBe(0n);
}, 120_000);

it('when a payment completes after its loan was paid off, then all of it is excess, refunded through the payout rail with a REFUND entry', async () => {
  const loan = await disburse({ partnerCollects: true });
  const inFlight = await t.services.servicing.trigger({ ...loan, amountMicros: 1_000_000_000n, method: 'UPI' });
  const quote = await t.services.servicing.foreclosureQuote(loan);
  await pay(loan, quote.totalMicros);
  expect((await t.services.servicing.loanById(loan.loanId)).state).toBe('CLOSED');

  await t.services.servicing.complete(inFlight.repayment.reference, { status: 'SUCCEEDED', providerReference: 'PRV-late' });
  expect((await t.services.servicing.loanById(loan.loanId)).balances.excessMicros).toBe(1_000_000_000n);
  await t.services.loanClosing.settle(loan.loanId);

  const refunds = await t.services.loanClosing.refunds(loan.loanId);
  expect(refunds.map((r) => [r.state, r.amountMicros])).toEqual([['SUCCEEDED', 1_000_000_000n]]);
  const after = await t.services.servicing.loanById(loan.loanId);
  expect(after.balances.excessMicros).toBe(0n);
  expect(after.balances.owedMicros).toBe(0n);
  const { entries } = await t.services.servicing.statement(loan);
  expect(entries.at(-1)).toMatchObject({ kind: 'REFUND', direction: 'DEBIT', amountMicros: 1_000_000_000n, balanceAfterMicros: 0n });
  expect((await t.services.ledger.trialBalance()).totalMicros).toBe(0n);
  await t.services.loanClosing.settle(loan.loanId);
  expect(await t.services.loanClosing.refunds(loan.loanId)).toHaveLength(1);
});

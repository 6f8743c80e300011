import { ApplicationRef } from '../../src/core/application/application';
import { ProductRepository } from '../../src/core/product/product.repository';
import { RepaymentPurpose, ServicedInstalment, ServicedLoan } from '../../src/core/loan/servicing';
import { TestApp, startTestApp } from '../support/test-app';
import { setBusinessDate } from '../support/business-date';
import { disbursedLoan, openOcenApplication } from '../support/ocen-loan-fixtures';

/**
 * The issue's own months, worked by hand: a foreclosure in month 2 (2027-02-20, ten days into the second
 * instalment's period) and a part-prepayment in month 3 (2027-03-25, fifteen days into the third), with both
 * choices. Each loan: ₹1,00,000 at 16% a year for 12 months, paid out on 2027-01-10, instalments on the 10th, EMI
 * ₹9,073.09 (see prepayment-and-foreclosure.test.ts for the schedule's arithmetic):
 *
 *   k  due         interest   principal   principal left
 *   1  2027-02-10  1,333.33   7,739.76    92,260.24
 *   2  2027-03-10  1,230.14   7,842.95    84,417.29
 *   3  2027-04-10  1,125.56   7,947.53    76,469.76
 *
 * Every figure below is computed by hand in the comments (whole paise, half up), never read from the code.
 */

const LA = 'la-month-examples';
const PAISA = 10_000n;
const rs = (text: string) => {
  const [whole, fraction = ''] = text.replace(/,/g, '').split('.');
  return (BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'))) * PAISA;
};

type Loan = ApplicationRef & { loanId: string };
let t: TestApp;
const loans = {} as Record<'fixed' | 'floating' | 'reduceEmi' | 'reduceTenure', Loan>;
const servicing = () => t.services.servicing;
const trialBalances: bigint[] = [];

async function disburse(): Promise<Loan> {
  const ref = await openOcenApplication(t, LA, { amountRupees: 100_000 });
  await disbursedLoan(t.services, ref, { tenureMonths: 12 });
  return { ...ref, loanId: (await servicing().loan(ref)).loanId };
}

async function runTo(date: string): Promise<void> {
  const today = await t.services.servicingClock.today();
  const days = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  for (let left = days; left > 0; left -= 120) {
    const { days: reports } = await t.services.servicingClock.advance(Math.min(left, 120));
    trialBalances.push(...reports.map((r) => r.trialBalanceMicros));
  }
}

async function pay(loan: Loan, amountMicros: bigint, purpose: RepaymentPurpose = 'DUES') {
  const { repayment } = await servicing().trigger({ ...loan, amountMicros, method: 'UPI', purpose });
  return servicing().complete(repayment.reference, { status: 'SUCCEEDED', providerReference: `PRV-${repayment.reference}` });
}

const left = (l: ServicedInstalment) => l.principalMicros - l.principalPaidMicros + l.interestMicros - l.interestPaidMicros;
const live = (loan: ServicedLoan) => loan.instalments.filter((l) => l.status !== 'CANCELLED');

async function payTodays(loan: Loan): Promise<void> {
  const today = await t.services.servicingClock.today();
  const line = live(await servicing().loan(loan)).find((l) => l.dueDate === today);
  if (line) await pay(loan, left(line));
}

/** Pays every instalment left of the loans on its due date, closing the days in between: each must then be CLOSED with nothing owed. */
async function runToClosure(...which: Loan[]): Promise<ServicedLoan[]> {
  for (;;) {
    const due = (await Promise.all(which.map(async (loan) => live(await servicing().loan(loan)).find((l) => left(l) > 0n)?.dueDate))).filter((d): d is string => !!d).sort();
    if (due.length === 0) break;
    await runTo(due[0]);
    for (const loan of which) await payTodays(loan);
  }
  const closed = await Promise.all(which.map((loan) => servicing().loan(loan)));
  for (const loan of closed) {
    expect(loan).toMatchObject({ state: 'CLOSED', closure: 'REPAID' });
    expect(loan.balances).toMatchObject({ principalOutstandingMicros: 0n, interestReceivableMicros: 0n, chargesReceivableMicros: 0n, excessMicros: 0n, owedMicros: 0n });
  }
  return closed;
}

beforeAll(async () => {
  t = await startTestApp({ partners: [{ id: LA, displayName: 'Loan agent month examples', protocol: 'OCEN_4' }], env: { PRODUCT_CACHE_MS: '0' } });
  await setBusinessDate(t, '2027-01-10');
  loans.fixed = await disburse();
  loans.reduceEmi = await disburse();
  loans.reduceTenure = await disburse();
  const products = new ProductRepository(t.services.db);
  const current = (await products.find('PERSONAL_LOAN'))!;
  await products.addVersion('PERSONAL_LOAN', { ...current, rateType: 'FLOATING', foreclosureChargeRateE5: 0 }, new Date());
  loans.floating = await disburse();
  await runTo('2027-02-10');
  for (const loan of Object.values(loans)) await payTodays(loan);
}, 300_000);
afterAll(() => t?.stop());

describe('foreclosure in month 2 (2027-02-20, instalment 1 paid)', () => {
  beforeAll(() => runTo('2027-02-20'), 120_000);

  /*
   * Principal outstanding: 1,00,000.00 − 7,739.76 = 92,260.24.
   * Interest accrued on instalment 2 (1,230.14 over 2027-02-10 → 03-10, 28 days), 10 days: 1,230.14 × 10 / 28 =
   * 439.335… → 439.34.
   * FIXED: foreclosure charge 2% × 92,260.24 = 1,845.2048 → 1,845.20; GST 18% × 1,845.20 = 332.136 → 332.14.
   * Total: 92,260.24 + 439.34 + 1,845.20 + 332.14 = 94,876.92. FLOATING: no charge, 92,260.24 + 439.34 = 92,699.58.
   */
  it('when the borrower of the fixed-rate loan asks to pay off, then the quote is principal + interest accrued to the day + the 2% charge + GST: ₹94,876.92, and paying it closes the loan with nothing owed', async () => {
    const quote = await servicing().foreclosureQuote(loans.fixed);
    expect(quote).toMatchObject({
      validOn: '2027-02-20',
      principalMicros: rs('92,260.24'),
      interestMicros: rs('439.34'),
      foreclosureChargeMicros: rs('1,845.20'),
      foreclosureChargeGstMicros: rs('332.14'),
      totalMicros: rs('94,876.92'),
    });
    await pay(loans.fixed, quote.totalMicros, 'FORECLOSURE');
    const closed = await servicing().loan(loans.fixed);
    expect(closed).toMatchObject({ state: 'CLOSED', closure: 'FORECLOSED', closedOn: '2027-02-20' });
    expect(closed.balances).toMatchObject({ principalOutstandingMicros: 0n, interestReceivableMicros: 0n, chargesReceivableMicros: 0n, owedMicros: 0n });
    expect(closed.balances.interestRepaidMicros).toBe(rs('1,333.33') + rs('439.34'));
    expect(closed.instalments.filter((l) => l.status === 'CANCELLED').map((l) => l.sequence)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('when the borrower of the floating-rate loan asks to pay off, then there is no charge: ₹92,699.58', async () => {
    const quote = await servicing().foreclosureQuote(loans.floating);
    expect(quote).toMatchObject({ principalMicros: rs('92,260.24'), interestMicros: rs('439.34'), foreclosureChargeMicros: 0n, foreclosureChargeGstMicros: 0n, totalMicros: rs('92,699.58') });
    await pay(loans.floating, quote.totalMicros, 'FORECLOSURE');
    expect(await servicing().loan(loans.floating)).toMatchObject({ state: 'CLOSED', closure: 'FORECLOSED' });
  });
});

describe('part-prepayment of ₹20,000 in month 3 (2027-03-25, instalments 1 and 2 paid)', () => {
  /*
   * Principal before: 92,260.24 − 7,842.95 = 84,417.29; after the ₹20,000 (all of it to principal: nothing is due
   * that day): 64,417.29.
   * Instalment 3's period is 2027-03-10 → 04-10 (31 days); 15 days are gone, 16 remain.
   *   earned on the old balance: 1,125.56 × 15 / 31 = 544.625… → 544.63
   *   the rest on the new one:   a month on 64,417.29 = 64,417.29 × 16 / 1200 = 858.897… → 858.90;
   *                              × 16 / 31 = 443.303… → 443.30
   *   instalment 3's interest:   544.63 + 443.30 = 987.93
   */
  beforeAll(async () => {
    await runTo('2027-03-10');
    await payTodays(loans.reduceEmi);
    await payTodays(loans.reduceTenure);
    await runTo('2027-03-25');
    await pay(loans.reduceEmi, rs('20,000'), 'PREPAY_REDUCE_EMI');
    await pay(loans.reduceTenure, rs('20,000'), 'PREPAY_REDUCE_TENURE');
  }, 120_000);

  /*
   * REDUCE_EMI: the same 10 instalments (3–12) at a new EMI on 64,417.29: 64,417.29 × r(1+r)¹⁰ / ((1+r)¹⁰ − 1),
   * r = 16/1200, = 6,923.505… → 6,923.51.
   *   3: principal 6,923.51 − 858.90 (a month on the new principal) = 6,064.61; interest 987.93; amount 7,052.54
   *      (the interest already earned on the old balance is paid on top of the new EMI); left 58,352.68
   *   4: interest 58,352.68 × 16/1200 = 778.035… → 778.04; principal 6,923.51 − 778.04 = 6,145.47
   *  12: the rest of the principal, 6,832.37, with its interest 91.10: 6,923.47
   */
  it('when the borrower chooses a lower EMI, then 10 instalments remain at ₹6,923.51 as worked by hand, and their principals sum to the ledger\'s 64,417.29', async () => {
    const loan = await servicing().loan(loans.reduceEmi);
    expect(loan.balances.principalOutstandingMicros).toBe(rs('64,417.29'));
    const lines = live(loan).filter((l) => l.sequence >= 3);
    expect(lines.map((l) => l.sequence)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect([lines[0].interestMicros, lines[0].principalMicros, lines[0].emiMicros]).toEqual([rs('987.93'), rs('6,064.61'), rs('7,052.54')]);
    expect([lines[1].interestMicros, lines[1].principalMicros, lines[1].emiMicros]).toEqual([rs('778.04'), rs('6,145.47'), rs('6,923.51')]);
    expect([lines[9].interestMicros, lines[9].principalMicros, lines[9].emiMicros]).toEqual([rs('91.10'), rs('6,832.37'), rs('6,923.47')]);
    expect(lines.reduce((s, l) => s + l.principalMicros, 0n)).toBe(rs('64,417.29'));
  });

  /*
   * REDUCE_TENURE: the EMI stays 9,073.09.
   *   3: interest 987.93, principal 9,073.09 − 987.93 = 8,085.16, left 56,332.13
   *   4: interest 56,332.13 × 16/1200 = 751.095… → 751.10, principal 8,321.99
   *   … until instalment 10 (2027-11-10), the last: principal 4,705.89 + interest 62.75 = 4,768.64;
   *   instalments 11 and 12 are dropped.
   */
  it('when the borrower keeps the EMI, then instalments 3–10 remain, the last ₹4,768.64 on 2027-11-10, and 11 and 12 are cancelled', async () => {
    const loan = await servicing().loan(loans.reduceTenure);
    const lines = live(loan).filter((l) => l.sequence >= 3);
    expect(lines.map((l) => l.sequence)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect([lines[0].interestMicros, lines[0].principalMicros, lines[0].emiMicros]).toEqual([rs('987.93'), rs('8,085.16'), rs('9,073.09')]);
    expect([lines[1].interestMicros, lines[1].principalMicros]).toEqual([rs('751.10'), rs('8,321.99')]);
    expect([lines[7].dueDate, lines[7].interestMicros, lines[7].principalMicros, lines[7].emiMicros]).toEqual(['2027-11-10', rs('62.75'), rs('4,705.89'), rs('4,768.64')]);
    expect(loan.instalments.filter((l) => l.status === 'CANCELLED').map((l) => l.sequence)).toEqual([11, 12]);
    expect(lines.reduce((s, l) => s + l.principalMicros, 0n)).toBe(rs('64,417.29'));
  });

  it('when each instalment left is paid on its due date, then both loans close with nothing owed: the shorter one on 2027-11-10, the other on 2028-01-10', async () => {
    const [reduceEmi, reduceTenure] = await runToClosure(loans.reduceEmi, loans.reduceTenure);
    expect(reduceTenure.closedOn).toBe('2027-11-10');
    expect(reduceEmi.closedOn).toBe('2028-01-10');
  }, 240_000);

  it('every day closed on the way left the ledger balanced', () => {
    expect(trialBalances.length).toBeGreaterThan(300);
    expect(trialBalances.every((total) => total === 0n)).toBe(true);
  });
});

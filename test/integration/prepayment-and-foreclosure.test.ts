import { ApplicationRef } from '../../src/core/application/application';
import { LedgerAccount } from '../../src/core/ledger/accounts';
import { ProductRepository } from '../../src/core/product/product.repository';
import { RepaymentPurpose, ServicedInstalment, ServicedLoan } from '../../src/core/loan/servicing';
import { TestApp, startTestApp } from '../support/test-app';
import { setBusinessDate } from '../support/business-date';
import { disbursedLoan, openOcenApplication } from '../support/ocen-loan-fixtures';

/**
 * Issue 16's hand-computed examples, end to end against the real database, ledger and close of business: a
 * ₹1,00,000 loan at 16% a year for 12 months, disbursed on 2027-01-10 (a Sunday), instalments due on the 10th
 * from 2027-02-10. The business date only moves forward, so the five loans of this file are disbursed the same
 * day and their stories are told in date order; every day in between is closed by the servicing clock (accrual,
 * overdue, classification, collections), and the ledger's trial balance is 0 after every one of them.
 *
 * Every expected figure below is worked by hand in the comments (whole paise, half up), never taken from the code.
 *
 * The schedule (EMI = 1,00,000 × r(1+r)¹² / ((1+r)¹² − 1), r = 16/1200: 9,073.0886… → ₹9,073.09):
 *   k  due         interest                             principal                 left
 *   1  2027-02-10  1,00,000.00 × 16/1200 = 1,333.333 → 1,333.33   9,073.09 − 1,333.33 = 7,739.76   92,260.24
 *   2  2027-03-10     92,260.24 × 16/1200 = 1,230.137 → 1,230.14   7,842.95                         84,417.29
 *   3  2027-04-10     84,417.29 × 16/1200 = 1,125.564 → 1,125.56   7,947.53                         76,469.76
 *   4  2027-05-10     76,469.76 × 16/1200 = 1,019.597 → 1,019.60   8,053.49                         68,416.27
 */

const LA = 'la-examples';
const PAISA = 10_000n;
/** Rupees and paise written as in the comments: rs('84,417.29') = 84,417.29 rupees in micros. */
const rs = (text: string) => {
  const [whole, fraction = ''] = text.replace(/,/g, '').split('.');
  return (BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'))) * PAISA;
};
const BORROWER_ACCOUNTS: LedgerAccount[] = ['LOAN_PRINCIPAL', 'INTEREST_RECEIVABLE', 'CHARGES_RECEIVABLE', 'BORROWER_EXCESS'];

/** loanId: the loan account's id (the ledger's key), not the OCEN loanId the fixture answers. */
type Loan = ApplicationRef & { loanId: string; applicationId: string };

let t: TestApp;
const loans = {} as Record<'forecloseFixed' | 'forecloseFloating' | 'reduceEmi' | 'reduceTenure' | 'prepayThenForeclose' | 'coolingOff', Loan>;
const servicing = () => t.services.servicing;
const dayReports: { businessDate: string; trialBalanceMicros: bigint }[] = [];

async function disburse(): Promise<Loan> {
  const ref = await openOcenApplication(t, LA, { amountRupees: 100_000 });
  const { applicationId } = await disbursedLoan(t.services, ref, { tenureMonths: 12 });
  return { ...ref, applicationId, loanId: (await t.services.servicing.loan(ref)).loanId };
}

/** Closes every business day up to `date` (exclusive: `date` becomes today, its close of business still to run). */
async function runTo(date: string): Promise<void> {
  const today = await t.services.servicingClock.today();
  const days = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (days < 0) throw new Error(`it is already ${today}`);
  if (days === 0) return;
  const { days: reports } = await t.services.servicingClock.advance(days);
  dayReports.push(...reports);
  expect(await t.services.servicingClock.today()).toBe(date);
}

/** Pays through the payment page (intent, then the provider's success) on today's business date. */
async function pay(loan: Loan, amountMicros: bigint, purpose: RepaymentPurpose = 'DUES') {
  const { repayment } = await servicing().trigger({ ...loan, amountMicros, method: 'UPI', purpose });
  expect(repayment.purpose).toBe(purpose);
  const done = await servicing().complete(repayment.reference, { status: 'SUCCEEDED', providerReference: `PRV-${repayment.reference}` });
  expect(done.state).toBe('SUCCEEDED');
  return done;
}

const left = (l: ServicedInstalment) => l.principalMicros - l.principalPaidMicros + l.interestMicros - l.interestPaidMicros;

/** Pays today's instalment of each loan, exactly what is left of it. */
async function payTodaysInstalment(...which: Loan[]): Promise<void> {
  const today = await t.services.servicingClock.today();
  for (const loan of which) {
    const line = (await servicing().loan(loan)).instalments.find((l) => l.dueDate === today && l.status !== 'CANCELLED');
    if (!line) throw new Error(`no instalment of ${loan.loanId} is due on ${today}`);
    await pay(loan, left(line));
    expect((await servicing().loan(loan)).instalments.find((l) => l.sequence === line.sequence)!.status).toBe('PAID');
  }
}

async function ledgerOf(loan: Loan): Promise<Record<LedgerAccount, bigint>> {
  const out = {} as Record<LedgerAccount, bigint>;
  for (const account of BORROWER_ACCOUNTS) out[account] = await t.services.ledger.balance(account, loan.loanId);
  return out;
}

/** Live (not cancelled) instalments as [sequence, due date, interest, principal]. */
const liveLines = (loan: ServicedLoan) => loan.instalments.filter((l) => l.status !== 'CANCELLED').map((l) => [l.sequence, l.dueDate, l.interestMicros, l.principalMicros]);

async function expectClosed(loan: Loan, closure: string): Promise<ServicedLoan> {
  const closed = await servicing().loan(loan);
  expect(closed).toMatchObject({ state: 'CLOSED', closure });
  expect(await ledgerOf(loan)).toEqual({ LOAN_PRINCIPAL: 0n, INTEREST_RECEIVABLE: 0n, CHARGES_RECEIVABLE: 0n, BORROWER_EXCESS: 0n });
  expect(closed.balances).toMatchObject({ principalOutstandingMicros: 0n, interestReceivableMicros: 0n, chargesReceivableMicros: 0n, excessMicros: 0n, owedMicros: 0n });
  expect(closed.instalments.every((l) => (l.status === 'PAID' && left(l) === 0n) || l.status === 'CANCELLED')).toBe(true);
  expect((await t.services.ledger.trialBalance()).totalMicros).toBe(0n);
  expect(await t.services.noDuesCertificates.certificate(loan.loanId)).not.toBeNull();
  await t.services.loanClosing.settle(loan.loanId);
  expect((await servicing().loan(loan)).mandateCancelledOn).not.toBeNull();
  return closed;
}

beforeAll(async () => {
  t = await startTestApp({ partners: [{ id: LA, displayName: 'Loan agent examples', protocol: 'OCEN_4' }], env: { PRODUCT_CACHE_MS: '0' } });
  await setBusinessDate(t, '2027-01-10');
  loans.forecloseFixed = await disburse();
  loans.reduceEmi = await disburse();
  loans.reduceTenure = await disburse();
  loans.prepayThenForeclose = await disburse();
  loans.coolingOff = await disburse();
  // Version 2 of the product: floating rate, hence (RBI, and the table's CHECK) no foreclosure charge. The floating
  // loan's offer is made under it and its loan pins it; the loans above keep version 1 (FIXED, 2% foreclosure).
  const products = new ProductRepository(t.services.db);
  const current = (await products.find('PERSONAL_LOAN'))!;
  await products.addVersion('PERSONAL_LOAN', { ...current, name: `${current.name} (floating)`, rateType: 'FLOATING', foreclosureChargeRateE5: 0 }, new Date());
  loans.forecloseFloating = await disburse();
}, 300_000);
afterAll(() => t?.stop());

describe('the example loans', () => {
  it('when disbursed on 2027-01-10, then each is ₹1,00,000 at 16% for 12 months, first due 2027-02-10, EMI ₹9,073.09, instalments 1–4 as worked by hand', async () => {
    for (const loan of Object.values(loans)) {
      const serviced = await servicing().loan(loan);
      expect(serviced).toMatchObject({ sanctionedMicros: rs('1,00,000'), interestRateE5: 1_600_000, disbursedOn: '2027-01-10', emiMicros: rs('9,073.09'), state: 'ACTIVE' });
      expect(serviced.instalments).toHaveLength(12);
      expect(liveLines(serviced).slice(0, 4)).toEqual([
        [1, '2027-02-10', rs('1,333.33'), rs('7,739.76')],
        [2, '2027-03-10', rs('1,230.14'), rs('7,842.95')],
        [3, '2027-04-10', rs('1,125.56'), rs('7,947.53')],
        [4, '2027-05-10', rs('1,019.60'), rs('8,053.49')],
      ]);
      // The last instalment repays what is left and absorbs the rounding: 9,073.04.
      expect(serviced.instalments[11]).toMatchObject({ dueDate: '2028-01-10', emiMicros: rs('9,073.04') });
    }
    const pinned = await t.services.db.query<{ id: string; rate_type: string; foreclosure_charge_rate_e5: number }>(
      `SELECT l.id, v.rate_type::text, v.foreclosure_charge_rate_e5 FROM loan_account l JOIN product_version v ON v.product_id = l.product_id AND v.version = l.product_version`,
    );
    const terms = Object.fromEntries(pinned.map((row) => [row.id, [row.rate_type, row.foreclosure_charge_rate_e5]]));
    expect(terms[loans.forecloseFixed.loanId]).toEqual(['FIXED', 200_000]);
    expect(terms[loans.forecloseFloating.loanId]).toEqual(['FLOATING', 0]);
  });
});

describe('cooling-off exit (product: 3 days)', () => {
  it('when the borrower leaves on 2027-01-13, 3 days after disbursement, then the quote is principal + principal × APR × 3 / 365 and no charge; paying it closes the loan (COOLING_OFF_EXIT) with nothing left in the ledger', async () => {
    await runTo('2027-01-13');
    const loan = loans.coolingOff;
    const [kfs] = await t.services.db.query<{ apr_e5: number }>(`SELECT apr_e5 FROM key_fact_statement WHERE application_id = $1 ORDER BY issued_at DESC LIMIT 1`, [loan.applicationId]);
    const quote = await servicing().coolingOffQuote(loan);
    // The APR is the one the KFS states: the monthly IRR m of receiving the net payout 97,640.00 (1,00,000 less the
    // 2% processing fee 2,000.00 and its 18% GST 360.00) and paying 9,073.09 eleven times then 9,073.04 (the last
    // instalment absorbs the rounding): Σ_k c_k / (1+m)^k = 97,640, solved to m × 1200 = 20.604087… → 20.60409%
    // (2,060,409 in E5).
    expect(kfs.apr_e5).toBe(2_060_409);
    expect(quote.aprE5).toBe(kfs.apr_e5);
    // Interest = 1,00,000.00 × 20.60409% = 20,604.09 a year; × 3 / 365 = 61,812.27 / 365 = 169.3487… → ₹169.35; no charge, the fee is kept.
    const interest = rs('169.35');
    expect(quote).toMatchObject({ withinPeriod: true, daysHeld: 3, lastDay: '2027-01-13', principalMicros: rs('1,00,000'), interestMicros: interest, totalMicros: rs('1,00,000') + interest });

    await pay(loan, quote.totalMicros, 'COOLING_OFF_EXIT');
    const closed = await expectClosed(loan, 'COOLING_OFF_EXIT');
    expect(closed.charges).toEqual([]);
    expect(closed.balances).toMatchObject({ principalRepaidMicros: rs('1,00,000'), interestRepaidMicros: interest, chargesRepaidMicros: 0n });
  });
});

describe('instalments 1 and 2', () => {
  it('when each is paid on its due date, then it is PAID with its scheduled interest (accrued day by day by the close of business) and the ledger\'s principal falls by its principal', async () => {
    const running = [loans.forecloseFixed, loans.forecloseFloating, loans.reduceEmi, loans.reduceTenure, loans.prepayThenForeclose];
    await runTo('2027-02-10');
    // Accrued to the end of 2027-02-09: 1,333.33 × 30 / 31 = 1,290.3193… → ₹1,290.32.
    expect((await servicing().loan(loans.reduceEmi)).instalments[0].interestAccruedMicros).toBe(rs('1,290.32'));
    expect(await t.services.ledger.balance('INTEREST_RECEIVABLE', loans.reduceEmi.loanId)).toBe(rs('1,290.32'));
    await payTodaysInstalment(...running);
    for (const loan of running) expect(await ledgerOf(loan)).toEqual({ LOAN_PRINCIPAL: rs('92,260.24'), INTEREST_RECEIVABLE: 0n, CHARGES_RECEIVABLE: 0n, BORROWER_EXCESS: 0n });
    await runTo('2027-03-10');
    await payTodaysInstalment(...running);
    for (const loan of running) expect(await ledgerOf(loan)).toEqual({ LOAN_PRINCIPAL: rs('84,417.29'), INTEREST_RECEIVABLE: 0n, CHARGES_RECEIVABLE: 0n, BORROWER_EXCESS: 0n });
  }, 120_000);
});

describe('foreclosure in month 2 (2027-03-20, instalments 1 and 2 paid)', () => {
  // Principal outstanding: 84,417.29. Instalment 3's period is 2027-03-10 → 2027-04-10, 31 days; 10 of them are
  // over at the end of 2027-03-20: 1,125.56 × 10 / 31 = 363.0838… → ₹363.08. Instalments 4–12's interest is not owed.

  it('when the FIXED-rate loan (2% foreclosure charge) is foreclosed, then it costs ₹86,772.62 = 84,417.29 + 363.08 + 1,688.35 + 303.90; paid, the loan is CLOSED (FORECLOSED), 4–12 CANCELLED, the charge paid, the ledger at 0, the certificate served and the mandate cancelled', async () => {
    await runTo('2027-03-20');
    const loan = loans.forecloseFixed;
    // Charge: 84,417.29 × 2% = 1,688.3458 → ₹1,688.35. GST: 1,688.35 × 18% = 303.903 → ₹303.90.
    // Total: 84,417.29 + 363.08 + 1,688.35 + 303.90 = ₹86,772.62.
    const quote = await servicing().foreclosureQuote(loan);
    expect(quote).toEqual({
      validOn: '2027-03-20', principalMicros: rs('84,417.29'), interestMicros: rs('363.08'), chargesMicros: 0n,
      foreclosureChargeMicros: rs('1,688.35'), foreclosureChargeGstMicros: rs('303.90'), excessMicros: 0n, totalMicros: rs('86,772.62'),
    });

    const repayment = await pay(loan, rs('86,772.62'), 'FORECLOSURE');
    expect(repayment).toMatchObject({ penaltyMicros: rs('1,992.25'), interestMicros: rs('363.08'), principalMicros: rs('84,417.29'), excessMicros: 0n, prepaymentMicros: 0n });
    const closed = await expectClosed(loan, 'FORECLOSED');
    expect(closed.closedOn).toBe('2027-03-20');
    expect(closed.instalments.filter((l) => l.status === 'CANCELLED').map((l) => l.sequence)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(closed.instalments[2]).toMatchObject({ status: 'PAID', dueDate: '2027-03-20', interestMicros: rs('363.08'), principalMicros: rs('84,417.29') });
    expect(closed.charges).toEqual([expect.objectContaining({ kind: 'FORECLOSURE', chargeMicros: rs('1,688.35'), gstMicros: rs('303.90'), paidMicros: rs('1,992.25') })]);
    // Interest earned over the loan's life: 1,333.33 + 1,230.14 + 363.08 = ₹2,926.55, and nothing else.
    expect(closed.balances).toMatchObject({ interestRepaidMicros: rs('2,926.55'), principalRepaidMicros: rs('1,00,000'), chargesRepaidMicros: rs('1,992.25'), collectedMicros: rs('9,073.09') * 2n + rs('86,772.62') });
    expect(-(await t.services.ledger.balance('INTEREST_INCOME', loan.loanId))).toBe(rs('2,926.55'));
  });

  it('when the FLOATING-rate loan is foreclosed the same day, then it costs principal + interest to the day only: 84,417.29 + 363.08 = ₹84,780.37, no charge; paid, it is CLOSED (FORECLOSED) with the ledger at 0', async () => {
    const loan = loans.forecloseFloating;
    const quote = await servicing().foreclosureQuote(loan);
    expect(quote).toEqual({
      validOn: '2027-03-20', principalMicros: rs('84,417.29'), interestMicros: rs('363.08'), chargesMicros: 0n,
      foreclosureChargeMicros: 0n, foreclosureChargeGstMicros: 0n, excessMicros: 0n, totalMicros: rs('84,780.37'),
    });
    await pay(loan, rs('84,780.37'), 'FORECLOSURE');
    const closed = await expectClosed(loan, 'FORECLOSED');
    expect(closed.charges).toEqual([]);
  });
});

describe('part-prepayment of ₹20,000 in month 4 (2027-04-25, instalments 1–3 paid)', () => {
  // Principal outstanding: 76,469.76; new principal 76,469.76 − 20,000.00 = 56,469.76 (nothing is due that day, so
  // all of it is principal). Instalment 4's period is 2027-04-10 → 2027-05-10 (30 days), 15 of them over:
  //   on the old balance: 1,019.60 × 15 / 30 = ₹509.80
  //   on the new balance: a month is 56,469.76 × 16/1200 = 752.930… → 752.93; × 15 / 30 = 376.465 → ₹376.47
  //   instalment 4's interest: 509.80 + 376.47 = ₹886.27

  it('when instalment 3 is paid on its due date, then ₹76,469.76 of principal is left on each loan', async () => {
    await runTo('2027-04-10');
    await payTodaysInstalment(loans.reduceEmi, loans.reduceTenure, loans.prepayThenForeclose);
    for (const loan of [loans.reduceEmi, loans.reduceTenure, loans.prepayThenForeclose]) expect(await t.services.ledger.balance('LOAN_PRINCIPAL', loan.loanId)).toBe(rs('76,469.76'));
  });

  it('when the borrower chooses a lower EMI (REDUCE_EMI), then 9 instalments remain at ₹6,700.10 as worked by hand, their principals sum to the ledger\'s 56,469.76, and paying each on its due date closes the loan on 2028-01-10 with nothing left', async () => {
    await runTo('2027-04-25');
    const loan = loans.reduceEmi;
    const done = await pay(loan, rs('20,000'), 'PREPAY_REDUCE_EMI');
    expect(done).toMatchObject({ prepaymentMicros: rs('20,000'), principalMicros: rs('20,000'), interestMicros: 0n, excessMicros: 0n });
    // EMI of 56,469.76 over 9 months at 16%: 56,469.76 × r(1+r)⁹ / ((1+r)⁹ − 1) = 6,700.0996… → ₹6,700.10.
    // 4: principal 6,700.10 − 752.93 (a full month on the new principal) = 5,947.17, interest 886.27 (the 133.34
    //    earned on the old balance is paid on top of the EMI); left 50,522.59
    // k ≥ 5: interest = left × 16/1200, principal = 6,700.10 − interest; the last takes what is left:
    // 5: 50,522.59 → 673.6345 → 673.63, 6,026.47, left 44,496.12
    // 6: 44,496.12 → 593.2816 → 593.28, 6,106.82, left 38,389.30
    // 7: 38,389.30 → 511.8573 → 511.86, 6,188.24, left 32,201.06
    // 8: 32,201.06 → 429.3475 → 429.35, 6,270.75, left 25,930.31
    // 9: 25,930.31 → 345.7375 → 345.74, 6,354.36, left 19,575.95
    // 10: 19,575.95 → 261.0127 → 261.01, 6,439.09, left 13,136.86
    // 11: 13,136.86 → 175.1581 → 175.16, 6,524.94, left 6,611.92
    // 12: 6,611.92 → 88.1589 → 88.16, 6,611.92 (₹6,700.08), left 0
    const reshaped = await servicing().loan(loan);
    expect(liveLines(reshaped).slice(3)).toEqual([
      [4, '2027-05-10', rs('886.27'), rs('5,947.17')],
      [5, '2027-06-10', rs('673.63'), rs('6,026.47')],
      [6, '2027-07-10', rs('593.28'), rs('6,106.82')],
      [7, '2027-08-10', rs('511.86'), rs('6,188.24')],
      [8, '2027-09-10', rs('429.35'), rs('6,270.75')],
      [9, '2027-10-10', rs('345.74'), rs('6,354.36')],
      [10, '2027-11-10', rs('261.01'), rs('6,439.09')],
      [11, '2027-12-10', rs('175.16'), rs('6,524.94')],
      [12, '2028-01-10', rs('88.16'), rs('6,611.92')],
    ]);
    expect(reshaped.instalments.slice(4, 11).every((l) => l.emiMicros === rs('6,700.10'))).toBe(true);
    expect(reshaped.instalments[3].emiMicros).toBe(rs('6,833.44'));
    const livePrincipal = reshaped.instalments.filter((l) => l.status !== 'CANCELLED').reduce((s, l) => s + l.principalMicros - l.principalPaidMicros, 0n);
    expect(livePrincipal).toBe(rs('56,469.76'));
    expect(await t.services.ledger.balance('LOAN_PRINCIPAL', loan.loanId)).toBe(livePrincipal);
  });

  it('when the borrower keeps the EMI (REDUCE_TENURE), then instalments 4–10 remain at ₹9,073.09 as worked by hand, the last ₹5,063.98 on 2027-11-10, 11–12 cancelled, and their principals sum to the ledger\'s 56,469.76', async () => {
    const loan = loans.reduceTenure;
    await pay(loan, rs('20,000'), 'PREPAY_REDUCE_TENURE');
    // 4: interest 886.27, principal 9,073.09 − 886.27 = 8,186.82, left 48,282.94
    // 5: 48,282.94 × 16/1200 = 643.7725 → 643.77, 8,429.32, left 39,853.62
    // 6: 39,853.62 → 531.3816 → 531.38, 8,541.71, left 31,311.91
    // 7: 31,311.91 → 417.4921 → 417.49, 8,655.60, left 22,656.31
    // 8: 22,656.31 → 302.0841 → 302.08, 8,771.01, left 13,885.30
    // 9: 13,885.30 → 185.1373 → 185.14, 8,887.95, left 4,997.35
    // 10: 4,997.35 → 66.6313 → 66.63; 4,997.35 + 66.63 = 5,063.98 ≤ the EMI: the last, left 0
    const reshaped = await servicing().loan(loan);
    expect(liveLines(reshaped).slice(3)).toEqual([
      [4, '2027-05-10', rs('886.27'), rs('8,186.82')],
      [5, '2027-06-10', rs('643.77'), rs('8,429.32')],
      [6, '2027-07-10', rs('531.38'), rs('8,541.71')],
      [7, '2027-08-10', rs('417.49'), rs('8,655.60')],
      [8, '2027-09-10', rs('302.08'), rs('8,771.01')],
      [9, '2027-10-10', rs('185.14'), rs('8,887.95')],
      [10, '2027-11-10', rs('66.63'), rs('4,997.35')],
    ]);
    expect(reshaped.instalments.slice(3, 9).every((l) => l.emiMicros === rs('9,073.09'))).toBe(true);
    expect(reshaped.instalments[9].emiMicros).toBe(rs('5,063.98'));
    expect(reshaped.instalments.filter((l) => l.status === 'CANCELLED').map((l) => l.sequence)).toEqual([11, 12]);
    const livePrincipal = reshaped.instalments.filter((l) => l.status !== 'CANCELLED').reduce((s, l) => s + l.principalMicros - l.principalPaidMicros, 0n);
    expect(livePrincipal).toBe(rs('56,469.76'));
    expect(await t.services.ledger.balance('LOAN_PRINCIPAL', loan.loanId)).toBe(livePrincipal);
  });

  it('when a third borrower prepays ₹20,000 (REDUCE_EMI) the same day, then the ledger\'s principal is 56,469.76', async () => {
    await pay(loans.prepayThenForeclose, rs('20,000'), 'PREPAY_REDUCE_EMI');
    expect(await t.services.ledger.balance('LOAN_PRINCIPAL', loans.prepayThenForeclose.loanId)).toBe(rs('56,469.76'));
  });

  // After a part-prepayment the reshaped instalment 4 (interest 886.27) keeps, as its accrual base, the ₹509.80 earned
  // on the old balance by 2027-04-25 (1,019.60 × 15 / 30); the rest accrues from then (accrual.ts). Without the base
  // it would accrue on one straight line, 886.27 × 15 / 30 = ₹443.14, less than what was earned (and less than the
  // ₹475.81 the close of business had booked through 2027-04-24).
  it('when that borrower then asks for the foreclosure quote the same day, then the interest is the ₹509.80 earned on the old balance: 56,469.76 + 509.80 + 1,129.40 + 203.29 = ₹58,312.25', async () => {
    const loan = loans.prepayThenForeclose;
    // Charge: 56,469.76 × 2% = 1,129.3952 → ₹1,129.40; GST: 1,129.40 × 18% = 203.292 → ₹203.29.
    expect(await servicing().foreclosureQuote(loan)).toMatchObject({ principalMicros: rs('56,469.76'), interestMicros: rs('509.80'), foreclosureChargeMicros: rs('1,129.40'), foreclosureChargeGstMicros: rs('203.29'), totalMicros: rs('58,312.25') });
  });

  it('when every instalment left is paid on its due date, then the REDUCE_TENURE loan closes on 2027-11-10 and the REDUCE_EMI loan on 2028-01-10 (REPAID), each with nothing left in the ledger, the certificate served and the mandate cancelled', async () => {
    for (const due of ['2027-05-10', '2027-06-10', '2027-07-10', '2027-08-10', '2027-09-10', '2027-10-10', '2027-11-10', '2027-12-10', '2028-01-10']) {
      await runTo(due);
      await payTodaysInstalment(...(due <= '2027-11-10' ? [loans.reduceEmi, loans.reduceTenure] : [loans.reduceEmi]));
      if (due === '2027-11-10') expect((await expectClosed(loans.reduceTenure, 'REPAID')).closedOn).toBe('2027-11-10');
    }
    const closed = await expectClosed(loans.reduceEmi, 'REPAID');
    expect(closed.closedOn).toBe('2028-01-10');
    // Interest over its life: 1,333.33 + 1,230.14 + 1,125.56 + 886.27 + 673.63 + 593.28 + 511.86 + 429.35 + 345.74
    // + 261.01 + 175.16 + 88.16 = ₹7,653.49.
    expect(closed.balances.interestRepaidMicros).toBe(rs('7,653.49'));
    await runTo('2028-01-11');
    expect(dayReports.length).toBeGreaterThan(360);
    expect(dayReports.filter((day) => day.trialBalanceMicros !== 0n)).toEqual([]);
  }, 600_000);
});

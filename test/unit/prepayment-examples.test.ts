import { MICROS_PER_PAISA } from '../../src/core/money/money';
import { buildSchedule } from '../../src/core/money/emi';
import { accruedInterestTo } from '../../src/core/loan/accrual';
import { type InstalmentDue, type LoanDues, allocateRepayment, dueNowMicros, payoffMicros } from '../../src/core/loan/allocation';
import { forecloseSchedule, foreclosureQuote } from '../../src/core/loan/foreclosure';
import { reamortise } from '../../src/core/loan/reamortise';

/**
 * Hand-computed examples (issue 16's acceptance): a ₹1,00,000 loan at 16% a year for 12 months, disbursed on
 * 2027-01-10, instalments due on the 10th from 2027-02-10.
 *
 * Every expected figure is written out below, worked by hand, and re-derived by a small calculator in this file
 * that works in whole paise with its own formulas (not the implementation's): r = 16% / 12 = 16/1200, so
 * (1 + r) = 1216/1200 and EMI = P·16·1216ⁿ / (1200·(1216ⁿ − 1200ⁿ)); a month's interest = balance·16/1200;
 * half up to the paisa is (2n + d) / 2d.
 */

const PAISA = MICROS_PER_PAISA;
const rupees = (paise: bigint) => paise * PAISA;
const halfUp = (n: bigint, d: bigint) => (2n * n + d) / (2n * d);
const emiPaise = (principal: bigint, months: bigint) => halfUp(principal * 16n * 1216n ** months, 1200n * (1216n ** months - 1200n ** months));
const monthPaise = (balance: bigint) => halfUp(balance * 16n, 1200n);

/** The schedule in paise, by the calculator: [interest, principal, opening balance] per month; the last takes the rest. */
function handSchedule(principal: bigint, months: number): [bigint, bigint, bigint][] {
  const emi = emiPaise(principal, BigInt(months));
  const rows: [bigint, bigint, bigint][] = [];
  let balance = principal;
  for (let k = 1; k <= months; k++) {
    const interest = monthPaise(balance);
    const repaid = k === months ? balance : emi - interest;
    rows.push([interest, repaid, balance]);
    balance -= repaid;
  }
  return rows;
}

const schedule = buildSchedule({ principalMicros: 100_000_000_000n, annualRateE5: 1_600_000n, tenureMonths: 12 }, '2027-02-10')
  .map((line, k, all) => ({ ...line, accruesFrom: k === 0 ? '2027-01-10' : all[k - 1].dueDate, principalPaidMicros: 0n, interestPaidMicros: 0n }));
const paidUpTo = (count: number): (InstalmentDue & { accruesFrom: string })[] =>
  schedule.map((line) => (line.sequence <= count ? { ...line, principalPaidMicros: line.principalMicros, interestPaidMicros: line.interestMicros } : line));
const principalLeft = (lines: InstalmentDue[]) => lines.reduce((s, l) => s + l.principalMicros - l.principalPaidMicros, 0n);

describe('the example loan: ₹1,00,000 at 16% for 12 months from 2027-01-10', () => {
  it('when it is scheduled, then the EMI is ₹9,073.09 and the first four months split as worked by hand', () => {
    // EMI = 1,00,000 × (16/1200) × 1.0133…¹² / (1.0133…¹² − 1) = 9,073.0886… → ₹9,073.09
    // 1: interest 1,00,000.00 × 16/1200 = 1,333.333 → 1,333.33; principal 9,073.09 − 1,333.33 = 7,739.76; left 92,260.24
    // 2: interest    92,260.24 × 16/1200 = 1,230.137 → 1,230.14; principal 7,842.95; left 84,417.29
    // 3: interest    84,417.29 × 16/1200 = 1,125.564 → 1,125.56; principal 7,947.53; left 76,469.76
    // 4: interest    76,469.76 × 16/1200 = 1,019.597 → 1,019.60; principal 8,053.49; left 68,416.27
    const hand = handSchedule(10_000_000n, 12);
    expect(emiPaise(10_000_000n, 12n)).toBe(907_309n);
    expect(hand.slice(0, 4)).toEqual([[133_333n, 773_976n, 10_000_000n], [123_014n, 784_295n, 9_226_024n], [112_556n, 794_753n, 8_441_729n], [101_960n, 805_349n, 7_646_976n]]);
    expect(schedule[0].emiMicros).toBe(rupees(907_309n));
    expect(schedule.map((l) => [l.interestMicros, l.principalMicros, l.openingPrincipalMicros])).toEqual(hand.map((row) => row.map(rupees)));
  });
});

describe('when the borrower forecloses in month 2 (instalments 1 and 2 paid, on 2027-03-20)', () => {
  const lines = paidUpTo(2);
  const dues: LoanDues = { asOf: '2027-03-20', charges: [], instalments: lines, principalOutstandingMicros: principalLeft(lines) };
  // Principal outstanding after instalment 2: 84,417.29.
  // Instalment 3 runs 2027-03-10 → 2027-04-10: 21 days left of March + 10 of April = 31 days; 10 of them are over on
  // 2027-03-20. Interest accrued: 1,125.56 × 10 / 31 = 363.0838… → ₹363.08. Instalments 4–12's interest is not owed.
  const hand = handSchedule(10_000_000n, 12);
  const principalPaise = hand[2][2];
  const accruedPaise = halfUp(hand[2][0] * 10n, 31n);
  const accrued = accruedInterestTo(lines[2], '2027-03-20');

  it('then a FIXED-rate loan with a 2% foreclosure charge costs principal + interest to the day + the charge + 18% GST on it: ₹86,772.62', () => {
    // Charge: 84,417.29 × 2% = 1,688.3458 → ₹1,688.35; GST: 1,688.35 × 18% = 303.903 → ₹303.90.
    // Total: 84,417.29 + 363.08 + 1,688.35 + 303.90 = ₹86,772.62.
    const chargePaise = halfUp(principalPaise * 2n, 100n);
    const gstPaise = halfUp(chargePaise * 18n, 100n);
    expect([principalPaise, accruedPaise, chargePaise, gstPaise]).toEqual([8_441_729n, 36_308n, 168_835n, 30_390n]);
    expect(principalPaise + accruedPaise + chargePaise + gstPaise).toBe(8_677_262n);

    expect(dueNowMicros(dues)).toBe(0n);
    expect(payoffMicros(dues, accrued)).toBe(rupees(8_441_729n + 36_308n));
    const quote = foreclosureQuote({ asOf: '2027-03-20', principalOutstandingMicros: dues.principalOutstandingMicros, interestAccruedUnpaidMicros: accrued, chargesOutstandingMicros: 0n, excessMicros: 0n, foreclosureChargeRateE5: 200_000, rateType: 'FIXED', gstRateE5: 1_800_000 });
    expect(quote).toEqual({
      principalMicros: rupees(8_441_729n), interestMicros: rupees(36_308n), chargesMicros: 0n, foreclosureChargeMicros: rupees(168_835n),
      foreclosureChargeGstMicros: rupees(30_390n), excessMicros: 0n, totalMicros: rupees(8_677_262n), validOn: '2027-03-20',
    });
  });

  it('then a FLOATING-rate loan costs principal + interest to the day only: ₹84,780.37, no foreclosure charge and no GST', () => {
    // 84,417.29 + 363.08 = 84,780.37
    const quote = foreclosureQuote({ asOf: '2027-03-20', principalOutstandingMicros: dues.principalOutstandingMicros, interestAccruedUnpaidMicros: accrued, chargesOutstandingMicros: 0n, excessMicros: 0n, foreclosureChargeRateE5: 200_000, rateType: 'FLOATING', gstRateE5: 1_800_000 });
    expect([quote.foreclosureChargeMicros, quote.foreclosureChargeGstMicros, quote.totalMicros]).toEqual([0n, 0n, rupees(principalPaise + accruedPaise)]);
    expect(quote.totalMicros).toBe(rupees(8_478_037n));
  });

  it('then instalment 3 falls due that day for ₹363.08 of interest and all ₹84,417.29 of principal, 4–12 are cancelled, and paying the quote clears everything with nothing over', () => {
    const { instalments, cancelled } = forecloseSchedule(lines, '2027-03-20', accrued);
    expect(cancelled).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(instalments.at(-1)).toMatchObject({ sequence: 3, dueDate: '2027-03-20', interestMicros: rupees(36_308n), principalMicros: rupees(8_441_729n) });
    // The charge and its GST are levied on the day (₹1,688.35 + ₹303.90 = ₹1,992.25) and paid first.
    const after: LoanDues = { asOf: '2027-03-20', charges: [{ id: 'FORECLOSURE', leviedOn: '2027-03-20', outstandingMicros: rupees(199_225n) }], instalments, principalOutstandingMicros: rupees(8_441_729n) };
    const paid = allocateRepayment(rupees(8_677_262n), after);
    expect(paid).toMatchObject({ chargesMicros: rupees(199_225n), interestMicros: rupees(36_308n), principalMicros: rupees(8_441_729n), prepaymentMicros: 0n, excessMicros: 0n });
  });
});

describe('when the borrower prepays ₹20,000 in month 4 (instalments 1–3 paid, on 2027-04-25)', () => {
  const lines = paidUpTo(3);
  const dues: LoanDues = { asOf: '2027-04-25', charges: [], instalments: lines, principalOutstandingMicros: principalLeft(lines) };
  const future = lines.filter((l) => l.dueDate > '2027-04-25');
  // Principal outstanding: 76,469.76. Nothing is due on 2027-04-25 (instalment 4 is due 2027-05-10), so all of the
  // ₹20,000 is principal: the new principal is 56,469.76.
  // Instalment 4 runs 2027-04-10 → 2027-05-10 (30 days), 15 over on 2027-04-25:
  //   on the old balance: 1,019.60 × 15/30 = ₹509.80
  //   on the new balance: a month is 56,469.76 × 16/1200 = 752.930… → 752.93; × 15/30 = 376.465 → ₹376.47
  //   interest of instalment 4: 509.80 + 376.47 = ₹886.27 (it was ₹1,019.60)
  const newPaise = 7_646_976n - 2_000_000n;
  const firstInterestPaise = halfUp(101_960n * 15n, 30n) + halfUp(monthPaise(newPaise) * 15n, 30n);
  const input = { newPrincipalMicros: rupees(newPaise), oldPrincipalMicros: dues.principalOutstandingMicros, annualRateE5: 1_600_000, currentEmiMicros: rupees(907_309n), asOf: '2027-04-25', future };

  /** The calculator's re-amortisation in paise: [interest, principal] per line; the last line takes the rest. */
  function handReamortised(emi: bigint, keepTenure: boolean): [bigint, bigint][] {
    const rows: [bigint, bigint][] = [];
    let balance = newPaise;
    for (let k = 0; k < 9 && balance > 0n; k++) {
      const interest = k === 0 ? firstInterestPaise : monthPaise(balance);
      // Keeping the tenure, the first line repays what a full month on the new principal would leave of the EMI.
      const repaid = k === 8 || (!keepTenure && balance + interest <= emi) ? balance : emi - (keepTenure && k === 0 ? monthPaise(newPaise) : interest);
      rows.push([interest, repaid]);
      balance -= repaid;
    }
    return rows;
  }

  it('then the whole ₹20,000 goes to principal and none to future interest', () => {
    expect(dues.principalOutstandingMicros).toBe(rupees(7_646_976n));
    expect(allocateRepayment(rupees(2_000_000n), dues)).toMatchObject({ prepaymentMicros: rupees(2_000_000n), interestMicros: 0n, lines: [], excessMicros: 0n });
    expect(firstInterestPaise).toBe(50_980n + 37_647n);
    expect(firstInterestPaise).toBe(88_627n);
  });

  it('and chooses a lower EMI (REDUCE_EMI), then 9 instalments remain at ₹6,700.10, instalment 4 is ₹886.27 interest + ₹5,947.17 principal = ₹6,833.44, and instalment 12 takes the rounding (₹6,700.08)', () => {
    // EMI = 56,469.76 × (16/1200) × 1.0133…⁹ / (1.0133…⁹ − 1) = 6,700.0996… → ₹6,700.10
    // Instalment 4: principal 6,700.10 − 752.93 (a full month on the new principal) = 5,947.17; interest 886.27;
    // amount 6,833.44: the 886.27 − 752.93 = ₹133.34 earned on the old balance before the prepayment is paid on
    // top of the new EMI. Left: 56,469.76 − 5,947.17 = 50,522.59.
    // Instalment 5: interest 50,522.59 × 16/1200 = 673.634… → 673.63; principal 6,026.47; and so on at ₹6,700.10
    // until instalment 12 repays the last 6,611.92 with 88.16 of interest: ₹6,700.08.
    const emi = emiPaise(newPaise, 9n);
    expect(emi).toBe(670_010n);
    const hand = handReamortised(emi, true);
    expect(hand).toHaveLength(9);
    expect(hand[0]).toEqual([88_627n, 594_717n]);
    expect(hand[1]).toEqual([67_363n, 602_647n]);
    expect(hand[8]).toEqual([8_816n, 661_192n]);
    expect(hand.reduce((s, [, p]) => s + p, 0n)).toBe(newPaise);

    const lines = reamortise({ ...input, mode: 'REDUCE_EMI' });
    expect(lines.map((l) => l.sequence)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(lines.map((l) => [l.interestMicros, l.principalMicros])).toEqual(hand.map((row) => row.map(rupees)));
    expect(lines[0].emiMicros).toBe(rupees(683_344n));
    expect(lines.slice(1, 8).every((l) => l.emiMicros === rupees(670_010n))).toBe(true);
    expect(lines[8]).toMatchObject({ dueDate: '2028-01-10', emiMicros: rupees(670_008n) });
  });

  it('and chooses a shorter tenure (REDUCE_TENURE), then the EMI stays ₹9,073.09, 7 instalments remain (4–10, the last ₹5,063.98 on 2027-11-10), and 11 and 12 are gone', () => {
    // Instalment 4: 9,073.09 − 886.27 = 8,186.82 of principal; left 48,282.94.
    // Then interest on each opening balance and 9,073.09 − interest of principal, until instalment 10 repays
    // the last 4,997.35 with 66.63 of interest (4,997.35 × 16/1200 = 66.631… → 66.63): ₹5,063.98.
    const hand = handReamortised(907_309n, false);
    expect(hand).toHaveLength(7);
    expect(hand[0]).toEqual([88_627n, 818_682n]);
    expect(hand[6]).toEqual([6_663n, 499_735n]);
    expect(hand.reduce((s, [, p]) => s + p, 0n)).toBe(newPaise);

    const lines = reamortise({ ...input, mode: 'REDUCE_TENURE' });
    expect(lines.map((l) => l.sequence)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(lines.map((l) => [l.interestMicros, l.principalMicros])).toEqual(hand.map((row) => row.map(rupees)));
    expect(lines.slice(0, 6).every((l) => l.emiMicros === rupees(907_309n))).toBe(true);
    expect(lines[6]).toMatchObject({ dueDate: '2027-11-10', emiMicros: rupees(506_398n) });
  });
});

import { addMonthsClamped, isValidIsoDate } from '../shared/dates';
import { MICROS_PER_PAISA, PERCENT_E5_SCALE, isWholePaise, roundHalfUpDiv, sumMicros, toRateE5 } from './money';

export interface LoanTerms {
  /** Amount lent, in micros; a positive whole number of paise. */
  principalMicros: bigint;
  /** Annual rate, percent × 10^5 (16% = 1,600,000). */
  annualRateE5: bigint;
  /** Number of monthly instalments, 1 to 600. */
  tenureMonths: number;
}

export interface ScheduledInstalment {
  /** 1-based. */
  sequence: number;
  /** YYYY-MM-DD (a calendar date, no time zone). */
  dueDate: string;
  /** What is due: principalMicros + interestMicros. */
  emiMicros: bigint;
  principalMicros: bigint;
  interestMicros: bigint;
  openingPrincipalMicros: bigint;
  closingPrincipalMicros: bigint;
}

/** The monthly rate is annual / 12, i.e. exactly annualRateE5 / MONTHLY_RATE_DENOMINATOR (= 120,000,000). */
const MONTHLY_RATE_DENOMINATOR = 12n * PERCENT_E5_SCALE;
const MAX_TENURE_MONTHS = 600;

/**
 * Checks that the terms describe a loan; nothing is rounded or adjusted.
 *
 * @throws RangeError when the principal is not positive or not a whole number of paise, the tenure is not
 * an integer from 1 to 600 months, or the annual rate is below 0% or above 100% (10,000,000 in E5).
 */
export function validateTerms(terms: LoanTerms): void {
  if (typeof terms.principalMicros !== 'bigint' || terms.principalMicros <= 0n || !isWholePaise(terms.principalMicros)) {
    throw new RangeError('principal must be a positive whole number of paise');
  }
  if (!Number.isInteger(terms.tenureMonths) || terms.tenureMonths < 1 || terms.tenureMonths > MAX_TENURE_MONTHS) {
    throw new RangeError(`tenure must be a whole number of months from 1 to ${MAX_TENURE_MONTHS}`);
  }
  if (typeof terms.annualRateE5 !== 'bigint' || terms.annualRateE5 < 0n || terms.annualRateE5 > PERCENT_E5_SCALE) {
    throw new RangeError('rate must be from 0% to 100% (0 to 10,000,000 in E5)');
  }
}

/**
 * The reducing-balance EMI, computed exactly and rounded once, HALF_UP to the paisa.
 *
 * The monthly rate is r = annual / 12 as an exact rational: with a = annualRateE5 and b = 12 × 100 × 10^5 =
 * 120,000,000, r = a / b and (1 + r)^n = (b + a)^n / b^n, so
 *
 *     EMI = P·r·(1+r)^n / ((1+r)^n − 1) = P·a·(b+a)^n / (b·((b+a)^n − b^n))
 *
 * is one bigint fraction, rounded HALF_UP (half away from zero) to a whole paisa. No intermediate value is
 * rounded. At 0% the EMI is P / n, rounded HALF_UP to the paisa.
 * Example: ₹1,00,000 at 12% for 12 months → ₹8,884.88 (8,884,880,000 micros).
 *
 * @throws RangeError when the terms fail {@link validateTerms}.
 */
export function emiMicros(terms: LoanTerms): bigint {
  validateTerms(terms);
  const n = BigInt(terms.tenureMonths);
  const p = terms.principalMicros;
  const a = terms.annualRateE5;
  if (a === 0n) return roundHalfUpDiv(p, n * MICROS_PER_PAISA) * MICROS_PER_PAISA;
  const b = MONTHLY_RATE_DENOMINATOR;
  const grown = (b + a) ** n;
  const base = b ** n;
  return roundHalfUpDiv(p * a * grown, b * (grown - base) * MICROS_PER_PAISA) * MICROS_PER_PAISA;
}

/**
 * One month's interest on a balance: balance × annual / 12 = balance × a / 120,000,000 (a = the annual
 * rate in E5), computed exactly and rounded HALF_UP (half away from zero) to the paisa.
 * Example: a month on ₹1,00,000 at 16% is ₹1,333.333… → ₹1,333.33.
 *
 * @throws RangeError when a `number` rate is not a safe integer.
 */
export function monthlyInterestMicros(balanceMicros: bigint, annualRateE5: bigint | number): bigint {
  return roundHalfUpDiv(balanceMicros * toRateE5(annualRateE5), MONTHLY_RATE_DENOMINATOR * MICROS_PER_PAISA) * MICROS_PER_PAISA;
}

/**
 * The full EMI schedule for the terms, first instalment due on `firstDueDate` (YYYY-MM-DD).
 *
 * For k = 1..n, on the opening balance: interest = {@link monthlyInterestMicros} (HALF_UP to the paisa),
 * principal = EMI − interest, where EMI = {@link emiMicros} (HALF_UP to the paisa). The LAST instalment
 * instead repays the whole remaining balance, with emi = that principal + its interest: it absorbs every
 * rounding, so the principals sum exactly to the loan and the final closing balance is exactly 0. Every
 * amount is a whole number of paise; there is no other rounding.
 *
 * Due dates are `firstDueDate` then one calendar month apart, each keeping the day of month of
 * `firstDueDate` clamped to the month's end (2026-01-31, 2026-02-28, 2026-03-31, …).
 *
 * @throws RangeError when the terms fail {@link validateTerms}, `firstDueDate` is not a real date, or the
 * rounded EMI does not amortise the loan: some instalment before the last would repay no principal (the EMI
 * only covers the interest, which would leave a balloon for the last instalment), or the whole balance or
 * more (a ₹0 last instalment or a negative balance). Both need absurd terms, such as ₹1,000 at 36% over 30
 * years, where the EMI's rounding compounds over hundreds of months.
 */
export function buildSchedule(terms: LoanTerms, firstDueDate: string): ScheduledInstalment[] {
  const emi = emiMicros(terms);
  if (!isValidIsoDate(firstDueDate)) throw new RangeError(`first due date is not a YYYY-MM-DD date: ${firstDueDate}`);
  const lines: ScheduledInstalment[] = [];
  let balance = terms.principalMicros;
  for (let k = 1; k <= terms.tenureMonths; k++) {
    const interest = monthlyInterestMicros(balance, terms.annualRateE5);
    const last = k === terms.tenureMonths;
    const principal = last ? balance : emi - interest;
    if (!last && principal <= 0n) throw new RangeError(`the EMI does not amortise these terms: instalment ${k} would repay no principal`);
    if (!last && principal >= balance) throw new RangeError(`the EMI does not amortise these terms: instalment ${k} would repay the whole balance early or overpay it`);
    lines.push({
      sequence: k,
      dueDate: addMonthsClamped(firstDueDate, k - 1),
      emiMicros: principal + interest,
      principalMicros: principal,
      interestMicros: interest,
      openingPrincipalMicros: balance,
      closingPrincipalMicros: balance - principal,
    });
    balance -= principal;
  }
  return lines;
}

/** The exact total interest of a schedule (sum of its interest amounts, already whole paise); no rounding. */
export function totalInterestMicros(schedule: readonly ScheduledInstalment[]): bigint {
  return sumMicros(schedule.map((line) => line.interestMicros));
}

import { addMonthsClamped } from '../shared/dates';
import { MICROS_PER_PAISA, PERCENT_E5_SCALE, isWholePaise, roundHalfUpDiv } from './money';

export interface LoanTerms {
  principalMicros: bigint;
  /** Annual rate, percent × 10^5 (16% = 1,600,000). */
  annualRateE5: bigint;
  tenureMonths: number;
}

export interface ScheduledInstalment {
  sequence: number;
  /** YYYY-MM-DD. */
  dueDate: string;
  emiMicros: bigint;
  principalMicros: bigint;
  interestMicros: bigint;
  openingPrincipalMicros: bigint;
  closingPrincipalMicros: bigint;
}

/** The monthly rate is annual / 12, i.e. annualRateE5 / MONTHLY_RATE_DENOMINATOR exactly. */
const MONTHLY_RATE_DENOMINATOR = 12n * PERCENT_E5_SCALE;

export function validateTerms(terms: LoanTerms): void {
  if (terms.principalMicros <= 0n || !isWholePaise(terms.principalMicros)) throw new RangeError('principal must be a positive whole number of paise');
  if (!Number.isInteger(terms.tenureMonths) || terms.tenureMonths < 1 || terms.tenureMonths > 600) throw new RangeError('tenure must be 1 to 600 months');
  if (terms.annualRateE5 < 0n || terms.annualRateE5 > PERCENT_E5_SCALE) throw new RangeError('rate must be 0% to 100%');
}

/**
 * Reducing-balance EMI, exact then rounded HALF_UP to the paisa. With a = annualRateE5 and b = 12 × 10^7,
 * r = a/b and (1+r)^n = (b+a)^n / b^n, so EMI = P·a·(b+a)^n / (b·((b+a)^n − b^n)), all in bigint.
 * At 0% the EMI is P / n, rounded HALF_UP to the paisa.
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

/** A month's interest on the balance: balance × annual / 12, rounded HALF_UP to the paisa. */
export function monthlyInterestMicros(balanceMicros: bigint, annualRateE5: bigint): bigint {
  return roundHalfUpDiv(balanceMicros * annualRateE5, MONTHLY_RATE_DENOMINATOR * MICROS_PER_PAISA) * MICROS_PER_PAISA;
}

/**
 * The EMI schedule. Each month: interest on the opening balance (HALF_UP to the paisa), principal = EMI −
 * interest. The last instalment repays the whole remaining balance (EMI = balance + interest), so it absorbs
 * every rounding and the principals sum exactly to the loan amount. Terms whose paisa-rounded EMI would not
 * repay any principal in some month (absurdly long at a high rate for a tiny amount) are refused with a
 * RangeError rather than turned into a balloon or a negative balance.
 */
export function buildSchedule(terms: LoanTerms, firstDueDate: string): ScheduledInstalment[] {
  const emi = emiMicros(terms);
  const anchorDay = Number(firstDueDate.slice(8, 10));
  const lines: ScheduledInstalment[] = [];
  let balance = terms.principalMicros;
  for (let k = 1; k <= terms.tenureMonths; k++) {
    const interest = monthlyInterestMicros(balance, terms.annualRateE5);
    const last = k === terms.tenureMonths;
    const principal = last ? balance : emi - interest;
    if (principal > balance || (last ? principal < 0n : principal <= 0n)) {
      throw new RangeError('the EMI does not amortise these terms at paisa precision');
    }
    lines.push({
      sequence: k,
      dueDate: addMonthsClamped(firstDueDate, k - 1, anchorDay),
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

export function totalInterestMicros(schedule: readonly ScheduledInstalment[]): bigint {
  return schedule.reduce((sum, line) => sum + line.interestMicros, 0n);
}

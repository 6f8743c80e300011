import { emiMicros, monthlyInterestMicros } from '../money/emi';
import { MICROS_PER_PAISA, isWholePaise, roundHalfUpDiv, toRateE5 } from '../money/money';
import { accruedInterestTo } from './accrual';
import { daysBetween } from '../shared/dates';

/** The borrower's choice after a part-prepayment. */
export type PrepaymentMode = 'REDUCE_EMI' | 'REDUCE_TENURE';

export interface ReamortiseInput {
  /** The principal outstanding after the prepayment: positive whole paise, below oldPrincipalMicros. */
  newPrincipalMicros: bigint;
  /** The principal outstanding before it (the opening balance of the first future instalment). */
  oldPrincipalMicros: bigint;
  /** Annual rate, percent × 10^5. */
  annualRateE5: number | bigint;
  mode: PrepaymentMode;
  /** The EMI of the current schedule (kept by REDUCE_TENURE). */
  currentEmiMicros: bigint;
  /** The business date of the prepayment (YYYY-MM-DD). */
  asOf: string;
  /** The instalments with dueDate > asOf, untouched (nothing paid of them), oldest first. */
  future: { sequence: number; accruesFrom: string; dueDate: string; interestMicros: bigint }[];
}

export interface ReamortisedInstalment {
  sequence: number;
  accruesFrom: string;
  dueDate: string;
  /** principalMicros + interestMicros. */
  emiMicros: bigint;
  principalMicros: bigint;
  interestMicros: bigint;
}

/**
 * The schedule left after a part-prepayment, re-amortised from the new principal. Rules:
 *
 * - The FIRST future instalment (its period is running on `asOf`) earns interest on the old balance up to
 *   asOf and on the new balance for the rest of its period, each part rounded HALF_UP to the paisa:
 *       interest₁ = accruedInterestTo(its original interest, asOf)                          (old balance, accrual.ts)
 *                 + roundHalfUp(monthlyInterestMicros(newPrincipal) × remaining days / period days)
 *   with remaining days = dueDate − max(asOf, accruesFrom).
 * - Every later instalment: interest = monthlyInterestMicros(its opening balance) (emi.ts, HALF_UP).
 * - REDUCE_EMI: the same number of instalments (future.length), the EMI recomputed
 *   emiMicros({ principal: newPrincipal, rate, tenure: future.length }); principal = EMI − interest, except
 *   for the first instalment, whose principal = EMI − a full month's interest on the new principal
 *   (monthlyInterestMicros(newPrincipal)) and whose amount = that principal + interest₁: the interest already
 *   earned on the old balance is paid on top of the new EMI rather than out of its principal, so the schedule
 *   after it is the plain amortisation of the new principal (and a large prepayment late in a period cannot
 *   leave the first instalment repaying no principal).
 * - REDUCE_TENURE: the EMI stays currentEmiMicros; the schedule stops at the instalment that repays the
 *   balance (fewer lines; due dates and accrual periods are those of `future`, in order); the dropped
 *   instalments are the caller's to cancel.
 * - The LAST line repays the whole remaining balance (emi = that principal + its interest): it absorbs every
 *   rounding, so the principals sum EXACTLY to newPrincipalMicros and the balance ends at exactly 0. No line
 *   has a principal ≤ 0.
 *
 * @throws RangeError on impossible input: no future instalment, a new principal that is not positive whole
 * paise or not below the old one, an EMI that would not amortise (a line before the last repaying no
 * principal), or an asOf outside the first future instalment's period.
 */
export function reamortise(input: ReamortiseInput): ReamortisedInstalment[] {
  const { newPrincipalMicros: principal, oldPrincipalMicros, future, asOf, mode } = input;
  const rate = toRateE5(input.annualRateE5);
  if (future.length === 0) throw new RangeError('nothing is left to re-amortise');
  if (principal <= 0n || !isWholePaise(principal)) throw new RangeError('the new principal must be positive whole paise');
  if (principal >= oldPrincipalMicros) throw new RangeError('a prepayment must reduce the principal');
  const first = future[0];
  const period = daysBetween(first.accruesFrom, first.dueDate);
  const elapsed = daysBetween(first.accruesFrom, asOf);
  if (elapsed < 0 || elapsed >= period) throw new RangeError(`the prepayment date ${asOf} is not within instalment ${first.sequence}'s period`);
  const firstInterest = accruedInterestTo(first, asOf)
    + roundHalfUpDiv(monthlyInterestMicros(principal, rate) * BigInt(period - elapsed), BigInt(period) * MICROS_PER_PAISA) * MICROS_PER_PAISA;
  const emi = mode === 'REDUCE_EMI' ? emiMicros({ principalMicros: principal, annualRateE5: rate, tenureMonths: future.length }) : input.currentEmiMicros;
  if (emi <= 0n) throw new RangeError('the EMI must be positive');
  const lines: ReamortisedInstalment[] = [];
  let balance = principal;
  for (const [k, slot] of future.entries()) {
    const interest = k === 0 ? firstInterest : monthlyInterestMicros(balance, rate);
    const last = k === future.length - 1 || (mode === 'REDUCE_TENURE' && balance + interest <= emi);
    const planned = mode === 'REDUCE_EMI' && k === 0 ? monthlyInterestMicros(balance, rate) : interest;
    const linePrincipal = last ? balance : emi - planned;
    if (linePrincipal <= 0n) throw new RangeError(`the EMI does not amortise the new principal: instalment ${slot.sequence} would repay no principal`);
    if (!last && linePrincipal >= balance) throw new RangeError(`the EMI repays the balance before the last instalment (${slot.sequence})`);
    lines.push({ sequence: slot.sequence, accruesFrom: slot.accruesFrom, dueDate: slot.dueDate, emiMicros: linePrincipal + interest, principalMicros: linePrincipal, interestMicros: interest });
    balance -= linePrincipal;
    if (last) break;
  }
  return lines;
}

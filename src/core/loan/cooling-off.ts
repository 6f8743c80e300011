import { MICROS_PER_PAISA, PERCENT_E5_SCALE, roundHalfUpDiv, toRateE5 } from '../money/money';
import { daysBetween } from '../shared/dates';

export interface CoolingOffFacts {
  /** The principal disbursed (the loan amount, fee included when the fee was financed). */
  principalMicros: bigint;
  /** The loan's APR as stated in the KFS, percent × 10^5. */
  aprE5: number | bigint;
  /** YYYY-MM-DD. */
  disbursedOn: string;
  /** The business date of the exit (YYYY-MM-DD). */
  asOf: string;
  /** The product's cooling-off (look-up) period, in days after disbursement. */
  coolingOffDays: number;
}

export interface CoolingOffExit {
  /** Whether asOf is within the period: 0 ≤ daysHeld ≤ coolingOffDays. */
  withinPeriod: boolean;
  /** Calendar days from disbursement to asOf (the disbursement day itself is day 0). */
  daysHeld: number;
  /** Proportionate interest at the APR for the days held. */
  interestMicros: bigint;
  /** principal + interest: all the borrower pays to exit (no charge, no penalty). */
  totalMicros: bigint;
}

/**
 * Exit within the cooling-off (look-up) period. The RBI Digital Lending Directions (2025; first set out in the
 * Guidelines on Digital Lending of 2 September 2022) require the lender to give the borrower an explicit option
 * to exit a digital loan during a board-approved cooling-off / look-up period by paying the principal and the
 * proportionate APR, without any penalty. So:
 *
 *     interest = roundHalfUp(principal × aprE5 × daysHeld / (365 × 100 × 10^5))   to the paisa
 *
 * exactly in bigint, rounded once, HALF_UP. No foreclosure charge, no penalty. The processing fee is not
 * refunded (the design's reading of the Directions, which let a reasonable one-time processing fee disclosed
 * in the KFS be retained; check the current text before relying on it). Outside the period the figures are
 * still computed; the caller refuses the exit (or quotes a foreclosure instead).
 *
 * @throws RangeError when a date is not YYYY-MM-DD, the principal is not positive, the APR is negative, or
 * coolingOffDays is not a non-negative integer.
 */
export function coolingOffExit(facts: CoolingOffFacts): CoolingOffExit {
  const apr = toRateE5(facts.aprE5);
  if (facts.principalMicros <= 0n) throw new RangeError('principal must be positive');
  if (apr < 0n) throw new RangeError('APR must not be negative');
  if (!Number.isSafeInteger(facts.coolingOffDays) || facts.coolingOffDays < 0) throw new RangeError('coolingOffDays must be a non-negative integer');
  const daysHeld = daysBetween(facts.disbursedOn, facts.asOf);
  const withinPeriod = daysHeld >= 0 && daysHeld <= facts.coolingOffDays;
  const days = BigInt(Math.max(daysHeld, 0));
  const interestMicros = roundHalfUpDiv(facts.principalMicros * apr * days, 365n * PERCENT_E5_SCALE * MICROS_PER_PAISA) * MICROS_PER_PAISA;
  return { withinPeriod, daysHeld, interestMicros, totalMicros: facts.principalMicros + interestMicros };
}

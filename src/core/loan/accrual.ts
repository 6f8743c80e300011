import { MICROS_PER_PAISA, roundHalfUpDiv } from '../money/money';
import { addDays, daysBetween } from '../shared/dates';

/** The part of an instalment the daily accrual needs: its scheduled interest and its period. */
export interface AccruingInstalment {
  /** The instalment's scheduled interest, whole paise, not negative. */
  interestMicros: bigint;
  /** YYYY-MM-DD: the previous instalment's due date, or the disbursement date for the first instalment. */
  accruesFrom: string;
  /** YYYY-MM-DD, after `accruesFrom`. */
  dueDate: string;
  /**
   * A part of the interest already earned at `accrualBaseOn` (a re-amortisation mid-period: the interest earned on
   * the old balance so far); the rest accrues evenly from that date to the due date. Absent: 0 from `accruesFrom`.
   */
  accrualBaseMicros?: bigint;
  /** YYYY-MM-DD, from `accruesFrom` to before `dueDate`; set with `accrualBaseMicros`. */
  accrualBaseOn?: string | null;
}

/**
 * THE ACCRUAL RULE (the contract the close-of-business SQL mirrors; change both or neither).
 *
 * An instalment's interest is earned evenly, day by day, over its period: from `accruesFrom` (the previous
 * due date, or the disbursement date for instalment 1) to its `dueDate`. The interest accrued by the END of
 * business date `asOf` is
 *
 *     accrued(asOf) = roundHalfUp(interest × clamp(asOf − accruesFrom, 0, P) / P)   to the paisa
 *     P             = dueDate − accruesFrom                                         (calendar days)
 *
 * computed exactly in bigint and rounded once, HALF_UP (half away from zero) to a whole paisa. So:
 * - on or before `accruesFrom` it is 0 (the disbursement day itself earns nothing; the first day's interest is
 *   earned at the end of the day after `accruesFrom`);
 * - on and after the due date it is exactly `interestMicros` (the period is over; nothing more accrues on this
 *   instalment, and the next instalment's period starts);
 * - it never decreases as `asOf` moves on.
 * A day's accrual entry is `accrued(d) − accrued(d − 1)` (or, in the close-of-business job, `accrued(d)` minus
 * what is already booked in `loan_instalment.interest_accrued_micros`): the daily entries of a period sum to
 * exactly `interestMicros`, and rounding never accumulates, because each day re-rounds the running total
 * rather than adding rounded daily pieces. In PostgreSQL (numeric, whose `round` is half away from zero; never
 * integer division, which truncates):
 * `CASE WHEN d >= due_date THEN interest_micros ELSE round(interest_micros::numeric
 *  * greatest(d - accrues_from, 0) / ((due_date - accrues_from) * 10000)) * 10000 END`.
 *
 * Example: ₹1,125.56 over 31 days (2027-03-10 → 2027-04-10), as of 2027-03-20: 1,125.56 × 10 / 31 =
 * 363.0838… → ₹363.08.
 * With an accrual base (a re-amortisation on day V set the part already earned, B, on the old balance): from V
 * the rule runs on the rest, `B + roundHalfUp((interest − B) × clamp(asOf − V, 0, due − V) / (due − V))`, so
 * the interest earned before the prepayment is never recomputed on the new balance.
 *
 * @throws RangeError when a date is not a real YYYY-MM-DD date, the period is not at least one day, or the
 * interest is negative.
 */
export function accruedInterestTo(line: AccruingInstalment, asOf: string): bigint {
  const base = line.accrualBaseOn ? (line.accrualBaseMicros ?? 0n) : 0n;
  const from = line.accrualBaseOn ?? line.accruesFrom;
  const period = daysBetween(from, line.dueDate);
  if (period < 1) throw new RangeError(`an instalment's period must be at least a day (${from} → ${line.dueDate})`);
  if (line.interestMicros < 0n) throw new RangeError('interest must not be negative');
  if (base < 0n || base > line.interestMicros) throw new RangeError('the accrual base must be from 0 to the interest');
  const elapsed = Math.min(Math.max(daysBetween(from, asOf), 0), period);
  if (elapsed === period) return line.interestMicros;
  return base + roundHalfUpDiv((line.interestMicros - base) * BigInt(elapsed), BigInt(period) * MICROS_PER_PAISA) * MICROS_PER_PAISA;
}

/** The interest an instalment earns on business date `day` alone: accruedInterestTo(day) − accruedInterestTo(the day before). */
export function accrualOnDay(line: AccruingInstalment, day: string): bigint {
  return accruedInterestTo(line, day) - accruedInterestTo(line, addDays(day, -1));
}

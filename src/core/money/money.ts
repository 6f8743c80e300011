/**
 * Money is integer micros held in a `bigint`: ₹1 = 1,000,000 micros, 1 paisa = 10,000 micros. Amounts never
 * pass through a JS `number`. Every division states its rounding rule; the house rule is HALF_UP (half away
 * from zero) to the paisa. Rates are percent × 10^5 ("E5"): 12.75% = 1,275,000.
 */

/** ₹1 in micros. */
export const MICROS_PER_RUPEE = 1_000_000n;
/** 1 paisa in micros: the smallest amount that is ever charged or paid. */
export const MICROS_PER_PAISA = 10_000n;
/** 100% in E5 (percent × 10^5): a rate in E5 divided by this is the plain fraction. */
export const PERCENT_E5_SCALE = 100n * 100_000n;

/**
 * `numerator / denominator` exactly, rounded HALF_UP in the sense of half away from zero: the quotient is
 * rounded on its magnitude and the sign is put back, so 5/2 → 3, −5/2 → −3, 4/3 → 1, −4/3 → −1.
 * (Plain bigint `/` truncates toward zero; this never does.)
 *
 * @throws RangeError when `denominator` is not positive.
 */
export function roundHalfUpDiv(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const quotient = (magnitude * 2n + denominator) / (denominator * 2n);
  return negative ? -quotient : quotient;
}

/**
 * Micros rounded to a whole number of paise (a multiple of 10,000 micros), HALF_UP: half a paisa or more
 * rounds away from zero (14,999 → 10,000; 15,000 → 20,000; −15,000 → −20,000).
 */
export function roundToPaisa(micros: bigint): bigint {
  return roundHalfUpDiv(micros, MICROS_PER_PAISA) * MICROS_PER_PAISA;
}

/** Whether the amount is an exact number of paise (a multiple of 10,000 micros); no rounding. */
export function isWholePaise(micros: bigint): boolean {
  return micros % MICROS_PER_PAISA === 0n;
}

/**
 * A rate in E5 as a bigint. A `number` rate must be a safe integer (E5 already carries five decimals of a
 * percent, so a fractional E5 is a caller bug, not something to round).
 *
 * @throws RangeError when a `number` rate is not a safe integer.
 */
export function toRateE5(rateE5: bigint | number): bigint {
  if (typeof rateE5 === 'bigint') return rateE5;
  if (!Number.isSafeInteger(rateE5)) throw new RangeError(`rate in E5 must be an integer, got ${rateE5}`);
  return BigInt(rateE5);
}

/**
 * `amount × rate / (100 × 10^5)`: the rate (percent × 10^5) applied to the amount, computed exactly and
 * rounded once, HALF_UP to the paisa (half away from zero for negative amounts or rates).
 * Example: 18% of ₹3,33,333.33 is ₹59,999.9994, returned as ₹60,000.00.
 *
 * @throws RangeError when a `number` rate is not a safe integer.
 */
export function percentOf(amountMicros: bigint, rateE5: bigint | number): bigint {
  return roundHalfUpDiv(amountMicros * toRateE5(rateE5), PERCENT_E5_SCALE * MICROS_PER_PAISA) * MICROS_PER_PAISA;
}

/**
 * The wire form of an amount: the integer micros as a plain decimal string ("-12500000"), exact for any
 * bigint, with no rounding, grouping or exponent. `BigInt(formatMicros(x)) === x` always.
 */
export function formatMicros(micros: bigint): string {
  return micros.toString();
}

/**
 * An amount for people: "₹1,00,000.00", with Indian digit grouping (last three digits, then pairs) and two
 * digits of paise; negatives as "-₹999.00". Sub-paisa micros are rounded HALF_UP to the paisa (half away
 * from zero) for display only; never parse this back into an amount.
 */
export function formatRupees(micros: bigint): string {
  const paise = roundHalfUpDiv(micros, MICROS_PER_PAISA);
  const negative = paise < 0n;
  const abs = negative ? -paise : paise;
  const rupees = (abs / 100n).toString();
  const fraction = (abs % 100n).toString().padStart(2, '0');
  const lastThree = rupees.slice(-3);
  const rest = rupees.slice(0, -3);
  const grouped = rest ? `${rest.replace(/\B(?=(\d{2})+(?!\d))/g, ',')},${lastThree}` : lastThree;
  return `${negative ? '-' : ''}₹${grouped}.${fraction}`;
}

/**
 * An amount as plain rupees with two decimals ("1234.50", "-0.05"), for wire formats that carry rupees as
 * text. Sub-paisa micros are rounded HALF_UP to the paisa (half away from zero); whole paise are exact.
 */
export function rupeesText(micros: bigint): string {
  const paise = roundHalfUpDiv(micros, MICROS_PER_PAISA);
  const abs = paise < 0n ? -paise : paise;
  return `${paise < 0n ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** The exact sum of the amounts (0n for none); no rounding. */
export function sumMicros(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}

/**
 * Rupees as a person types them ("25000", "25,000.50", "₹ 1,20,000") as micros: digits with optional grouping
 * commas, at most two decimals, at most ₹1e12. Undefined for anything else (never rounded).
 */
export function parseRupeesText(text: string): bigint | undefined {
  const cleaned = text.replace(/[₹\s]/g, '');
  const match = /^(\d{1,3}(?:,\d{2,3})*|\d+)(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return undefined;
  const rupees = BigInt(match[1].replace(/,/g, ''));
  if (rupees > 1_000_000_000_000n) return undefined;
  return rupees * MICROS_PER_RUPEE + BigInt((match[2] ?? '').padEnd(2, '0')) * MICROS_PER_PAISA;
}

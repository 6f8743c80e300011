/** ₹1 in micros. Every amount in the system is integer micros (`bigint`), never a float. */
export const MICROS_PER_RUPEE = 1_000_000n;
/** 1 paisa in micros: the smallest amount that is ever charged or paid. */
export const MICROS_PER_PAISA = 10_000n;
/** A rate in percent × 10^5 (E5): 100% = 10,000,000. */
export const PERCENT_E5_SCALE = 100n * 100_000n;

/** numerator / denominator rounded half away from zero (HALF_UP on magnitudes); denominator must be positive. */
export function roundHalfUpDiv(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const quotient = (magnitude * 2n + denominator) / (denominator * 2n);
  return negative ? -quotient : quotient;
}

/** Micros rounded HALF_UP to a whole paisa. */
export function roundToPaisa(micros: bigint): bigint {
  return roundHalfUpDiv(micros, MICROS_PER_PAISA) * MICROS_PER_PAISA;
}

export function isWholePaise(micros: bigint): boolean {
  return micros % MICROS_PER_PAISA === 0n;
}

/** amount × rate (percent × 10^5), rounded HALF_UP to the paisa. */
export function percentOf(amountMicros: bigint, rateE5: bigint | number): bigint {
  return roundHalfUpDiv(amountMicros * BigInt(rateE5), PERCENT_E5_SCALE * MICROS_PER_PAISA) * MICROS_PER_PAISA;
}

/** The wire form of an amount: the integer micros as a decimal string. */
export function formatMicros(micros: bigint): string {
  return micros.toString();
}

/** "₹1,00,000.00": rupees with Indian digit grouping and paise, for messages to people (HALF_UP to the paisa). */
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

export function sumMicros(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}

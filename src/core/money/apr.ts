import type { ScheduledInstalment } from './emi';

/**
 * The Annual Percentage Rate of a loan, as the RBI KFS circular (April 15, 2024, para 3(c) and Annex B) defines
 * it: the annual cost of credit on the **net disbursed amount**, by the IRR of the actual cash flows, reducing
 * balance. Here: the borrower receives `netDisbursedMicros` at month 0 and pays instalment k (its actual amount,
 * the last one absorbing the schedule's rounding) at month k; r is the monthly rate at which those flows have
 * zero net present value, and APR = 12 × r (nominal, not compounded), in percent.
 *
 * Computed exactly, without floats: for a candidate r = m / s (integers), NPV × (1 + r)^n × s^n is the integer
 *
 *     −net·(s+m)^n + Σ_k c_k·(s+m)^(n−k)·s^k
 *
 * (Horner, bigint), whose sign is the sign of the NPV. NPV falls as r rises (every flow after month 0 is a
 * payment by the borrower), so the rounded APR is found by bisection on the integer result itself: the APR in
 * units of 10^−d percent, rounded HALF_UP, is the largest q with NPV((q − ½) / (1200 × 10^d)) ≥ 0. That is the
 * exact IRR rounded once, half up; no intermediate value is rounded, so the same flows always give the same APR
 * on every machine.
 */
export interface Apr {
  /** Percent per year, rounded HALF_UP to 2 decimals ("21.60"). */
  percent: string;
  /** Percent per year × 10^5, rounded HALF_UP (21.6% = 2,160,000), computed on its own (not from `percent`). */
  e5: number;
}

/** The largest APR searched: a monthly IRR of 100% (1200% a year); beyond it the flows are refused. */
const MAX_MONTHLY_RATE_PERCENT = 100n;

/**
 * The APR of receiving `netDisbursedMicros` at month 0 and paying `instalmentsMicros[k-1]` at month k.
 *
 * @throws RangeError when the net disbursed amount is not positive, there is no instalment, an instalment is
 * negative, the instalments total less than the net disbursed amount (a negative APR: not a loan's cost), or the
 * APR exceeds 1200% a year.
 */
export function aprOfFlows(netDisbursedMicros: bigint, instalmentsMicros: readonly bigint[]): Apr {
  if (netDisbursedMicros <= 0n) throw new RangeError('the net disbursed amount must be positive');
  if (instalmentsMicros.length === 0) throw new RangeError('an APR needs at least one instalment');
  if (instalmentsMicros.some((c) => c < 0n)) throw new RangeError('instalments must not be negative');
  const total = instalmentsMicros.reduce((a, b) => a + b, 0n);
  if (total < netDisbursedMicros) throw new RangeError('the instalments total less than the net disbursed amount');
  const e5 = roundedAnnualPercent(netDisbursedMicros, instalmentsMicros, 5);
  const hundredths = roundedAnnualPercent(netDisbursedMicros, instalmentsMicros, 2);
  return { percent: `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, '0')}`, e5: Number(e5) };
}

/** The APR of a loan's schedule on its net disbursed amount (see {@link aprOfFlows}). */
export function aprOfSchedule(netDisbursedMicros: bigint, schedule: readonly Pick<ScheduledInstalment, 'emiMicros'>[]): Apr {
  return aprOfFlows(netDisbursedMicros, schedule.map((line) => line.emiMicros));
}

/** The APR in units of 10^−digits percent, HALF_UP: the largest q with NPV((2q − 1) / (2 × 1200 × 10^digits)) ≥ 0. */
function roundedAnnualPercent(net: bigint, flows: readonly bigint[], digits: number): bigint {
  const unitsPerMonthlyOne = 1200n * 10n ** BigInt(digits);
  const s = 2n * unitsPerMonthlyOne;
  let low = 0n;
  let high = (unitsPerMonthlyOne * MAX_MONTHLY_RATE_PERCENT) / 100n;
  if (npvSign(net, flows, 2n * high - 1n, s) > 0) throw new RangeError('the APR exceeds 1200% a year');
  // Invariant: the answer is in [low, high). q = 0 always qualifies (r = −½ unit makes the NPV positive or zero).
  while (high - low > 1n) {
    const mid = (low + high) / 2n;
    if (npvSign(net, flows, 2n * mid - 1n, s) >= 0) low = mid;
    else high = mid;
  }
  return low;
}

/** The sign of the NPV at the monthly rate m / s (m may be negative, above −s). */
function npvSign(net: bigint, flows: readonly bigint[], m: bigint, s: bigint): number {
  const grow = s + m;
  let acc = -net;
  let sPower = 1n;
  for (const c of flows) {
    sPower *= s;
    acc = acc * grow + c * sPower;
  }
  return acc > 0n ? 1 : acc < 0n ? -1 : 0;
}

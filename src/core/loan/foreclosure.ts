import { percentOf, toRateE5 } from '../money/money';
import { isValidIsoDate } from '../shared/dates';

export interface ForeclosureFacts {
  /** The business date of the quote (YYYY-MM-DD). */
  asOf: string;
  principalOutstandingMicros: bigint;
  /** Interest accrued to the end of asOf and not paid: overdue instalments' interest + the running period's accrual (accrual.ts). */
  interestAccruedUnpaidMicros: bigint;
  /** Charges levied and not paid (bounce, penal). */
  chargesOutstandingMicros: bigint;
  /** What the borrower has in BORROWER_EXCESS (paid beyond dues, not yet refunded): set off against the total. */
  excessMicros: bigint;
  /** The product's foreclosure charge, percent × 10^5 of the principal outstanding; 0 for none. */
  foreclosureChargeRateE5: number | bigint;
  rateType: 'FIXED' | 'FLOATING';
  /** GST on the foreclosure charge, percent × 10^5 (18% = 1,800,000). */
  gstRateE5: number | bigint;
}

/** What closing the loan costs on a business date, part by part (see {@link foreclosureQuote}). */
export interface ForeclosureQuote {
  principalMicros: bigint;
  interestMicros: bigint;
  chargesMicros: bigint;
  foreclosureChargeMicros: bigint;
  foreclosureChargeGstMicros: bigint;
  /** Set off against the total. */
  excessMicros: bigint;
  /** principal + interest + charges + foreclosure charge + its GST − excess. Negative: nothing to pay, the loan owes the borrower that much back. */
  totalMicros: bigint;
  /** The quote holds until the end of this business date; tomorrow another day's interest accrues. */
  validOn: string;
}

/**
 * What closing the loan costs on business date `asOf`: the principal outstanding + the interest accrued to the
 * day (never future interest) + unpaid charges + the foreclosure charge and its GST − the borrower's excess.
 *
 * The foreclosure charge = foreclosureChargeRateE5 × principal outstanding (percentOf: HALF_UP to the paisa),
 * GST = gstRateE5 × that charge (HALF_UP to the paisa). It is levied only when the product states a rate above
 * 0 AND the loan's rate is FIXED: RBI forbids foreclosure charges / pre-payment penalties on floating-rate
 * term loans to individuals (RBI circular "Levy of foreclosure charges / pre-payment penalty on floating rate
 * term loans", 2014; carried into the pre-payment charges directions), and a charge not stated in the KFS
 * cannot be levied at all.
 *
 * @throws RangeError when asOf is not a date, an amount is negative, or a rate is negative.
 */
export function foreclosureQuote(facts: ForeclosureFacts): ForeclosureQuote {
  if (!isValidIsoDate(facts.asOf)) throw new RangeError(`asOf is not a YYYY-MM-DD date: ${facts.asOf}`);
  const rate = toRateE5(facts.foreclosureChargeRateE5);
  const gstRate = toRateE5(facts.gstRateE5);
  const amounts = [facts.principalOutstandingMicros, facts.interestAccruedUnpaidMicros, facts.chargesOutstandingMicros, facts.excessMicros];
  if (amounts.some((a) => a < 0n) || rate < 0n || gstRate < 0n) throw new RangeError('amounts and rates must not be negative');
  const charge = facts.rateType === 'FIXED' && rate > 0n ? percentOf(facts.principalOutstandingMicros, rate) : 0n;
  const gst = percentOf(charge, gstRate);
  return {
    principalMicros: facts.principalOutstandingMicros,
    interestMicros: facts.interestAccruedUnpaidMicros,
    chargesMicros: facts.chargesOutstandingMicros,
    foreclosureChargeMicros: charge,
    foreclosureChargeGstMicros: gst,
    excessMicros: facts.excessMicros,
    totalMicros: facts.principalOutstandingMicros + facts.interestAccruedUnpaidMicros + facts.chargesOutstandingMicros + charge + gst - facts.excessMicros,
    validOn: facts.asOf,
  };
}

/** An instalment of the schedule being foreclosed. */
export interface ForeclosableInstalment {
  sequence: number;
  accruesFrom: string;
  dueDate: string;
  principalMicros: bigint;
  interestMicros: bigint;
  principalPaidMicros: bigint;
  interestPaidMicros: bigint;
}

export interface ForeclosedSchedule {
  /** The schedule after the foreclosure, by sequence: the kept instalments and the current one brought forward. */
  instalments: ForeclosableInstalment[];
  /** The sequences of the instalments dropped (after the current one), to be cancelled. */
  cancelled: number[];
}

/**
 * The schedule after a foreclosure on business date `asOf`:
 * - instalments due on or before asOf (paid, partly paid or overdue) stay as they are;
 * - the CURRENT instalment (the first with dueDate > asOf: its period is running) becomes due on asOf, with
 *   interest = `accruedCurrentMicros` (its interest accrued to asOf, accruedInterestTo in accrual.ts) and
 *   principal = its own principal + every later instalment's principal (what was paid of them moves with it);
 * - every later instalment is dropped (returned in `cancelled`).
 * The total principal of the schedule is unchanged; only the interest not yet earned disappears. With no
 * instalment after asOf the schedule is returned as it is.
 *
 * @throws RangeError when accruedCurrentMicros is negative, above the current instalment's interest, or below
 * what was already paid of that interest.
 */
export function forecloseSchedule(instalments: readonly ForeclosableInstalment[], asOf: string, accruedCurrentMicros: bigint): ForeclosedSchedule {
  if (!isValidIsoDate(asOf)) throw new RangeError(`asOf is not a YYYY-MM-DD date: ${asOf}`);
  const sorted = [...instalments].sort((a, b) => a.sequence - b.sequence);
  const index = sorted.findIndex((l) => l.dueDate > asOf);
  if (index < 0) return { instalments: sorted.map((l) => ({ ...l })), cancelled: [] };
  const current = sorted[index];
  const later = sorted.slice(index + 1);
  if (accruedCurrentMicros < 0n || accruedCurrentMicros > current.interestMicros || accruedCurrentMicros < current.interestPaidMicros) {
    throw new RangeError(`the interest accrued on instalment ${current.sequence} must be from what is paid of it to its scheduled interest`);
  }
  const brought: ForeclosableInstalment = {
    ...current,
    dueDate: asOf,
    interestMicros: accruedCurrentMicros,
    principalMicros: later.reduce((s, l) => s + l.principalMicros, current.principalMicros),
    principalPaidMicros: later.reduce((s, l) => s + l.principalPaidMicros, current.principalPaidMicros),
  };
  return { instalments: [...sorted.slice(0, index).map((l) => ({ ...l })), brought], cancelled: later.map((l) => l.sequence) };
}

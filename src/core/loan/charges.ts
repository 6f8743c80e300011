import { percentOf } from '../money/money';

/** The fee terms of an offer (copied from its product version): amounts in micros, rates percent × 10^5. */
export interface FeeTerms {
  processingFeeRateE5: number;
  /** The processing fee is at least this. */
  processingFeeMinMicros: bigint;
  /** The processing fee is at most this (at least the minimum: the database refuses a version where it is not). */
  processingFeeMaxMicros: bigint;
  gstRateE5: number;
}

export interface LoanCharges {
  processingFeeMicros: bigint;
  gstMicros: bigint;
  netDisbursalMicros: bigint;
}

/**
 * Upfront charges deducted from the disbursal: processing fee = rate × amount (rounded half-up to the paisa)
 * clamped to [minimum, maximum], GST on the fee rounded half-up to the paisa. Net disbursal = amount − fee − GST.
 *
 * @throws RangeError when the minimum exceeds the maximum.
 */
export function loanCharges(amountMicros: bigint, terms: FeeTerms): LoanCharges {
  if (terms.processingFeeMinMicros > terms.processingFeeMaxMicros) throw new RangeError('The processing fee minimum exceeds its maximum');
  const byRate = percentOf(amountMicros, terms.processingFeeRateE5);
  const atLeastMin = byRate > terms.processingFeeMinMicros ? byRate : terms.processingFeeMinMicros;
  const processingFeeMicros = atLeastMin < terms.processingFeeMaxMicros ? atLeastMin : terms.processingFeeMaxMicros;
  const gstMicros = percentOf(processingFeeMicros, terms.gstRateE5);
  return { processingFeeMicros, gstMicros, netDisbursalMicros: amountMicros - processingFeeMicros - gstMicros };
}

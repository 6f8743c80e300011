import { percentOf } from '../money/money';

export interface FeeTerms {
  processingFeeRateE5: number;
  processingFeeMinMicros: bigint;
  gstRateE5: number;
}

export interface LoanCharges {
  processingFeeMicros: bigint;
  gstMicros: bigint;
  netDisbursalMicros: bigint;
}

/**
 * Upfront charges deducted from the disbursal: processing fee = max(rate × amount, minimum), GST on the fee;
 * each rounded half-up to the paisa. Net disbursal = amount − fee − GST.
 */
export function loanCharges(amountMicros: bigint, terms: FeeTerms): LoanCharges {
  const byRate = percentOf(amountMicros, terms.processingFeeRateE5);
  const processingFeeMicros = byRate > terms.processingFeeMinMicros ? byRate : terms.processingFeeMinMicros;
  const gstMicros = percentOf(processingFeeMicros, terms.gstRateE5);
  return { processingFeeMicros, gstMicros, netDisbursalMicros: amountMicros - processingFeeMicros - gstMicros };
}

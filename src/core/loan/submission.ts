import { randomUUID } from 'node:crypto';
import type { LoanCharges } from './charges';

/** The terms the borrower signed. */
export interface Submission {
  id: string;
  applicationId: string;
  loanAmountMicros: bigint;
  tenureMonths: number;
  interestRateE5: number;
  emiMicros: bigint;
  processingFeeMicros: bigint;
  processingFeeGstMicros: bigint;
  netDisbursalMicros: bigint;
  tncAcceptances: Array<{ type: string; version: string | null; acceptance: boolean }>;
}

/** The terms a signature fixes, as a submission holds them. */
export interface SignedTerms {
  amountMicros: bigint;
  tenureMonths: number;
  interestRateE5: number;
  emiMicros: bigint;
  charges: LoanCharges;
}

/** The submission row of terms signed for an application, with the acceptances that signed them. */
export function submissionOf(applicationId: string, terms: SignedTerms, tncAcceptances: Submission['tncAcceptances']): Submission {
  return {
    id: randomUUID(),
    applicationId,
    loanAmountMicros: terms.amountMicros,
    tenureMonths: terms.tenureMonths,
    interestRateE5: terms.interestRateE5,
    emiMicros: terms.emiMicros,
    processingFeeMicros: terms.charges.processingFeeMicros,
    processingFeeGstMicros: terms.charges.gstMicros,
    netDisbursalMicros: terms.charges.netDisbursalMicros,
    tncAcceptances,
  };
}

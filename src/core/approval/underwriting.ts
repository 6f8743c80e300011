import { BureauVerdict } from './credit-bureau';
import { UNDERWRITING_POLICY, EmploymentType } from './underwriting-policy';
import { Product, riskBandFor } from '../product/product';

export type Decision =
  | { outcome: 'APPROVED'; limitMicros: bigint; interestRateE5: number; riskBand: string }
  | { outcome: 'REJECTED'; reason: RejectionReason; description: string }
  | { outcome: 'INCOME_VERIFICATION' };

/** ApplicationRejectionReason.Reason of the partner API. */
export type RejectionReason =
  | 'BUREAU_RECORD'
  | 'CREDIT_RISK_ASSESSMENT'
  | 'CO_LENDER_REJECT'
  | 'KYC_REJECT'
  | 'LANGUAGE_BARRIER'
  | 'BANKING_RELATIONSHIP'
  | 'UNSERVICEABLE_LOCATION'
  | 'BORROWER_REJECTED'
  | 'DUPLICATE_APPLICATION'
  | 'USER_UNREACHABLE'
  | 'OTHERS'
  | 'PENDING_CUSTOMER_ACTION'
  | 'INVALID_DATA_WITH_VENDOR';

export interface UnderwritingInput {
  dateOfBirth: string;
  monthlyIncomeMicros: bigint;
  employmentType: EmploymentType;
  bureau: BureauVerdict;
  /** The product version's limits and its risk bands (the rate of the band the income falls in). */
  product: Pick<Product, 'minAmountMicros' | 'maxAmountMicros' | 'amountStepMicros' | 'riskBands'>;
  today: string;
}

export function ageInYears(dateOfBirth: string, today: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/** Applies UNDERWRITING_POLICY, the rate from the product's risk bands. Pure: the same input always gets the same decision. */
export function underwrite(input: UnderwritingInput): Decision {
  const policy = UNDERWRITING_POLICY;
  if (input.bureau === 'ADVERSE_RECORD') {
    return { outcome: 'REJECTED', reason: 'BUREAU_RECORD', description: 'The credit bureau reports an adverse record' };
  }
  if (input.bureau === 'THIN_FILE') return { outcome: 'INCOME_VERIFICATION' };
  const age = ageInYears(input.dateOfBirth, input.today);
  if (age < policy.minAgeYears || age > policy.maxAgeYears) {
    return { outcome: 'REJECTED', reason: 'CREDIT_RISK_ASSESSMENT', description: `Applicant age must be ${policy.minAgeYears} to ${policy.maxAgeYears} years` };
  }
  if (input.monthlyIncomeMicros < policy.minMonthlyIncomeMicros) {
    return { outcome: 'REJECTED', reason: 'CREDIT_RISK_ASSESSMENT', description: 'Monthly income is below the minimum of ₹15,000' };
  }
  const multiple = policy.limitMultipleHundredths[input.employmentType];
  const raw = (input.monthlyIncomeMicros * multiple) / 100n;
  const stepped = raw - (raw % input.product.amountStepMicros);
  const limitMicros = stepped > input.product.maxAmountMicros ? input.product.maxAmountMicros : stepped;
  if (limitMicros < input.product.minAmountMicros) {
    return { outcome: 'REJECTED', reason: 'CREDIT_RISK_ASSESSMENT', description: 'The eligible amount is below the product minimum' };
  }
  const band = riskBandFor(input.product, input.monthlyIncomeMicros);
  return { outcome: 'APPROVED', limitMicros, interestRateE5: band.interestRateE5, riskBand: band.band };
}

/** What verifies (or fails to verify) a borrower's monthly income: the AA's bank-statement summary or a document. */
export type IncomeEvidence =
  | { source: string; verified: true; monthlyIncomeMicros: bigint }
  | { source: string; verified: false; reason: string };

const rupees = (micros: bigint) => `₹${(micros / 1_000_000n).toLocaleString('en-IN')}`;

/**
 * The decision on an application in INCOME_VERIFICATION once evidence of its income is in (INCOME_VERIFICATION_POLICY):
 * the verified income underwritten as a clean bureau file, APPROVED only when its limit covers the requested amount.
 */
export function underwriteVerifiedIncome(input: Omit<UnderwritingInput, 'bureau' | 'monthlyIncomeMicros'> & { evidence: IncomeEvidence; requestedMicros: bigint }): Decision {
  const { evidence } = input;
  if (!evidence.verified) {
    return { outcome: 'REJECTED', reason: 'CREDIT_RISK_ASSESSMENT', description: `Income not verified (${evidence.source}): ${evidence.reason}` };
  }
  const decision = underwrite({ ...input, monthlyIncomeMicros: evidence.monthlyIncomeMicros, bureau: 'CLEAN' });
  if (decision.outcome === 'APPROVED' && decision.limitMicros < input.requestedMicros) {
    return {
      outcome: 'REJECTED',
      reason: 'CREDIT_RISK_ASSESSMENT',
      description: `The verified monthly income of ${rupees(evidence.monthlyIncomeMicros)} (${evidence.source}) supports at most ${rupees(decision.limitMicros)}; ${rupees(input.requestedMicros)} was requested`,
    };
  }
  return decision;
}

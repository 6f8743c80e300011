import { randomUUID } from 'node:crypto';
import { AppError, AppErrorCode, invalidField, notFound, precondition } from '../errors';
import { Database } from '../../lib/db/database';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { TransitionWriter } from '../state/transition-writer';
import { ChallengeService, ChallengeProof } from '../challenge/challenge.service';
import { IdentityHasher } from '../shared/identity';
import { KycService } from '../kyc/kyc.service';
import { Consent } from '../kyc/ckyc.service';
import { emiMicros } from '../money/emi';
import { MICROS_PER_RUPEE, formatRupees } from '../money/money';
import { loanCharges } from '../loan/charges';
import { ApplicationRepository } from './application.repository';
import { applicationState } from './application-state';

export const DISBURSE_TOPIC = 'loan.disburse';
/** T&C acceptances SubmitApplication must carry. */
export const REQUIRED_SUBMISSION_CONSENTS = ['MITC', 'USER_DATA_SHARING_CONSENT'] as const;
/** How far the caller's EMI may be from the bank's: ₹1. */
export const EMI_TOLERANCE_MICROS = MICROS_PER_RUPEE;

export interface SubmissionRequest {
  aggregatorId: string;
  googleApplicationId: string;
  offerId: string;
  productId: string;
  challenge: ChallengeProof;
  consents: Consent[];
  loanAmountMicros: bigint;
  tenureMonths: number;
  calculatedEmiMicros: bigint;
  calculatedProcessingFeeMicros?: bigint;
}

export class SubmissionService {
  constructor(
    private readonly db: Database,
    private readonly applications: ApplicationRepository,
    private readonly transitions: TransitionWriter,
    private readonly challenges: ChallengeService,
    private readonly kyc: KycService,
    private readonly outbox: Outbox,
    private readonly identity: IdentityHasher,
    private readonly clock: Clock,
  ) {}

  /** The borrower signs: every precondition is checked, the OTP consumed, and the disbursement staged, in one transaction. */
  async submit(request: SubmissionRequest): Promise<{ partnerApplicationReferenceId: string }> {
    return this.db.transaction(async () => {
      const application = await this.applications.get(request.aggregatorId, request.googleApplicationId, { offer: true, kyc: true, mandate: true });
      await this.applications.lock(application.id);
      if (application.applicationState !== 'IN_PROGRESS') {
        throw precondition(`The application cannot be submitted while it is ${application.applicationState}`);
      }
      const offer = application.offer;
      if (!offer || offer.id !== request.offerId) throw notFound('offerId');
      if (request.productId !== application.productId) throw invalidField('data.productId', 'productId does not match the application');
      const now = this.clock.now();
      if (now < offer.startsAt || now >= offer.endsAt) throw new AppError(AppErrorCode.OFFER_EXPIRED, 'The offer is outside its validity window');

      const amount = request.loanAmountMicros;
      const amountField = 'data.loanApplicationDetails.loanAmount.amountMicros';
      if (amount < offer.minAmountMicros || amount > offer.maxAmountMicros) {
        throw invalidField(amountField, `loanAmount must be from ${formatRupees(offer.minAmountMicros)} to ${formatRupees(offer.maxAmountMicros)}`);
      }
      if ((amount - offer.minAmountMicros) % offer.amountStepMicros !== 0n) {
        throw invalidField(amountField, `loanAmount must be the minimum plus a multiple of ${formatRupees(offer.amountStepMicros)}`);
      }
      const tenure = request.tenureMonths;
      if (tenure < offer.minTenureMonths || tenure > offer.maxTenureMonths || (tenure - offer.minTenureMonths) % offer.tenureStepMonths !== 0) {
        throw invalidField(
          'data.loanApplicationDetails.tenure.length',
          `tenure must be ${offer.minTenureMonths} to ${offer.maxTenureMonths} months in steps of ${offer.tenureStepMonths}`,
        );
      }
      if (!this.kyc.isApproved(application.kyc)) throw precondition('KYC is not APPROVED');
      if (application.mandate?.state !== 'ACTIVE') throw precondition('The repayment mandate is not ACTIVE');
      for (const type of REQUIRED_SUBMISSION_CONSENTS) {
        if (!request.consents.some((c) => c.type === type && c.acceptance === true)) {
          throw new AppError(AppErrorCode.CONSENT_REQUIRED, `tncAcceptanceMetadata must accept ${type}`, ['data.tncAcceptanceMetadata']);
        }
      }
      const emi = emiMicros({ principalMicros: amount, annualRateE5: BigInt(offer.interestRateE5), tenureMonths: tenure });
      const difference = request.calculatedEmiMicros > emi ? request.calculatedEmiMicros - emi : emi - request.calculatedEmiMicros;
      if (difference > EMI_TOLERANCE_MICROS) {
        throw new AppError(AppErrorCode.EMI_MISMATCH, `calculatedEmiAmount differs from the bank's EMI of ${formatRupees(emi)} by more than ₹1`, [
          'data.loanApplicationDetails.calculatedEmiAmount',
        ], { bankEmiMicros: emi.toString() });
      }
      const charges = loanCharges(amount, offer);
      if (request.calculatedProcessingFeeMicros !== undefined) {
        const feeGap = request.calculatedProcessingFeeMicros - charges.processingFeeMicros;
        if (feeGap > EMI_TOLERANCE_MICROS || feeGap < -EMI_TOLERANCE_MICROS) {
          throw invalidField('data.loanApplicationDetails.calculatedApplicationFees', `The processing fee is ${formatRupees(charges.processingFeeMicros)}`);
        }
      }
      if (!this.identityMatches(application.phoneHash, request.challenge)) {
        throw new AppError(AppErrorCode.CHALLENGE_CONTEXT_MISMATCH, 'userIdentifier is not the phone number of this application', ['data.userIdentifier']);
      }
      await this.challenges.verifyAndConsume(request.challenge, `submit:${request.googleApplicationId}`);

      await this.db.client.loanSubmission.create({
        data: {
          id: randomUUID(),
          applicationId: application.id,
          loanAmountMicros: amount,
          tenureMonths: tenure,
          interestRateE5: offer.interestRateE5,
          emiMicros: emi,
          processingFeeMicros: charges.processingFeeMicros,
          processingFeeGstMicros: charges.gstMicros,
          netDisbursalMicros: charges.netDisbursalMicros,
          tncAcceptances: request.consents.map((c) => ({ type: c.type, version: c.version ?? null, acceptance: c.acceptance })),
        },
      });
      await this.transitions.move(applicationState, application.id, 'IN_PROGRESS', 'SUBMITTED', {}, 'signed by OTP');
      await this.outbox.stage(DISBURSE_TOPIC, { applicationId: application.id });
      return { partnerApplicationReferenceId: application.partnerApplicationReferenceId };
    });
  }

  private identityMatches(phoneHash: string, challenge: ChallengeProof): boolean {
    return this.identity.phone(challenge.phone) === phoneHash;
  }
}

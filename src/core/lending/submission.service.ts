import { AppError, AppErrorCode, invalidField, notFound, precondition } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { TransitionWriter } from '../state/transition-writer';
import { ChallengeService, ChallengeProof } from '../challenge/challenge.service';
import { IdentityHasher } from '../shared/identity';
import { KycService } from '../kyc/kyc.service';
import { Consent } from '../kyc/ckyc.service';
import { MandateService } from '../mandate/mandate.service';
import { OfferRepository } from '../offer/offer.repository';
import { emiMicros } from '../money/emi';
import { MICROS_PER_RUPEE, formatRupees } from '../money/money';
import { loanCharges } from '../loan/charges';
import { disburseLoanJob } from '../loan/disburse-loan.job';
import { ApplicationRef } from '../application/application';
import { ApplicationRepository } from '../application/application.repository';
import { applicationState } from '../application/application-state';
import { PayoutAccountService } from '../payout/payout-account.service';
import { SubmissionRepository } from '../loan/submission.repository';
import { submissionOf } from '../loan/submission';
import { KfsService } from '../kfs/kfs.service';
import { KFS_ACCEPTANCE } from '../kfs/kfs';

/** T&C acceptances a submission must carry (and an accepted {@link KFS_ACCEPTANCE} naming a valid KFS for the terms). */
export const REQUIRED_SUBMISSION_CONSENTS = ['MITC', 'USER_DATA_SHARING_CONSENT'] as const;
/** Where a signature is recorded: the application, its offer, the submission, the state history and the outbox, in one transaction. */
export interface SubmissionRecords {
  uow: UnitOfWork;
  applications: ApplicationRepository;
  offers: OfferRepository;
  submissions: SubmissionRepository;
  transitions: TransitionWriter;
  outbox: Outbox;
}

/** The earlier steps a signature checks: the OTP, KYC, the mandate, the payout account and the Key Fact Statement. */
export interface SubmissionSteps {
  challenges: ChallengeService;
  kyc: KycService;
  mandates: MandateService;
  payoutAccounts: PayoutAccountService;
  kfs: KfsService;
}

/** How far the caller's EMI may be from the bank's: ₹1. */
export const EMI_TOLERANCE_MICROS = MICROS_PER_RUPEE;

export interface SubmissionRequest extends ApplicationRef {
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
    private readonly records: SubmissionRecords,
    private readonly steps: SubmissionSteps,
    private readonly identity: IdentityHasher,
    private readonly clock: Clock,
  ) {}


  /**
   * The borrower signs: every precondition is checked, the OTP consumed, and the disbursement staged, in one
   * transaction. The accepted `KFS` consent must name (as its version) a Key Fact Statement of this application
   * for exactly these terms, still valid: KFS_REQUIRED, NOT_FOUND `kfsId`, KFS_TERMS_MISMATCH, KFS_EXPIRED.
   */
  async submit(request: SubmissionRequest): Promise<{ lenderReference: string }> {
    return this.records.uow.transaction(async () => {
      const application = await this.records.applications.lockByRef(request);
      if (application.applicationState !== 'IN_PROGRESS') {
        throw precondition(`The application cannot be submitted while it is ${application.applicationState}`);
      }
      const offer = application.currentOfferId === request.offerId ? await this.records.offers.byId(request.offerId) : null;
      if (!offer) throw notFound('offerId', 'offerId');
      if (request.productId !== application.productId) throw invalidField('productId', 'productId does not match the application');
      const now = this.clock.now();
      if (now < offer.startsAt || now >= offer.endsAt) throw new AppError(AppErrorCode.OFFER_EXPIRED, 'The offer is outside its validity window');

      const amount = request.loanAmountMicros;
      if (amount < offer.minAmountMicros || amount > offer.maxAmountMicros) {
        throw invalidField('loanAmount', `loanAmount must be from ${formatRupees(offer.minAmountMicros)} to ${formatRupees(offer.maxAmountMicros)}`);
      }
      if ((amount - offer.minAmountMicros) % offer.amountStepMicros !== 0n) {
        throw invalidField('loanAmount', `loanAmount must be the minimum plus a multiple of ${formatRupees(offer.amountStepMicros)}`);
      }
      const tenure = request.tenureMonths;
      if (tenure < offer.minTenureMonths || tenure > offer.maxTenureMonths || (tenure - offer.minTenureMonths) % offer.tenureStepMonths !== 0) {
        throw invalidField('tenureMonths', `tenure must be ${offer.minTenureMonths} to ${offer.maxTenureMonths} months in steps of ${offer.tenureStepMonths}`);
      }
      if (!(await this.steps.kyc.isApproved(application))) throw precondition('KYC is not APPROVED');
      if (!(await this.steps.mandates.isActive(application.currentMandateId))) throw precondition('The repayment mandate is not ACTIVE');
      for (const type of REQUIRED_SUBMISSION_CONSENTS) {
        if (!request.consents.some((c) => c.type === type && c.acceptance === true)) {
          throw new AppError(AppErrorCode.CONSENT_REQUIRED, `The consents must accept ${type}`, ['consents']);
        }
      }
      const kfsAcceptance = request.consents.find((c) => c.type === KFS_ACCEPTANCE && c.acceptance === true);
      await this.steps.kfs.assertValidFor(application.id, kfsAcceptance?.version, { offerId: offer.id, amountMicros: amount, tenureMonths: tenure, interestRateE5: offer.interestRateE5 });
      const emi = emiMicros({ principalMicros: amount, annualRateE5: BigInt(offer.interestRateE5), tenureMonths: tenure });
      const difference = request.calculatedEmiMicros > emi ? request.calculatedEmiMicros - emi : emi - request.calculatedEmiMicros;
      if (difference > EMI_TOLERANCE_MICROS) {
        throw new AppError(AppErrorCode.EMI_MISMATCH, `The calculated EMI differs from the bank's EMI of ${formatRupees(emi)} by more than ₹1`, ['calculatedEmi'], {
          bankEmiMicros: emi.toString(),
        });
      }
      const charges = loanCharges(amount, offer);
      if (request.calculatedProcessingFeeMicros !== undefined) {
        const feeGap = request.calculatedProcessingFeeMicros - charges.processingFeeMicros;
        if (feeGap > EMI_TOLERANCE_MICROS || feeGap < -EMI_TOLERANCE_MICROS) {
          throw invalidField('calculatedProcessingFee', `The processing fee is ${formatRupees(charges.processingFeeMicros)}`);
        }
      }
      if (this.identity.phone(request.challenge.phone) !== application.phoneHash) {
        throw new AppError(AppErrorCode.CHALLENGE_CONTEXT_MISMATCH, 'The borrower phone is not the phone number of this application', ['borrowerPhone']);
      }
      await this.steps.challenges.verifyAndConsume(request.partnerId, request.challenge, `submit:${request.externalReference}`);

      const submission = submissionOf(
        application.id,
        { amountMicros: amount, tenureMonths: tenure, interestRateE5: offer.interestRateE5, emiMicros: emi, charges },
        request.consents.map((c) => ({ type: c.type, version: c.version ?? null, acceptance: c.acceptance })),
      );
      await this.records.submissions.create(submission);
      await this.records.transitions.move(applicationState, application.id, 'IN_PROGRESS', 'SUBMITTED', { currentSubmissionId: submission.id }, 'signed by OTP');
      await this.records.outbox.stage(disburseLoanJob, { applicationId: application.id });
      return { lenderReference: application.lenderReference };
    });
  }

  /**
   * The sign-first order (OCEN): the partner asks for the payout of a GRANTED loan. Refused (PRECONDITION_FAILED)
   * unless the repayment mandate is ACTIVE and a payout account is set; `amountMicros`, when given, must be the
   * net disbursal the borrower signed for (INVALID_FIELD_VALUE, field `disbursementAmount`). The move to
   * SUBMITTED and the payout job are committed together. Asking again once the payout was requested changes
   * nothing (`released` false); from any state but GRANTED, SUBMITTED or DISBURSED it is ILLEGAL_STATE_TRANSITION.
   */
  async release(ref: ApplicationRef, expected: { amountMicros?: bigint } = {}): Promise<{ released: boolean; lenderReference: string; netDisbursalMicros: bigint }> {
    return this.records.uow.transaction(async () => {
      const application = await this.records.applications.lockByRef(ref);
      const state = application.applicationState;
      if (state !== 'GRANTED' && state !== 'SUBMITTED' && state !== 'DISBURSED') {
        throw new AppError(AppErrorCode.ILLEGAL_STATE_TRANSITION, `The disbursement cannot be requested while the application is ${state}: the loan must be GRANTED`);
      }
      const submission = await this.records.submissions.byId(application.currentSubmissionId);
      if (!submission) throw precondition('The loan has no signed terms');
      if (expected.amountMicros !== undefined && expected.amountMicros !== submission.netDisbursalMicros) {
        throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, `The disbursement amount must be the net disbursal of ${formatRupees(submission.netDisbursalMicros)}`, ['disbursementAmount'], {
          netDisbursalMicros: submission.netDisbursalMicros.toString(),
        });
      }
      const result = { lenderReference: application.lenderReference, netDisbursalMicros: submission.netDisbursalMicros };
      if (state !== 'GRANTED') return { ...result, released: false };
      if (!(await this.steps.mandates.isActive(application.currentMandateId))) throw precondition('The repayment mandate is not ACTIVE');
      if (!(await this.steps.payoutAccounts.summary(application.id))) throw precondition('No disbursement account is set');
      await this.records.transitions.move(applicationState, application.id, 'GRANTED', 'SUBMITTED', {}, 'disbursement requested');
      await this.records.outbox.stage(disburseLoanJob, { applicationId: application.id });
      return { ...result, released: true };
    });
  }
}

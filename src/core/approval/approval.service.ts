import { randomUUID } from 'node:crypto';
import { ApprovalState, Product } from '../../generated/prisma/client';
import { AppError, AppErrorCode, notFound } from '../errors';
import { Database, isUniqueViolation } from '../../lib/db/database';
import { Sealer, randomToken } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { TransitionWriter } from '../state/transition-writer';
import { ChallengeService, ChallengeProof } from '../challenge/challenge.service';
import { IdentityHasher } from '../shared/identity';
import { istDate } from '../shared/dates';
import { ApplicationRepository } from '../application/application.repository';
import { applicationState } from '../application/application-state';
import { approvalMachine, approvalState } from './approval-state';
import { Applicant } from './applicant';
import { CreditBureau } from './credit-bureau';
import { Decision, RejectionReason, underwrite } from './underwriting';

export const DECISION_TOPIC = 'approval.decide';
export const INCOME_VERIFIED_TOPIC = 'approval.income-verified';

/** Documented loan purposes accepted by ApproveUserForCredit. */
export const LOAN_PURPOSES = [
  'HOME_RENOVATION',
  'MEDICAL',
  'EDUCATION',
  'TRAVEL',
  'WEDDING',
  'DEBT_CONSOLIDATION',
  'CONSUMER_DURABLES',
  'BUSINESS',
  'OTHER',
] as const;
export type LoanPurpose = (typeof LOAN_PURPOSES)[number];

export interface ApprovalRequest {
  aggregatorId: string;
  googleApplicationId: string;
  productId: string;
  cKycId?: string;
  challenge: ChallengeProof;
  requestedAmountMicros: bigint;
  loanPurpose: LoanPurpose;
  applicant: Applicant;
}

export interface ApprovalStatus {
  state: ApprovalState;
  partnerApplicationReferenceId: string;
  offerId?: string;
  rejection?: { reason: string; description: string };
}

export class ApprovalService {
  constructor(
    private readonly db: Database,
    private readonly applications: ApplicationRepository,
    private readonly transitions: TransitionWriter,
    private readonly challenges: ChallengeService,
    private readonly outbox: Outbox,
    private readonly sealer: Sealer,
    private readonly identity: IdentityHasher,
    private readonly bureau: CreditBureau,
    private readonly clock: Clock,
  ) {}

  /** Records the application and stages the credit decision; the answer is IN_PROCESS until the worker decides. */
  async approve(request: ApprovalRequest): Promise<ApprovalStatus> {
    return this.db.transaction(async () => {
      const product = await this.db.client.product.findUnique({ where: { id: request.productId } });
      if (!product || !product.active) throw notFound('productId');
      const existing = await this.db.client.application.findUnique({
        where: { aggregatorId_googleApplicationId: { aggregatorId: request.aggregatorId, googleApplicationId: request.googleApplicationId } },
        select: { id: true },
      });
      if (existing) throw duplicate();
      await this.challenges.verifyAndConsume(request.challenge, `approveUser:${request.googleApplicationId}`);

      const id = randomUUID();
      const partnerApplicationReferenceId = `PA${randomToken(9).replace(/[-_]/g, 'x').toUpperCase()}`;
      try {
        await this.db.client.application.create({
          data: {
            id,
            aggregatorId: request.aggregatorId,
            googleApplicationId: request.googleApplicationId,
            partnerApplicationReferenceId,
            productId: product.id,
            phoneHash: this.identity.phone(request.challenge.phone),
            panHash: this.identity.pan(request.applicant.pan),
            panLast4: request.applicant.pan.slice(5, 9),
            applicantCiphertext: this.sealer.seal(JSON.stringify(request.applicant), `applicant:${id}`),
            loanPurpose: request.loanPurpose,
            requestedAmountMicros: request.requestedAmountMicros,
            cKycId: request.cKycId,
            approvalState: 'IN_PROCESS',
            applicationState: 'CREDIT_APPROVAL_PENDING',
          },
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicate();
        throw err;
      }
      await this.transitions.recordInitial(approvalState, id, 'IN_PROCESS');
      await this.transitions.recordInitial(applicationState, id, 'CREDIT_APPROVAL_PENDING');
      await this.outbox.stage(DECISION_TOPIC, { applicationId: id });
      return { state: 'IN_PROCESS', partnerApplicationReferenceId };
    });
  }

  async status(aggregatorId: string, googleApplicationId: string): Promise<ApprovalStatus> {
    const application = await this.applications.get(aggregatorId, googleApplicationId, { offer: { select: { id: true } } });
    return {
      state: application.approvalState,
      partnerApplicationReferenceId: application.partnerApplicationReferenceId,
      offerId: application.approvalState === 'APPROVED' ? application.offer?.id : undefined,
      rejection:
        application.approvalState === 'REJECTED'
          ? { reason: application.approvalRejectionReason ?? 'OTHERS', description: application.approvalRejectionDescription ?? '' }
          : undefined,
    };
  }

  /** Worker step: runs underwriting once; a redelivered job finds the decision made and does nothing. */
  async decide(applicationId: string): Promise<void> {
    await this.applications.lock(applicationId);
    const application = await this.applications.byId(applicationId, { product: true });
    if (!application || application.approvalState !== 'IN_PROCESS') return;
    const applicant = this.applicantOf(application);
    const bureau = await this.bureau.check({ pan: applicant.pan, dateOfBirth: applicant.dateOfBirth });
    await this.apply(application, 'IN_PROCESS', this.evaluate(application, applicant, bureau));
  }

  /** The user finished income verification on the bank's pages; the bank's verdict is staged for the worker. */
  async completeIncomeVerification(aggregatorId: string, googleApplicationId: string, outcome: 'APPROVED' | 'REJECTED'): Promise<ApprovalState> {
    return this.db.transaction(async () => {
      const application = await this.applications.get(aggregatorId, googleApplicationId);
      await this.applications.lock(application.id);
      approvalMachine.assert(application.approvalState, outcome);
      await this.outbox.stage(INCOME_VERIFIED_TOPIC, { applicationId: application.id, outcome });
      return application.approvalState;
    });
  }

  /** Worker step: verified income is underwritten as a clean bureau file; unverified income is rejected. */
  async incomeVerified(applicationId: string, outcome: 'APPROVED' | 'REJECTED'): Promise<void> {
    await this.applications.lock(applicationId);
    const application = await this.applications.byId(applicationId, { product: true });
    if (!application || application.approvalState !== 'INCOME_VERIFICATION') return;
    const decision: Decision =
      outcome === 'APPROVED'
        ? this.evaluate(application, this.applicantOf(application), 'CLEAN')
        : { outcome: 'REJECTED', reason: 'CREDIT_RISK_ASSESSMENT', description: 'Income could not be verified' };
    await this.apply(application, 'INCOME_VERIFICATION', decision);
  }

  private applicantOf(application: { id: string; applicantCiphertext: string }): Applicant {
    return JSON.parse(this.sealer.open(application.applicantCiphertext, `applicant:${application.id}`)) as Applicant;
  }

  private evaluate(application: { product: Product }, applicant: Applicant, bureau: 'CLEAN' | 'ADVERSE_RECORD' | 'THIN_FILE'): Decision {
    return underwrite({
      dateOfBirth: applicant.dateOfBirth,
      monthlyIncomeMicros: BigInt(applicant.employment.monthlyIncomeMicros),
      employmentType: applicant.employment.type,
      bureau,
      product: application.product,
      today: istDate(this.clock.now()),
    });
  }

  private async apply(application: { id: string; product: Product }, from: 'IN_PROCESS' | 'INCOME_VERIFICATION', decision: Decision): Promise<void> {
    if (decision.outcome === 'INCOME_VERIFICATION') {
      await this.transitions.move(approvalState, application.id, from, 'INCOME_VERIFICATION', {}, 'bureau: thin file');
      return;
    }
    if (decision.outcome === 'REJECTED') {
      await this.reject(application.id, from, decision.reason, decision.description);
      return;
    }
    const { product } = application;
    const now = this.clock.now();
    await this.db.client.offer.create({
      data: {
        id: `OFR${randomToken(9).replace(/[-_]/g, 'x').toUpperCase()}`,
        applicationId: application.id,
        productId: product.id,
        minAmountMicros: product.minAmountMicros,
        maxAmountMicros: decision.limitMicros,
        amountStepMicros: product.amountStepMicros,
        minTenureMonths: product.minTenureMonths,
        maxTenureMonths: product.maxTenureMonths,
        tenureStepMonths: product.tenureStepMonths,
        interestRateE5: decision.interestRateE5,
        processingFeeRateE5: product.processingFeeRateE5,
        processingFeeMinMicros: product.processingFeeMinMicros,
        gstRateE5: product.gstRateE5,
        riskBand: decision.riskBand,
        startsAt: now,
        endsAt: new Date(now.getTime() + product.offerValidityHours * 3_600_000),
      },
    });
    await this.transitions.move(approvalState, application.id, from, 'APPROVED', {}, `risk band ${decision.riskBand}`);
    await this.transitions.move(applicationState, application.id, 'CREDIT_APPROVAL_PENDING', 'IN_PROGRESS', {}, 'credit approved');
  }

  private async reject(applicationId: string, from: ApprovalState, reason: RejectionReason, description: string): Promise<void> {
    await this.transitions.move(approvalState, applicationId, from, 'REJECTED', {
      approvalRejectionReason: reason,
      approvalRejectionDescription: description,
    }, reason);
    await this.transitions.move(applicationState, applicationId, 'CREDIT_APPROVAL_PENDING', 'REJECTED', {
      rejectionReason: reason,
      rejectionDescription: description,
    }, reason);
  }
}

function duplicate(): AppError {
  return new AppError(AppErrorCode.DUPLICATE_APPLICATION, 'An application with this googleApplicationId already exists');
}

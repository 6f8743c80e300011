import { randomUUID } from 'node:crypto';
import { ApprovalState } from '@prisma/client';
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
import { approvalState } from './approval-state';
import { Applicant } from './applicant';
import { CreditBureau } from './credit-bureau';
import { RejectionReason, underwrite } from './underwriting';

export const DECISION_TOPIC = 'approval.decide';

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
    const applicant = JSON.parse(this.sealer.open(application.applicantCiphertext, `applicant:${application.id}`)) as Applicant;
    const now = this.clock.now();
    const decision = underwrite({
      dateOfBirth: applicant.dateOfBirth,
      monthlyIncomeMicros: BigInt(applicant.employment.monthlyIncomeMicros),
      employmentType: applicant.employment.type,
      bureau: await this.bureau.check({ pan: applicant.pan, dateOfBirth: applicant.dateOfBirth }),
      product: application.product,
      today: istDate(now),
    });

    if (decision.outcome === 'INCOME_VERIFICATION') {
      await this.transitions.move(approvalState, application.id, 'IN_PROCESS', 'INCOME_VERIFICATION', {}, 'bureau: thin file');
      return;
    }
    if (decision.outcome === 'REJECTED') {
      await this.reject(application.id, 'IN_PROCESS', decision.reason, decision.description);
      return;
    }
    const { product } = application;
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
    await this.transitions.move(approvalState, application.id, 'IN_PROCESS', 'APPROVED', {}, `risk band ${decision.riskBand}`);
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

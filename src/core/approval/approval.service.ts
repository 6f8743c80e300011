import { randomUUID } from 'node:crypto';
import { AppError, AppErrorCode, notFound } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { Sealer, randomToken } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { Metrics, noMetrics } from '../../lib/metrics/metrics';
import { Outbox } from '../../lib/jobs/outbox';
import { TransitionWriter, initial } from '../state/transition-writer';
import { ChallengeService, ChallengeProof } from '../challenge/challenge.service';
import { IdentityHasher, PhoneNumber } from '../shared/identity';
import { istDate } from '../shared/dates';
import { Application, ApplicationRef } from '../application/application';
import { ApplicationRepository } from '../application/application.repository';
import { applicationState } from '../application/application-state';
import { Product } from '../product/product';
import { ProductCatalog } from '../product/product-catalog';
import { OfferRepository } from '../offer/offer.repository';
import { ApprovalState, approvalMachine, approvalState } from '../application/approval-state';
import { Applicant, openApplicant, sealApplicant } from './applicant';
import { BureauVerdict, CreditBureau } from './credit-bureau';
import { Decision, IncomeEvidence, RejectionReason, underwrite, underwriteVerifiedIncome } from './underwriting';
import { decideCreditJob } from './decide-credit.job';
import { incomeVerifiedJob } from './income-verified.job';

/** Documented loan purposes. */
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

export interface ApprovalRequest extends ApplicationRef {
  productId: string;
  cKycId?: string;
  challenge: ChallengeProof;
  requestedAmountMicros: bigint;
  loanPurpose: LoanPurpose;
  applicant: Applicant;
}

/** An application from a partner that authenticated the borrower itself: the borrower's phone instead of an OTP proof. */
export interface OpenApplicationRequest extends Omit<ApprovalRequest, 'challenge'> {
  phone: PhoneNumber;
}

export interface ApprovalStatus {
  state: ApprovalState;
  lenderReference: string;
  offerId?: string;
  rejection?: { reason: string; description: string };
}

/** The credit decision, made by the worker after the application is recorded; a stuck one is retried, then rejected, by the reconciler. */
export class ApprovalService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly products: ProductCatalog,
    private readonly offers: OfferRepository,
    private readonly transitions: TransitionWriter,
    private readonly challenges: ChallengeService,
    private readonly outbox: Outbox,
    private readonly sealer: Sealer,
    private readonly identity: IdentityHasher,
    private readonly bureau: CreditBureau,
    private readonly clock: Clock,
    /** Each decision's latency from the application (`credit_partner_credit_decision_seconds`), once committed. */
    private readonly metrics: Metrics = noMetrics,
  ) {}

  /** Records the application and stages the credit decision; the answer is IN_PROCESS until the worker decides. */
  async approve(request: ApprovalRequest): Promise<ApprovalStatus> {
    return this.uow.transaction(async () => {
      const product = await this.products.find(request.productId);
      if (!product || !product.active) throw notFound('productId', 'productId');
      // The duplicate check goes out with the challenge look-up and is judged before the OTP attempt counts.
      const existing = this.applications.exists(request);
      existing.catch(() => undefined);
      await this.challenges.verifyAndConsume(request.partnerId, request.challenge, `approve:${request.externalReference}`, async () => {
        if (await existing) throw duplicate();
      });

      return this.record(request, product, request.challenge.phone);
    });
  }

  /**
   * Records an application whose borrower the calling partner has already authenticated (no OTP step: a
   * network that authenticates the partner itself and makes it answerable for the borrower's consent), and
   * stages the credit decision, exactly as {@link approve} does after its challenge. A partner reference seen
   * before is DUPLICATE_APPLICATION.
   */
  async open(request: OpenApplicationRequest): Promise<ApprovalStatus> {
    return this.uow.transaction(async () => {
      const product = await this.products.find(request.productId);
      if (!product || !product.active) throw notFound('productId', 'productId');
      if (await this.applications.exists(request)) throw duplicate();
      return this.record(request, product, request.phone);
    });
  }

  /** The approval of an application, read within its partner (another partner's reference is unknown). */
  async status(ref: ApplicationRef): Promise<ApprovalStatus & { applicationId: string }> {
    const application = await this.applications.get(ref);
    return {
      applicationId: application.id,
      state: application.approvalState,
      lenderReference: application.lenderReference,
      offerId: application.currentOfferId ?? undefined,
      rejection: application.approvalRejectionReason
        ? { reason: application.approvalRejectionReason, description: application.approvalRejectionDescription ?? '' }
        : undefined,
    };
  }

  private async record(request: Omit<OpenApplicationRequest, 'phone'>, product: Product, phone: PhoneNumber): Promise<ApprovalStatus> {
    const id = randomUUID();
    const lenderReference = `PA${randomToken(9).replace(/[-_]/g, 'x').toUpperCase()}`;
    await this.applications.create(
      {
        id,
        partnerId: request.partnerId,
        externalReference: request.externalReference,
        lenderReference,
        productId: product.id,
        phoneHash: this.identity.phone(phone),
        phoneCiphertext: this.sealer.seal(JSON.stringify({ countryCode: phone.countryCode, nationalNumber: phone.nationalNumber }), `application-phone:${id}`),
        panHash: this.identity.pan(request.applicant.pan),
        panLast4: request.applicant.pan.slice(5, 9),
        applicantCiphertext: sealApplicant(this.sealer, id, request.cKycId ? { ...request.applicant, cKycId: request.cKycId } : request.applicant),
        loanPurpose: request.loanPurpose,
        requestedAmountMicros: request.requestedAmountMicros,
        cKycIdHash: request.cKycId ? this.identity.cKycId(request.cKycId) : null,
        approvalState: 'IN_PROCESS',
        applicationState: 'CREDIT_APPROVAL_PENDING',
      },
      duplicate,
    );
    await this.transitions.recordInitials(id, initial(approvalState, 'IN_PROCESS'), initial(applicationState, 'CREDIT_APPROVAL_PENDING'));
    await this.outbox.stage(decideCreditJob, { applicationId: id });
    return { state: 'IN_PROCESS', lenderReference };
  }

  /**
   * Worker step: asks the bureau with no transaction open (the application id is the inquiry's reference),
   * then applies the decision in one transaction that re-checks the state, so a redelivered job or a
   * reconciler retry decides once.
   */
  async decide(applicationId: string): Promise<void> {
    const application = await this.applications.byId(applicationId);
    if (!application || application.approvalState !== 'IN_PROCESS') return;
    const applicant = this.applicantOf(application);
    const verdict = await this.bureau.check({ reference: application.id, pan: applicant.pan, dateOfBirth: applicant.dateOfBirth });
    await this.uow.transaction(async () => {
      const current = await this.applications.lock(applicationId);
      if (current?.approvalState !== 'IN_PROCESS') return;
      const product = await this.productOf(current);
      await this.apply(current, product, 'IN_PROCESS', this.evaluate(product, applicant, verdict));
    });
  }

  /** The user finished income verification on the bank's pages; the bank's verdict is staged for the worker. */
  async completeIncomeVerification(ref: ApplicationRef, outcome: 'APPROVED' | 'REJECTED'): Promise<ApprovalState> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      approvalMachine.assert(application.approvalState, outcome);
      await this.outbox.stage(incomeVerifiedJob, { applicationId: application.id, outcome });
      return application.approvalState;
    });
  }

  /** Worker step (in the job's transaction): verified income is underwritten as a clean bureau file; unverified income is rejected. */
  async incomeVerified(applicationId: string, outcome: 'APPROVED' | 'REJECTED'): Promise<void> {
    const application = await this.applications.lock(applicationId);
    if (!application || application.approvalState !== 'INCOME_VERIFICATION') return;
    const product = await this.productOf(application);
    const decision: Decision =
      outcome === 'APPROVED'
        ? this.evaluate(product, this.applicantOf(application), 'CLEAN')
        : { outcome: 'REJECTED', reason: 'CREDIT_RISK_ASSESSMENT', description: 'Income could not be verified' };
    await this.apply(application, product, 'INCOME_VERIFICATION', decision);
  }

  /**
   * In the caller's transaction: evidence of the borrower's income (the AA's bank-statement summary, a verified
   * document) decides an application in INCOME_VERIFICATION (INCOME_VERIFICATION_POLICY): APPROVED with an offer
   * when the verified income supports the requested amount, else REJECTED with the reason. An application in
   * any other state is left alone (false).
   */
  async verifyIncome(applicationId: string, evidence: IncomeEvidence): Promise<boolean> {
    const application = await this.applications.lock(applicationId);
    if (!application || application.approvalState !== 'INCOME_VERIFICATION') return false;
    const product = await this.productOf(application);
    const applicant = this.applicantOf(application);
    const decision = underwriteVerifiedIncome({
      evidence,
      requestedMicros: application.requestedAmountMicros,
      dateOfBirth: applicant.dateOfBirth,
      employmentType: applicant.employment.type,
      product,
      today: istDate(this.clock.now()),
    });
    await this.apply(application, product, 'INCOME_VERIFICATION', decision);
    return true;
  }

  /** Reconciler: a decision that could not be made in time ends visibly as a rejection the partner can read. */
  async abandonDecision(applicationId: string, description: string): Promise<boolean> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lock(applicationId);
      if (application?.approvalState !== 'IN_PROCESS') return false;
      await this.reject(applicationId, 'IN_PROCESS', 'OTHERS', description);
      return true;
    });
  }

  private applicantOf(application: Pick<Application, 'id' | 'applicantCiphertext'>): Applicant {
    return openApplicant(this.sealer, application);
  }

  private evaluate(product: Product, applicant: Applicant, bureau: BureauVerdict): Decision {
    return underwrite({
      dateOfBirth: applicant.dateOfBirth,
      monthlyIncomeMicros: BigInt(applicant.employment.monthlyIncomeMicros),
      employmentType: applicant.employment.type,
      bureau,
      product,
      today: istDate(this.clock.now()),
    });
  }

  private async productOf(application: Application): Promise<Product> {
    const product = await this.products.find(application.productId);
    if (!product) throw notFound('productId', 'productId');
    return product;
  }

  private async apply(application: Application, product: Product, from: 'IN_PROCESS' | 'INCOME_VERIFICATION', decision: Decision): Promise<void> {
    this.uow.onCommit(() => this.metrics.creditDecision(decision.outcome, (this.clock.now().getTime() - application.createdAt.getTime()) / 1000));
    if (decision.outcome === 'INCOME_VERIFICATION') {
      await this.transitions.move(approvalState, application.id, from, 'INCOME_VERIFICATION', {}, 'bureau: thin file');
      return;
    }
    if (decision.outcome === 'REJECTED') {
      await this.reject(application.id, from, decision.reason, decision.description);
      return;
    }
    const now = this.clock.now();
    const offerId = `OFR${randomToken(9).replace(/[-_]/g, 'x').toUpperCase()}`;
    await this.offers.create({
      id: offerId,
      applicationId: application.id,
      productId: product.id,
      productVersion: product.version,
      minAmountMicros: product.minAmountMicros,
      maxAmountMicros: decision.limitMicros,
      amountStepMicros: product.amountStepMicros,
      minTenureMonths: product.minTenureMonths,
      maxTenureMonths: product.maxTenureMonths,
      tenureStepMonths: product.tenureStepMonths,
      interestRateE5: decision.interestRateE5,
      processingFeeRateE5: product.processingFeeRateE5,
      processingFeeMinMicros: product.processingFeeMinMicros,
      processingFeeMaxMicros: product.processingFeeMaxMicros,
      gstRateE5: product.gstRateE5,
      riskBand: decision.riskBand,
      startsAt: now,
      endsAt: new Date(now.getTime() + product.offerValidityHours * 3_600_000),
    });
    await this.transitions.move(approvalState, application.id, from, 'APPROVED', { currentOfferId: offerId }, `risk band ${decision.riskBand}`);
    await this.transitions.move(applicationState, application.id, 'CREDIT_APPROVAL_PENDING', 'IN_PROGRESS', {}, 'credit approved');
  }

  private async reject(applicationId: string, from: ApprovalState, reason: RejectionReason, description: string): Promise<void> {
    await this.transitions.move(approvalState, applicationId, from, 'REJECTED', { approvalRejectionReason: reason, approvalRejectionDescription: description }, reason);
    await this.transitions.move(applicationState, applicationId, 'CREDIT_APPROVAL_PENDING', 'REJECTED', { rejectionReason: reason, rejectionDescription: description }, reason);
  }
}

function duplicate(): AppError {
  return new AppError(AppErrorCode.DUPLICATE_APPLICATION, 'An application with this reference already exists', ['externalReference']);
}

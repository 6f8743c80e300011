import { randomUUID } from 'node:crypto';
import { notFound, precondition } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { randomToken } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { TransitionWriter } from '../state/transition-writer';
import { IdentityHasher } from '../shared/identity';
import { Application, ApplicationRef } from '../application/application';
import { ApplicationRepository } from '../application/application.repository';
import { applicationState } from '../application/application-state';
import { Kyc } from './kyc';
import { KycMethod, KycState, kycState } from './kyc-state';
import { KycRepository } from './kyc.repository';
import { expireKycJob } from './expire-kyc.job';
import { reviewKycJob } from './review-kyc.job';

/** An unfinished KYC journey expires 7 days after it was initiated. */
export const KYC_JOURNEY_TTL_MS = 7 * 24 * 3_600_000;
export const KYC_LINK_TTL_MS = 15 * 60_000;
/** How long an approved KYC stays valid for submitting the application. */
export const KYC_APPROVAL_VALIDITY_MS = 30 * 24 * 3_600_000;

export interface KycSession {
  /** The KYC attempt's id (a surface may hand it out as its KYC reference). */
  kycId: string;
  lenderReference: string;
  urlToken: string;
  expiresAt: Date;
  eligibleMethods: KycMethod[];
}

export type KycOutcome = 'APPROVED' | 'REJECTED';

export class KycService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly kycs: KycRepository,
    private readonly transitions: TransitionWriter,
    private readonly outbox: Outbox,
    private readonly identity: IdentityHasher,
    private readonly clock: Clock,
  ) {}

  /** Opens the KYC journey of an approved application (or gives a fresh link for the current, unfinished one). */
  async initiate(ref: ApplicationRef, offerId: string): Promise<KycSession> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      if (application.applicationState !== 'IN_PROGRESS') {
        throw precondition(`KYC cannot start while the application is ${application.applicationState}`);
      }
      if (application.currentOfferId !== offerId) throw notFound('offerId', 'offerId');
      const urlToken = randomToken(24);
      const expiresAt = new Date(this.clock.now().getTime() + KYC_LINK_TTL_MS);
      const urlTokenHash = this.identity.secret('kyc-url-token', urlToken);
      let kyc = await this.kycs.byId(application.currentKycId);
      if (kyc) {
        if (kyc.state !== 'NOT_STARTED' && kyc.state !== 'IN_PROGRESS') throw precondition(`KYC is already ${kyc.state}`);
        await this.kycs.renewLink(kyc.id, urlTokenHash, expiresAt);
      } else {
        const eligibleMethods = await this.methodsFor(application);
        kyc = await this.kycs.create({ id: randomUUID(), applicationId: application.id, state: 'NOT_STARTED', eligibleMethods, urlTokenHash, urlTokenExpiresAt: expiresAt });
        await this.applications.setCurrent(application.id, { currentKycId: kyc.id });
        await this.transitions.recordInitial(kycState, kyc.id, 'NOT_STARTED');
        await this.outbox.stage(expireKycJob, { kycId: kyc.id }, { delayMs: KYC_JOURNEY_TTL_MS });
      }
      return { kycId: kyc.id, lenderReference: application.lenderReference, urlToken, expiresAt, eligibleMethods: kyc.eligibleMethods };
    });
  }

  /**
   * The user finished a KYC step on the bank's pages: the journey moves to AWAITING_APPROVAL and the bank's
   * review is staged for the worker.
   */
  async complete(ref: ApplicationRef, outcome: KycOutcome): Promise<KycState> {
    return this.uow.transaction(async (): Promise<KycState> => {
      const application = await this.applications.lockByRef(ref);
      const kyc = await this.kycs.byId(application.currentKycId);
      if (!kyc) throw precondition('KYC has not been initiated for this application');
      const method: KycMethod = kyc.eligibleMethods.includes('CKYC') ? 'CKYC' : 'EKYC';
      let state: KycState = kyc.state;
      if (state === 'NOT_STARTED') {
        await this.transitions.move(kycState, kyc.id, 'NOT_STARTED', 'IN_PROGRESS', {}, 'user started');
        state = 'IN_PROGRESS';
      }
      await this.transitions.move(kycState, kyc.id, state, 'AWAITING_APPROVAL', { completedMethod: method }, `user completed ${method}`);
      await this.outbox.stage(reviewKycJob, { kycId: kyc.id, outcome });
      return 'AWAITING_APPROVAL';
    });
  }

  /** Worker step (in the job's transaction): the bank's verdict on a completed KYC. */
  async review(kycId: string, outcome: KycOutcome): Promise<void> {
    const kyc = await this.kycs.byId(kycId);
    if (!kyc || kyc.state !== 'AWAITING_APPROVAL') return;
    await this.applications.lock(kyc.applicationId);
    if (outcome === 'APPROVED') {
      await this.transitions.move(kycState, kyc.id, 'AWAITING_APPROVAL', 'APPROVED', {
        approvalValidUntil: new Date(this.clock.now().getTime() + KYC_APPROVAL_VALIDITY_MS),
      }, 'verified');
      await this.outbox.stage(expireKycJob, { kycId: kyc.id }, { delayMs: KYC_APPROVAL_VALIDITY_MS });
      return;
    }
    await this.transitions.move(kycState, kyc.id, 'AWAITING_APPROVAL', 'REJECTED', { rejectionReason: 'POLICY_ERROR' }, 'POLICY_ERROR');
    await this.rejectApplication(kyc.applicationId, 'KYC_REJECT', 'KYC was rejected');
  }

  /**
   * Worker step (in the job's transaction): an unfinished journey past KYC_JOURNEY_TTL_MS, or an approval past
   * its validity, becomes EXPIRED and the application is rejected (the borrower applies again). Fired early,
   * it re-arms itself.
   */
  async expire(kycId: string): Promise<void> {
    const kyc = await this.kycs.byId(kycId);
    if (!kyc) return;
    await this.applications.lock(kyc.applicationId);
    const now = this.clock.now().getTime();
    const dueAt =
      kyc.state === 'NOT_STARTED' || kyc.state === 'IN_PROGRESS'
        ? kyc.createdAt.getTime() + KYC_JOURNEY_TTL_MS
        : kyc.state === 'APPROVED' && kyc.approvalValidUntil
          ? kyc.approvalValidUntil.getTime()
          : undefined;
    if (dueAt === undefined) return;
    if (dueAt > now) {
      await this.outbox.stage(expireKycJob, { kycId }, { delayMs: dueAt - now });
      return;
    }
    const reason = kyc.state === 'APPROVED' ? 'VALIDITY_EXPIRED' : 'EXPIRED';
    await this.transitions.move(kycState, kyc.id, kyc.state, 'EXPIRED', { rejectionReason: reason }, reason);
    await this.rejectApplication(kyc.applicationId, 'OTHERS', 'KYC expired before the application was submitted');
  }

  /** The application's current KYC attempt (null before KYC was initiated). */
  async current(ref: ApplicationRef): Promise<Kyc | null> {
    const application = await this.applications.get(ref);
    return this.kycs.byId(application.currentKycId);
  }

  /** The methods the application's KYC journey offers (or would offer, before it is initiated), CKYC first when the borrower has a record. */
  async eligibleMethods(ref: ApplicationRef): Promise<KycMethod[]> {
    const application = await this.applications.get(ref);
    const kyc = await this.kycs.byId(application.currentKycId);
    return kyc ? kyc.eligibleMethods : this.methodsFor(application);
  }

  /** The application's current KYC, if it is approved and still valid. */
  async isApproved(application: Pick<Application, 'currentKycId'>): Promise<boolean> {
    const kyc = await this.kycs.byId(application.currentKycId);
    return this.isValidApproval(kyc);
  }

  isValidApproval(kyc: Pick<Kyc, 'state' | 'approvalValidUntil'> | null): boolean {
    return kyc?.state === 'APPROVED' && (kyc.approvalValidUntil === null || kyc.approvalValidUntil > this.clock.now());
  }

  /** A KYC that can no longer succeed ends an application still in progress. */
  private async rejectApplication(applicationId: string, reason: string, description: string): Promise<void> {
    const application = await this.applications.byId(applicationId);
    if (application?.applicationState !== 'IN_PROGRESS') return;
    await this.transitions.move(applicationState, application.id, 'IN_PROGRESS', 'REJECTED', { rejectionReason: reason, rejectionDescription: description }, reason);
  }

  private async methodsFor(application: Application): Promise<KycMethod[]> {
    const methods: KycMethod[] = ['EKYC', 'VIDEO_KYC', 'OFFLINE'];
    return (await this.hasCkycRecord(application)) ? ['CKYC', ...methods] : methods;
  }

  private async hasCkycRecord(application: Application): Promise<boolean> {
    if (application.cKycIdHash) return true;
    const found = await this.kycs.ckycSearchResults(application.partnerId, application.externalReference);
    return found.some((hash) => hash !== null);
  }
}

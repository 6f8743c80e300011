import { randomUUID } from 'node:crypto';
import { Kyc, KycMethod, KycState } from '../../generated/prisma/client';
import { notFound, precondition } from '../errors';
import { Database } from '../../lib/db/database';
import { randomToken } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { TransitionWriter } from '../state/transition-writer';
import { IdentityHasher } from '../shared/identity';
import { ApplicationRepository } from '../application/application.repository';
import { applicationState } from '../application/application-state';
import { kycState } from './kyc-state';

export const KYC_REVIEW_TOPIC = 'kyc.review';
export const KYC_EXPIRE_TOPIC = 'kyc.expire';
/** An unfinished KYC journey expires 7 days after it was initiated. */
export const KYC_JOURNEY_TTL_MS = 7 * 24 * 3_600_000;
export const KYC_LINK_TTL_MS = 15 * 60_000;
/** How long an approved KYC stays valid for submitting the application. */
export const KYC_APPROVAL_VALIDITY_MS = 30 * 24 * 3_600_000;

export interface KycSession {
  partnerApplicationReferenceId: string;
  urlToken: string;
  expiresAt: Date;
  eligibleMethods: KycMethod[];
}

export type KycOutcome = 'APPROVED' | 'REJECTED';

export class KycService {
  constructor(
    private readonly db: Database,
    private readonly applications: ApplicationRepository,
    private readonly transitions: TransitionWriter,
    private readonly outbox: Outbox,
    private readonly identity: IdentityHasher,
    private readonly clock: Clock,
  ) {}

  /** Opens (or re-opens, with a fresh link) the KYC journey of an approved application. */
  async initiate(aggregatorId: string, googleApplicationId: string, offerId: string): Promise<KycSession> {
    return this.db.transaction(async () => {
      const application = await this.applications.get(aggregatorId, googleApplicationId, { offer: true, kyc: true });
      await this.applications.lock(application.id);
      if (application.applicationState !== 'IN_PROGRESS') {
        throw precondition(`KYC cannot start while the application is ${application.applicationState}`);
      }
      if (!application.offer || application.offer.id !== offerId) throw notFound('offerId');
      const urlToken = randomToken(24);
      const expiresAt = new Date(this.clock.now().getTime() + KYC_LINK_TTL_MS);
      const urlTokenHash = this.identity.secret('kyc-url-token', urlToken);
      let kyc = application.kyc;
      if (kyc) {
        if (kyc.state !== 'NOT_STARTED' && kyc.state !== 'IN_PROGRESS') throw precondition(`KYC is already ${kyc.state}`);
        kyc = await this.db.client.kyc.update({ where: { id: kyc.id }, data: { urlTokenHash, urlTokenExpiresAt: expiresAt } });
      } else {
        const eligibleMethods: KycMethod[] = [];
        if (await this.hasCkycRecord(application)) eligibleMethods.push('CKYC');
        eligibleMethods.push('EKYC', 'VIDEO_KYC', 'OFFLINE');
        kyc = await this.db.client.kyc.create({
          data: { id: randomUUID(), applicationId: application.id, state: 'NOT_STARTED', eligibleMethods, urlTokenHash, urlTokenExpiresAt: expiresAt },
        });
        await this.transitions.recordInitial(kycState, kyc.id, 'NOT_STARTED');
        await this.outbox.stage(KYC_EXPIRE_TOPIC, { kycId: kyc.id }, { delayMs: KYC_JOURNEY_TTL_MS });
      }
      return { partnerApplicationReferenceId: application.partnerApplicationReferenceId, urlToken, expiresAt, eligibleMethods: kyc.eligibleMethods };
    });
  }

  /**
   * The user finished a KYC step on the bank's pages: the journey moves to AWAITING_APPROVAL and the bank's
   * review is staged for the worker.
   */
  async complete(aggregatorId: string, googleApplicationId: string, outcome: KycOutcome): Promise<KycState> {
    return this.db.transaction(async (): Promise<KycState> => {
      const application = await this.applications.get(aggregatorId, googleApplicationId, { kyc: true });
      await this.applications.lock(application.id);
      const kyc = application.kyc;
      if (!kyc) throw precondition('KYC has not been initiated for this application');
      const method: KycMethod = kyc.eligibleMethods.includes('CKYC') ? 'CKYC' : 'EKYC';
      let state: KycState = kyc.state;
      if (state === 'NOT_STARTED') {
        await this.transitions.move(kycState, kyc.id, 'NOT_STARTED', 'IN_PROGRESS', {}, 'user started');
        state = 'IN_PROGRESS';
      }
      await this.transitions.move(kycState, kyc.id, state, 'AWAITING_APPROVAL', { completedMethod: method }, `user completed ${method}`);
      await this.outbox.stage(KYC_REVIEW_TOPIC, { kycId: kyc.id, outcome });
      return 'AWAITING_APPROVAL';
    });
  }

  /** Worker step: the bank's verdict on a completed KYC. */
  async review(kycId: string, outcome: KycOutcome): Promise<void> {
    const kyc = await this.db.client.kyc.findUnique({ where: { id: kycId } });
    if (!kyc || kyc.state !== 'AWAITING_APPROVAL') return;
    await this.applications.lock(kyc.applicationId);
    if (outcome === 'APPROVED') {
      await this.transitions.move(kycState, kyc.id, 'AWAITING_APPROVAL', 'APPROVED', {
        approvalValidUntil: new Date(this.clock.now().getTime() + KYC_APPROVAL_VALIDITY_MS),
      }, 'verified');
      await this.outbox.stage(KYC_EXPIRE_TOPIC, { kycId: kyc.id }, { delayMs: KYC_APPROVAL_VALIDITY_MS });
      return;
    }
    await this.transitions.move(kycState, kyc.id, 'AWAITING_APPROVAL', 'REJECTED', { rejectionReason: 'POLICY_ERROR' }, 'POLICY_ERROR');
    await this.rejectApplication(kyc.applicationId, 'KYC_REJECT', 'KYC was rejected');
  }

  /**
   * Worker step: an unfinished journey past KYC_JOURNEY_TTL_MS, or an approval past its validity, becomes
   * EXPIRED and the application is rejected (the borrower applies again). Fired early, it re-arms itself.
   */
  async expire(kycId: string): Promise<void> {
    const kyc = await this.db.client.kyc.findUnique({ where: { id: kycId } });
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
      await this.outbox.stage(KYC_EXPIRE_TOPIC, { kycId }, { delayMs: dueAt - now });
      return;
    }
    const reason = kyc.state === 'APPROVED' ? 'VALIDITY_EXPIRED' : 'EXPIRED';
    await this.transitions.move(kycState, kyc.id, kyc.state, 'EXPIRED', { rejectionReason: reason }, reason);
    await this.rejectApplication(kyc.applicationId, 'OTHERS', 'KYC expired before the application was submitted');
  }

  isApproved(kyc: Pick<Kyc, 'state' | 'approvalValidUntil'> | null | undefined): boolean {
    return kyc?.state === 'APPROVED' && (kyc.approvalValidUntil === null || kyc.approvalValidUntil > this.clock.now());
  }

  /** A KYC that can no longer succeed ends an application still in progress. */
  private async rejectApplication(applicationId: string, reason: string, description: string): Promise<void> {
    const application = await this.applications.byId(applicationId);
    if (application?.applicationState !== 'IN_PROGRESS') return;
    await this.transitions.move(applicationState, application.id, 'IN_PROGRESS', 'REJECTED', {
      rejectionReason: reason,
      rejectionDescription: description,
    }, reason);
  }

  private async hasCkycRecord(application: { aggregatorId: string; googleApplicationId: string; cKycId: string | null }): Promise<boolean> {
    if (application.cKycId) return true;
    const found = await this.db.client.ckycSearch.findFirst({
      where: { aggregatorId: application.aggregatorId, googleApplicationId: application.googleApplicationId, cKycId: { not: null } },
      select: { id: true },
    });
    return found !== null;
  }
}

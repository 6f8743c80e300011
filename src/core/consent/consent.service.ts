import { randomUUID } from 'node:crypto';
import { AppError, AppErrorCode, notFound } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { Sealer } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { TransitionWriter } from '../state/transition-writer';
import { ApplicationRepository } from '../application/application.repository';
import { ApprovalService } from '../approval/approval.service';
import { AaConsentStatus, AccountAggregator, ConsentFetchType } from './account-aggregator';
import { Consent, ConsentView } from './consent';
import { ConsentState, consentState } from './consent-state';
import { ConsentRepository } from './consent.repository';
import { advanceConsentJob } from './advance-consent.job';
import { statementEvidence } from './statement-evidence';

/** A consent is for 1 to this many applications. */
export const MAX_CONSENT_APPLICATIONS = 50;

/** What the FIU tells the AA the data is for. */
const PURPOSE = 'Credit underwriting of a loan application';

/** The AA's statuses that end a consent, and the reason recorded. */
const FAILED_AT_AA: Partial<Record<AaConsentStatus, string>> = { REJECTED: 'REJECTED', REVOKED: 'REVOKED', EXPIRED: 'EXPIRED' };

/**
 * Account-aggregator consents, the lender being the FIU. A consent is recorded (REQUESTED) and committed
 * before the AA is asked; the worker asks (with the consent's id as the reference, so a retry gets the same
 * handle), records the AA's handle (PENDING), follows the borrower's decision (READY or FAILED), and, once
 * READY, fetches the bank-statement summary, stores its figures and lets it decide the income verification
 * of the consent's applications. Nothing here is called with a transaction open on the AA.
 */
export class ConsentService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly consents: ConsentRepository,
    private readonly transitions: TransitionWriter,
    private readonly outbox: Outbox,
    private readonly sealer: Sealer,
    private readonly aa: AccountAggregator,
    private readonly approvals: ApprovalService,
    private readonly clock: Clock,
  ) {}

  /**
   * Records a consent for the partner's applications (their references; another partner's are NOT_FOUND) and
   * stages asking the AA. Runs in the caller's transaction if one is open.
   */
  async request(partnerId: string, externalReferences: string[], consent: { vua: string; fetchType: ConsentFetchType }): Promise<string> {
    const references = [...new Set(externalReferences)];
    if (references.length === 0 || references.length > MAX_CONSENT_APPLICATIONS) {
      throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, `A consent is for 1 to ${MAX_CONSENT_APPLICATIONS} applications`);
    }
    if (!/^[^@\s]{1,100}@[A-Za-z0-9.-]{1,100}$/.test(consent.vua)) throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, 'The vua must be the borrower\'s AA id, like 9876543210@aa');
    return this.uow.transaction(async () => {
      const applicationIds: string[] = [];
      for (const externalReference of references) applicationIds.push((await this.applications.get({ partnerId, externalReference })).id);
      const id = randomUUID();
      await this.consents.create({ id, partnerId, state: 'REQUESTED', fetchType: consent.fetchType, vuaCiphertext: this.sealer.seal(consent.vua, `consent-vua:${id}`) }, applicationIds);
      await this.transitions.recordInitial(consentState, id, 'REQUESTED');
      await this.outbox.stage(advanceConsentJob, { consentId: id });
      return id;
    });
  }

  /**
   * The borrower, on the bank's income-verification page, asks to share bank statements through an account
   * aggregator: a one-time consent for that application, asked of the AA by the worker.
   */
  async requestForApplication(applicationId: string, vua: string): Promise<string> {
    const application = await this.applications.byId(applicationId);
    if (!application) throw notFound('application');
    if (application.approvalState !== 'INCOME_VERIFICATION') throw new AppError(AppErrorCode.PRECONDITION_FAILED, 'Income verification is not open for this application');
    return this.request(application.partnerId, [application.externalReference], { vua, fetchType: 'ONETIME' });
  }

  /** The application's latest consent as the borrower's page shows it (where to approve it, once the AA gave the address). */
  async latestViewFor(applicationId: string): Promise<Pick<ConsentView, 'state' | 'url' | 'failureReason'> | null> {
    const consent = await this.consents.latestFor(applicationId);
    return consent ? { state: consent.state, url: consent.approvalUrl, failureReason: consent.failureReason } : null;
  }

  /** The partner's consent behind an AA handle; another partner's, or none, is NOT_FOUND. */
  async byHandle(partnerId: string, handle: string): Promise<ConsentView> {
    const consent = await this.consents.byHandle(handle);
    if (!consent || consent.partnerId !== partnerId) throw notFound('consent handle');
    return this.view(consent);
  }

  /** The partner's consent by our id. */
  async byId(partnerId: string, consentId: string): Promise<ConsentView> {
    const consent = await this.consents.byId(consentId);
    if (!consent || consent.partnerId !== partnerId) throw notFound('consent');
    return this.view(consent);
  }

  /**
   * The AA (its notification) or the partner (OCEN's journeyNotify) says the consent moved: its status is read
   * again from the AA by the worker (what a notification claims is not taken as the status).
   */
  async notified(handle: string, partnerId?: string): Promise<void> {
    await this.uow.transaction(async () => {
      const consent = await this.consents.byHandle(handle);
      if (!consent || (partnerId !== undefined && consent.partnerId !== partnerId)) throw notFound('consent handle');
      await this.outbox.stage(advanceConsentJob, { consentId: consent.id });
    });
  }

  /**
   * Worker step (no transaction open): takes the consent as far as the AA lets it go now: REQUESTED → asks
   * for it (PENDING, or FAILED when the AA has it failed already); PENDING or READY → reads its status at
   * the AA; READY without a summary → fetches it, stores the figures and decides the income verification of
   * its applications, in one transaction. Idempotent: each write re-checks the state it moves from.
   */
  /** Reconciler: the consents on which a step is owed, untouched since `before` (see ConsentRepository.unfinishedSince). */
  unfinishedSince(before: Date, limit: number) {
    return this.consents.unfinishedSince(before, limit);
  }

  /** Reconciler: stages the consent's next step again (its job's tries were used up, or it was lost). */
  async retry(consentId: string): Promise<void> {
    await this.uow.transaction(async () => {
      await this.consents.touch(consentId);
      await this.outbox.stage(advanceConsentJob, { consentId });
    });
  }

  /**
   * Reconciler: a consent the account aggregator could not be asked for in time ends FAILED (`AA_UNREACHABLE`),
   * so the loan agent reads CONSENT_REJECTED and can ask a new one, instead of waiting on it forever. Only a
   * REQUESTED consent is abandoned (false otherwise): once the AA holds it, the AA decides its end.
   */
  async abandon(consentId: string, description: string): Promise<boolean> {
    return this.uow.transaction(async () => {
      const current = await this.consents.lock(consentId);
      if (current?.state !== 'REQUESTED') return false;
      await this.transitions.move(consentState, consentId, 'REQUESTED', 'FAILED', { failureReason: 'AA_UNREACHABLE' }, description);
      return true;
    });
  }

  async advance(consentId: string): Promise<ConsentState | null> {
    let consent = await this.consents.byId(consentId);
    if (!consent) return null;
    if (consent.state === 'REQUESTED') {
      await this.consents.markAttempt(consent.id);
      const vua = this.sealer.open(consent.vuaCiphertext, `consent-vua:${consent.id}`);
      const asked = await this.aa.requestConsent({ reference: consent.id, vua, fetchType: consent.fetchType, purpose: PURPOSE });
      await this.uow.transaction(async () => {
        const current = await this.consents.lock(consentId);
        if (current?.state !== 'REQUESTED') return;
        await this.transitions.move(consentState, consentId, 'REQUESTED', 'PENDING', { aaHandle: asked.handle, approvalUrl: asked.url }, 'asked at the account aggregator');
      });
      consent = (await this.consents.byId(consentId))!;
    }
    if ((consent.state === 'PENDING' || consent.state === 'READY') && consent.aaHandle) {
      const status = await this.aa.consentStatus(consent.aaHandle);
      const to: ConsentState | undefined = FAILED_AT_AA[status] ? 'FAILED' : status === 'ACTIVE' && consent.state === 'PENDING' ? 'READY' : undefined;
      if (to) {
        const from = consent.state;
        await this.uow.transaction(async () => {
          const current = await this.consents.lock(consentId);
          if (current?.state !== from) return;
          await this.transitions.move(consentState, consentId, from, to, to === 'FAILED' ? { failureReason: FAILED_AT_AA[status] } : {}, `account aggregator: ${status}`);
        });
        consent = (await this.consents.byId(consentId))!;
      }
    }
    if (consent.state === 'READY' && !consent.summaryFetchedAt && consent.aaHandle) {
      const summary = await this.aa.fetchSummary(consent.aaHandle, `FI${consent.id}`);
      await this.uow.transaction(async () => {
        const current = await this.consents.lock(consentId);
        if (current?.state !== 'READY' || current.summaryFetchedAt) return;
        await this.consents.recordSummary(consentId, summary, this.clock.now());
        const evidence = statementEvidence(summary);
        for (const { applicationId } of await this.consents.applicationsOf(consentId)) await this.approvals.verifyIncome(applicationId, evidence);
      });
      consent = (await this.consents.byId(consentId))!;
    }
    return consent.state;
  }

  /**
   * The consent state that speaks for an application (its latest consent), as OCEN's PENDING / READY / FAILED
   * (REQUESTED reads as PENDING), and whether its summary is still to come; null when none was asked.
   */
  async latestFor(applicationId: string): Promise<{ state: 'PENDING' | 'READY' | 'FAILED'; summaryPending: boolean } | null> {
    const consent = await this.consents.latestFor(applicationId);
    if (!consent) return null;
    return { state: consent.state === 'REQUESTED' ? 'PENDING' : consent.state, summaryPending: consent.state === 'READY' && !consent.summaryFetchedAt };
  }

  /** Every move of a consent, oldest first. */
  history(consentId: string) {
    return this.transitions.history(consentState.machine.aggregate, consentId);
  }

  private async view(consent: Consent): Promise<ConsentView> {
    const applications = await this.consents.applicationsOf(consent.id);
    return {
      id: consent.id,
      state: consent.state,
      fetchType: consent.fetchType,
      vua: this.sealer.open(consent.vuaCiphertext, `consent-vua:${consent.id}`),
      handle: consent.aaHandle,
      url: consent.approvalUrl,
      failureReason: consent.failureReason,
      externalReferences: applications.map((a) => a.externalReference),
      summaryFetched: consent.summaryFetchedAt !== null,
    };
  }
}

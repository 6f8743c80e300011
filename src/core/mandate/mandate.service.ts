import { randomUUID } from 'node:crypto';
import { precondition } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { randomToken } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { TransitionWriter } from '../state/transition-writer';
import { IdentityHasher } from '../shared/identity';
import { ApplicationRef } from '../application/application';
import { ApplicationRepository } from '../application/application.repository';
import { MandateState, mandateMachine, mandateState } from './mandate-state';
import { MandateRepository } from './mandate.repository';
import { Mandate } from './mandate';
import { confirmMandateJob } from './confirm-mandate.job';

/** The repayment-setup link is valid for 60 seconds, as the partner API specifies. */
export const MANDATE_LINK_TTL_MS = 60_000;

export interface MandateLink {
  lenderReference: string;
  urlToken: string;
  authCode: string;
  expiresAt: Date;
  /** The bank's mandate page for this link (`<page>?urlToken=…`), for a surface that hands the borrower a URL. */
  pageUrl: string;
}

/** Application states in which the repayment mandate may be set up: before signing (Google Pay) or after it (OCEN: SIGNED, GRANTED). */
const MANDATE_OPEN_STATES: ReadonlySet<string> = new Set(['IN_PROGRESS', 'SIGNED', 'GRANTED']);

export type MandateOutcome = 'APPROVED' | 'REJECTED';

export class MandateService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly mandates: MandateRepository,
    private readonly transitions: TransitionWriter,
    private readonly outbox: Outbox,
    private readonly identity: IdentityHasher,
    private readonly clock: Clock,
    /** The bank's mandate page (PUBLIC_BASE_URL + /borrower/repayment-setup). */
    private readonly pageUrl: string,
  ) {}

  /**
   * Starts the e-mandate (or gives a fresh link for a pending one, or retries a failed one), while the
   * application is IN_PROGRESS, SIGNED or GRANTED. `partnerCollects` records that the partner collects the
   * repayments itself (kept as it was when not given).
   */
  async initiate(ref: ApplicationRef, options: { partnerCollects?: boolean } = {}): Promise<MandateLink> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      if (!MANDATE_OPEN_STATES.has(application.applicationState)) {
        throw precondition(`Repayment setup cannot start while the application is ${application.applicationState}`);
      }
      const urlToken = randomToken(24);
      const authCode = randomToken(12);
      const expiresAt = new Date(this.clock.now().getTime() + MANDATE_LINK_TTL_MS);
      const link = {
        urlTokenHash: this.identity.secret('mandate-url-token', urlToken),
        authCodeHash: this.identity.secret('mandate-auth-code', authCode),
        linkExpiresAt: expiresAt,
        ...(options.partnerCollects === undefined ? {} : { partnerCollects: options.partnerCollects }),
      };
      const mandate = await this.mandates.byId(application.currentMandateId);
      if (!mandate) {
        const id = randomUUID();
        await this.mandates.create({ id, applicationId: application.id, state: 'PENDING', partnerCollects: false, ...link });
        await this.applications.setCurrent(application.id, { currentMandateId: id });
        await this.transitions.recordInitial(mandateState, id, 'PENDING');
      } else if (mandate.state === 'PENDING') {
        await this.mandates.renewLink(mandate.id, link);
      } else if (mandate.state === 'FAILED') {
        await this.transitions.move(mandateState, mandate.id, 'FAILED', 'PENDING', { ...link, failureReason: null }, 'retry');
      } else {
        throw precondition('The repayment mandate is already active');
      }
      return { lenderReference: application.lenderReference, urlToken, authCode, expiresAt, pageUrl: `${this.pageUrl}?urlToken=${encodeURIComponent(urlToken)}` };
    });
  }

  /** The user finished the mandate on the bank's pages; the bank's confirmation is staged for the worker. */
  async complete(ref: ApplicationRef, outcome: MandateOutcome): Promise<MandateState> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      const mandate = await this.mandates.byId(application.currentMandateId);
      if (!mandate) throw precondition('Repayment setup has not been initiated for this application');
      mandateMachine.assert(mandate.state, outcome === 'APPROVED' ? 'ACTIVE' : 'FAILED');
      await this.outbox.stage(confirmMandateJob, { mandateId: mandate.id, outcome });
      return mandate.state;
    });
  }

  /** Worker step (in the job's transaction): the mandate is registered (ACTIVE) or refused (FAILED). */
  async confirm(mandateId: string, outcome: MandateOutcome): Promise<void> {
    const mandate = await this.mandates.byId(mandateId);
    if (!mandate || mandate.state !== 'PENDING') return;
    if (outcome === 'APPROVED') {
      await this.transitions.move(mandateState, mandate.id, 'PENDING', 'ACTIVE', { mandateReference: `UMRN${randomToken(12).toUpperCase()}` }, 'registered');
    } else {
      await this.transitions.move(mandateState, mandate.id, 'PENDING', 'FAILED', { failureReason: 'Mandate authorisation declined' }, 'declined');
    }
  }

  /** The application's current mandate, or null before repayment setup was initiated. */
  async current(application: { currentMandateId: string | null }): Promise<Mandate | null> {
    return this.mandates.byId(application.currentMandateId);
  }

  async isActive(mandateId: string | null): Promise<boolean> {
    return (await this.mandates.byId(mandateId))?.state === 'ACTIVE';
  }
}

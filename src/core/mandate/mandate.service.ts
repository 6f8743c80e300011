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
import { confirmMandateJob } from './confirm-mandate.job';

/** The repayment-setup link is valid for 60 seconds, as the partner API specifies. */
export const MANDATE_LINK_TTL_MS = 60_000;

export interface MandateLink {
  lenderReference: string;
  urlToken: string;
  authCode: string;
  expiresAt: Date;
}

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
  ) {}

  /** Starts the e-mandate (or gives a fresh link for a pending one, or retries a failed one). */
  async initiate(ref: ApplicationRef): Promise<MandateLink> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      if (application.applicationState !== 'IN_PROGRESS') {
        throw precondition(`Repayment setup cannot start while the application is ${application.applicationState}`);
      }
      const urlToken = randomToken(24);
      const authCode = randomToken(12);
      const expiresAt = new Date(this.clock.now().getTime() + MANDATE_LINK_TTL_MS);
      const link = {
        urlTokenHash: this.identity.secret('mandate-url-token', urlToken),
        authCodeHash: this.identity.secret('mandate-auth-code', authCode),
        linkExpiresAt: expiresAt,
      };
      const mandate = await this.mandates.byId(application.currentMandateId);
      if (!mandate) {
        const id = randomUUID();
        await this.mandates.create({ id, applicationId: application.id, state: 'PENDING', ...link });
        await this.applications.setCurrent(application.id, { currentMandateId: id });
        await this.transitions.recordInitial(mandateState, id, 'PENDING');
      } else if (mandate.state === 'PENDING') {
        await this.mandates.renewLink(mandate.id, link);
      } else if (mandate.state === 'FAILED') {
        await this.transitions.move(mandateState, mandate.id, 'FAILED', 'PENDING', { ...link, failureReason: null }, 'retry');
      } else {
        throw precondition('The repayment mandate is already active');
      }
      return { lenderReference: application.lenderReference, urlToken, authCode, expiresAt };
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

  async isActive(mandateId: string | null): Promise<boolean> {
    return (await this.mandates.byId(mandateId))?.state === 'ACTIVE';
  }
}

import { randomUUID } from 'node:crypto';
import { MandateState } from '../../generated/prisma/client';
import { precondition } from '../errors';
import { Database } from '../../lib/db/database';
import { randomToken } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { TransitionWriter } from '../state/transition-writer';
import { IdentityHasher } from '../shared/identity';
import { ApplicationRepository } from '../application/application.repository';
import { mandateMachine, mandateState } from './mandate-state';

export const MANDATE_CONFIRM_TOPIC = 'mandate.confirm';
/** The repayment-setup link is valid for 60 seconds, as the partner API specifies. */
export const MANDATE_LINK_TTL_MS = 60_000;

export interface MandateLink {
  partnerApplicationReferenceId: string;
  urlToken: string;
  authCode: string;
  expiresAt: Date;
}

export type MandateOutcome = 'APPROVED' | 'REJECTED';

export class MandateService {
  constructor(
    private readonly db: Database,
    private readonly applications: ApplicationRepository,
    private readonly transitions: TransitionWriter,
    private readonly outbox: Outbox,
    private readonly identity: IdentityHasher,
    private readonly clock: Clock,
  ) {}

  /** Starts the e-mandate (or gives a fresh link for a pending one, or retries a failed one). */
  async initiate(aggregatorId: string, googleApplicationId: string): Promise<MandateLink> {
    return this.db.transaction(async () => {
      const application = await this.applications.get(aggregatorId, googleApplicationId, { mandate: true });
      await this.applications.lock(application.id);
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
      const mandate = application.mandate;
      if (!mandate) {
        const id = randomUUID();
        await this.db.client.repaymentMandate.create({ data: { id, applicationId: application.id, state: 'PENDING', ...link } });
        await this.transitions.recordInitial(mandateState, id, 'PENDING');
      } else if (mandate.state === 'PENDING') {
        await this.db.client.repaymentMandate.update({ where: { id: mandate.id }, data: link });
      } else if (mandate.state === 'FAILED') {
        await this.transitions.move(mandateState, mandate.id, 'FAILED', 'PENDING', { ...link, failureReason: null }, 'retry');
      } else {
        throw precondition('The repayment mandate is already active');
      }
      return { partnerApplicationReferenceId: application.partnerApplicationReferenceId, urlToken, authCode, expiresAt };
    });
  }

  /** The user finished the mandate on the bank's pages; the bank's confirmation is staged for the worker. */
  async complete(aggregatorId: string, googleApplicationId: string, outcome: MandateOutcome): Promise<MandateState> {
    return this.db.transaction(async () => {
      const application = await this.applications.get(aggregatorId, googleApplicationId, { mandate: true });
      await this.applications.lock(application.id);
      const mandate = application.mandate;
      if (!mandate) throw precondition('Repayment setup has not been initiated for this application');
      mandateMachine.assert(mandate.state, outcome === 'APPROVED' ? 'ACTIVE' : 'FAILED');
      await this.outbox.stage(MANDATE_CONFIRM_TOPIC, { mandateId: mandate.id, outcome });
      return mandate.state;
    });
  }

  /** Worker step: the mandate is registered (ACTIVE) or refused (FAILED). */
  async confirm(mandateId: string, outcome: MandateOutcome): Promise<void> {
    const mandate = await this.db.client.repaymentMandate.findUnique({ where: { id: mandateId } });
    if (!mandate || mandate.state !== 'PENDING') return;
    if (outcome === 'APPROVED') {
      await this.transitions.move(mandateState, mandate.id, 'PENDING', 'ACTIVE', { mandateReference: `UMRN${randomToken(12).toUpperCase()}` }, 'registered');
    } else {
      await this.transitions.move(mandateState, mandate.id, 'PENDING', 'FAILED', { failureReason: 'Mandate authorisation declined' }, 'declined');
    }
  }
}

import { randomUUID } from 'node:crypto';
import { UnitOfWork } from '../../lib/db/database';
import { Clock } from '../../lib/clock';
import { AppError, AppErrorCode, invalidField, notFound } from '../errors';
import { TransitionWriter } from '../state/transition-writer';
import { StateTransitionRecord } from '../state/state-transition.repository';
import { DisputeState, disputeMachine, disputeState } from './dispute-state';
import { DisputeRepository, DisputeSubjectRow } from './dispute.repository';
import { DISPUTE_CATEGORIES, Dispute, RaiseDispute, RaisedDispute, StaffAction } from './dispute';

const MAX_REFERENCE = 100;
const MAX_TEXT = 2000;

/** Application states in which its loan has been granted (its lender reference is the loan id): a loan exists to dispute. */
const LOAN_GRANTED: ReadonlySet<string> = new Set(['GRANTED', 'SUBMITTED', 'DISBURSED']);

/**
 * Disputes about a loan application or its loan, for every surface (OCEN v3's dispute APIs, OCEN 4.0 once the
 * network defines them, the staff console); src/core/dispute/dispute.ts maps each protocol's fields onto it.
 *
 * Partners raise a dispute and read its status; the bank's staff acknowledge it, then resolve or reject it with a
 * note to the partner. Every state change goes through the transition writer (dispute-state.ts) and is recorded in
 * the dispute's history. Nothing here calls the outside world; a partner learns of a change by reading the status
 * (OCEN v3 disputeStatusRequest).
 *
 * Errors (src/core/errors.ts): MISSING_REQUIRED_FIELD and INVALID_FIELD_VALUE (a blank or too long reference,
 * description or resolution; an evidence link that is not http(s); an unknown category), NOT_FOUND (an unknown
 * dispute, or a subject not of this partner, or a loan not granted yet), DISPUTE_REFERENCE_REUSED,
 * ILLEGAL_STATE_TRANSITION (a staff action the dispute's state does not allow), CONCURRENT_MODIFICATION (two
 * requests on one dispute at the same moment: retry).
 */
export class DisputeService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repository: DisputeRepository,
    private readonly transitions: TransitionWriter,
    private readonly clock: Clock,
  ) {}

  /**
   * Raises a dispute about the partner's application or loan, RAISED. Idempotent per (partner, partnerReference):
   * the same dispute raised again answers the one raised before (`created: false`, whatever its state now); the
   * reference reused for a different dispute is refused with DISPUTE_REFERENCE_REUSED. A subject of another
   * partner, unknown, or (`kind: 'LOAN'`) not granted yet is NOT_FOUND.
   */
  async raise(request: RaiseDispute): Promise<RaisedDispute> {
    const partnerReference = required(request.partnerReference, 'disputeReference', MAX_REFERENCE);
    const description = required(request.description, 'disputeDescription', MAX_TEXT);
    const evidenceUrl = evidenceUrlOf(request.evidenceUrl);
    if (!DISPUTE_CATEGORIES.includes(request.category)) throw invalidField('disputeCategory', `Unknown dispute category ${JSON.stringify(request.category)}; one of ${DISPUTE_CATEGORIES.join(', ')}`);
    return this.uow.transaction(async () => {
      const subject = await this.subjectOf(request);
      const existing = await this.repository.byPartnerReference(request.partnerId, partnerReference);
      if (existing) {
        const same = existing.applicationId === subject.applicationId && existing.category === request.category && existing.description === description && existing.evidenceUrl === evidenceUrl;
        if (!same) throw new AppError(AppErrorCode.DISPUTE_REFERENCE_REUSED, `Dispute ${partnerReference} was raised before about another subject or with other details`, ['disputeReference']);
        return { dispute: existing, created: false };
      }
      const id = randomUUID();
      const raisedBy = request.raisedBy ?? 'PARTNER';
      await this.repository.create({
        id, partnerId: request.partnerId, partnerReference, applicationId: subject.applicationId, loanId: subject.loanId,
        raisedBy, category: request.category, description, evidenceUrl, state: 'RAISED',
      });
      await this.transitions.recordInitial(disputeState, id, 'RAISED', `raised by ${raisedBy === 'PARTNER' ? `partner ${request.partnerId}` : 'staff'}`);
      return { dispute: await this.get(id), created: true };
    });
  }

  /** The partner's dispute by its reference; another partner's is NOT_FOUND. */
  async status(partnerId: string, partnerReference: string): Promise<Dispute> {
    const dispute = await this.repository.byPartnerReference(partnerId, partnerReference);
    if (!dispute) throw notFound('dispute', 'disputeReference');
    return dispute;
  }

  /** Staff console: a dispute by our id. */
  async get(id: string): Promise<Dispute> {
    const dispute = await this.repository.byId(id);
    if (!dispute) throw notFound('dispute');
    return dispute;
  }

  /** Staff console: open disputes (RAISED or ACKNOWLEDGED), oldest first. */
  open(limit = 100): Promise<Dispute[]> {
    return this.repository.open(limit);
  }

  /** Staff console: every state the dispute was in, oldest first, each with who moved it. */
  history(id: string): Promise<StateTransitionRecord[]> {
    return this.transitions.history(disputeMachine.aggregate, id);
  }

  /** The staff take the dispute up: RAISED → ACKNOWLEDGED. */
  async acknowledge(id: string, action: StaffAction): Promise<Dispute> {
    return this.move(id, 'ACKNOWLEDGED', { acknowledgedAt: this.clock.now() }, `acknowledged by staff ${action.staffId}`);
  }

  /** The bank acted on the dispute: ACKNOWLEDGED → RESOLVED, with the note the partner reads. */
  async resolve(id: string, action: StaffAction & { resolution: string }): Promise<Dispute> {
    const resolution = required(action.resolution, 'resolution', MAX_TEXT);
    return this.move(id, 'RESOLVED', { resolution, closedAt: this.clock.now() }, `resolved by staff ${action.staffId}`);
  }

  /** The bank found nothing to correct (or the dispute is not one): RAISED or ACKNOWLEDGED → REJECTED, with the note the partner reads. */
  async reject(id: string, action: StaffAction & { resolution: string }): Promise<Dispute> {
    const resolution = required(action.resolution, 'resolution', MAX_TEXT);
    return this.move(id, 'REJECTED', { resolution, closedAt: this.clock.now() }, `rejected by staff ${action.staffId}`);
  }

  private move(id: string, to: DisputeState, changes: Record<string, unknown>, reason: string): Promise<Dispute> {
    return this.uow.transaction(async () => {
      const dispute = await this.get(id);
      await this.transitions.move(disputeState, id, dispute.state, to, changes, reason);
      return this.get(id);
    });
  }

  private async subjectOf(request: RaiseDispute): Promise<DisputeSubjectRow> {
    const { subject } = request;
    const reference = subject.kind === 'LOAN' ? subject.lenderReference : subject.externalReference;
    const field = subject.kind === 'LOAN' ? 'loanReference' : 'externalReference';
    if (typeof reference !== 'string' || !reference.trim()) throw new AppError(AppErrorCode.MISSING_REQUIRED_FIELD, `The ${subject.kind === 'LOAN' ? 'loan' : 'application'} the dispute is about is required`, [field]);
    const row = await this.repository.subject(request.partnerId, subject);
    if (subject.kind === 'APPLICATION') {
      if (!row) throw notFound('application reference', 'externalReference');
      return row;
    }
    const granted = row && (LOAN_GRANTED.has(row.applicationState) || (row.applicationState === 'REJECTED' && row.currentSubmissionId !== null));
    if (!granted) throw notFound('loan', 'loanReference');
    return row;
  }
}

/** A required text, trimmed: MISSING_REQUIRED_FIELD when absent or blank, INVALID_FIELD_VALUE when longer than `max`. */
function required(value: string | undefined | null, field: 'disputeReference' | 'disputeDescription' | 'resolution', max: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) throw new AppError(AppErrorCode.MISSING_REQUIRED_FIELD, `${field} is required`, [field]);
  if (text.length > max) throw invalidField(field, `${field} is longer than ${max} characters`);
  return text;
}

function evidenceUrlOf(value: string | undefined | null): string | null {
  const text = value?.trim();
  if (!text) return null;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || text.length > MAX_TEXT) throw invalidField('evidenceUrl', 'evidenceUrl must be an http or https link');
  return text;
}

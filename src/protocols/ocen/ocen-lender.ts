import { randomUUID } from 'node:crypto';
import { Logger } from 'pino';
import { AppError, AppErrorCode } from '../../core/errors';
import type { ApprovalService } from '../../core/approval/approval.service';
import type { OfferService } from '../../core/offer/offer.service';
import type { PartnerService } from '../../core/partner/partner.service';
import { partnerIdProblem } from '../../core/partner/partner';
import type { ApplicationRepository } from '../../core/application/application.repository';
import type { Application } from '../../core/application/application';
import { istDate } from '../../core/shared/dates';
import type { Clock } from '../../lib/clock';
import type { Sealer } from '../../lib/crypto';
import type { UnitOfWork } from '../../lib/db/database';
import type { Outbox } from '../../lib/jobs/outbox';
import { Idempotency, IdempotencyConflictError, fingerprintOf } from '../../lib/idempotency/idempotency';
import { PartnerCallback, PartnerCallbackRepository } from '../../lib/callbacks/partner-callback.repository';
import type { OcenCaller } from './ocen-auth';
import type { OcenNetwork } from './ocen-network';
import { OCEN_PATH_PREFIX, OcenOperation, assertOutgoing } from './ocen-schemas';
import { OcenAck, readAck } from './ocen-envelope';
import { concreteOffers, loanApplicationStatus, parseOcenOfferId, readApplicant, rejectionReason } from './ocen-mappers';
import { ocenCallbackJob } from './ocen-callback.job';

type Json = Record<string, unknown>;

/**
 * Why a request is not accepted: the ack's `error` is `CODE: message` (the spec defines no codes, ocen-notes
 * §2.1), answered with `status`. Nothing of a refused request is recorded.
 */
export class OcenRefusal extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
    this.name = 'OcenRefusal';
  }
}

/** The operations served today: each request and the `...Response` it is answered with. */
export const SERVED_OPERATIONS = {
  'loanApplications/createLoanRequest': 'loanApplications/createLoanResponse',
  'offers/generateOffersRequest': 'offers/generateOffersResponse',
  'offers/setOffersRequest': 'offers/setOffersResponse',
} as const satisfies Partial<Record<OcenOperation, OcenOperation>>;
export type ServedOperation = keyof typeof SERVED_OPERATIONS;

/** What a callback is built from, stored sealed with the intent. */
interface CallbackContext {
  metadata: Json;
  productData: Json;
  loanApplicationIds: string[];
  /** createLoanRequest: the borrower and terms echoed in createLoanResponse (the members we know, nothing else). */
  echoes?: Record<string, { borrower: Json; terms: Json }>;
}

/** The answer is not ready yet (the credit decision is pending): the job is retried. */
class NotReady extends Error {}

export interface OcenLenderOptions {
  /** Our participant and organisation ids (`metadata.originator*` of what we send). */
  participantId: string;
  orgId: string;
  productId: string;
  /** Time limit of one callback POST (default 10 s). */
  callbackTimeoutMs?: number;
}

/**
 * The OCEN lender on the core: accepts requests (idempotent per loan agent and `metadata.requestId`, the work
 * and the intent of the answer committed in one transaction, then the ack) and sends the answers (built once,
 * stored sealed, POSTed to the agent's registered baseUrl with our token and detached signature, the same bytes
 * on every attempt).
 */
export class OcenLender {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly idempotency: Idempotency,
    private readonly partners: PartnerService,
    private readonly applications: ApplicationRepository,
    private readonly approvals: ApprovalService,
    private readonly offers: OfferService,
    private readonly callbacks: PartnerCallbackRepository,
    private readonly outbox: Outbox,
    private readonly sealer: Sealer,
    readonly network: OcenNetwork,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: OcenLenderOptions,
  ) {}

  /** Accepts an authenticated, schema-valid request; answers its ack (the same ack to a duplicate). */
  async accept(caller: OcenCaller, operation: ServedOperation, body: Json, requestId: string): Promise<OcenAck> {
    const partnerId = await this.partnerOf(caller);
    const traceId = String((body.metadata as Json).traceId ?? requestId);
    try {
      const stored = await this.idempotency.once({ partnerId, requestId }, `ocen:${operation}`, fingerprintOf(body), async () => {
        await this.work(partnerId, operation, body, requestId);
        return JSON.stringify({ error: '0', traceId, timestamp: this.clock.now().toISOString() } satisfies OcenAck);
      });
      return JSON.parse(stored) as OcenAck;
    } catch (err) {
      if (err instanceof IdempotencyConflictError) throw new OcenRefusal('REQUEST_ID_REUSED', `metadata.requestId ${requestId} was already used for a different request`, 409);
      throw refusalOf(err);
    }
  }

  /** The loan agent as a partner of this lender: created on its first call (the registry approved it); a suspended one is refused. */
  private async partnerOf(caller: OcenCaller): Promise<string> {
    const id = caller.participantId;
    if (partnerIdProblem(id)) throw new OcenRefusal('PARTICIPANT_ID_UNSUPPORTED', `This lender cannot serve participant id ${JSON.stringify(id)}`, 403);
    await this.partners.ensure([{ id, displayName: `OCEN loan agent ${id}`, protocol: 'OCEN', callbackBaseUrl: caller.participant.baseUrl ?? null }]);
    try {
      const partner = await this.partners.resolve(id);
      if (partner.protocol !== 'OCEN') throw new OcenRefusal('PARTICIPANT_ID_UNSUPPORTED', `Partner ${id} does not use OCEN`, 403);
      return partner.id;
    } catch (err) {
      if (err instanceof AppError) throw new OcenRefusal(err.code, err.message, 403);
      throw err;
    }
  }

  private async work(partnerId: string, operation: ServedOperation, body: Json, requestId: string): Promise<void> {
    const context: CallbackContext = { metadata: body.metadata as Json, productData: body.productData as Json, loanApplicationIds: [] };
    if (operation === 'loanApplications/createLoanRequest') {
      const loanApplications = Array.isArray(body.loanApplications) ? (body.loanApplications as Json[]) : [];
      if (loanApplications.length === 0 || loanApplications.length > 10) throw new OcenRefusal('INVALID_REQUEST', 'Send 1 to 10 loanApplications', 400);
      context.echoes = {};
      for (const [index, loanApplication] of loanApplications.entries()) {
        const reading = readApplicant(loanApplication);
        if ('problem' in reading) throw new OcenRefusal('INVALID_REQUEST', `loanApplications[${index}]: ${reading.problem}`, 400);
        await this.approvals.open({
          partnerId,
          externalReference: reading.loanApplicationId,
          productId: this.options.productId,
          requestedAmountMicros: reading.requestedAmountMicros,
          loanPurpose: 'OTHER',
          applicant: reading.applicant,
          phone: reading.phone,
        });
        const borrower = loanApplication.borrower as Json;
        context.loanApplicationIds.push(reading.loanApplicationId);
        context.echoes[reading.loanApplicationId] = {
          borrower: {
            primaryId: reading.applicant.pan,
            primaryIdType: 'PAN',
            category: borrower.category === 'ORGANIZATION' ? 'ORGANIZATION' : 'INDIVIDUAL',
            ...(reading.applicant.fullName ? { name: reading.applicant.fullName } : {}),
            contactDetails: [{ type: 'PRIMARY', phone: reading.phone.nationalNumber }],
          },
          terms: { requestedAmount: Number(reading.requestedAmountMicros) / 1_000_000, currency: 'INR' },
        };
      }
    } else if (operation === 'offers/generateOffersRequest') {
      const ids = (body.loanApplicationIds as unknown[]).map(String);
      if (ids.length === 0 || ids.length > 50) throw new OcenRefusal('INVALID_REQUEST', 'Send 1 to 50 loanApplicationIds', 400);
      for (const id of ids) await this.applicationOf(partnerId, id);
      context.loanApplicationIds = [...new Set(ids)];
    } else {
      const id = String(body.loanApplicationId);
      await this.applicationOf(partnerId, id);
      const offer = body.offer as Json;
      const parsed = parseOcenOfferId(String(offer.id));
      const current = await this.offers.current({ partnerId, externalReference: id });
      const application = await this.applicationOf(partnerId, id);
      const ours = parsed && current && parsed.offerId === current.id
        ? concreteOffers(current, application.requestedAmountMicros, this.clock.now()).find((o) => o.id === offer.id)
        : undefined;
      const terms = (offer.terms ?? {}) as Json;
      const sanctioned = terms.sanctionedAmount ?? terms.requestedAmount;
      if (!ours || (typeof sanctioned === 'number' && Math.round(sanctioned * 100) * 10_000 !== Number(ours.amountMicros))) {
        throw new OcenRefusal('OFFER_UNKNOWN', `Offer ${JSON.stringify(offer.id)} is not one of this lender's offers for loan application ${id}`, 422);
      }
      await this.offers.accept({ partnerId, externalReference: id, offerId: current!.id, amountMicros: ours.amountMicros, tenureMonths: ours.tenureMonths });
      context.loanApplicationIds = [id];
    }
    const callbackId = randomUUID();
    await this.callbacks.create({
      id: callbackId,
      partnerId,
      operation: SERVED_OPERATIONS[operation],
      requestId,
      subjects: context.loanApplicationIds,
      contextCiphertext: this.sealer.seal(JSON.stringify(context), `ocen-callback:${callbackId}`),
    });
    await this.outbox.stage(ocenCallbackJob, { callbackId });
  }

  /** The agent's application; another agent's (or none) is the same refusal, so nothing is learnt of it. */
  private async applicationOf(partnerId: string, loanApplicationId: string): Promise<Application> {
    const application = await this.applications.find({ partnerId, externalReference: loanApplicationId });
    if (!application) throw new OcenRefusal('UNKNOWN_LOAN_APPLICATION', `No loan application ${JSON.stringify(loanApplicationId)} of this loan agent`, 404);
    return application;
  }

  /**
   * Worker step (the job `ocen.callback`): builds the answer once (stored sealed; a concurrent build loses to
   * the first stored), then POSTs those bytes to the agent. A failed POST is recorded and thrown, so the queue
   * retries with back-off; a delivered callback is not sent again.
   */
  async send(callbackId: string): Promise<void> {
    const callback = await this.callbacks.byId(callbackId);
    if (!callback || callback.deliveredAt) return;
    const bytes = Buffer.from(await this.bodyOf(callback));
    const participant = await this.network.registry.participant(callback.partnerId);
    if (!participant.baseUrl) {
      await this.callbacks.recordAttempt(callback.id, 'the registry lists no baseUrl');
      throw new Error(`Participant ${callback.partnerId} has no baseUrl in the registry`);
    }
    const url = `${participant.baseUrl.replace(/\/+$/, '')}${OCEN_PATH_PREFIX}${callback.operation}`;
    let error: string | undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: await this.network.outboundHeaders(bytes),
        body: bytes,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.callbackTimeoutMs ?? 10_000),
      });
      const text = await response.text().catch(() => '');
      if (response.status < 200 || response.status > 299) error = `HTTP ${response.status}`;
      else {
        let answer: unknown;
        try {
          answer = JSON.parse(text);
        } catch {
          answer = undefined;
        }
        const ack = readAck(answer);
        if (ack && !ack.accepted) this.logger.warn({ callbackId, operation: callback.operation, ackError: ack.error }, 'OCEN callback delivered; the loan agent acked an error');
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    await this.callbacks.recordAttempt(callback.id, error);
    if (error) throw new Error(`OCEN callback ${callback.operation} to ${callback.partnerId} not delivered: ${error}`);
  }

  /** The stored answer's text; built and stored first if there is none yet. */
  private async bodyOf(callback: PartnerCallback): Promise<string> {
    if (callback.bodyCiphertext) return this.sealer.open(callback.bodyCiphertext, `ocen-callback-body:${callback.id}`);
    const context = JSON.parse(this.sealer.open(callback.contextCiphertext, `ocen-callback:${callback.id}`)) as CallbackContext;
    const body = await this.build(callback, context);
    assertOutgoing(callback.operation as OcenOperation, body);
    const stored = await this.callbacks.storeBody(callback.id, this.sealer.seal(JSON.stringify(body), `ocen-callback-body:${callback.id}`));
    return this.sealer.open(stored, `ocen-callback-body:${callback.id}`);
  }

  private async build(callback: PartnerCallback, context: CallbackContext): Promise<Json> {
    const now = this.clock.now();
    const envelope = {
      metadata: {
        version: typeof context.metadata.version === 'string' ? context.metadata.version : '4.0.0alpha',
        originatorOrgId: this.options.orgId,
        originatorParticipantId: this.options.participantId,
        timestamp: now.toISOString(),
        traceId: String(context.metadata.traceId ?? callback.requestId),
        requestId: callback.requestId,
      },
      response: { status: 'SUCCESS' },
      productData: { productId: String(context.productData.productId ?? ''), productNetworkId: String(context.productData.productNetworkId ?? '') },
    };
    const refOf = (id: string) => ({ partnerId: callback.partnerId, externalReference: id });

    if (callback.operation === 'loanApplications/createLoanResponse') {
      const loanApplications = [];
      for (const id of context.loanApplicationIds) {
        let application = await this.applications.get(refOf(id));
        if (application.approvalState === 'IN_PROCESS') {
          await this.approvals.decide(application.id);
          application = await this.applications.get(refOf(id));
        }
        if (application.approvalState === 'IN_PROCESS') throw new NotReady(`credit decision of ${id} pending`);
        const rejected = loanApplicationStatus(application) === 'REJECTED';
        const echo = context.echoes?.[id];
        loanApplications.push({
          createdDate: application.createdAt.toISOString(),
          loanApplicationId: id,
          loanApplicationStatus: rejected ? 'REJECTED' : 'PROCESSING',
          borrower: echo?.borrower,
          pledgedDocuments: { totalDocumentCount: 0, hasAdditionalDocuments: false, documents: [] },
          guarantors: [],
          applicants: [],
          terms: echo?.terms,
          ...(rejected ? { description: `${rejectionReason(application.rejectionReason)}: ${application.rejectionDescription ?? application.rejectionReason ?? 'rejected'}` } : {}),
        });
      }
      return { ...envelope, loanApplications };
    }

    if (callback.operation === 'offers/generateOffersResponse') {
      const loanApplications = [];
      for (const id of context.loanApplicationIds) {
        const application = await this.applications.get(refOf(id));
        if (application.approvalState === 'IN_PROCESS') throw new NotReady(`credit decision of ${id} pending`);
        const offer = application.currentOfferId ? await this.offers.current(refOf(id)) : null;
        const status = loanApplicationStatus(application, offer);
        const base = { loanApplicationId: id, createdDate: istDate(application.createdAt), loanApplicationStatus: status, kyc: {} };
        if (status === 'REJECTED') {
          loanApplications.push({ ...base, offers: [], rejectionDetails: [{ reason: rejectionReason(application.rejectionReason), description: application.rejectionDescription ?? application.rejectionReason ?? 'Rejected' }] });
        } else {
          loanApplications.push({ ...base, offers: offer ? concreteOffers(offer, application.requestedAmountMicros, now).map((o) => o.body) : [] });
        }
      }
      return { ...envelope, loanApplications };
    }

    const id = context.loanApplicationIds[0];
    const application = await this.applications.get(refOf(id));
    const offer = await this.offers.current(refOf(id));
    return { ...envelope, loanApplicationId: id, loanApplicationStatus: loanApplicationStatus(application, offer) };
  }

  /** Sandbox: every built callback about a loan application (of one agent, or of all), newest first. */
  async callbacksAbout(loanApplicationId: string, participantId?: string): Promise<Array<Json>> {
    const rows = await this.callbacks.builtFor(participantId, loanApplicationId, 100);
    return rows.map((row) => ({
      operation: row.operation,
      participantId: row.partnerId,
      requestId: row.requestId,
      builtAt: row.builtAt?.toISOString(),
      deliveredAt: row.deliveredAt?.toISOString() ?? null,
      attempts: row.attempts,
      lastError: row.lastError,
      body: JSON.parse(this.sealer.open(row.bodyCiphertext!, `ocen-callback-body:${row.id}`)),
    }));
  }
}

function refusalOf(err: unknown): unknown {
  if (!(err instanceof AppError)) return err;
  switch (err.code) {
    case AppErrorCode.DUPLICATE_APPLICATION: return new OcenRefusal('DUPLICATE_LOAN_APPLICATION', 'A loan application with this loanApplicationId exists already', 409);
    case AppErrorCode.NOT_FOUND: return new OcenRefusal('NOT_FOUND', err.message, 404);
    case AppErrorCode.OFFER_EXPIRED: return new OcenRefusal('OFFER_EXPIRED', err.message, 422);
    case AppErrorCode.INVALID_FIELD_VALUE: return new OcenRefusal('INVALID_REQUEST', err.message, 400);
    default: return new OcenRefusal(err.code, err.message, 422);
  }
}

import { randomUUID } from 'node:crypto';
import { Logger } from 'pino';
import { AppError, AppErrorCode } from '../../core/errors';
import type { PartnerService } from '../../core/partner/partner.service';
import { partnerIdProblem } from '../../core/partner/partner';
import type { Clock } from '../../lib/clock';
import type { Sealer } from '../../lib/crypto';
import type { UnitOfWork } from '../../lib/db/database';
import type { Outbox } from '../../lib/jobs/outbox';
import { Idempotency, IdempotencyConflictError, fingerprintOf } from '../../lib/idempotency/idempotency';
import { PartnerCallback, PartnerCallbackRepository } from '../../lib/callbacks/partner-callback.repository';
import { Metrics, noMetrics, secondsSince } from '../../lib/metrics/metrics';
import { annotateSpan, inSpan, outgoingTraceHeaders } from '../../lib/trace';
import type { OcenCaller } from './ocen-auth';
import type { OcenNetwork } from './ocen-network';
import { OCEN_PATH_PREFIX, OcenOperation, assertOutgoing, ocenMessageSchema } from './ocen-schemas';
import { OcenAck, readAck } from './ocen-envelope';
import { Json, OcenOperationHandler, OcenRefusal } from './ocen-operation';
import { ocenCallbackJob } from './ocen-callback.job';

export { OcenRefusal } from './ocen-operation';

/** What a callback is built from, stored sealed with the intent. */
interface CallbackContext {
  metadata: Json;
  productData: Json;
  /** The operation's own context (see OcenOperationHandler.accept). */
  data: unknown;
}

export interface OcenLenderOptions {
  /** Our participant and organisation ids (`metadata.originator*` of what we send). */
  participantId: string;
  orgId: string;
  /** Time limit of one callback POST (default 10 s). */
  callbackTimeoutMs?: number;
}

/**
 * The OCEN lender on the core: accepts requests (idempotent per loan agent and `metadata.requestId`; the
 * operation's work and the intent of its answer committed in one transaction, then the ack) and sends the
 * answers (built once by the operation, checked against the patched loan.json, stored sealed, POSTed to the
 * agent's registered baseUrl with our token and detached signature, the same bytes on every attempt). A
 * duplicate request is answered with the first one's ack and its stored answer is sent again.
 */
export class OcenLender {
  private readonly byRequest: Map<string, OcenOperationHandler<unknown>>;
  private readonly byResponse: Map<string, OcenOperationHandler<unknown>>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly idempotency: Idempotency,
    private readonly partners: PartnerService,
    operations: OcenOperationHandler<unknown>[],
    private readonly callbacks: PartnerCallbackRepository,
    private readonly outbox: Outbox,
    private readonly sealer: Sealer,
    readonly network: OcenNetwork,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: OcenLenderOptions,
    /** Callback deliveries (`credit_partner_callback_deliveries_total`, `…_duration_seconds`). */
    private readonly metrics: Metrics = noMetrics,
  ) {
    this.byRequest = new Map(operations.map((o) => [o.request, o]));
    this.byResponse = new Map(operations.flatMap((o) => (o.response ? [[o.response, o] as const] : [])));
  }

  /** Whether `operation` (a request path after the version prefix) is hosted here. */
  serves(operation: string): boolean {
    return this.byRequest.has(operation);
  }

  /** The operations hosted here, request → response. */
  get operations(): Array<{ request: OcenOperation; response: OcenOperation | null }> {
    return [...this.byRequest.values()].map(({ request, response }) => ({ request, response }));
  }

  /** Accepts an authenticated, schema-valid request; answers its ack (the same ack to a duplicate, whose answer is sent again). */
  async accept(caller: OcenCaller, operation: string, body: Json, requestId: string): Promise<OcenAck> {
    const handler = this.byRequest.get(operation);
    if (!handler) throw new OcenRefusal('NOT_SERVED', `${operation} is not served by this lender`, 404);
    const partnerId = await this.partnerOf(caller);
    const traceId = String((body.metadata as Json).traceId ?? requestId);
    try {
      const outcome = await this.idempotency.run({ partnerId, requestId }, `ocen:${operation}`, fingerprintOf(body), async (claimed) => {
        await this.work(partnerId, handler, body, requestId, claimed);
        return JSON.stringify({ error: '0', traceId, timestamp: this.clock.now().toISOString() } satisfies OcenAck);
      });
      if (outcome.replayed && handler.response) await this.sendAgain(partnerId, handler.response, requestId);
      return JSON.parse(outcome.answer) as OcenAck;
    } catch (err) {
      if (err instanceof IdempotencyConflictError) throw new OcenRefusal('REQUEST_ID_REUSED', `metadata.requestId ${requestId} was already used for a different request`, 409);
      throw refusalOf(err);
    }
  }

  /**
   * The loan agent as a partner of this lender: created on its first call (the registry approved it), so a known
   * agent costs a cached look-up and no write; a suspended one is refused.
   */
  private async partnerOf(caller: OcenCaller): Promise<string> {
    const id = caller.participantId;
    if (partnerIdProblem(id)) throw new OcenRefusal('PARTICIPANT_ID_UNSUPPORTED', `This lender cannot serve participant id ${JSON.stringify(id)}`, 403);
    try {
      const partner = await this.partners.resolve(id).catch(async (err: unknown) => {
        if (!(err instanceof AppError) || err.code !== AppErrorCode.PARTNER_UNKNOWN) throw err;
        await this.partners.ensure([{ id, displayName: `OCEN loan agent ${id}`, protocol: 'OCEN_4', callbackBaseUrl: caller.participant.baseUrl ?? null }]);
        return this.partners.resolve(id);
      });
      if (partner.protocol !== 'OCEN_4') throw new OcenRefusal('PARTICIPANT_ID_UNSUPPORTED', `Partner ${id} does not use OCEN`, 403);
      return partner.id;
    } catch (err) {
      if (err instanceof AppError) throw new OcenRefusal(err.code, err.message, 403);
      throw err;
    }
  }

  private async work(partnerId: string, handler: OcenOperationHandler<unknown>, body: Json, requestId: string, claimed: Promise<boolean>): Promise<void> {
    const accepted = await handler.accept({ partnerId, requestId, body, claimed });
    if (!handler.response) return;
    const context: CallbackContext = { metadata: body.metadata as Json, productData: (body.productData ?? {}) as Json, data: accepted.context };
    const callbackId = randomUUID();
    await this.callbacks.create({
      id: callbackId,
      partnerId,
      operation: handler.response,
      requestId,
      subjects: accepted.subjects,
      contextCiphertext: this.sealer.seal(JSON.stringify(context), `ocen-callback:${callbackId}`),
    });
    await this.outbox.stage(ocenCallbackJob, { callbackId });
  }

  /** A duplicate request: its answer (the stored one, or the one still to be built) is sent again. */
  private async sendAgain(partnerId: string, response: string, requestId: string): Promise<void> {
    await this.uow.transaction(async () => {
      const callback = await this.callbacks.byRequest(partnerId, response, requestId);
      if (callback) await this.outbox.stage(ocenCallbackJob, { callbackId: callback.id, again: true });
    });
  }

  /**
   * Worker step (the job `ocen.callback`): builds the answer once (stored sealed; a concurrent build loses to
   * the first stored), then POSTs those bytes to the agent. A failed POST is recorded and thrown, so the queue
   * retries with back-off. A delivered callback is not sent again, unless `again` (a duplicate request asked for it).
   */
  async send(callbackId: string, again = false): Promise<void> {
    const callback = await this.callbacks.byId(callbackId);
    if (!callback || (callback.deliveredAt && !again)) return;
    const bytes = Buffer.from(await this.bodyOf(callback));
    const started = process.hrtime.bigint();
    const delivered = (outcome: 'ok' | 'error') => this.metrics.callbackDelivery({ surface: 'ocen', operation: callback.operation, outcome }, secondsSince(started));
    if (this.network.keepsCallbacks) {
      // the sandbox's built-in agent reads them here
      await this.callbacks.recordAttempt(callback.id, undefined);
      delivered('ok');
      return;
    }
    const participant = await this.network.registry.participant(callback.partnerId);
    if (!participant.baseUrl) {
      delivered('error');
      await this.callbacks.recordAttempt(callback.id, 'the registry lists no baseUrl');
      throw new Error(`Participant ${callback.partnerId} has no baseUrl in the registry`);
    }
    const url = `${participant.baseUrl.replace(/\/+$/, '')}${OCEN_PATH_PREFIX}${callback.operation}`;
    let error: string | undefined;
    let status: number | undefined;
    let ack: ReturnType<typeof readAck>;
    try {
      const response = await this.post(url, bytes, callback.operation);
      status = response.status;
      const text = await response.text().catch(() => '');
      if (response.status < 200 || response.status > 299) error = `HTTP ${response.status}`;
      else {
        let answer: unknown;
        try {
          answer = JSON.parse(text);
        } catch {
          answer = undefined;
        }
        ack = readAck(answer);
        if (ack && !ack.accepted) this.logger.warn({ callbackId, operation: callback.operation, ackError: ack.error }, 'OCEN callback delivered; the loan agent acked an error');
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    delivered(error ? 'error' : 'ok');
    await this.callbacks.recordAttempt(callback.id, error);
    this.network.analytics.responseSent(callback.partnerId, callback.operation, JSON.parse(bytes.toString('utf8')) as Json, status, ack, error);
    if (error) throw new Error(`OCEN callback ${callback.operation} to ${callback.partnerId} not delivered: ${error}`);
  }

  /** One delivery attempt: a client span of the job's trace, whose `traceparent` the request carries. */
  private post(url: string, bytes: Buffer, operation: string): Promise<Response> {
    return inSpan(`POST ${operation}`, 'client', { 'http.request.method': 'POST', 'server.address': new URL(url).hostname, 'credit_partner.callback': operation }, async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { ...(await this.network.outboundHeaders(bytes)), ...outgoingTraceHeaders() },
        body: bytes,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.callbackTimeoutMs ?? 10_000),
      });
      annotateSpan({ 'http.response.status_code': response.status });
      return response;
    });
  }

  /** The stored answer's text; built and stored first if there is none yet. */
  private async bodyOf(callback: PartnerCallback): Promise<string> {
    if (callback.bodyCiphertext) return this.sealer.open(callback.bodyCiphertext, `ocen-callback-body:${callback.id}`);
    const context = JSON.parse(this.sealer.open(callback.contextCiphertext, `ocen-callback:${callback.id}`)) as CallbackContext;
    const handler = this.byResponse.get(callback.operation);
    if (!handler) throw new Error(`No OCEN operation answers with ${callback.operation}`);
    const now = this.clock.now();
    const answer = await handler.answer({ partnerId: callback.partnerId, requestId: callback.requestId, now, productData: context.productData }, context.data);
    const body = {
      metadata: {
        version: typeof context.metadata.version === 'string' ? context.metadata.version : '4.0.0alpha',
        originatorOrgId: this.options.orgId,
        originatorParticipantId: this.options.participantId,
        timestamp: now.toISOString(),
        traceId: String(context.metadata.traceId ?? callback.requestId),
        requestId: callback.requestId,
      },
      // A few answers (getKYCMethodsResponse) define no `response`; what the schema does not define is not sent.
      ...(answersWithResponse(callback.operation as OcenOperation) ? { response: { status: 'SUCCESS' } } : {}),
      productData: { productId: String(context.productData.productId ?? ''), productNetworkId: String(context.productData.productNetworkId ?? '') },
      ...answer,
    };
    // An answer leaves a member out by setting it undefined (e.g. `response`, which repaymentConditionChangeResponse has not).
    for (const [key, value] of Object.entries(body)) if (value === undefined) delete (body as Json)[key];
    assertOutgoing(callback.operation as OcenOperation, body);
    const stored = await this.callbacks.storeBody(callback.id, this.sealer.seal(JSON.stringify(body), `ocen-callback-body:${callback.id}`));
    return this.sealer.open(stored, `ocen-callback-body:${callback.id}`);
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

/** Whether the operation's body defines a `response` member. */
function answersWithResponse(operation: OcenOperation): boolean {
  const properties = ocenMessageSchema(operation)?.properties as Json | undefined;
  return Boolean(properties && 'response' in properties);
}

function refusalOf(err: unknown): unknown {
  if (!(err instanceof AppError)) return err;
  switch (err.code) {
    case AppErrorCode.DUPLICATE_APPLICATION: return new OcenRefusal('DUPLICATE_LOAN_APPLICATION', 'A loan application with this loanApplicationId exists already', 409);
    case AppErrorCode.NOT_FOUND: return new OcenRefusal('NOT_FOUND', err.message, 404);
    case AppErrorCode.OFFER_EXPIRED: return new OcenRefusal('OFFER_EXPIRED', err.message, 422);
    case AppErrorCode.INVALID_FIELD_VALUE: return new OcenRefusal('INVALID_REQUEST', err.message, 400);
    case AppErrorCode.CHALLENGE_RATE_LIMITED: return new OcenRefusal(err.code, err.message, 429);
    case AppErrorCode.LEDGER_ENTRY_REFUSED: return err; // a fault of this server: INTERNAL_ERROR, nothing committed
    default: return new OcenRefusal(err.code, err.message, 422);
  }
}

import { Logger } from 'pino';
import type { PartnerService } from '../../core/partner/partner.service';
import { partnerIdProblem } from '../../core/partner/partner';
import type { AnswerChannel, AnswerDelivery, AnswerToBuild, CollectionNoticeContext, DeliveryOutcome, PartnerAnswers } from '../../core/lending/partner-answers';
import { PartnerRequests, requestFingerprint } from '../../core/lending/partner-requests';
import type { Clock } from '../../lib/clock';
import type { OcenCaller } from './ocen-auth';
import type { OcenNetwork } from './ocen-network';
import { OCEN_PATH_PREFIX, OcenOperation, assertOutgoing, isIncoming, ocenMessageSchema } from './ocen-schemas';
import { OcenAck, readAck } from './ocen-envelope';
import { OcenOperationHandler, OcenRefusal } from './ocen-operation';
import { ocenCallbackJob } from './ocen-callback.job';
import { partnerRefusalOf, refusalOf } from './ocen-errors';
import { postCallback } from '../shared/callback-post';
import { MetaData, OcenMessage, OcenPayload, OcenResponse, ProductData, Untrusted, isJsonObject, untrusted } from './ocen-wire';

export { OcenRefusal } from './ocen-operation';

/** What a callback is built from, stored sealed with the intent. */
interface CallbackContext {
  /** The request's, as sent. */
  metadata: Untrusted<MetaData>;
  productData: Untrusted<ProductData>;
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
 * The OCEN lender on the core: routes an authenticated request to its operation and acks it (the core's
 * PartnerRequests makes it idempotent per loan agent and `metadata.requestId`, and records the answer owed with the
 * operation's work in one transaction), and is the answer channel of OCEN loan agents: the `...Response` envelope
 * around what the operation builds (checked against the patched loan.json), and its delivery to the agent's
 * registered baseUrl with our token and detached signature. The core builds each answer once and sends the same
 * bytes on every attempt. A duplicate request is answered with the first one's ack and its stored answer is sent again.
 */
export class OcenLender implements AnswerChannel {
  readonly protocol = 'OCEN_4' as const;
  readonly surface = 'ocen';
  readonly job = ocenCallbackJob;
  /** confirmRepaymentRequest tells an agent of our own mandate collections (docs/ocen.md §4.4), when a builder is given. */
  readonly collectionNotice: 'repayment/confirmRepaymentRequest' | undefined;
  private readonly byRequest: Map<string, OcenOperationHandler>;
  private readonly byResponse: Map<string, OcenOperationHandler>;

  constructor(
    private readonly requests: PartnerRequests,
    private readonly answers: PartnerAnswers,
    private readonly partners: PartnerService,
    operations: OcenOperationHandler[],
    readonly network: OcenNetwork,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: OcenLenderOptions,
    private readonly noticeMembers?: (notice: CollectionNoticeContext) => Promise<OcenPayload<'repayment/confirmRepaymentRequest'>>,
  ) {
    this.collectionNotice = noticeMembers ? 'repayment/confirmRepaymentRequest' : undefined;
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
  async accept(caller: OcenCaller, operation: string, body: Record<string, unknown>, requestId: string): Promise<OcenAck> {
    const handler = this.byRequest.get(operation);
    if (!handler) throw new OcenRefusal('NOT_SERVED', `${operation} is not served by this lender`, 404);
    // The router checked the body against the request's schema already; this is the same check, as a type guard.
    if (!isIncoming(handler.request, body)) throw new OcenRefusal('INVALID_REQUEST', `the body does not match ${operation}`, 400);
    const partnerId = await this.partnerOf(caller);
    const metadata = untrusted<MetaData>(body.metadata);
    const traceId = String(metadata.traceId ?? requestId);
    const request = { partnerId, requestId, operation: `ocen:${operation}`, fingerprint: requestFingerprint(body), answeredWith: handler.response };
    try {
      const { answer } = await this.requests.accept(request, async (claimed) => {
        const accepted = await handler.accept({ partnerId, requestId, body, claimed });
        const context: CallbackContext = { metadata, productData: untrusted<ProductData>(body.productData), data: accepted.context };
        return {
          answer: { error: '0', traceId, timestamp: this.clock.now().toISOString() } satisfies OcenAck,
          owed: handler.response ? { operation: handler.response, subjects: accepted.subjects, context } : null,
        };
      });
      return answer;
    } catch (err) {
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
      const partner = await this.partners.resolveOrEnrol({ id, displayName: `OCEN loan agent ${id}`, protocol: 'OCEN_4', callbackBaseUrl: caller.participant.baseUrl ?? null });
      if (partner.protocol !== 'OCEN_4') throw new OcenRefusal('PARTICIPANT_ID_UNSUPPORTED', `Partner ${id} does not use OCEN 4.0`, 403);
      return partner.id;
    } catch (err) {
      throw partnerRefusalOf(err);
    }
  }

  /**
   * One delivery attempt of a built answer (the core's send job): POSTed to the agent's registered baseUrl with our
   * token and detached signature; in the sandbox, kept for its built-in agent to read.
   */
  async deliver({ callbackId, partnerId, operation, bytes }: AnswerDelivery): Promise<DeliveryOutcome> {
    if (this.network.keepsCallbacks) return { delivered: true };
    const participant = await this.network.registry.participant(partnerId);
    if (!participant.baseUrl) return { delivered: false, error: 'the registry lists no baseUrl', message: `Participant ${partnerId} has no baseUrl in the registry` };
    const url = `${participant.baseUrl.replace(/\/+$/, '')}${OCEN_PATH_PREFIX}${operation}`;
    let error: string | undefined;
    let status: number | undefined;
    let ack: ReturnType<typeof readAck>;
    try {
      const response = await postCallback(url, operation, { headers: () => this.network.outboundHeaders(bytes), body: bytes, timeoutMs: this.options.callbackTimeoutMs ?? 10_000 });
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
        if (ack && !ack.accepted) this.logger.warn({ callbackId, operation, ackError: ack.error }, 'OCEN callback delivered; the loan agent acked an error');
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const sent: unknown = JSON.parse(bytes.toString('utf8'));
    this.network.analytics.responseSent(partnerId, operation, isJsonObject(sent) ? sent : {}, status, ack, error);
    return error === undefined ? { delivered: true } : { delivered: false, error, message: `OCEN callback ${operation} to ${partnerId} not delivered: ${error}` };
  }

  /** The answer's `...Response` (the core stores it once built): the operation's members in the envelope, checked against loan.json. */
  async build(callback: AnswerToBuild, stored: unknown): Promise<OcenMessage<OcenOperation>> {
    if (callback.operation === this.collectionNotice && this.noticeMembers) return this.buildCollectionNotice(callback, stored as CollectionNoticeContext);
    const context = stored as CallbackContext;
    const handler = this.byResponse.get(callback.operation);
    const operation = handler?.response;
    if (!handler || !operation) throw new Error(`No OCEN operation answers with ${callback.operation}`);
    const now = callback.now;
    const answer = await handler.answer({ partnerId: callback.partnerId, requestId: callback.requestId, now, productData: context.productData }, context.data);
    const envelope: { metadata: MetaData; response?: OcenResponse; productData: ProductData } = {
      metadata: {
        version: typeof context.metadata.version === 'string' ? context.metadata.version : '4.0.0alpha',
        originatorOrgId: this.options.orgId,
        originatorParticipantId: this.options.participantId,
        timestamp: now.toISOString(),
        traceId: String(context.metadata.traceId ?? callback.requestId),
        requestId: callback.requestId,
      },
      // A few answers (getKYCMethodsResponse) define no `response`; what the schema does not define is not sent.
      ...(answersWithResponse(operation) ? { response: { status: 'SUCCESS' } } : {}),
      productData: { productId: String(context.productData.productId ?? ''), productNetworkId: String(context.productData.productNetworkId ?? '') },
    };
    const body = { ...envelope, ...answer };
    // An answer leaves a member out by setting it undefined (e.g. `response`, which repaymentConditionChangeResponse has not).
    for (const key of Object.keys(body)) if (Reflect.get(body, key) === undefined) Reflect.deleteProperty(body, key);
    assertOutgoing(operation, body);
    return body;
  }

  /**
   * confirmRepaymentRequest for one of our mandate collections: no request to echo, so the envelope is ours (a fresh
   * requestId and traceId) and `productData` is the one the agent used for the loan application in its latest
   * answered request (empty strings if none is stored), checked against loan.json.
   */
  private async buildCollectionNotice(callback: AnswerToBuild, notice: CollectionNoticeContext): Promise<OcenMessage<'repayment/confirmRepaymentRequest'>> {
    const members = await this.noticeMembers!(notice);
    const earlier = (await this.answers.builtAbout(notice.loanApplicationId, callback.partnerId))
      .map((row) => untrusted<{ productData: ProductData }>(row.body).productData)
      .find(isJsonObject);
    const product = untrusted<ProductData>(earlier);
    const body = {
      metadata: {
        version: '4.0.0alpha',
        originatorOrgId: this.options.orgId,
        originatorParticipantId: this.options.participantId,
        timestamp: callback.now.toISOString(),
        traceId: callback.requestId,
        requestId: callback.requestId,
      },
      productData: { productId: typeof product.productId === 'string' ? product.productId : '', productNetworkId: typeof product.productNetworkId === 'string' ? product.productNetworkId : '' },
      response: { status: 'SUCCESS' as const },
      ...members,
    };
    assertOutgoing('repayment/confirmRepaymentRequest', body);
    return body;
  }

  /** Sandbox: every built callback about a loan application (of one agent, or of all), newest first. */
  async callbacksAbout(loanApplicationId: string, participantId?: string): Promise<SentCallback[]> {
    const built = await this.answers.builtAbout(loanApplicationId, participantId);
    return built.map((row) => ({
      operation: row.operation,
      participantId: row.partnerId,
      requestId: row.requestId,
      builtAt: row.builtAt?.toISOString(),
      deliveredAt: row.deliveredAt?.toISOString() ?? null,
      attempts: row.attempts,
      lastError: row.lastError,
      body: row.body,
    }));
  }
}

/** A callback built for a loan agent, as the sandbox shows it (`GET /sandbox/ocen/callbacks`). */
export interface SentCallback {
  operation: string;
  participantId: string;
  requestId: string;
  builtAt: string | undefined;
  deliveredAt: string | null;
  attempts: number;
  lastError: string | null;
  /** The `...Response` as sent. */
  body: unknown;
}

/** Whether the operation's body defines a `response` member. */
function answersWithResponse(operation: OcenOperation): boolean {
  const properties: unknown = ocenMessageSchema(operation)?.properties;
  return isJsonObject(properties) && 'response' in properties;
}

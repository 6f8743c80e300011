import type { Logger } from 'pino';
import { AnswerChannel, AnswerDelivery, AnswerToBuild, CollectionNoticeContext, DeliveryOutcome, answerJob } from '../../core/lending/partner-answers';
import { PartnerRequests, requestFingerprint } from '../../core/lending/partner-requests';
import type { PartnerKey } from '../../core/partner/partner';
import type { PartnerService } from '../../core/partner/partner.service';
import type { Clock } from '../../lib/clock';
import type { SigningKey } from '../../lib/keys';
import { postCallback } from '../shared/callback-post';
import { V3Ack, V3Refusal, ourMetadata } from './ocen-v3-envelope';
import { v3RefusalOf } from './ocen-v3-errors';
import { messageOf, signV3, V3SignatureError, verifyV3 } from './ocen-v3-jws';
import type { V3Journey, V3Request } from './ocen-v3-router';
import { V3_OPERATIONS, V3Operation, V3_PATH_PREFIX, assertV3Outgoing } from './ocen-v3-schemas';
import type { V3OperationHandler } from './ocen-v3-operation';
import { V3_CONFIRM_REPAYMENT_SCHEMA } from './operations/confirm-repayment';

/** Sends one OCEN v3 `...Response` (the core's answer job under v3's name). */
export const ocenV3CallbackJob = answerJob('ocen-v3.callback');

/** What an answer is built from, stored sealed with the intent. */
interface V3CallbackContext {
  request: V3Operation;
  traceId: string;
  data: unknown;
}

export interface OcenV3LenderOptions {
  /** Our org id towards v3 loan agents (`metadata.orgId` of what we send), agreed at onboarding. */
  orgId: string;
  /** Time limit of one callback POST (default 10 s). */
  callbackTimeoutMs?: number;
}

/**
 * The OCEN v3 lender on the core: the journey the router calls (each request idempotent per loan agent and
 * top-level `requestId` through the core's PartnerRequests, its work and the answer owed in one transaction), and
 * the answer channel of OCEN_3 partners: the `...Response` envelope (`metadata`, `requestId`, `response {error: "0"}`)
 * around what the operation builds, checked against the official schema, signed RS512 and POSTed to the partner's
 * base URL on file + `/v3/<response>`. A 2xx is delivered; an ack that is not a signed "0" (v3 signs acks too) is
 * logged, as OCEN 4.0 logs an ack's error.
 */
export class OcenV3Lender implements V3Journey, AnswerChannel {
  readonly protocol = 'OCEN_3' as const;
  readonly surface = 'ocen-v3';
  readonly job = ocenV3CallbackJob;
  /** confirmRepaymentRequest tells an LSP of our own mandate collections (docs/ocen.md §4.4), when a builder is given. */
  readonly collectionNotice: 'repayment/confirmRepaymentRequest' | undefined;
  private readonly byRequest: Map<V3Operation, V3OperationHandler<V3Operation, unknown>>;

  constructor(
    private readonly requests: PartnerRequests,
    private readonly partners: Pick<PartnerService, 'get'>,
    operations: ReadonlyArray<V3OperationHandler<V3Operation, unknown>>,
    private readonly signingKey: () => SigningKey,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: OcenV3LenderOptions,
    private readonly noticeMembers?: (notice: CollectionNoticeContext) => Promise<Record<string, unknown>>,
  ) {
    this.collectionNotice = noticeMembers ? 'repayment/confirmRepaymentRequest' : undefined;
    this.byRequest = new Map(operations.map((o) => [o.request, o]));
  }

  /** The operations served, in the journey's order. */
  get operations(): V3Operation[] {
    return [...this.byRequest.keys()];
  }

  serves(operation: V3Operation): boolean {
    return this.byRequest.has(operation);
  }

  async accept(request: V3Request): Promise<V3Ack> {
    const handler = this.byRequest.get(request.operation);
    if (!handler) throw new V3Refusal('NOT_SERVED', `${request.operation} is not served by this lender`, 404);
    const { partner, requestId, traceId, body } = request;
    const response = V3_OPERATIONS[request.operation].response;
    try {
      const { answer } = await this.requests.accept(
        { partnerId: partner.id, requestId, operation: `ocen-v3:${request.operation}`, fingerprint: requestFingerprint(body), answeredWith: response },
        async (claimed) => {
          const accepted = await handler.accept({ partnerId: partner.id, requestId, body, claimed });
          const context: V3CallbackContext = { request: request.operation, traceId, data: accepted.context };
          return {
            answer: { error: '0', traceId, timestamp: this.clock.now().toISOString() } satisfies V3Ack,
            owed: { operation: response, subjects: accepted.subjects, context },
          };
        },
      );
      return answer;
    } catch (err) {
      throw v3RefusalOf(err);
    }
  }

  /** The `...Response` body: the envelope around what the operation builds, valid against its official schema. */
  async build(answer: AnswerToBuild, stored: unknown): Promise<Record<string, unknown>> {
    if (answer.operation === this.collectionNotice && this.noticeMembers) {
      // Unsolicited: no request to echo; our envelope with a fresh requestId (also the traceId).
      const notice = stored as CollectionNoticeContext;
      const body = { metadata: ourMetadata(this.options.orgId, answer.requestId, answer.now), requestId: answer.requestId, response: { error: '0' }, ...(await this.noticeMembers(notice)) };
      assertV3Outgoing(V3_CONFIRM_REPAYMENT_SCHEMA, body);
      return body;
    }
    const context = callbackContextOf(stored);
    const handler = this.byRequest.get(context.request);
    if (!handler) throw new Error(`No OCEN v3 operation ${context.request}`);
    const members = await handler.answer({ partnerId: answer.partnerId, requestId: answer.requestId, now: answer.now }, context.data);
    const body = {
      metadata: ourMetadata(this.options.orgId, context.traceId, answer.now),
      requestId: answer.requestId,
      response: { error: '0' },
      ...members,
    };
    assertV3Outgoing(V3_OPERATIONS[context.request].responseSchema, body);
    return body;
  }

  /** One delivery attempt: the stored message signed RS512 and POSTed to the partner's base URL on file. */
  async deliver({ partnerId, operation, bytes }: AnswerDelivery): Promise<DeliveryOutcome> {
    const partner = await this.partners.get(partnerId);
    if (!partner.callbackBaseUrl) return { delivered: false, error: 'no callback base URL on file', message: `OCEN v3 partner ${partnerId} has no callbackBaseUrl` };
    const url = `${partner.callbackBaseUrl.replace(/\/+$/, '')}${V3_PATH_PREFIX}${operation}`;
    const signed = await signV3(JSON.parse(bytes.toString('utf8')), this.signingKey());
    try {
      const res = await postCallback(url, operation, { headers: () => ({ 'content-type': 'application/json' }), body: JSON.stringify(signed), timeoutMs: this.options.callbackTimeoutMs ?? 10_000 });
      const text = await res.text().catch(() => '');
      if (res.status < 200 || res.status > 299) return { delivered: false, error: `HTTP ${res.status}` };
      const ack = await agentAckOf(text, partner.jwks.keys);
      if (ack !== '0') this.logger.warn({ partnerId, operation, ack }, 'OCEN v3 callback delivered; the loan agent\'s ack is not a signed "0"');
      return { delivered: true };
    } catch (err) {
      this.logger.warn({ partnerId, operation, err }, 'OCEN v3 callback not delivered');
      return { delivered: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
}

/** What the loan agent's ack says (its `error`), if it is signed by one of its keys; why not, otherwise (for the log). */
async function agentAckOf(text: string, keys: readonly PartnerKey[]): Promise<string> {
  try {
    const ack = messageOf(await verifyV3(JSON.parse(text), keys));
    return typeof ack.error === 'string' ? ack.error : 'an ack without error';
  } catch (err) {
    return err instanceof V3SignatureError ? `${err.reason}: ${err.message}` : 'not a signed ack';
  }
}

/** The stored context, as `accept` wrote it (JSON read back from the sealed row). */
function callbackContextOf(stored: unknown): V3CallbackContext {
  if (stored === null || typeof stored !== 'object' || !('request' in stored) || !('traceId' in stored)) throw new Error('Not an OCEN v3 callback context');
  const { request, traceId } = stored;
  if (typeof request !== 'string' || !Object.hasOwn(V3_OPERATIONS, request) || typeof traceId !== 'string') throw new Error('Not an OCEN v3 callback context');
  return { request: request as V3Operation, traceId, data: 'data' in stored ? stored.data : undefined };
}


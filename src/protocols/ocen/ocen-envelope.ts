import { OcenOperation, ocenMessageSchema } from './ocen-schemas';
import { isJsonObject as isObject } from './ocen-wire';
import type { Ack } from './ocen-wire';

/**
 * Lenient reading of what other participants send (docs/ocen.md §2.3): two envelope generations are in use.
 *
 * | | current (loan.json) | legacy (v3, the 2023 4.0 draft) |
 * |---|---|---|
 * | request id | `metadata.requestId` | top-level `requestId` |
 * | originator | `metadata.originatorOrgId`, `originatorParticipantId` | `metadata.orgId` |
 * | result of a `...Response` | `response {status: SUCCESS \| ERROR, responseDetail}` | `response {error}` ("0": no error) |
 * | `pledgedDocuments` | `{totalDocumentCount, hasAdditionalDocuments, documents}` | a plain `Document[]` (as the official Java sample sends) |
 *
 * {@link normaliseInbound} turns either into the current generation (a new object; the input is not touched),
 * so everything after it reads one shape. What we send is always the current generation.
 */
export type EnvelopeGeneration = 'current' | 'legacy';

export interface NormalisedInbound {
  body: Record<string, unknown>;
  /** `legacy` when anything had to be moved or renamed. */
  generation: EnvelopeGeneration;
  /** `metadata.requestId` after normalisation (the idempotency key with the caller), when there is one. */
  requestId: string | undefined;
  /** What was changed, e.g. `requestId → metadata.requestId`, for a debug log. */
  changes: string[];
}

/** Whether the operation's body schema has a `response` that is the current `Response {status, responseDetail}`. */
function expectsCurrentResponse(operation: OcenOperation): boolean {
  const properties = ocenMessageSchema(operation)?.properties;
  const response = isObject(properties) ? properties.response : undefined;
  return isObject(response) && response.$ref === '#/components/schemas/Response';
}

/**
 * `body` (a parsed JSON message for `operation`) in the current envelope generation. Only a JSON object is a
 * message: anything else (refused before this by the router) is read as the empty message.
 */
export function normaliseInbound(operation: OcenOperation, body: unknown): NormalisedInbound {
  if (!isObject(body)) return { body: {}, generation: 'current', requestId: undefined, changes: [] };
  const out = structuredClone(body);
  const changes: string[] = [];

  const metadata = isObject(out.metadata) ? out.metadata : undefined;
  if (metadata) {
    for (const [old, current] of [['orgId', 'originatorOrgId'], ['participantId', 'originatorParticipantId']] as const) {
      if (old in metadata) {
        if (metadata[current] === undefined) metadata[current] = metadata[old];
        delete metadata[old];
        changes.push(`metadata.${old} → metadata.${current}`);
      }
    }
  }
  if ('requestId' in out) {
    if (metadata && metadata.requestId === undefined) metadata.requestId = out.requestId;
    delete out.requestId;
    changes.push('requestId → metadata.requestId');
  }

  if (isObject(out.response) && 'error' in out.response && !('status' in out.response) && expectsCurrentResponse(operation)) {
    const error = out.response.error;
    out.response = error === '0' || error === 0 || error === null || error === ''
      ? { status: 'SUCCESS' }
      : { status: 'ERROR', responseDetail: String(error) };
    changes.push('response.error → response.status');
  }

  if (Array.isArray(out.loanApplications)) {
    out.loanApplications.forEach((application, index) => {
      if (isObject(application) && Array.isArray(application.pledgedDocuments)) {
        const documents = application.pledgedDocuments;
        application.pledgedDocuments = { totalDocumentCount: documents.length, hasAdditionalDocuments: false, documents };
        changes.push(`loanApplications[${index}].pledgedDocuments: array → {totalDocumentCount, hasAdditionalDocuments, documents}`);
      }
    });
  }

  const requestId = metadata && typeof metadata.requestId === 'string' ? metadata.requestId : undefined;
  return { body: out, generation: changes.length ? 'legacy' : 'current', requestId, changes };
}

/** The synchronous answer of an OCEN call (loan.json's `Ack`). */
export type OcenAck = Ack;

/**
 * The ack in an answer to a message we sent, bare (`{error, traceId, timestamp}`, most operations) or wrapped
 * (`{ack: {...}}`, createLoanResponse and the derived-data ones), with `accepted` true when `error` is "0" (or
 * absent or null, as the official Java sample answers). Undefined when the answer holds no ack at all.
 */
export function readAck(answer: unknown): (Partial<OcenAck> & { accepted: boolean }) | undefined {
  const ack = isObject(answer) && isObject(answer.ack) ? answer.ack : answer;
  if (!isObject(ack) || !('traceId' in ack || 'error' in ack)) return undefined;
  const error = ack.error === undefined || ack.error === null ? undefined : String(ack.error);
  return {
    error,
    traceId: typeof ack.traceId === 'string' ? ack.traceId : undefined,
    timestamp: typeof ack.timestamp === 'string' ? ack.timestamp : undefined,
    accepted: error === undefined || error === '0',
  };
}

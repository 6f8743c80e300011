import express, { NextFunction, Request, Response, Router } from 'express';
import type { Logger } from 'pino';
import type { Partner } from '../../core/partner/partner';
import type { PartnerService } from '../../core/partner/partner.service';
import type { Clock } from '../../lib/clock';
import type { SigningKey } from '../../lib/keys';
import { currentTraceId } from '../../lib/trace';
import { isDependencyUnavailable } from '../../lib/unavailable';
import { BODY_LIMIT_BYTES, MAX_NESTING, fromBodyParserError, inspectText, limitBody } from '../shared/body';
import { noStore } from '../shared/security-headers';
import { messageOf, signV3, unverifiedMessageOf, V3SignatureError, verifyV3 } from './ocen-v3-jws';
import { isJsonObject } from '../shared/ocen-family';
import { V3Ack, V3Refusal, timestampProblem } from './ocen-v3-envelope';
import { isPartnerRefusal } from './ocen-v3-errors';
import { V3_ACK_SCHEMA, V3Operation, V3Violation, assertV3Outgoing, isValidV3Request, v3OperationOfPath } from './ocen-v3-schemas';
import type { V3RequestOf } from './ocen-v3-operation';

/** One verified, schema-valid request of an OCEN v3 loan agent. */
export interface V3Request {
  partner: Partner;
  operation: V3Operation;
  /** The top-level `requestId`: with the partner, the idempotency key. */
  requestId: string;
  traceId: string;
  /** The message (the JWS payload), valid against the operation's schema, members it does not define removed. */
  body: V3RequestOf<V3Operation>;
}

/**
 * The v3 journey on the core: accepts one request (its work and the intent of its `...Response`, committed
 * together, idempotent per partner and requestId) and answers the ack; throws V3Refusal (or AppError) when it
 * cannot be accepted (OcenV3Lender). Null serves nothing: every authenticated request is answered NOT_SERVED.
 */
export interface V3Journey {
  serves(operation: V3Operation): boolean;
  accept(request: V3Request): Promise<V3Ack>;
}

export interface OcenV3RouterOptions {
  partners: PartnerService;
  journey: V3Journey | null;
  /** Our RSA key (the key set's active RS256 key), which signs v3 messages RS512. */
  signingKey: () => SigningKey;
  clock: Clock;
  logger: Logger;
  /** How far `metadata.timestamp` may be from our clock (the replay window, as OCEN_TIMESTAMP_WINDOW_MS for 4.0). */
  timestampWindowMs: number;
}

/**
 * The OCEN v3 lender surface (Juspay's LSP-Lender API): `POST /v3/<group>/<operation>` for the operations of
 * V3_OPERATIONS. Every body, both ways, is a signed flattened JWS (ocen-v3-jws.ts); every HTTP answer is the
 * signed `ack {error, traceId, timestamp}` (`error` "0" when accepted, else `CODE: reason` with a 4xx status).
 *
 * In order: the body (at most 64 KiB, JSON); the signer named by the payload's `metadata.orgId`, which must be an
 * ACTIVE `OCEN_3` partner, and the signature verified with its keys on file (else 401, nothing processed); the
 * message's text, timestamp (replay window) and official schema (unknown members dropped); then the journey.
 */
export function ocenV3Router(options: OcenV3RouterOptions): Router {
  const router = express.Router();
  const answer = async (res: Response, status: number, ack: V3Ack) => {
    assertV3Outgoing(V3_ACK_SCHEMA, ack);
    res.locals.ocenAck = ack;
    res.status(status).json(await signV3(ack, options.signingKey()));
  };
  const refuse = (res: Response, status: number, error: string, traceId?: string) =>
    answer(res, status, { error, traceId: traceId ?? currentTraceId() ?? '', timestamp: options.clock.now().toISOString() });

  router.use('/v3', noStore, limitBody(BODY_LIMIT_BYTES, express.raw({ type: () => true, limit: BODY_LIMIT_BYTES })));
  router.post('/v3/*path', (req: Request, res: Response, next: NextFunction) => {
    const handle = async () => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!req.is('application/json')) return refuse(res, 415, 'UNSUPPORTED_MEDIA_TYPE: send the signed body as Content-Type: application/json');
      let signed: unknown;
      try {
        signed = JSON.parse(raw.toString('utf8'));
      } catch {
        return refuse(res, 400, 'INVALID_REQUEST: the body is not valid JSON');
      }
      const partner = await signerOf(signed, options.partners);
      const body = messageOf(await verifyV3(signed, partner.jwks.keys));
      res.locals.metricsPartner = partner.id;
      const operation = v3OperationOfPath(req.path);
      if (!operation || !options.journey?.serves(operation)) return refuse(res, 404, `NOT_SERVED: ${req.path} is not served by this lender`);
      res.locals.operation = `POST /v3/${operation}`;
      const text = inspectText(body, '');
      if (text.illFormedAt) return refuse(res, 400, `ILL_FORMED_TEXT: ${text.illFormedAt} holds NUL, a lone surrogate or a control character`);
      if (text.tooDeep) return refuse(res, 400, `INVALID_REQUEST: the message nests deeper than ${MAX_NESTING} levels`);
      const metadata = isJsonObject(body.metadata) ? body.metadata : {};
      const traceId = typeof metadata.traceId === 'string' ? metadata.traceId : undefined;
      const late = timestampProblem(metadata.timestamp, options.clock.now(), options.timestampWindowMs);
      if (late) return refuse(res, 401, `TIMESTAMP_OUT_OF_WINDOW: ${late}`, traceId);
      const violations: V3Violation[] = [];
      if (!isValidV3Request(operation, body, violations)) return refuse(res, 400, `INVALID_REQUEST: ${violations.slice(0, 3).map((v) => `${v.path || '(body)'} ${v.message}`).join('; ')}`, traceId);
      try {
        const ack = await options.journey.accept({ partner, operation, requestId: body.requestId, traceId: traceId ?? body.requestId, body });
        return answer(res, 200, ack);
      } catch (err) {
        if (err instanceof V3Refusal) return refuse(res, err.status, `${err.code}: ${err.message}`, traceId);
        throw err;
      }
    };
    handle().catch((err: unknown) => {
      if (err instanceof V3SignatureError) return refuse(res, 401, `${err.reason}: ${err.message}`).catch(next);
      next(err);
    });
  });
  router.use('/v3', (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const edge = fromBodyParserError(err);
    // The ack could not even be signed (our key unavailable): an unsigned 503 rather than no answer.
    const done = (promise: Promise<void>) => promise.catch((e: unknown) => {
      options.logger.error({ err: e }, 'OCEN v3 error answer could not be signed');
      if (!res.headersSent) res.status(503).setHeader('retry-after', '5').json({ error: 'SERVICE_UNAVAILABLE: the answer could not be signed; send it again later', traceId: currentTraceId() ?? '', timestamp: options.clock.now().toISOString() });
    });
    if (edge) return done(refuse(res, edge.code === 'PAYLOAD_TOO_LARGE' ? 413 : 400, `${edge.code}: ${edge.message}`));
    if (isDependencyUnavailable(err)) {
      res.setHeader('retry-after', '5');
      return done(refuse(res, 503, 'SERVICE_UNAVAILABLE: a dependency is unavailable; send it again later with the same requestId'));
    }
    options.logger.error({ err }, 'OCEN v3 request failed');
    return done(refuse(res, 500, 'INTERNAL_ERROR: the request could not be processed; send it again with the same requestId'));
  });
  router.all('/v3/*path', (req: Request, res: Response, next: NextFunction) => {
    refuse(res, 405, `NOT_SERVED: ${req.method} is not served here; OCEN v3 calls are POSTs`).catch(next);
  });
  return router;
}

/**
 * The partner a signed body says it is from (`metadata.orgId` of its payload): an ACTIVE OCEN_3 partner, whose keys
 * then verify the signature. An unknown, suspended or other-protocol orgId is the same 401 as a bad signature.
 */
async function signerOf(signed: unknown, partners: PartnerService): Promise<Partner> {
  const message = unverifiedMessageOf(signed);
  const orgId = isJsonObject(message.metadata) ? message.metadata.orgId : undefined;
  if (typeof orgId !== 'string' || !orgId) throw new V3SignatureError('UNKNOWN_KEY', 'metadata.orgId must name the loan agent (its id agreed at onboarding)');
  const partner = await partners.resolve(orgId).catch((err: unknown) => {
    if (isPartnerRefusal(err)) return undefined;
    throw err;
  });
  if (!partner || partner.protocol !== 'OCEN_3') throw new V3SignatureError('UNKNOWN_KEY', `No OCEN v3 loan agent ${JSON.stringify(orgId)} is onboarded here`);
  return partner;
}

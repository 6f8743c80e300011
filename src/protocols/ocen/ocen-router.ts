import { isDependencyUnavailable } from '../../lib/unavailable';
import express, { NextFunction, Request, Response, Router } from 'express';
import { Logger } from 'pino';
import { BODY_LIMIT_BYTES, MAX_NESTING, fromBodyParserError, inspectText, jsonBody, limitBody } from '../shared/body';
import { noStore } from '../shared/security-headers';
import { annotateSpan, currentTraceId } from '../../lib/trace';
import type { Clock } from '../../lib/clock';
import { OcenAuthError } from './ocen-auth-error';
import { OcenAck, normaliseInbound } from './ocen-envelope';
import { OcenLender, OcenRefusal } from './ocen-lender';
import { operationOfPath, validateIncoming } from './ocen-schemas';
import { MetaData, untrusted } from './ocen-wire';
import { partnerIdProblem } from '../../core/partner/partner';

export interface OcenRouterOptions {
  lender: OcenLender;
  clock: Clock;
  logger: Logger;
  /** Serve `GET /sandbox/ocen/callbacks` (the sandbox only). */
  sandbox: boolean;
}

/**
 * The OCEN 4.0 lender surface: `POST /v4.0.0alpha/<group>/<operation>` for the operations hosted (see
 * operations/index.ts). Plain Express, not tsoa: every answer is the spec's `Ack`, the body must be kept as raw
 * bytes for the detached signature, and the envelope is read leniently before any schema applies.
 *
 * In order: the raw body (at most 64 KiB); the caller authenticated over those bytes (`authenticateOcenRequest`:
 * bearer token of the network's auth service, registry entry, detached JWS), else 401 (503 when the network
 * could not be asked) and nothing is processed; JSON only, well-formed text; the envelope normalised (both
 * generations), its originator the caller and its timestamp within the replay window (`checkEnvelope`, else 401),
 * and checked leniently against the patched loan.json; then the work, idempotent per caller and
 * `metadata.requestId`, and the ack `{error: "0", traceId, timestamp}`. A request that cannot be accepted is
 * answered with an Ack whose `error` is `CODE: reason`, and a 4xx status. Once the ack of an authenticated
 * request with a readable envelope is sent, its heartbeats (`XXX_REQUEST`, `XXX_REQUEST_ACK`) are queued.
 */
export function ocenRouter(options: OcenRouterOptions): Router {
  const router = express.Router();
  const ack = (res: Response, status: number, error: string, traceId?: string) => {
    const body: OcenAck = { error, traceId: traceId ?? currentTraceId() ?? '', timestamp: options.clock.now().toISOString() };
    res.locals.ocenAck = body;
    res.status(status).json(body);
  };

  router.use('/v4.0.0alpha', noStore, limitBody(BODY_LIMIT_BYTES, express.raw({ type: () => true, limit: BODY_LIMIT_BYTES })));
  router.post('/v4.0.0alpha/*path', (req: Request, res: Response, next: NextFunction) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    options.lender.network.authenticateOcenRequest(req.headers, raw)
      .then(async (caller) => {
        res.locals.metricsPartner = caller.participantId;
        if (!req.is('application/json')) return ack(res, 415, 'UNSUPPORTED_MEDIA_TYPE: send the body as Content-Type: application/json');
        const operation = operationOfPath(req.path);
        if (!operation || !options.lender.serves(operation)) return ack(res, 404, `NOT_SERVED: ${req.path} is not served by this lender (yet)`);
        // The metrics' operation label: a hosted operation's name (bounded), never the raw path.
        res.locals.operation = `POST /v4.0.0alpha/${operation}`;
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString('utf8'));
        } catch {
          return ack(res, 400, 'INVALID_REQUEST: the body is not valid JSON');
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return ack(res, 400, 'INVALID_REQUEST: the body must be a JSON object');
        const text = inspectText(parsed, '');
        if (text.illFormedAt) return ack(res, 400, `ILL_FORMED_TEXT: ${text.illFormedAt} holds NUL, a lone surrogate or a control character`);
        if (text.tooDeep) return ack(res, 400, `INVALID_REQUEST: the body nests deeper than ${MAX_NESTING} levels`);
        const normalised = normaliseInbound(operation, parsed);
        res.once('finish', () => options.lender.network.analytics.requestAnswered(caller.participantId, operation, normalised.body, res.statusCode, res.locals.ocenAck));
        options.lender.network.checkEnvelope(caller, normalised.body, options.clock.now());
        const sentTraceId = untrusted<MetaData>(normalised.body.metadata).traceId;
        const traceId = typeof sentTraceId === 'string' ? sentTraceId : undefined;
        const validation = validateIncoming(operation, normalised.body);
        if (!validation.valid) {
          const first = validation.violations.slice(0, 3).map((v) => `${v.path || '(body)'} ${v.message}`).join('; ');
          return ack(res, 400, `INVALID_REQUEST: ${first}`, traceId);
        }
        if (!normalised.requestId) return ack(res, 400, 'INVALID_REQUEST: metadata.requestId is required', traceId);
        // OCEN's own correlation ids (metadata.traceId is the network's, not a W3C trace id), for finding the span.
        annotateSpan({ 'ocen.trace_id': traceId, 'ocen.request_id': normalised.requestId, 'ocen.participant_id': caller.participantId });
        try {
          const answer = await options.lender.accept(caller, operation, normalised.body, normalised.requestId);
          res.locals.ocenAck = answer;
          res.status(200).json(answer);
        } catch (err) {
          if (err instanceof OcenRefusal) return ack(res, err.status, `${err.code}: ${err.message}`, traceId);
          throw err;
        }
      })
      .catch((err: unknown) => {
        if (err instanceof OcenAuthError) {
          if (err.status === 503) res.setHeader('retry-after', '5');
          return ack(res, err.status, `${err.reason}: ${err.message}`);
        }
        next(err);
      });
  });
  router.use('/v4.0.0alpha', (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const edge = fromBodyParserError(err);
    if (edge) return ack(res, edge.code === 'PAYLOAD_TOO_LARGE' ? 413 : 400, `${edge.code}: ${edge.message}`);
    if (isDependencyUnavailable(err)) {
      res.setHeader('retry-after', '5');
      return ack(res, 503, 'SERVICE_UNAVAILABLE: a dependency is unavailable; send it again later with the same requestId');
    }
    options.logger.error({ err }, 'OCEN request failed');
    ack(res, 500, 'INTERNAL_ERROR: the request could not be processed; send it again with the same requestId');
  });
  router.all('/v4.0.0alpha/*path', (req: Request, res: Response) => ack(res, 405, `NOT_SERVED: ${req.method} is not served here; OCEN calls are POSTs`));

  if (options.sandbox) {
    // The sandbox's body and text checks (a stray body, NUL in a parameter: 400, 413, 415), its errors in the sandbox's shape.
    router.get('/sandbox/ocen/callbacks', noStore, ...jsonBody(), (req: Request, res: Response, next: NextFunction) => {
      const loanApplicationId = typeof req.query.loanApplicationId === 'string' ? req.query.loanApplicationId : '';
      const participantId = typeof req.query.participantId === 'string' && req.query.participantId ? req.query.participantId : undefined;
      if (!loanApplicationId) return res.status(400).json({ error: { code: 'MISSING_FIELD', message: 'Name the loanApplicationId', fields: ['loanApplicationId'] } });
      if (!/^[A-Za-z0-9._:-]{1,64}$/.test(loanApplicationId)) return res.status(400).json({ error: { code: 'INVALID_FIELD_VALUE', message: 'loanApplicationId is 1-64 characters of A-Z, a-z, 0-9, ".", "_", ":" and "-"', fields: ['loanApplicationId'] } });
      const badParticipant = participantId === undefined ? undefined : partnerIdProblem(participantId);
      if (badParticipant) return res.status(400).json({ error: { code: 'INVALID_FIELD_VALUE', message: `participantId: ${badParticipant}`, fields: ['participantId'] } });
      options.lender.callbacksAbout(loanApplicationId, participantId).then((callbacks) => res.json({ callbacks }), next);
    });
  }
  return router;
}

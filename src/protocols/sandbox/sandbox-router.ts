import express, { NextFunction, Request, Response, Router } from 'express';
import { Logger } from 'pino';
import { ValidateError } from '@tsoa/runtime';
import { AppError, AppErrorCode } from '../../core/errors';
import { PartnerService } from '../../core/partner/partner.service';
import { RateLimiter } from '../../lib/rate-limiter';
import { RegisterRoutes } from '../../generated/sandbox/routes';
import { fromBodyParserError, jsonBody } from '../shared/body';
import { noStore } from '../shared/security-headers';
import { PARTNER_HEADER, partnerIdHeader, resolvePartner } from '../shared/partner-auth';
import { ProtocolError, ProtocolErrorCode } from '../shared/protocol-error';
import { isDependencyUnavailable } from '../../lib/unavailable';
import { wirePath } from '../shared/tsoa-array-paths';

const STATUS: Partial<Record<string, number>> = {
  NOT_FOUND: 404, NO_SUCH_OPERATION: 404, PARTNER_UNKNOWN: 401, PARTNER_SUSPENDED: 403, PARTNER_RATE_LIMITED: 429, CHALLENGE_RATE_LIMITED: 429,
  CONCURRENT_MODIFICATION: 409, PAYLOAD_TOO_LARGE: 413, UNSUPPORTED_MEDIA_TYPE: 415, SERVICE_UNAVAILABLE: 503, INTERNAL: 500,
};

/**
 * The sandbox surface: the user's phone and the bank's pages, with plain JSON errors `{error: {code, message, fields}}`.
 * For Google Pay-style partners and OCEN loan agents alike (X-Partner-Id: the agent's participant id; the
 * reference is then its loanApplicationId).
 */
export function sandboxRouter(options: { partners: PartnerService; limiter: RateLimiter; logger: Logger; defaultPartnerId: string }): Router {
  const router = express.Router();
  router.use('/sandbox', noStore);
  router.use('/sandbox', ...jsonBody());
  // The sandbox stands in for the borrower of any partner: a Google Pay-style one, or an OCEN loan agent (X-Partner-Id: its participant id).
  router.use('/sandbox', resolvePartner(partnerIdHeader(options.partners, ['GPAY', 'OCEN_4', 'OCEN_3'], options.defaultPartnerId), options.limiter));
  RegisterRoutes(router);
  router.use('/sandbox', (_req, _res, next) => next(new ProtocolError(ProtocolErrorCode.NO_SUCH_OPERATION, 'No such sandbox endpoint')));
  router.use('/sandbox', (err: unknown, req: Request, _res: Response, next: NextFunction) => next(withPartnerHint(err, req, options.defaultPartnerId)));
  router.use(plainErrorHandler(options.logger));
  return router;
}

/**
 * An application not found for a request without X-Partner-Id was looked up as the default partner's: say so, as
 * the reference is most likely another partner's (an OCEN loan agent's loanApplicationId).
 */
function withPartnerHint(err: unknown, req: Request, defaultPartnerId: string): unknown {
  if (!(err instanceof AppError) || err.code !== AppErrorCode.NOT_FOUND || req.header(PARTNER_HEADER)?.trim()) return err;
  const hint = `${err.message} of partner ${defaultPartnerId}: without the X-Partner-Id header the sandbox acts for ${defaultPartnerId}; for an OCEN loan agent's loanApplicationId send X-Partner-Id: <the agent's participant id>`;
  return new AppError(err.code, hint, [...err.fields, 'X-Partner-Id'], err.details);
}

/** The error middleware of the sandbox and health routes: `{error: {code, message, fields}}` with the code's HTTP status. */
export function plainErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = plainError(err);
    if (error.code === 'INTERNAL' || error.code === 'SERVICE_UNAVAILABLE') logger.error({ err, path: req.path }, 'request failed');
    res.status(STATUS[error.code] ?? 400).json({ error });
  };
}

/**
 * tsoa's account of a field, readable: a value outside a union of literals (`outcome?: 'APPROVED' | 'REJECTED'`)
 * is told as `must be one of APPROVED, REJECTED` instead of tsoa's nested union issues.
 */
function readable(message: string): string {
  const allowed = [...message.matchAll(/one of the following; \[([^\]]*)\]/g)].flatMap((m) => [...m[1].matchAll(/'([^']*)'/g)].map((v) => v[1]));
  return allowed.length ? `must be one of ${[...new Set(allowed)].join(', ')}` : message;
}

/** Any failure as `{code, message, fields}`; the plain JSON error of the sandbox and health routes. */
export function plainError(err: unknown): { code: string; message: string; fields?: string[] } {
  if (err instanceof AppError || err instanceof ProtocolError) return { code: err.code, message: err.message, ...(err.fields.length ? { fields: err.fields } : {}) };
  if (err instanceof ValidateError) {
    const problems = Object.entries(err.fields).map(([field, { message, value }]) => `${wirePath(field)} ${readable(message)}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`);
    return { code: AppErrorCode.INVALID_FIELD_VALUE, message: `The request is invalid: ${problems.join('; ')}`, fields: Object.keys(err.fields).map(wirePath) };
  }
  const bodyError = fromBodyParserError(err);
  if (bodyError) return { code: bodyError.code, message: bodyError.message };
  if (isDependencyUnavailable(err)) return { code: AppErrorCode.SERVICE_UNAVAILABLE, message: 'A dependency is unavailable; retry later' };
  return { code: AppErrorCode.INTERNAL, message: 'Internal error' };
}

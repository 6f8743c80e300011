import { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError, AppErrorCode } from '../../core/errors';
import { Partner, PartnerProtocol } from '../../core/partner/partner';
import { PartnerService } from '../../core/partner/partner.service';
import { RateLimiter } from '../../lib/rate-limiter';

export const PARTNER_HEADER = 'x-partner-id';

/** Identifies the calling partner of a request (by the X-Partner-Id header; its signature is the MessageCheck's). */
export type PartnerAuthenticator = (req: Request) => Promise<Partner>;

/**
 * A surface's check of the message itself once its partner is known and within its limit (a signature, a
 * decryption: jose-envelope.ts). Returns undefined when there is nothing to wait for (a plain request).
 */
export type MessageCheck = (req: Request, res: Response, partner: Partner) => Promise<void> | undefined;

/**
 * Identification by the `X-Partner-Id` header (a signed message then proves it, in the MessageCheck). In the
 * sandbox a request without the header is attributed to the surface's sandbox partner; elsewhere the header
 * is required. The partner must speak this surface's protocol (one of them, for a surface several protocols share).
 */
export function partnerIdHeader(partners: PartnerService, protocol: PartnerProtocol | readonly PartnerProtocol[], sandboxDefault: string | undefined): PartnerAuthenticator {
  const protocols: readonly PartnerProtocol[] = typeof protocol === 'string' ? [protocol] : protocol;
  return async (req) => {
    const id = req.header(PARTNER_HEADER)?.trim() || sandboxDefault;
    if (!id) throw new AppError(AppErrorCode.PARTNER_UNKNOWN, `Name the partner in the ${PARTNER_HEADER} header`);
    const partner = await partners.resolve(id);
    if (!protocols.includes(partner.protocol)) throw new AppError(AppErrorCode.PARTNER_UNKNOWN, `Partner ${id} does not use this API`);
    return partner;
  };
}

/** The partner the surface's authenticator resolved for this request. */
export function partnerOf(req: Request): Partner {
  const partner = (req.res?.locals as { partner?: Partner } | undefined)?.partner;
  if (!partner) throw new Error('No partner was resolved for this request');
  return partner;
}

/**
 * Resolves the partner before any work, applies its per-minute limit (`rateLimitPerMinute`, none when null;
 * counted in Redis across API processes, failing open: while Redis is down each process counts on its own),
 * then the surface's message check if any.
 */
export function resolvePartner(authenticate: PartnerAuthenticator, limiter: RateLimiter, checkMessage?: MessageCheck): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    authenticate(req)
      .then(async (partner) => {
        // A known partner's refusals (its limit, a bad signature) are counted under its name, not "unknown".
        res.locals.metricsPartner = partner.id;
        if (partner.rateLimitPerMinute !== null) {
          const perMinute = limiter.limit('partner', [{ points: partner.rateLimitPerMinute, seconds: 60 }], 'fail-open');
          const retryAfterSeconds = await perMinute.take(partner.id);
          if (retryAfterSeconds > 0) {
            throw new AppError(AppErrorCode.PARTNER_RATE_LIMITED, `Partner ${partner.id} sent more than ${partner.rateLimitPerMinute} requests this minute`, [], { retryAfterSeconds });
          }
        }
        const checking = checkMessage?.(req, res, partner);
        if (checking) await checking;
        res.locals.partner = partner;
        next();
      })
      .catch(next);
  };
}

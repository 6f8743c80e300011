import express, { Router } from 'express';
import { Logger } from 'pino';
import { Clock } from '../../lib/clock';
import { KeyRing } from '../../lib/keys';
import { RateLimiter } from '../../lib/rate-limiter';
import { PartnerService } from '../../core/partner/partner.service';
import { RegisterRoutes } from '../../generated/gpay/routes';
import { jsonBody } from '../shared/body';
import { noStore } from '../shared/security-headers';
import { PartnerAuthenticator, partnerIdHeader, resolvePartner } from '../shared/partner-auth';
import { signedMessages } from '../shared/jose-envelope';
import { ProtocolError, ProtocolErrorCode } from '../shared/protocol-error';
import { gpayErrorHandler } from './gpay-errors';
import '../shared/tsoa-array-paths';

export interface GpayRouterOptions {
  partners: PartnerService;
  limiter: RateLimiter;
  clock: Clock;
  logger: Logger;
  /** The partner of a request without X-Partner-Id, in the sandbox only. */
  sandboxPartnerId?: string;
  /** How a request's partner is identified (X-Partner-Id by default); its signature then proves it. */
  authenticate?: PartnerAuthenticator;
  /** Our keys: they decrypt encrypted requests and sign the answers to signed ones. */
  keys: KeyRing;
  /**
   * true (production): every /v1 request must be an application/jose body, a plain JSON one is 401
   * INVALID_PAYLOAD_SIGNATURE. false (sandbox): plain JSON is served as is, and signed requests are verified
   * exactly as in production.
   */
  requireSignedRequests: boolean;
}

/**
 * The Google Pay-style surface: its own body handling (raw bytes kept, JSON or a signed application/jose body),
 * partner identification and message verification before any work, its tsoa routes, and its error envelope for
 * everything under it (sealed, like every answer, when the request was signed).
 */
export function gpayRouter(options: GpayRouterOptions): Router {
  const router = express.Router();
  const authenticate = options.authenticate ?? partnerIdHeader(options.partners, 'GPAY', options.sandboxPartnerId);
  router.use('/v1', noStore);
  router.use(...jsonBody({ jose: true }));
  const messages = signedMessages({ keys: options.keys, requireSigned: options.requireSignedRequests, logger: options.logger });
  router.use('/v1', resolvePartner(authenticate, options.limiter, messages));
  RegisterRoutes(router);
  router.use('/v1', (_req, _res, next) => next(new ProtocolError(ProtocolErrorCode.NO_SUCH_OPERATION, 'No such endpoint')));
  router.use(gpayErrorHandler(options.clock, options.logger));
  return router;
}

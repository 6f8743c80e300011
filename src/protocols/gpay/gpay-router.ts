import express, { Router } from 'express';
import { Logger } from 'pino';
import { Clock } from '../../lib/clock';
import { RateLimiter } from '../../lib/rate-limiter';
import { PartnerService } from '../../core/partner/partner.service';
import { RegisterRoutes } from '../../generated/gpay/routes';
import { jsonBody } from '../shared/body';
import { noStore } from '../shared/security-headers';
import { PartnerAuthenticator, partnerIdHeader, resolvePartner } from '../shared/partner-auth';
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
  /** How a request's partner is identified; the X-Partner-Id header until signed messages replace it. */
  authenticate?: PartnerAuthenticator;
}

/**
 * The Google Pay-style surface: its own body handling (raw bytes kept, JSON required), partner
 * identification before any work, its tsoa routes, and its error envelope for everything under it.
 */
export function gpayRouter(options: GpayRouterOptions): Router {
  const router = express.Router();
  const authenticate = options.authenticate ?? partnerIdHeader(options.partners, 'GPAY', options.sandboxPartnerId);
  router.use('/v1', noStore);
  router.use(...jsonBody());
  router.use('/v1', resolvePartner(authenticate, options.limiter));
  RegisterRoutes(router);
  router.use('/v1', (_req, _res, next) => next(new ProtocolError(ProtocolErrorCode.NO_SUCH_OPERATION, 'No such endpoint')));
  router.use(gpayErrorHandler(options.clock, options.logger));
  return router;
}

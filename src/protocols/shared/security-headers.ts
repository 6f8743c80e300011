import helmet from 'helmet';
import { RequestHandler } from 'express';

/**
 * Security headers on every answer (helmet): `X-Content-Type-Options: nosniff`, frame denial
 * (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`), a Content-Security-Policy that lets the Swagger
 * UI page load only this origin's scripts (its inline style and data: icons allowed), no referrer, and HSTS
 * (one year, subdomains) in production only, where TLS terminates in front of the server.
 */
export function securityHeaders(options: { production: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(options.production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: options.production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}

/** Answers that carry personal data or tokens (every partner-API and sandbox answer) are never cached. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

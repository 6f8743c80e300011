import helmet from 'helmet';
import { RequestHandler } from 'express';

/**
 * Security headers on every answer (helmet): `X-Content-Type-Options: nosniff`, frame denial
 * (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`), a Content-Security-Policy that lets the Swagger
 * UI page load only this origin's scripts (its inline style and data: icons allowed), no referrer, and HSTS
 * (one year, subdomains) in production only, where TLS terminates in front of the server.
 */
export function securityHeaders(options: { production: boolean }): RequestHandler {
  const headers = staticHeadersOf(helmetFor(options));
  // The headers do not depend on the request: computed once, set with one call per answer.
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/** The headers a helmet middleware sets, read off one dry run (they are the same for every request). */
function staticHeadersOf(middleware: RequestHandler): Array<[string, string | string[]]> {
  const headers: Array<[string, string | string[]]> = [];
  const removed = new Set<string>();
  const res = {
    setHeader: (name: string, value: string | string[]) => void headers.push([name, value]),
    removeHeader: (name: string) => void removed.add(name.toLowerCase()),
  };
  let done = false;
  middleware({} as Parameters<RequestHandler>[0], res as unknown as Parameters<RequestHandler>[1], () => (done = true));
  if (!done) throw new Error('helmet did not finish synchronously');
  return headers.filter(([name]) => !removed.has(name.toLowerCase()));
}

function helmetFor(options: { production: boolean }): RequestHandler {
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

import { OcenHttpError, requestJson } from './ocen-http';
import { untrusted } from './ocen-wire';
import type { OcenTokenResponse } from './ocen-wire';

/** An OAuth 2.0 error answer (RFC 6749 §5.2), which auth.json does not describe. */
interface OAuthErrorAnswer {
  error: string;
}

/**
 * Our own access token on the OCEN network: OAuth2 client credentials at `OCEN_AUTH_TOKEN_URL` (the auth
 * service's Keycloak token endpoint), form-encoded `grant_type=client_credentials&client_id&client_secret` as the
 * official Java sample sends it. Every callback to a loan agent and every registry look-up carries it as
 * `Authorization: Bearer <token>`.
 *
 * The token is cached until `refreshBeforeMs` before it expires (`expires_in`; half its lifetime when that is
 * shorter), and fetched once however many callers ask at the same time (single flight). A failed fetch is not
 * cached: the next call tries again. `invalidate()` drops the cached token, for when a callee refused it.
 */
export interface OcenTokenSource {
  /** A valid access token (cached, or fetched now). Throws OcenTokenError when the auth service refuses or fails. */
  token(): Promise<string>;
  /** Forget the cached token: the next token() fetches a new one. */
  invalidate(): void;
}

export interface OcenTokenOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Refresh this long before expiry (default 60 s). */
  refreshBeforeMs?: number;
  /** Time limit of one token request (default 10 s). */
  timeoutMs?: number;
  /** The clock, in epoch milliseconds (tests move it). */
  now?: () => number;
}

/** The auth service refused our credentials, failed, or answered something that is not a bearer token. */
export class OcenTokenError extends Error {
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OcenTokenError';
  }
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

export function createTokenSource(options: OcenTokenOptions): OcenTokenSource {
  const now = options.now ?? Date.now;
  const refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let cached: CachedToken | undefined;
  let pending: Promise<string> | undefined;
  let generation = 0;

  async function fetchToken(): Promise<CachedToken> {
    const requestedAt = now();
    let answer;
    try {
      answer = await requestJson(options.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: options.clientId, client_secret: options.clientSecret }).toString(),
        timeoutMs,
      });
    } catch (err) {
      throw new OcenTokenError(`The OCEN auth service could not be asked for a token: ${err instanceof OcenHttpError ? err.message : String(err)}`, undefined, { cause: err });
    }
    const body = untrusted<OcenTokenResponse & OAuthErrorAnswer>(answer.body);
    if (answer.status !== 200) {
      const reason = typeof body.error === 'string' ? ` (${body.error})` : '';
      throw new OcenTokenError(`The OCEN auth service refused the token request with HTTP ${answer.status}${reason}`, answer.status);
    }
    const { access_token: value, expires_in: expiresIn, token_type: tokenType } = body;
    if (typeof value !== 'string' || value === '') throw new OcenTokenError('The OCEN auth service answered without an access_token', answer.status);
    if (tokenType !== undefined && String(tokenType).toLowerCase() !== 'bearer') throw new OcenTokenError(`The OCEN auth service issued a ${String(tokenType)} token, not a bearer token`, answer.status);
    const lifetimeMs = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn * 1000 : 0;
    const margin = Math.min(refreshBeforeMs, lifetimeMs / 2);
    return { value, refreshAt: requestedAt + lifetimeMs - margin };
  }

  return {
    token() {
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.value);
      if (!pending) {
        const started = generation;
        pending = fetchToken().then(
          (fresh) => {
            pending = undefined;
            if (started === generation) cached = fresh;
            return fresh.value;
          },
          (err: unknown) => {
            pending = undefined;
            throw err;
          },
        );
      }
      return pending;
    },
    invalidate() {
      generation += 1;
      cached = undefined;
      pending = undefined;
    },
  };
}

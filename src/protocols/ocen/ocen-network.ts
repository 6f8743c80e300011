import type { OcenConfig } from '../../lib/config';
import { activeSigningKey, KeyRing } from '../../lib/keys';
import { OCEN_SIGNATURE_HEADER, signDetached } from './detached-jws';
import { AuthenticateOcenRequest, createOcenAuthenticator, OcenAuthOptions } from './ocen-auth';
import { createRegistryClient, OcenRegistry, OcenRegistryOptions } from './ocen-registry';
import { createTokenSource, OcenTokenOptions, OcenTokenSource } from './ocen-token';

/**
 * This lender on an OCEN network, wired from the `OCEN_*` settings and our key ring: what the OCEN routes
 * (inbound) and the callback sender (outbound) use.
 *
 * - `authenticateOcenRequest(headers, rawBody)`: the caller of an inbound request, or OcenAuthError (see ocen-auth.ts).
 * - `registry.participant(id)`: an approved participant (its key, its `baseUrl`), cached.
 * - `tokens.token()`: our bearer token, cached until shortly before it expires; also sent to the registry.
 * - `sign(bytes)`: a detached JWS of the exact bytes we send, with our active RS256 key (listed, with its kid,
 *   at /.well-known/jwks.json), for the `x-jws-signature` header.
 * - `outboundHeaders(bytes)`: the headers of a callback carrying those bytes (token, signature, JSON).
 */
export interface OcenNetwork {
  authenticateOcenRequest: AuthenticateOcenRequest;
  registry: OcenRegistry;
  tokens: OcenTokenSource;
  sign(body: Uint8Array): string;
  outboundHeaders(body: Uint8Array): Promise<Record<string, string>>;
  /** The sandbox's built-in loan agent (sandbox-loan-agent.ts): callbacks are built and stored, marked delivered, never POSTed. */
  keepsCallbacks?: boolean;
}

/** Timings and limits the settings do not carry (tests shorten them). */
export interface OcenNetworkTuning {
  auth?: Pick<OcenAuthOptions, 'jwksCacheMs' | 'jwksCooldownMs' | 'jwksTimeoutMs' | 'clockToleranceSec'>;
  registry?: Pick<OcenRegistryOptions, 'negativeCacheMs' | 'timeoutMs' | 'maxEntries' | 'now'>;
  tokens?: Pick<OcenTokenOptions, 'refreshBeforeMs' | 'timeoutMs' | 'now'>;
}

export function createOcenNetwork(settings: OcenConfig, ring: KeyRing, tuning: OcenNetworkTuning = {}): OcenNetwork {
  const signingKey = activeSigningKey(ring, 'RS256');
  const tokens = createTokenSource({ tokenUrl: settings.authTokenUrl, clientId: settings.clientId, clientSecret: settings.clientSecret, ...tuning.tokens });
  const registry = createRegistryClient({ registryUrl: settings.registryUrl, tokens, cacheMs: settings.registryCacheMs, ...tuning.registry });
  const authenticateOcenRequest = createOcenAuthenticator({ jwksUrl: settings.authJwksUrl, issuer: settings.authIssuer, registry, ...tuning.auth });
  const sign = (body: Uint8Array) => signDetached(body, signingKey);
  return {
    authenticateOcenRequest,
    registry,
    tokens,
    sign,
    async outboundHeaders(body) {
      return { authorization: `Bearer ${await tokens.token()}`, [OCEN_SIGNATURE_HEADER]: sign(body), 'content-type': 'application/json' };
    },
  };
}

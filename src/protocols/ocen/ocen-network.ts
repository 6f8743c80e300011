import pino, { Logger } from 'pino';
import type { OcenConfig } from '../../lib/config';
import { activeSigningKey, KeyRing } from '../../lib/keys';
import { OCEN_SIGNATURE_HEADER, signDetached } from './detached-jws';
import { AuthenticateOcenRequest, checkEnvelope, createOcenAuthenticator, OcenAuthOptions, OcenCaller } from './ocen-auth';
import { createOcenAnalytics, NO_NETWORK_ANALYTICS, OcenAnalyticsOptions, OcenNetworkAnalytics } from './ocen-analytics';
import { createRegistryClient, OcenRegistry, OcenRegistryOptions } from './ocen-registry';
import { createTokenSource, OcenTokenOptions, OcenTokenSource } from './ocen-token';
import type { MetaData, Untrusted } from './ocen-wire';

/**
 * This lender on an OCEN network, wired from the `OCEN_*` settings and our key ring: what the OCEN routes
 * (inbound) and the callback sender (outbound) use.
 *
 * - `authenticateOcenRequest(headers, rawBody)`: the caller of an inbound request, or OcenAuthError (see ocen-auth.ts).
 * - `checkEnvelope(caller, body, now)`: the normalised envelope names the caller as originator and is within the
 *   replay window (`OCEN_TIMESTAMP_WINDOW_MS`), or OcenAuthError.
 * - `registry.participant(id)`: an approved participant (its key, its `baseUrl`), cached.
 * - `tokens.token()`: our bearer token, cached until shortly before it expires; also sent to the registry.
 * - `sign(bytes)`: a detached JWS of the exact bytes we send, with our active RS256 key as of now (listed, with
 *   its kid, at /.well-known/jwks.json; a rotation reloaded takes effect with the next callback), for the
 *   `x-jws-signature` header. The private key signs where the key provider keeps it (in an HSM with pkcs11).
 * - `outboundHeaders(bytes)`: the headers of a callback carrying those bytes (token, signature, JSON).
 * - `analytics`: heartbeats and the lender's metrics to `OCEN_ANALYTICS_URL` (fire-and-forget; nothing without it).
 */
export interface OcenNetwork {
  authenticateOcenRequest: AuthenticateOcenRequest;
  /** `body` as received (normalised, not yet validated): its `metadata` is read defensively. */
  checkEnvelope(caller: OcenCaller, body: Untrusted<{ metadata: MetaData }>, now: Date): void;
  registry: OcenRegistry;
  tokens: OcenTokenSource;
  sign(body: Uint8Array): Promise<string>;
  outboundHeaders(body: Uint8Array): Promise<Record<string, string>>;
  /** The sandbox's built-in loan agent (sandbox-loan-agent.ts): callbacks are built and stored, marked delivered, never POSTed. */
  keepsCallbacks?: boolean;
  analytics: OcenNetworkAnalytics;
}

/** Timings and limits the settings do not carry (tests shorten them). */
export interface OcenNetworkTuning {
  auth?: Pick<OcenAuthOptions, 'jwksCacheMs' | 'jwksCooldownMs' | 'jwksTimeoutMs' | 'clockToleranceSec'>;
  registry?: Pick<OcenRegistryOptions, 'negativeCacheMs' | 'timeoutMs' | 'maxEntries' | 'now'>;
  tokens?: Pick<OcenTokenOptions, 'refreshBeforeMs' | 'timeoutMs' | 'now'>;
  analytics?: Pick<OcenAnalyticsOptions, 'maxQueued' | 'concurrency' | 'timeoutMs'>;
}

export function createOcenNetwork(settings: OcenConfig, ring: KeyRing, tuning: OcenNetworkTuning = {}, logger: Logger = pino({ level: 'silent' })): OcenNetwork {
  const tokens = createTokenSource({ tokenUrl: settings.authTokenUrl, clientId: settings.clientId, clientSecret: settings.clientSecret, ...tuning.tokens });
  const registry = createRegistryClient({ registryUrl: settings.registryUrl, tokens, cacheMs: settings.registryCacheMs, ...tuning.registry });
  const authenticateOcenRequest = createOcenAuthenticator({ jwksUrl: settings.authJwksUrl, issuer: settings.authIssuer, registry, ...tuning.auth });
  const sign = (body: Uint8Array) => signDetached(body, activeSigningKey(ring, 'RS256'));
  const analytics = settings.analyticsUrl
    ? createOcenAnalytics({ url: settings.analyticsUrl, tokens, participantId: settings.participantId, logger, ...tuning.analytics })
    : NO_NETWORK_ANALYTICS;
  return {
    analytics,
    authenticateOcenRequest,
    checkEnvelope: (caller, body, now) => checkEnvelope(caller, body, now, settings.timestampWindowMs),
    registry,
    tokens,
    sign,
    async outboundHeaders(body) {
      const [token, signature] = await Promise.all([tokens.token(), sign(body)]);
      return { authorization: `Bearer ${token}`, [OCEN_SIGNATURE_HEADER]: signature, 'content-type': 'application/json' };
    },
  };
}

import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, errors, JWTPayload, jwtVerify } from 'jose';
import { OCEN_SIGNATURE_HEADERS, verifyDetached } from './detached-jws';
import { OcenAuthError, OcenAuthReason } from './ocen-auth-error';
import type { OcenParticipant, OcenRegistry } from './ocen-registry';
import { outgoingTraceHeaders } from '../../lib/trace';
import { untrusted } from './ocen-wire';
import type { MetaData, Untrusted } from './ocen-wire';

/**
 * Who is calling, on the OCEN network (docs/ocen.md §3.1): `authenticateOcenRequest(headers, rawBody)` runs, in order,
 *
 * 1. both credentials present: `Authorization: Bearer <JWT>` and a detached JWS in `x-jws-signature` (or
 *    `Signature`), else TOKEN_MISSING / SIGNATURE_MISSING, before anything is fetched;
 * 2. the token's claims, unverified, only to refuse cheaply (never to accept): a foreign `iss` or a passed `exp`
 *    is refused without touching the auth service;
 * 3. the token verified against the auth service's JWKS (`OCEN_AUTH_JWKS_URL`; cached, fetched again when a
 *    token names an unknown `kid`, at most once per cooldown), algorithms RS256, PS256 or ES256 only, `iss` =
 *    `OCEN_AUTH_ISSUER`, `exp` required and not passed (30 s clock tolerance);
 * 4. the caller is the token's `participantId` claim, looked up in the registry (approved, with a usable key),
 *    in a role this surface serves (`participantRole` LOAN_AGENT, else PARTICIPANT_WRONG_ROLE);
 * 5. the detached JWS verified over the exact raw body bytes with that participant's registered key.
 *
 * Then, once the body is parsed and its envelope normalised, {@link checkEnvelope}: the originator it names is
 * the caller, and its timestamp is within the replay window.
 *
 * It answers the caller, or throws OcenAuthError (reason, and `status` 401; 503 when the auth service's JWKS or
 * the registry could not be asked). The route answers that and processes nothing.
 */
export type OcenRequestHeaders = Record<string, string | string[] | undefined>;

/** An authenticated caller. */
export interface OcenCaller {
  /** The token's `participantId` claim. */
  participantId: string;
  /** Its registry entry (approved; its key verified the body). */
  participant: OcenParticipant;
  /** The verified token's claims. */
  claims: JWTPayload;
}

export type AuthenticateOcenRequest = (headers: OcenRequestHeaders, rawBody: Uint8Array) => Promise<OcenCaller>;

export interface OcenAuthOptions {
  jwksUrl: string;
  issuer: string;
  registry: OcenRegistry;
  /** How long the JWKS is kept before it is fetched again (default 10 minutes). */
  jwksCacheMs?: number;
  /** After a fetch, how long an unknown kid waits before it may cause another (default 30 s). */
  jwksCooldownMs?: number;
  /** Time limit of one JWKS request (default 5 s). */
  jwksTimeoutMs?: number;
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (default 30). */
  clockToleranceSec?: number;
  /** Registry roles (`participantRole`) allowed to call (default LOAN_AGENT: the lender surface serves loan agents). */
  roles?: readonly string[];
}

/** Asymmetric algorithms a network token may be signed with (Keycloak signs RS256 by default); never HS* or none. */
export const OCEN_TOKEN_ALGORITHMS = ['RS256', 'PS256', 'ES256'];

const refuse = (reason: OcenAuthReason, message: string) => new OcenAuthError(reason, message);

export function createOcenAuthenticator(options: OcenAuthOptions): AuthenticateOcenRequest {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: options.jwksCacheMs ?? 600_000,
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    timeoutDuration: options.jwksTimeoutMs ?? 5_000,
    // The fetch carries the trace of the request that needed the keys.
    [customFetch]: (url, init) => {
      for (const [name, value] of Object.entries(outgoingTraceHeaders())) init.headers.set(name, value);
      return fetch(url, init);
    },
  });
  const clockTolerance = options.clockToleranceSec ?? 30;

  async function verifyToken(token: string): Promise<JWTPayload> {
    let claims: JWTPayload;
    try {
      decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      throw refuse(OcenAuthReason.TOKEN_MALFORMED, 'The bearer token is not a JWT');
    }
    if (claims.iss !== options.issuer) throw refuse(OcenAuthReason.TOKEN_WRONG_ISSUER, `The token was not issued by the OCEN auth service (${options.issuer})`);
    if (typeof claims.exp !== 'number') throw refuse(OcenAuthReason.TOKEN_EXPIRED, 'The token has no exp claim');
    if (claims.exp + clockTolerance <= Date.now() / 1000) throw refuse(OcenAuthReason.TOKEN_EXPIRED, 'The token has expired');

    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: options.issuer, algorithms: OCEN_TOKEN_ALGORITHMS, requiredClaims: ['exp'], clockTolerance });
      return payload;
    } catch (err) {
      throw tokenRefusal(err);
    }
  }

  return async (headers, rawBody) => {
    const authorization = single(headers, 'authorization');
    const bearer = authorization === undefined ? undefined : /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(authorization)?.[1];
    if (!bearer) throw refuse(OcenAuthReason.TOKEN_MISSING, 'Send the OCEN auth service\'s access token as Authorization: Bearer <JWT>');
    const signature = OCEN_SIGNATURE_HEADERS.map((name) => single(headers, name)).find((value) => value !== undefined && value.trim() !== '');
    if (signature === undefined) throw refuse(OcenAuthReason.SIGNATURE_MISSING, 'Sign the body: a detached JWS (RS256, b64 false) in the x-jws-signature header');

    const claims = await verifyToken(bearer);
    const claimed = claims.participantId;
    if (!(typeof claimed === 'string' && claimed !== '') && typeof claimed !== 'number') {
      throw refuse(OcenAuthReason.TOKEN_NO_PARTICIPANT, 'The token carries no participantId claim');
    }
    const participantId = String(claimed);
    const participant = await options.registry.participant(participantId);
    const roles = options.roles ?? ['LOAN_AGENT'];
    if (participant.role === undefined || !roles.includes(participant.role)) {
      throw refuse(OcenAuthReason.PARTICIPANT_WRONG_ROLE, `Participant ${JSON.stringify(participantId)} is registered as ${participant.role ?? 'no role'}; this lender serves ${roles.join(', ')} only`);
    }
    verifyDetached(signature, rawBody, participant.publicKey);
    return { participantId, participant, claims };
  };
}

/** The one value of a request header (any case); a header sent twice with different values counts as absent. */
function single(headers: OcenRequestHeaders, name: string): string | undefined {
  let found: string | string[] | undefined = headers[name];
  if (found === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    found = key === undefined ? undefined : headers[key];
  }
  if (Array.isArray(found)) return new Set(found).size === 1 ? found[0] : undefined;
  return found;
}

function tokenRefusal(err: unknown): OcenAuthError {
  if (err instanceof OcenAuthError) return err;
  if (err instanceof errors.JWTExpired) return refuse(OcenAuthReason.TOKEN_EXPIRED, 'The token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return refuse(OcenAuthReason.TOKEN_WRONG_ISSUER, `The token was not issued by the OCEN auth service`);
    if (err.claim === 'nbf' || err.claim === 'iat') return refuse(OcenAuthReason.TOKEN_NOT_YET_VALID, `The token is not valid yet (${err.claim})`);
    if (err.claim === 'exp') return refuse(OcenAuthReason.TOKEN_EXPIRED, 'The token has no valid exp claim');
    return refuse(OcenAuthReason.TOKEN_INVALID, `The token's ${err.claim} claim is not acceptable`);
  }
  if (err instanceof errors.JWKSNoMatchingKey) return refuse(OcenAuthReason.TOKEN_UNKNOWN_KEY, 'The token is signed with a key the OCEN auth service does not publish');
  if (err instanceof errors.JWKSMultipleMatchingKeys) return refuse(OcenAuthReason.TOKEN_UNKNOWN_KEY, 'The token does not name one key of the OCEN auth service (kid)');
  if (err instanceof errors.JOSEAlgNotAllowed) return refuse(OcenAuthReason.TOKEN_INVALID, `The token's algorithm is not accepted (${OCEN_TOKEN_ALGORITHMS.join(', ')})`);
  if (err instanceof errors.JWSSignatureVerificationFailed) return refuse(OcenAuthReason.TOKEN_INVALID, 'The token\'s signature does not verify');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return refuse(OcenAuthReason.TOKEN_MALFORMED, 'The bearer token is not a valid JWT');
  if (err instanceof errors.JOSENotSupported || err instanceof errors.JWKInvalid) return refuse(OcenAuthReason.TOKEN_INVALID, 'The token\'s key or algorithm is not usable');
  // Everything else happened while fetching the JWKS: a timeout, a non-200 answer, no JSON, no connection.
  return refuse(OcenAuthReason.AUTH_SERVICE_UNAVAILABLE, 'The OCEN auth service\'s keys could not be fetched');
}

/**
 * The envelope of an authenticated request (after `normaliseInbound`, so the legacy `metadata.participantId` is
 * read as `originatorParticipantId`), checked before anything is processed; throws OcenAuthError (401):
 *
 * - `metadata.originatorParticipantId`, when present, must be the token's `participantId` (ORIGINATOR_MISMATCH):
 *   a loan agent cannot speak for another. Absent: the token's participant is the originator.
 * - `metadata.timestamp` must lie within `windowMs` of `now`, either way (TIMESTAMP_OUT_OF_WINDOW): a replayed
 *   request is refused even under a new requestId. Read leniently (see {@link readOcenTimestamp}); unreadable is
 *   TIMESTAMP_UNREADABLE. Absent: not refused here (nothing in the spec says how old it may be, and the
 *   requestId still makes a replay harmless, being the idempotency key); loan.json's MetaData requires it, so the
 *   schema check after this one answers 400 INVALID_REQUEST for a request without it.
 */
export function checkEnvelope(caller: Pick<OcenCaller, 'participantId'>, body: Untrusted<{ metadata: MetaData }>, now: Date, windowMs: number): void {
  const metadata = untrusted<MetaData>(body.metadata);
  const originator = metadata.originatorParticipantId;
  if (originator !== undefined && originator !== null && originator !== '' && String(originator) !== caller.participantId) {
    throw refuse(OcenAuthReason.ORIGINATOR_MISMATCH, `metadata.originatorParticipantId ${JSON.stringify(String(originator))} is not the caller (${caller.participantId}, the token's participantId)`);
  }
  const stamp = metadata.timestamp;
  if (stamp === undefined || stamp === null || stamp === '') return;
  const readings = readOcenTimestamp(stamp);
  if (!readings) throw refuse(OcenAuthReason.TIMESTAMP_UNREADABLE, 'metadata.timestamp is neither ISO-8601 nor epoch milliseconds');
  if (!readings.some((ms) => Math.abs(ms - now.getTime()) <= windowMs)) {
    throw refuse(OcenAuthReason.TIMESTAMP_OUT_OF_WINDOW, `metadata.timestamp ${JSON.stringify(String(stamp))} is more than ${Math.round(windowMs / 1000)} s away from our clock (${now.toISOString()})`);
  }
}

const ISO_ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
const IST_OFFSET_MS = 330 * 60_000;

/**
 * The instants a `metadata.timestamp` may mean, in epoch ms; undefined when unreadable. Lenient, as participants
 * send it in several ways:
 *
 * | sent | read as |
 * |---|---|
 * | ISO-8601 with a zone (`2026-12-03T10:00:00Z`, `...+05:30`, `+0530`) | that instant |
 * | ISO-8601 without a zone (`2026-12-03T10:00:00`, as Java's LocalDateTime prints) | UTC or IST (v3 said a zoneless time is IST; servers often print UTC): either reading may fall in the window |
 * | digits, or a number (epoch milliseconds; 10 digits or fewer: epoch seconds) | that instant |
 */
export function readOcenTimestamp(value: unknown): number[] | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? [value < 1e11 ? value * 1000 : value] : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d{1,16}$/.test(text)) {
    const n = Number(text);
    return [text.length <= 10 ? n * 1000 : n];
  }
  if (ISO_ZONED.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/(\.\d{3})\d+/, '$1'));
    return Number.isNaN(ms) ? undefined : [ms];
  }
  if (ISO_LOCAL.test(text)) {
    const utc = Date.parse(`${text.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1')}Z`);
    return Number.isNaN(utc) ? undefined : [utc, utc - IST_OFFSET_MS];
  }
  return undefined;
}

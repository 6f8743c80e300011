/**
 * Why an OCEN request (or a network look-up made for one) was refused. Every refusal of `authenticateOcenRequest`
 * is an {@link OcenAuthError} with one of these reasons; the route answers its `status` (401, or 503 when a
 * network service we depend on could not be asked) and nothing of the request is processed.
 */
export const OcenAuthReason = {
  /** No `Authorization: Bearer <JWT>` header. */
  TOKEN_MISSING: 'TOKEN_MISSING',
  /** The bearer token is not a JWT (three base64url parts with JSON header and claims). */
  TOKEN_MALFORMED: 'TOKEN_MALFORMED',
  /** The token's `exp` has passed (beyond the clock tolerance), or it has no `exp`. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** The token's `nbf` or `iat` lies in the future. */
  TOKEN_NOT_YET_VALID: 'TOKEN_NOT_YET_VALID',
  /** The token's `iss` is not OCEN_AUTH_ISSUER. */
  TOKEN_WRONG_ISSUER: 'TOKEN_WRONG_ISSUER',
  /** The token's `kid` is not in the auth service's JWKS, even after fetching it again. */
  TOKEN_UNKNOWN_KEY: 'TOKEN_UNKNOWN_KEY',
  /** The token's signature does not verify, or its algorithm is not an accepted asymmetric one. */
  TOKEN_INVALID: 'TOKEN_INVALID',
  /** The token carries no `participantId` claim (the caller's identity on the network). */
  TOKEN_NO_PARTICIPANT: 'TOKEN_NO_PARTICIPANT',
  /** The registry does not know the token's participant. */
  PARTICIPANT_UNKNOWN: 'PARTICIPANT_UNKNOWN',
  /** The registry knows the participant but it is not approved. */
  PARTICIPANT_NOT_APPROVED: 'PARTICIPANT_NOT_APPROVED',
  /** The participant's registry role is not one this surface serves (LOAN_AGENT). */
  PARTICIPANT_WRONG_ROLE: 'PARTICIPANT_WRONG_ROLE',
  /** `metadata.originatorParticipantId` (or the legacy `metadata.participantId`) names another participant than the token's. */
  ORIGINATOR_MISMATCH: 'ORIGINATOR_MISMATCH',
  /** `metadata.timestamp` is further from our clock than OCEN_TIMESTAMP_WINDOW_MS (a replay, or a badly wrong clock). */
  TIMESTAMP_OUT_OF_WINDOW: 'TIMESTAMP_OUT_OF_WINDOW',
  /** `metadata.timestamp` is present but is neither ISO-8601 nor epoch milliseconds. */
  TIMESTAMP_UNREADABLE: 'TIMESTAMP_UNREADABLE',
  /** The participant's registered `publicKey` is not an RSA public JWK of at least 2048 bits. */
  PARTICIPANT_KEY_UNUSABLE: 'PARTICIPANT_KEY_UNUSABLE',
  /** Neither `x-jws-signature` nor `Signature` is present. */
  SIGNATURE_MISSING: 'SIGNATURE_MISSING',
  /** The signature is not a detached compact JWS (`header..signature`) with a JSON header. */
  SIGNATURE_MALFORMED: 'SIGNATURE_MALFORMED',
  /** The JWS `alg` is not RS256. */
  SIGNATURE_ALGORITHM: 'SIGNATURE_ALGORITHM',
  /** The JWS does not say `b64: false`: this network signs the raw body bytes (RFC 7797), not their base64url. */
  SIGNATURE_PAYLOAD_ENCODED: 'SIGNATURE_PAYLOAD_ENCODED',
  /** The JWS `crit` lists a header parameter other than `b64`, which this server does not understand. */
  SIGNATURE_CRIT_UNSUPPORTED: 'SIGNATURE_CRIT_UNSUPPORTED',
  /** The JWS `kid` names a key other than the one the registry lists for the participant. */
  SIGNATURE_KEY_MISMATCH: 'SIGNATURE_KEY_MISMATCH',
  /** The signature does not verify over the exact bytes received with the participant's registered key. */
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  /** The auth service's JWKS could not be fetched (HTTP 503: retry later). */
  AUTH_SERVICE_UNAVAILABLE: 'AUTH_SERVICE_UNAVAILABLE',
  /** The registry could not be asked, or answered something unusable (HTTP 503: retry later). */
  REGISTRY_UNAVAILABLE: 'REGISTRY_UNAVAILABLE',
} as const;
export type OcenAuthReason = (typeof OcenAuthReason)[keyof typeof OcenAuthReason];

const UNAVAILABLE: ReadonlySet<OcenAuthReason> = new Set([OcenAuthReason.AUTH_SERVICE_UNAVAILABLE, OcenAuthReason.REGISTRY_UNAVAILABLE]);

/** A refused OCEN request. `message` says which rule failed and is safe to return to the caller. */
export class OcenAuthError extends Error {
  /** 503 when a network service could not be asked, else 401. */
  readonly status: 401 | 503;

  constructor(readonly reason: OcenAuthReason, message: string) {
    super(message);
    this.name = 'OcenAuthError';
    this.status = UNAVAILABLE.has(reason) ? 503 : 401;
  }
}

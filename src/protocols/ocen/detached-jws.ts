import { createPublicKey, JsonWebKey, KeyObject, verify } from 'node:crypto';
import type { SigningKey } from '../../lib/keys';
import { OcenAuthError, OcenAuthReason } from './ocen-auth-error';
import { isJsonObject, untrusted } from './ocen-wire';

/**
 * OCEN message signatures: a detached compact JWS (RFC 7515 appendix F) with an unencoded payload (RFC 7797),
 * RS256, over the exact bytes of the HTTP body, carried in the `x-jws-signature` header (`Signature` is accepted
 * too: the OCEN docs name it, the official Java sample sends `x-jws-signature`).
 *
 * Serialization: `BASE64URL(header) || '..' || BASE64URL(signature)`, where the signature is RSASSA-PKCS1-v1_5
 * SHA-256 over `ASCII(BASE64URL(header)) || '.' || body bytes`.
 *
 * - We sign with header `{"alg":"RS256","kid":<our RS256 key's kid>,"b64":false,"crit":["b64"]}` (RFC 7797 asks
 *   for `crit`; jose4j, the Java sample's library, understands it).
 * - We verify `alg` RS256 only; `b64` must be `false` (a standard `b64: true` JWS, over the base64url of the body,
 *   is refused); `crit` may be absent (jose4j omits it and may send `"kid": null`) but may list only `b64`; a
 *   string `kid` must name the participant's registered key when that key has a kid.
 *
 * The bytes are the bytes: a body re-serialised with other whitespace does not verify, so verify the raw bytes
 * received and sign the exact bytes sent.
 */
export const OCEN_SIGNATURE_HEADER = 'x-jws-signature';
/** Request headers that may carry the signature, in order of preference (lower case, as Node gives them). */
export const OCEN_SIGNATURE_HEADERS = [OCEN_SIGNATURE_HEADER, 'signature'] as const;

const DETACHED = /^([A-Za-z0-9_-]{1,4096})\.\.([A-Za-z0-9_-]{1,4096})$/;
const MIN_RSA_BITS = 2048;

/** The header of a verified signature. */
export interface DetachedJwsHeader {
  alg: 'RS256';
  kid?: string;
  b64: false;
  crit?: string[];
  [member: string]: unknown;
}

const refuse = (reason: OcenAuthReason, message: string) => new OcenAuthError(reason, message);

/** A detached JWS of `payload` (the exact bytes to send) with our RS256 key (its private half wherever the key provider keeps it). */
export async function signDetached(payload: Uint8Array, key: Pick<SigningKey, 'kid' | 'alg' | 'sign'>): Promise<string> {
  if (key.alg !== 'RS256') throw new Error(`OCEN signatures are RS256; key ${key.kid} signs ${key.alg}`);
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: key.kid, b64: false, crit: ['b64'] })).toString('base64url');
  const signature = await key.sign(signingInput(header, payload));
  return `${header}..${Buffer.from(signature).toString('base64url')}`;
}

/**
 * A participant's registered public key (an RSA JWK, or a JSON string of one, as the registry serves it) as a
 * key object; PARTICIPANT_KEY_UNUSABLE when it is anything else or shorter than 2048 bits. Private members, if
 * any were registered by mistake, are not used.
 */
export function importParticipantKey(jwk: unknown): { key: KeyObject; kid: string | undefined } {
  let parsed: unknown = jwk;
  if (typeof jwk === 'string') {
    try {
      parsed = JSON.parse(jwk);
    } catch {
      throw refuse(OcenAuthReason.PARTICIPANT_KEY_UNUSABLE, 'The participant\'s registered public key is not JSON');
    }
  }
  if (!isJsonObject(parsed)) {
    throw refuse(OcenAuthReason.PARTICIPANT_KEY_UNUSABLE, 'The participant\'s registered public key is not a JWK');
  }
  const { kty, n, e, kid } = untrusted<JsonWebKey & { kid: string }>(parsed);
  if (kty !== 'RSA' || typeof n !== 'string' || typeof e !== 'string') {
    throw refuse(OcenAuthReason.PARTICIPANT_KEY_UNUSABLE, 'The participant\'s registered public key is not an RSA JWK (RS256 needs one)');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty, n, e }, format: 'jwk' });
  } catch {
    throw refuse(OcenAuthReason.PARTICIPANT_KEY_UNUSABLE, 'The participant\'s registered public key is not a valid RSA JWK');
  }
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw refuse(OcenAuthReason.PARTICIPANT_KEY_UNUSABLE, `The participant's registered RSA key is shorter than ${MIN_RSA_BITS} bits`);
  }
  return { key, kid: typeof kid === 'string' && kid !== '' ? kid : undefined };
}

/**
 * Verifies a detached JWS over `payload` (the exact bytes received) with the participant's key; returns its
 * header, or throws OcenAuthError with a SIGNATURE_* reason saying which rule failed.
 */
export function verifyDetached(jws: string, payload: Uint8Array, participantKey: { key: KeyObject; kid?: string }): DetachedJwsHeader {
  const match = DETACHED.exec(jws.trim());
  if (!match) {
    throw refuse(OcenAuthReason.SIGNATURE_MALFORMED, 'The signature must be a detached compact JWS: BASE64URL(header)..BASE64URL(signature), the payload part empty');
  }
  const [, encodedHeader, encodedSignature] = match;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8'));
  } catch {
    throw refuse(OcenAuthReason.SIGNATURE_MALFORMED, 'The JWS header is not base64url-encoded JSON');
  }
  if (!isJsonObject(parsed)) throw refuse(OcenAuthReason.SIGNATURE_MALFORMED, 'The JWS header is not a JSON object');
  const header = parsed;

  if (header.alg !== 'RS256') throw refuse(OcenAuthReason.SIGNATURE_ALGORITHM, `The JWS alg must be RS256, got ${JSON.stringify(header.alg)}`);
  if (header.b64 !== false) {
    throw refuse(OcenAuthReason.SIGNATURE_PAYLOAD_ENCODED, 'The JWS header must say "b64": false: sign the raw body bytes (RFC 7797), not their base64url encoding');
  }
  if (header.crit !== undefined) {
    if (!Array.isArray(header.crit) || header.crit.length === 0 || header.crit.some((name) => typeof name !== 'string')) {
      throw refuse(OcenAuthReason.SIGNATURE_MALFORMED, 'The JWS crit must be a non-empty array of header names');
    }
    const unknown = header.crit.filter((name) => name !== 'b64');
    if (unknown.length) throw refuse(OcenAuthReason.SIGNATURE_CRIT_UNSUPPORTED, `The JWS crit lists ${unknown.join(', ')}, which this server does not understand`);
  }
  if (typeof header.kid === 'string' && participantKey.kid !== undefined && header.kid !== participantKey.kid) {
    throw refuse(OcenAuthReason.SIGNATURE_KEY_MISMATCH, `The JWS kid ${JSON.stringify(header.kid)} is not the participant's registered key ${JSON.stringify(participantKey.kid)}`);
  }

  const signature = Buffer.from(encodedSignature, 'base64url');
  const modulusBytes = Math.ceil((participantKey.key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (signature.length !== modulusBytes || !verify('sha256', signingInput(encodedHeader, payload), participantKey.key, signature)) {
    throw refuse(OcenAuthReason.SIGNATURE_INVALID, 'The signature does not verify over the body received with the participant\'s registered key');
  }
  return header as DetachedJwsHeader;
}

function signingInput(encodedHeader: string, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${encodedHeader}.`, 'ascii'), payload]);
}

import { CryptoKey, errors, flattenedVerify, importJWK, JWK, JWSHeaderParameters } from 'jose';
import type { PartnerKey } from '../../core/partner/partner';
import type { SigningKey } from '../../lib/keys';
import { isJsonObject } from '../shared/ocen-family';

/**
 * OCEN v3's message signature, as iSPIRT/OCEN `Security/README.md` ("Request Response Signing") defines it: every
 * request, response and ack is a JWS (RFC 7515) in the **Flattened JWS JSON Serialization** whose members are named
 *
 * ```json
 * { "payload": BASE64URL(UTF8(JSON of the message)), "header": BASE64URL(UTF8({"kid": …, "alg": "RS512"})), "signature": BASE64URL(sig) }
 * ```
 *
 * signed over `header '.' payload` (the JWS Signing Input) with RS512 (RSASSA-PKCS1-v1_5 with SHA-512, RSA 2048).
 * The README calls the protected header `header` (RFC 7515 names it `protected`); both names are read, `header` is
 * sent. The whole HTTP body is this object (Content-Type application/json); there is no signature header.
 * `kid` names which of the signer's keys (exchanged bilaterally at onboarding, up to two live) signed.
 *
 * Where the README is silent (documented choices): `alg` must be RS512 and `kid` must name one of the partner's RSA
 * keys (no key is tried blindly); an unprotected `header` object (RFC 7515 §7.2.2) is refused, as is `b64`/`crit`;
 * our own kid is our RSA key's kid in the key set (the key that signs OCEN 4.0 with RS256).
 */
export interface V3Jws {
  payload: string;
  header: string;
  signature: string;
}

export const V3_ALG = 'RS512';

/** Why a body is not a verifiable v3 message. The `reason` is the ack's error code; the message is safe to answer. */
export class V3SignatureError extends Error {
  constructor(
    readonly reason: 'UNSIGNED' | 'SIGNATURE_INVALID' | 'UNKNOWN_KEY',
    message: string,
  ) {
    super(message);
    this.name = 'V3SignatureError';
  }
}

const b64url = (text: string | Uint8Array) => Buffer.from(text).toString('base64url');

/** `message` as a signed v3 body, with our RSA key (RS512, whichever provider holds its private half). */
export async function signV3(message: unknown, key: SigningKey): Promise<V3Jws> {
  if (key.alg !== 'RS256') throw new Error(`OCEN v3 signs with an RSA key; key ${key.kid} is ${key.alg}`);
  const header = b64url(JSON.stringify({ kid: key.kid, alg: V3_ALG }));
  const payload = b64url(JSON.stringify(message));
  const signature = await key.sign(Buffer.from(`${header}.${payload}`, 'ascii'), 'sha512');
  return { payload, header, signature: b64url(signature) };
}

/** The members of a flattened JWS, or undefined when `body` is not one (an unsigned message). */
function flattenedOf(body: unknown): { protected: string; payload: string; signature: string } | undefined {
  if (!isJsonObject(body)) return undefined;
  const { payload, signature } = body;
  const header = body.header ?? body.protected;
  if (typeof payload !== 'string' || typeof signature !== 'string' || typeof header !== 'string') return undefined;
  return { protected: header, payload, signature };
}

/**
 * The message a signed v3 body carries, unverified: only for naming the signer (`metadata.orgId`), whose keys
 * then verify it with {@link verifyV3}. Throws UNSIGNED when the body is not a flattened JWS of a JSON object.
 */
export function unverifiedMessageOf(body: unknown): Record<string, unknown> {
  const jws = flattenedOf(body);
  if (!jws) throw new V3SignatureError('UNSIGNED', 'OCEN v3 messages are signed: send {payload, header, signature} (a flattened JWS, RS512)');
  return messageOf(Buffer.from(jws.payload, 'base64url'));
}


/** The message a payload's bytes carry: a JSON object, else SIGNATURE_INVALID (nothing else is a v3 message). */
export function messageOf(bytes: Uint8Array): Record<string, unknown> {
  let message: unknown;
  try {
    message = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new V3SignatureError('SIGNATURE_INVALID', 'The payload is not base64url-encoded JSON');
  }
  if (!isJsonObject(message)) throw new V3SignatureError('SIGNATURE_INVALID', 'The payload must be a JSON object');
  return message;
}

/** Verifies a signed v3 body with the signer's keys (its JWKS); answers the payload's bytes. */
export async function verifyV3(body: unknown, keys: readonly PartnerKey[]): Promise<Uint8Array> {
  const jws = flattenedOf(body);
  if (!jws) throw new V3SignatureError('UNSIGNED', 'OCEN v3 messages are signed: send {payload, header, signature} (a flattened JWS, RS512)');
  try {
    const { payload } = await flattenedVerify(jws, async (header: JWSHeaderParameters | undefined): Promise<CryptoKey> => {
      const key = keys.find((k) => k.kid === header?.kid && k.kty === 'RSA');
      if (!key) throw new V3SignatureError('UNKNOWN_KEY', `No RSA key with kid ${JSON.stringify(header?.kid ?? null)} is on file for this partner`);
      return (await importJWK({ ...(key as JWK), alg: V3_ALG }, V3_ALG)) as CryptoKey;
    }, { algorithms: [V3_ALG] });
    return payload;
  } catch (err) {
    if (err instanceof V3SignatureError) throw err;
    if (err instanceof errors.JOSEError) throw new V3SignatureError('SIGNATURE_INVALID', 'The signature does not verify (RS512 over header.payload, with the kid named)');
    throw err;
  }
}

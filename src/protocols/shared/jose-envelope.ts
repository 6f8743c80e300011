import type { Request, RequestHandler, Response } from 'express';
import { CompactEncrypt, CryptoKey, JWK, compactVerify, errors, importJWK } from 'jose';
import type { Logger } from 'pino';
import { Partner, PartnerKey } from '../../core/partner/partner';
import { KeyRing, KeyUnavailableError, activeSigningKey, publicJwks } from '../../lib/keys';
import { decryptCompactJwe, signCompactJws } from '../../lib/jose-compact';
import { isDependencyUnavailable } from '../../lib/unavailable';
import { acceptJsonPayload, joseBodyOf, BODY_LIMIT_BYTES } from './body';
import type { MessageCheck } from './partner-auth';
import { ProtocolError, ProtocolErrorCode } from './protocol-error';

/**
 * Signed and encrypted partner messages (JOSE), for any surface whose body is JSON.
 *
 * Inbound, a request with `Content-Type: application/jose` carries either
 * - a compact JWS (RFC 7515) whose payload is the JSON request, signed by the partner with ES256, PS256 or
 *   RS256; its protected header names the key by `kid`, looked up only in the JWKS of the partner the request is
 *   attributed to (by `X-Partner-Id`, or the sandbox default): a kid never identifies a partner by itself; or
 * - a compact JWE (RFC 7516, `alg` RSA-OAEP-256 or ECDH-ES+A256KW, `enc` A256GCM, no `zip`) encrypted to one of
 *   our encryption keys by `kid` (retired keys still decrypt), whose plaintext is such a JWS.
 *
 * A JWS that does not verify, for whatever reason, is 401 INVALID_PAYLOAD_SIGNATURE (the message says why: the
 * kid is public, the reasons leak nothing); a JWE that does not decrypt is 400 INVALID_PAYLOAD_ENCRYPTION with one
 * fixed message whatever the reason, so the answer is no decryption oracle. The verified payload then takes
 * exactly the path of a JSON body (size, JSON, edge text checks, schema, idempotency).
 *
 * Outbound, every answer to a verified request (errors included) is a compact JWS signed with our active ES256
 * key (`typ: JOSE`, `cty: json`, `kid`), encrypted to the partner's newest encryption key (`use: enc`) when the
 * request was encrypted (`cty: JOSE`), sent as `application/jose`. Refusals of the signature or the encryption,
 * and anything refused before the message was opened, are the surface's plain JSON errors.
 *
 * Our keys are used through the key ring (src/lib/key-provider.ts: files or an HSM), never as key material:
 * src/lib/jose-compact.ts signs and decrypts with the key's own private operation. A JWE to a kid we do not hold
 * makes the ring read the key set again once (another process may have rotated first). A key that cannot be
 * used now (the HSM unreachable) is a 503, not a refusal of the message.
 */
export const SIGNING_ALGORITHMS = ['ES256', 'PS256', 'RS256'];
export const KEY_MANAGEMENT_ALGORITHMS = ['RSA-OAEP-256', 'ECDH-ES+A256KW'];
export const CONTENT_ENCRYPTION_ALGORITHMS = ['A256GCM'];
export const JOSE_MEDIA_TYPE = 'application/jose';

/** What was opened: the verified payload, the partner key that signed it and, when it came encrypted, our key it was encrypted to. */
export interface OpenedMessage {
  payload: Uint8Array;
  signedWith: { kid: string; alg: string };
  encryptedTo?: { kid: string; alg: string };
}

const UNDECRYPTABLE = 'The request could not be decrypted';
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

class Refused extends Error {}

const badSignature = (message: string) => new ProtocolError(ProtocolErrorCode.INVALID_PAYLOAD_SIGNATURE, message);

/** Opens a compact JWS, or a compact JWE around one, from `partner`; throws INVALID_PAYLOAD_SIGNATURE or INVALID_PAYLOAD_ENCRYPTION. */
export async function openMessage(compact: string, partner: Partner, ring: KeyRing): Promise<OpenedMessage> {
  if (COMPACT_JWE.test(compact)) {
    const { plaintext, encryptedTo } = await decrypt(compact, ring);
    const opened = await verify(new TextDecoder().decode(plaintext), partner, 'The encrypted request must carry a compact JWS');
    return { ...opened, encryptedTo };
  }
  return verify(compact, partner, 'The body must be a compact JWS (or a compact JWE around one)');
}

async function decrypt(compact: string, ring: KeyRing): Promise<{ plaintext: Uint8Array; encryptedTo: { kid: string; alg: string } }> {
  const find = (kid: unknown, alg: string) => ring.encryptionKeys.find((k) => k.kid === kid && k.alg === alg);
  try {
    const result = await decryptCompactJwe(compact, (header) => find(header.kid, header.alg) ?? (ring.refresh?.() ? find(header.kid, header.alg) : undefined), {
      keyManagementAlgorithms: KEY_MANAGEMENT_ALGORITHMS,
      contentEncryptionAlgorithms: CONTENT_ENCRYPTION_ALGORITHMS,
    });
    return { plaintext: result.plaintext, encryptedTo: { kid: String(result.protectedHeader.kid), alg: result.protectedHeader.alg } };
  } catch (err) {
    if (err instanceof KeyUnavailableError) throw err;
    throw new ProtocolError(ProtocolErrorCode.INVALID_PAYLOAD_ENCRYPTION, UNDECRYPTABLE);
  }
}

async function verify(compact: string, partner: Partner, notCompact: string): Promise<OpenedMessage> {
  if (!COMPACT_JWS.test(compact)) throw badSignature(notCompact);
  try {
    const result = await compactVerify(compact, (header) => {
      if (typeof header.kid !== 'string' || header.kid === '') throw new Refused('The JWS header needs a kid naming one of the partner\'s registered keys');
      const key = partner.jwks.keys.find((k) => k.kid === header.kid);
      if (!key) throw new Refused(`No key with kid ${JSON.stringify(header.kid)} is registered for partner ${partner.id}`);
      if ((key.use !== undefined && key.use !== 'sig') || (Array.isArray(key.key_ops) && !key.key_ops.includes('verify'))) {
        throw new Refused(`The key ${header.kid} is not registered for signing`);
      }
      if (key.alg !== undefined && key.alg !== header.alg) throw new Refused(`The key ${header.kid} is registered for ${String(key.alg)}, not ${header.alg}`);
      return importPartnerKey(key, header.alg);
    }, { algorithms: SIGNING_ALGORITHMS });
    return { payload: result.payload, signedWith: { kid: String(result.protectedHeader.kid), alg: result.protectedHeader.alg } };
  } catch (err) {
    if (err instanceof Refused) throw badSignature(err.message);
    if (err instanceof errors.JOSEAlgNotAllowed) throw badSignature(`The JWS algorithm is not accepted; sign with one of ${SIGNING_ALGORITHMS.join(', ')}`);
    if (err instanceof errors.JWSSignatureVerificationFailed) throw badSignature('The signature does not verify');
    if (err instanceof errors.JOSENotSupported || err instanceof TypeError) throw badSignature('The key does not fit the JWS algorithm');
    throw badSignature('The body is not a valid compact JWS');
  }
}

const imported = new WeakMap<PartnerKey, Map<string, Promise<CryptoKey | Uint8Array>>>();

/** A partner's public JWK as a key for `alg`, imported once per key object (a partner read from the database is a new object). */
function importPartnerKey(key: PartnerKey, alg: string): Promise<CryptoKey | Uint8Array> {
  let byAlg = imported.get(key);
  if (!byAlg) imported.set(key, (byAlg = new Map()));
  let pending = byAlg.get(alg);
  if (!pending) {
    const { kid: _kid, use: _use, key_ops: _ops, alg: _alg, ...material } = key;
    pending = importJWK(material as JWK, alg);
    pending.catch(() => byAlg.delete(alg));
    byAlg.set(alg, pending);
  }
  return pending;
}

/** The partner key our answers to its encrypted requests are encrypted to: its newest `use: enc` key with a supported alg. */
export function partnerEncryptionKey(partner: Partner): PartnerKey | undefined {
  return partner.jwks.keys.filter((k) => k.use === 'enc' && KEY_MANAGEMENT_ALGORITHMS.includes(String(k.alg))).at(-1);
}

const encoder = new TextEncoder();

/** `json` signed with our active ES256 key, then encrypted to `encryptTo` when given; compact serialization. */
export async function sealAnswer(json: string, ring: KeyRing, encryptTo?: PartnerKey): Promise<string> {
  const ours = activeSigningKey(ring, 'ES256');
  const jws = await signCompactJws({ alg: 'ES256', kid: ours.kid, typ: 'JOSE', cty: 'json' }, encoder.encode(json), ours);
  if (!encryptTo) return jws;
  const alg = String(encryptTo.alg);
  return new CompactEncrypt(encoder.encode(jws))
    .setProtectedHeader({ alg, enc: 'A256GCM', kid: encryptTo.kid, cty: 'JOSE' })
    .encrypt(await importPartnerKey(encryptTo, alg));
}

/**
 * The surface's message check (run by resolvePartner once the partner is known and within its limit): an
 * application/jose body is opened and its payload replaces the body, and every answer from then on is sealed.
 * A plain JSON body passes untouched unless `requireSigned`, when it is 401 INVALID_PAYLOAD_SIGNATURE.
 */
export function signedMessages(options: { keys: KeyRing; requireSigned: boolean; logger: Logger }): MessageCheck {
  return (req, res, partner) => {
    const compact = joseBodyOf(req);
    if (compact === undefined) {
      if (options.requireSigned) throw badSignature(`This server accepts only signed requests: send the body as Content-Type: ${JOSE_MEDIA_TYPE}, a compact JWS of the JSON request`);
      return undefined;
    }
    return openMessage(compact, partner, options.keys).then((opened) => {
      const encryptTo = opened.encryptedTo ? partnerEncryptionKey(partner) : undefined;
      sealAnswers(req, res, options.keys, encryptTo, options.logger);
      if (opened.encryptedTo && !encryptTo) {
        throw new ProtocolError(
          ProtocolErrorCode.INVALID_PAYLOAD_ENCRYPTION,
          `Partner ${partner.id} has no encryption key (a JWK with use "enc" and alg ${KEY_MANAGEMENT_ALGORITHMS.join(' or ')}) to encrypt the answer to; register one, or send the request signed only`,
        );
      }
      if (opened.payload.byteLength > BODY_LIMIT_BYTES) throw new ProtocolError(ProtocolErrorCode.PAYLOAD_TOO_LARGE, `The signed request is larger than ${BODY_LIMIT_BYTES / 1024} KiB`);
      const refused = acceptJsonPayload(req, Buffer.from(opened.payload.buffer, opened.payload.byteOffset, opened.payload.byteLength));
      if (refused) throw refused;
    });
  };
}

/** From now on, whatever the request's handlers or error handler send with res.json goes out sealed. */
function sealAnswers(req: Request, res: Response, keys: KeyRing, encryptTo: PartnerKey | undefined, logger: Logger): void {
  const replacer = req.app.get('json replacer') as ((key: string, value: unknown) => unknown) | undefined;
  res.json = ((body: unknown) => {
    const json = JSON.stringify(body, replacer);
    sealAnswer(json, keys, encryptTo).then(
      (sealed) => res.type(JOSE_MEDIA_TYPE).send(sealed),
      (err: unknown) => {
        logger.error({ err }, 'the answer could not be sealed');
        res.status(isDependencyUnavailable(err) ? 503 : 500).end();
      },
    );
    return res;
  }) as Response['json'];
}

/**
 * `GET /.well-known/jwks.json`: our public keys (signing, retired ones too, and the active encryption keys), as
 * the ring holds them now: after a rotation is reloaded, the next request lists the new set.
 */
export function publishedKeys(ring: KeyRing): RequestHandler {
  let made: { signing: unknown; encryption: unknown; body: string } | undefined;
  return (_req, res) => {
    const { signingKeys: signing, encryptionKeys: encryption } = ring;
    if (made?.signing !== signing || made.encryption !== encryption) made = { signing, encryption, body: JSON.stringify(publicJwks(ring)) };
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/jwk-set+json').send(made.body);
  };
}

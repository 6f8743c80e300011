import { CompactEncrypt, CompactSign, CryptoKey, JWK, compactDecrypt, compactVerify, createLocalJWKSet, exportJWK, generateKeyPair, importJWK } from 'jose';
import request from 'supertest';
import { TestApp, newRequestId } from './test-app';

/** A partner's key pair as a test holds it: the private key to sign or decrypt, the public JWK to register. */
export interface PartnerKeyPair {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK & { kid: string; kty: string };
}

/** A fresh key pair for `alg`; `use` is written into the public JWK (sig or enc). */
export async function partnerKeyPair(kid: string, alg: string, use: 'sig' | 'enc' = 'sig'): Promise<PartnerKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { modulusLength: 2048 });
  const jwk = await exportJWK(publicKey);
  return { kid, alg, privateKey, publicJwk: { ...jwk, kid, alg, use, kty: jwk.kty! } };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const b64url = (text: string | Uint8Array) => Buffer.from(typeof text === 'string' ? encoder.encode(text) : text).toString('base64url');

/** The `{requestHeader, data}` JSON of a call, as `t.call` builds it. */
export function requestJson(t: TestApp, data: unknown, options: { requestId?: string } = {}): string {
  return JSON.stringify({
    requestHeader: { requestId: options.requestId ?? newRequestId(), requestTimestamp: { epochMillis: String(t.clock.now().getTime()) }, protocolVersion: { major: 1 } },
    data,
  });
}

/** A compact JWS of `payload`, signed with `key` (header: its alg and kid, unless overridden). */
export function sign(payload: string, key: Pick<PartnerKeyPair, 'alg' | 'kid' | 'privateKey'>, header: Record<string, unknown> = {}): Promise<string> {
  return new CompactSign(encoder.encode(payload)).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

/** Our public keys as a partner fetches them. */
export async function serverJwks(t: TestApp): Promise<{ keys: Array<JWK & { kid: string; alg: string; use: string }> }> {
  return (await t.http().get('/.well-known/jwks.json').expect(200)).body;
}

/** A compact JWE of `plaintext` to our active encryption key of `alg` (header overrides allowed, e.g. a wrong kid or enc). */
export async function encryptToServer(t: TestApp, plaintext: string, alg: 'RSA-OAEP-256' | 'ECDH-ES+A256KW', header: Record<string, unknown> = {}): Promise<string> {
  const ours = (await serverJwks(t)).keys.find((k) => k.use === 'enc' && k.alg === alg);
  if (!ours) throw new Error(`the server publishes no ${alg} key`);
  return encryptTo(ours, plaintext, header);
}

/** A compact JWE of `plaintext` to the public JWK `to` (its kid and alg, unless overridden). */
export async function encryptTo(to: JWK & { kid?: string; alg?: string }, plaintext: string, header: Record<string, unknown> = {}): Promise<string> {
  const { kid, alg, use: _use, ...material } = to;
  const keyAlg = typeof header.alg === 'string' ? header.alg : alg!;
  return new CompactEncrypt(encoder.encode(plaintext))
    .setProtectedHeader({ alg: alg!, enc: 'A256GCM', kid, cty: 'JOSE', ...header })
    .encrypt(await importJWK(material, keyAlg));
}

/** POSTs an application/jose body to a partner-API path. */
export function postJose(t: TestApp, path: string, compact: string, partnerId?: string, app: Parameters<typeof request>[0] = t.app): request.Test {
  return request(app)
    .post(`${t.services.config.basePath}${path}`)
    .set(partnerId ? { 'x-partner-id': partnerId } : {})
    .set('content-type', 'application/jose')
    .send(compact);
}

/** What a partner reads of an answer: whether it was signed (and encrypted), by which key, and the JSON inside. */
export interface OpenedAnswer {
  status: number;
  signed: boolean;
  encrypted: boolean;
  header?: Record<string, unknown>;
  body: { responseHeader: { requestId: string }; data?: any; errorResponse?: any };
  compact?: string;
}

/**
 * Opens an answer as a partner would: an application/jose answer is decrypted with the partner's encryption key
 * when it has five parts, then verified against /.well-known/jwks.json (ES256 only); a JSON answer is read as is.
 */
export async function openAnswer(t: TestApp, res: request.Response, decryptWith?: CryptoKey, ourKeys?: { keys: JWK[] }): Promise<OpenedAnswer> {
  const contentType = String(res.headers['content-type'] ?? '');
  if (!contentType.startsWith('application/jose')) return { status: res.status, signed: false, encrypted: false, body: res.body };
  let compact = res.text;
  const encrypted = compact.split('.').length === 5;
  if (encrypted) {
    if (!decryptWith) throw new Error('an encrypted answer, and no key to decrypt it with');
    compact = decoder.decode((await compactDecrypt(compact, decryptWith, { keyManagementAlgorithms: ['RSA-OAEP-256', 'ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'] })).plaintext);
  }
  const verified = await compactVerify(compact, createLocalJWKSet(ourKeys ?? (await serverJwks(t))), { algorithms: ['ES256'] });
  return { status: res.status, signed: true, encrypted, header: verified.protectedHeader, body: JSON.parse(decoder.decode(verified.payload)), compact: res.text };
}

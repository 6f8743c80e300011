import { createDecipheriv, createHash, createPublicKey, KeyObject, randomBytes } from 'node:crypto';
import { DecryptionKey, KeyUnavailableError, SigningKey } from './keys';

/**
 * Compact JWS signing and JWE decryption with our own keys, wherever their private halves live (memory or an
 * HSM: see {@link SigningKey} and {@link DecryptionKey}). jose needs the private key itself; these need only
 * the key's one private operation, so the same code serves both providers.
 *
 * - {@link signCompactJws}: `BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature)` (RFC 7515 §7.1),
 *   the header serialised as given (JSON.stringify, member order kept), exactly as jose's CompactSign does.
 * - {@link decryptCompactJwe}: a compact JWE (RFC 7516 §7.1) with `alg` RSA-OAEP-256 or ECDH-ES+A256KW and `enc`
 *   A256GCM, as the caller allows; no `zip`, no `crit`. Every refusal is a JweRefused whose message is for logs
 *   only: callers answer one fixed message whatever it says (no decryption oracle). A key-management step that
 *   fails goes on with a random CEK, so that it fails at the tag like any other garbled message (RFC 7516 §11.5).
 */

const encoder = new TextEncoder();
const b64url = (bytes: Uint8Array | string) => Buffer.from(typeof bytes === 'string' ? encoder.encode(bytes) : bytes).toString('base64url');

/** A compact JWS of `payload` with protected header `header` (which must name the key's alg), signed by `key`. */
export async function signCompactJws(header: Record<string, unknown> & { alg: string }, payload: Uint8Array, key: SigningKey): Promise<string> {
  if (header.alg !== key.alg) throw new Error(`The JWS header says ${header.alg}, but key ${key.kid} signs ${key.alg}`);
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(payload)}`;
  const signature = await key.sign(Buffer.from(signingInput, 'ascii'));
  return `${signingInput}.${b64url(signature)}`;
}

/** The protected header of a JWE, as sent. */
export interface JweHeader {
  alg: string;
  enc: string;
  kid?: string;
  [member: string]: unknown;
}

export class JweRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JweRefused';
  }
}

const CEK_BYTES: Record<string, number> = { A256GCM: 32 };
const AES_KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');

/**
 * Decrypts a compact JWE with the key `keyFor` picks from its protected header (undefined: refused).
 * Throws JweRefused for any message that does not decrypt, KeyUnavailableError when the key cannot be used now.
 */
export async function decryptCompactJwe(
  compact: string,
  keyFor: (header: JweHeader) => DecryptionKey | undefined,
  allowed: { keyManagementAlgorithms: readonly string[]; contentEncryptionAlgorithms: readonly string[] },
): Promise<{ plaintext: Uint8Array; protectedHeader: JweHeader }> {
  const parts = compact.split('.');
  if (parts.length !== 5) throw new JweRefused('not a compact JWE');
  const [encodedHeader, encryptedKeyPart, ivPart, ciphertextPart, tagPart] = parts;
  let header: JweHeader;
  try {
    header = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8')) as JweHeader;
  } catch {
    throw new JweRefused('the protected header is not base64url JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new JweRefused('the protected header is not an object');
  if (typeof header.alg !== 'string' || !allowed.keyManagementAlgorithms.includes(header.alg)) throw new JweRefused('alg not allowed');
  if (typeof header.enc !== 'string' || !allowed.contentEncryptionAlgorithms.includes(header.enc) || !(header.enc in CEK_BYTES)) throw new JweRefused('enc not allowed');
  if (header.zip !== undefined) throw new JweRefused('compressed');
  if (header.crit !== undefined) throw new JweRefused('crit is not understood');
  const key = keyFor(header);
  if (!key) throw new JweRefused('no such key');
  if (key.alg !== header.alg) throw new JweRefused('the key is for another alg');

  const encryptedKey = Buffer.from(encryptedKeyPart, 'base64url');
  const iv = Buffer.from(ivPart, 'base64url');
  const tag = Buffer.from(tagPart, 'base64url');
  if (encryptedKey.length === 0) throw new JweRefused('no encrypted key');
  if (iv.length !== 12) throw new JweRefused('the IV is not 96 bits');
  if (tag.length !== 16) throw new JweRefused('the tag is not 128 bits');
  const cekBytes = CEK_BYTES[header.enc];

  const unwrapped = await (header.alg === 'ECDH-ES+A256KW' ? ecdhEsUnwrap(header, encryptedKey, key) : key.decryptKey(encryptedKey)).then(
    (cek) => cek,
    (err: unknown) => {
      if (err instanceof JweRefused || err instanceof KeyUnavailableError) throw err;
      return undefined;
    },
  );
  const cek = unwrapped && unwrapped.length === cekBytes ? unwrapped : randomBytes(cekBytes);

  try {
    const decipher = createDecipheriv('aes-256-gcm', cek, iv, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(encodedHeader, 'ascii'));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertextPart, 'base64url')), decipher.final()]);
    return { plaintext: new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength), protectedHeader: header };
  } catch {
    throw new JweRefused('the content does not decrypt');
  }
}

/** ECDH-ES+A256KW (RFC 7518 §4.6): Z from the key, then the Concat KDF and AES key unwrap in software. */
async function ecdhEsUnwrap(header: JweHeader, encryptedKey: Buffer, key: DecryptionKey): Promise<Uint8Array> {
  const epk = header.epk as Record<string, unknown> | undefined;
  if (epk === null || typeof epk !== 'object' || Array.isArray(epk) || epk.kty !== 'EC' || epk.crv !== 'P-256' || typeof epk.x !== 'string' || typeof epk.y !== 'string') {
    throw new JweRefused('epk is not a P-256 public key');
  }
  let ephemeral: KeyObject;
  try {
    ephemeral = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: epk.x, y: epk.y }, format: 'jwk' });
  } catch {
    throw new JweRefused('epk is not a point of P-256');
  }
  const partyInfo = (name: 'apu' | 'apv') => {
    const value = header[name];
    if (value === undefined) return Buffer.alloc(0);
    if (typeof value !== 'string') throw new JweRefused(`${name} is not base64url`);
    return Buffer.from(value, 'base64url');
  };
  const apu = partyInfo('apu');
  const apv = partyInfo('apv');
  const z = await key.agree(ephemeral);
  const kek = concatKdf(z, 256, header.alg, apu, apv);
  const unwrap = createDecipheriv('id-aes256-wrap', kek, AES_KW_IV);
  return Buffer.concat([unwrap.update(encryptedKey), unwrap.final()]);
}

/** NIST SP 800-56A Concat KDF with SHA-256, as JWA §4.6.2 uses it (one round: keys up to 256 bits). */
export function concatKdf(z: Uint8Array, keyBits: number, algorithmId: string, apu: Uint8Array, apv: Uint8Array): Buffer {
  if (keyBits > 256) throw new Error('one round of the Concat KDF makes at most 256 bits');
  const uint32 = (n: number) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(n);
    return out;
  };
  const prefixed = (bytes: Uint8Array) => Buffer.concat([uint32(bytes.length), bytes]);
  return createHash('sha256')
    .update(uint32(1))
    .update(z)
    .update(prefixed(Buffer.from(algorithmId, 'ascii')))
    .update(prefixed(apu))
    .update(prefixed(apv))
    .update(uint32(keyBits))
    .digest()
    .subarray(0, keyBits / 8);
}

import { createHash, timingSafeEqual } from 'node:crypto';

const H_LEN = 32;
const EMPTY_LABEL_HASH = createHash('sha256').digest();

/**
 * EME-OAEP decoding (RFC 8017 §7.1.2, step 3) with SHA-256, MGF1 with SHA-256 and an empty label: the message
 * inside `em`, the k-byte result of a raw RSA decryption (CKM_RSA_X_509) that the HSM did with the private key.
 * Used only for tokens that refuse CKM_RSA_PKCS_OAEP with SHA-256 (SoftHSM2 2.6 allows SHA-1 only).
 *
 * Every check runs whatever the earlier ones found, and one error is thrown for all (Manger's attack needs to
 * tell the failures apart); JWE callers then go on with a random CEK, so the answer does not tell either.
 */
export function oaepDecode(em: Uint8Array, k: number): Buffer {
  if (k < 2 * H_LEN + 2 || em.length !== k) throw new Error('OAEP decoding failed');
  const maskedSeed = em.subarray(1, 1 + H_LEN);
  const maskedDb = em.subarray(1 + H_LEN);
  const seed = xor(maskedSeed, mgf1(maskedDb, H_LEN));
  const db = xor(maskedDb, mgf1(seed, k - H_LEN - 1));

  let bad = em[0];
  bad |= timingSafeEqual(db.subarray(0, H_LEN), EMPTY_LABEL_HASH) ? 0 : 1;
  let looking = 1;
  let index = 0;
  for (let i = H_LEN; i < db.length; i++) {
    const isOne = ((db[i] ^ 1) - 1) >>> 31;
    const isZero = (db[i] - 1) >>> 31;
    index |= -(looking & isOne) & i;
    bad |= looking & (isOne ^ 1) & (isZero ^ 1);
    looking &= isOne ^ 1;
  }
  bad |= looking;
  if (bad !== 0) throw new Error('OAEP decoding failed');
  return Buffer.from(db.subarray(index + 1));
}

function mgf1(seed: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(Math.ceil(length / H_LEN) * H_LEN);
  const counter = Buffer.alloc(4);
  for (let i = 0; i * H_LEN < length; i++) {
    counter.writeUInt32BE(i);
    createHash('sha256').update(seed).update(counter).digest().copy(out, i * H_LEN);
  }
  return out.subarray(0, length);
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

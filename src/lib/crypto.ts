import { createCipheriv, createDecipheriv, createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of two secrets of any length (the length itself is not hidden). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

const RANDOM_POOL_BYTES = 4096;
const randomPool = Buffer.alloc(RANDOM_POOL_BYTES);
let randomPoolOffset = RANDOM_POOL_BYTES;

/**
 * `count` bytes from the CSPRNG, served from a pool refilled 4 KiB at a time (as Node does for randomUUID):
 * one call into OpenSSL per pool instead of one per identifier. Every byte is handed out once.
 */
export function secureRandomBytes(count: number): Buffer {
  if (count > RANDOM_POOL_BYTES) return randomFillSync(Buffer.alloc(count));
  if (randomPoolOffset + count > RANDOM_POOL_BYTES) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const bytes = Buffer.from(randomPool.subarray(randomPoolOffset, randomPoolOffset + count));
  randomPoolOffset += count;
  return bytes;
}

/** An unguessable identifier or bearer token: `bytes` random bytes, base64url. */
export function randomToken(bytes = 24): string {
  return secureRandomBytes(bytes).toString('base64url');
}

/** Keyed hashing (HMAC-SHA256) for values that must be found again but never stored in clear. */
export class Hasher {
  constructor(private readonly key: Buffer) {}

  hash(purpose: string, value: string): string {
    return createHmac('sha256', this.key).update(purpose).update('\0').update(value).digest('base64url');
  }
}

/** AES-256-GCM envelope for data that must be read back (OTP secrets, applicant records): `v1.<iv>.<tag>.<ciphertext>`. */
export class Sealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('Sealer needs a 32-byte key');
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = secureRandomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string, associatedData: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unsupported sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

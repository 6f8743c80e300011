import type { DataKeys } from './keys';
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

/**
 * AES-256-GCM envelope for data that must be read back (OTP secrets, applicant records, stored replies):
 * `v2.<key id>.<iv>.<tag>.<ciphertext>`, sealed with the active data key and opened with whichever key it names,
 * so data keys rotate without re-encrypting. `v1.<iv>.<tag>.<ciphertext>` (before key ids) is opened by trying each key.
 */
export class Sealer {
  constructor(private readonly keys: DataKeys) {
    for (const [kid, key] of keys.keys) {
      if (key.length !== 32) throw new Error(`Data key ${kid} is not 32 bytes`);
      if (!/^[A-Za-z0-9_-]+$/.test(kid)) throw new Error(`Data key id ${kid} may hold only [A-Za-z0-9_-]`);
    }
    this.active();
  }

  /** The active key as of now: a key ring that reloads (a rotation without a restart) swaps it. */
  private active(): { kid: string; key: Buffer } {
    const kid = this.keys.activeKid;
    const key = this.keys.keys.get(kid);
    if (!key) throw new Error(`The active data key ${kid} is missing`);
    return { kid, key };
  }

  /** A Sealer with one key (tests, tools). */
  static withKey(key: Buffer, kid = 'dk-0'): Sealer {
    return new Sealer({ activeKid: kid, keys: new Map([[kid, key]]) });
  }

  seal(plaintext: string, associatedData: string): string {
    const active = this.active();
    const iv = secureRandomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', active.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v2', active.kid, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string, associatedData: string): string {
    const parts = sealed.split('.');
    if (parts[0] === 'v2' && parts.length === 5) {
      const key = this.keys.keys.get(parts[1]);
      if (!key) throw new Error(`Sealed with data key ${parts[1]}, which this key set does not hold`);
      return openWith(key, parts[2], parts[3], parts[4], associatedData);
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      for (const key of this.keys.keys.values()) {
        try {
          return openWith(key, parts[1], parts[2], parts[3], associatedData);
        } catch {
          /* the next key */
        }
      }
      throw new Error('No data key opens this sealed value');
    }
    throw new Error('Unsupported sealed value');
  }
}

function openWith(key: Buffer, iv: string, tag: string, body: string, associatedData: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

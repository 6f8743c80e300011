import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The server's secret material. Dev keys are generated on first start into KEYS_DIR (git-ignored). */
export interface KeyRing {
  /** HMAC key for phone/PAN lookups and hashed one-time codes. */
  hashingKey: Buffer;
  /** AES-256-GCM key for data at rest that must be read back. */
  dataKey: Buffer;
  /** ES256 key pair that signs the borrower auth tokens. */
  tokenSigningKey: KeyObject;
  tokenVerifyKey: KeyObject;
  tokenKeyId: string;
}

const FILES = { hashing: 'hashing.key', data: 'data.key', signing: 'auth-token-signing.pem' } as const;

function readOrCreate(dir: string, file: string, create: () => string | Buffer, mayCreate: boolean): Buffer {
  const full = path.join(dir, file);
  if (fs.existsSync(full)) return fs.readFileSync(full);
  if (!mayCreate) throw new Error(`Key file ${full} is missing; production keys are provisioned, never generated`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${full}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, create(), { mode: 0o600 });
  try {
    fs.linkSync(tmp, full); // atomic "create if absent": a concurrent first start keeps the winner's key
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.unlinkSync(tmp);
  }
  return fs.readFileSync(full);
}

export function loadKeyRing(dir: string, mayGenerate: boolean): KeyRing {
  const hashingKey = Buffer.from(readOrCreate(dir, FILES.hashing, () => randomBytes(32).toString('base64'), mayGenerate).toString('utf8').trim(), 'base64');
  const dataKey = Buffer.from(readOrCreate(dir, FILES.data, () => randomBytes(32).toString('base64'), mayGenerate).toString('utf8').trim(), 'base64');
  if (hashingKey.length !== 32 || dataKey.length !== 32) throw new Error(`Keys in ${dir} must be 32 bytes, base64`);
  const pem = readOrCreate(
    dir,
    FILES.signing,
    () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    mayGenerate,
  );
  const tokenSigningKey = createPrivateKey(pem);
  const tokenVerifyKey = createPublicKey(tokenSigningKey);
  const spki = tokenVerifyKey.export({ type: 'spki', format: 'der' });
  const tokenKeyId = createHash('sha256').update(spki).digest('base64url').slice(0, 16);
  return { hashingKey, dataKey, tokenSigningKey, tokenVerifyKey, tokenKeyId };
}

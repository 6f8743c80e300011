import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, JsonWebKey, KeyObject, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The server's own key set, one folder (`KEYS_DIR`):
 *
 * | file | holds |
 * |---|---|
 * | `keyset.json` | what the set is for (`development` or `production`), when it was made and rotated |
 * | `signing.jwks.json` | private JWKs that sign: ES256 (answers to partners, borrower auth tokens) and RS256 (OCEN) |
 * | `encryption.jwks.json` | private JWKs partners encrypt to: RSA-OAEP-256 and ECDH-ES+A256KW |
 * | `data.keys.json` | AES-256-GCM keys for data at rest, each with a key id that sealed values carry |
 * | `hashing.key` | the HMAC-SHA256 key of keyed hashes (phone/PAN look-ups, tokens); never rotated in place |
 *
 * Every key has a `status`: `active` keys sign, encrypt and are advertised; `retired` keys (kept by a rotation)
 * only verify and decrypt what was made before it. A development set is generated on first start and marked
 * so; production refuses it.
 */
export type KeySetEnvironment = 'development' | 'production';
export type KeyStatus = 'active' | 'retired';
export type SigningAlgorithm = 'ES256' | 'RS256';
export type KeyAgreementAlgorithm = 'RSA-OAEP-256' | 'ECDH-ES+A256KW';

/** A public JWK as published at /.well-known/jwks.json. */
export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: string;
  use: 'sig' | 'enc';
}

/** One of our asymmetric keys. */
export interface OwnKey<A extends string = string> {
  kid: string;
  alg: A;
  status: KeyStatus;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: PublicJwk;
}

/** Data keys for sealing: the active one seals, all open. */
export interface DataKeys {
  activeKid: string;
  keys: ReadonlyMap<string, Buffer>;
}

export interface KeyRing {
  environment: KeySetEnvironment;
  /** HMAC key for phone/PAN look-ups, hashed one-time codes and tokens. */
  hashingKey: Buffer;
  /** AES-256-GCM keys for data at rest that must be read back. */
  dataKeys: DataKeys;
  /** Every signing key, active first; retired ones still verify. */
  signingKeys: OwnKey<SigningAlgorithm>[];
  /** Every encryption key, active first; retired ones still decrypt. */
  encryptionKeys: OwnKey<KeyAgreementAlgorithm>[];
}

export const KEY_FILES = {
  manifest: 'keyset.json',
  signing: 'signing.jwks.json',
  encryption: 'encryption.jwks.json',
  data: 'data.keys.json',
  hashing: 'hashing.key',
} as const;

const MANIFEST_FORMAT = 'credit-partner-keyset/1';

interface Manifest {
  format: typeof MANIFEST_FORMAT;
  environment: KeySetEnvironment;
  createdAt: string;
  rotatedAt?: string;
}

interface StoredJwk extends JsonWebKey {
  kid: string;
  alg: string;
  use: 'sig' | 'enc';
  status: KeyStatus;
}

interface StoredDataKey {
  kid: string;
  status: KeyStatus;
  k: string;
}

/** Why a key set cannot be used; every problem found, not just the first. */
export class KeySetError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'KeySetError';
  }
}

/** The active key signing with `alg`. */
export function activeSigningKey<A extends SigningAlgorithm>(ring: KeyRing, alg: A): OwnKey<A> {
  const key = ring.signingKeys.find((k) => k.alg === alg && k.status === 'active');
  if (!key) throw new Error(`The key set has no active ${alg} signing key`);
  return key as OwnKey<A>;
}

/** What partners need of us: every signing key (retired ones still verify older answers) and the active encryption keys. */
export function publicJwks(ring: KeyRing): { keys: PublicJwk[] } {
  return {
    keys: [...ring.signingKeys.map((k) => k.publicJwk), ...ring.encryptionKeys.filter((k) => k.status === 'active').map((k) => k.publicJwk)],
  };
}

/** RFC 7638 thumbprint of a public JWK, base64url: the key id of every asymmetric key we make. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const required: Record<string, string[]> = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] };
  const members = required[jwk.kty ?? ''];
  if (!members) throw new Error(`Cannot take the thumbprint of a ${jwk.kty} key`);
  const canonical = `{${members.map((m) => `"${m}":${JSON.stringify((jwk as Record<string, unknown>)[m])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

function newAsymmetricKey(alg: SigningAlgorithm | KeyAgreementAlgorithm, use: 'sig' | 'enc'): StoredJwk {
  const pair = alg === 'ES256' || alg === 'ECDH-ES+A256KW'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 3072 });
  const jwk = pair.privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: jwkThumbprint(pair.publicKey.export({ format: 'jwk' })), alg, use, status: 'active' };
}

function newDataKey(): StoredDataKey {
  return { kid: `dk-${randomBytes(6).toString('hex')}`, status: 'active', k: randomBytes(32).toString('base64') };
}

const newSigningKeys = () => [newAsymmetricKey('ES256', 'sig'), newAsymmetricKey('RS256', 'sig')];
const newEncryptionKeys = () => [newAsymmetricKey('RSA-OAEP-256', 'enc'), newAsymmetricKey('ECDH-ES+A256KW', 'enc')];

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Writes `content` to `file` only if it does not exist yet (atomic: a concurrent writer's file wins and is kept). */
function createIfAbsent(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.unlinkSync(tmp);
  }
}

/** Replaces `file` atomically (write, then rename over it). */
function replace(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * Writes a complete key set into `dir`, each file only where it is missing, so that processes starting together
 * end with one set. A development set takes over the keys of the layout before key sets (`hashing.key`,
 * `data.key`, `auth-token-signing.pem`) when it finds them, so a developer's database stays readable.
 */
export function generateKeySet(dir: string, environment: KeySetEnvironment, now = new Date()): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const at = (file: string) => path.join(dir, file);
  const legacy = (file: string) => (environment === 'development' && fs.existsSync(at(file)) ? fs.readFileSync(at(file), 'utf8').trim() : undefined);

  const legacyPem = legacy('auth-token-signing.pem');
  const signing = newSigningKeys();
  if (legacyPem) {
    const privateKey = createPrivateKey(legacyPem);
    signing[0] = { ...privateKey.export({ format: 'jwk' }), kid: jwkThumbprint(createPublicKey(privateKey).export({ format: 'jwk' })), alg: 'ES256', use: 'sig', status: 'active' };
  }
  const legacyData = legacy('data.key');
  const data = legacyData ? { kid: 'dk-legacy', status: 'active' as const, k: legacyData } : newDataKey();

  createIfAbsent(at(KEY_FILES.hashing), `${legacy('hashing.key') ?? randomBytes(32).toString('base64')}\n`);
  createIfAbsent(at(KEY_FILES.data), json({ keys: [data] }));
  createIfAbsent(at(KEY_FILES.signing), json({ keys: signing }));
  createIfAbsent(at(KEY_FILES.encryption), json({ keys: newEncryptionKeys() }));
  const manifest: Manifest = { format: MANIFEST_FORMAT, environment, createdAt: now.toISOString() };
  createIfAbsent(at(KEY_FILES.manifest), json(manifest));
}

/**
 * New active signing, encryption and data keys; the old ones stay, retired, to verify and decrypt what they made.
 * The hashing key is not rotated: the look-up hashes stored with it would no longer be found.
 */
export function rotateKeySet(dir: string, now = new Date()): { retired: string[]; added: string[] } {
  const problems = inspectKeySet(dir);
  if (problems.length) throw new KeySetError(problems);
  const at = (file: string) => path.join(dir, file);
  const retired: string[] = [];
  const retire = <K extends { kid: string; status: KeyStatus }>(keys: K[]) =>
    keys.map((key) => {
      if (key.status === 'active') retired.push(key.kid);
      return { ...key, status: 'retired' as const };
    });
  const signing = readJson<{ keys: StoredJwk[] }>(at(KEY_FILES.signing));
  const encryption = readJson<{ keys: StoredJwk[] }>(at(KEY_FILES.encryption));
  const data = readJson<{ keys: StoredDataKey[] }>(at(KEY_FILES.data));
  const added = { signing: newSigningKeys(), encryption: newEncryptionKeys(), data: newDataKey() };
  replace(at(KEY_FILES.signing), json({ keys: [...added.signing, ...retire(signing.keys)] }));
  replace(at(KEY_FILES.encryption), json({ keys: [...added.encryption, ...retire(encryption.keys)] }));
  replace(at(KEY_FILES.data), json({ keys: [added.data, ...retire(data.keys)] }));
  const manifest = readJson<Manifest>(at(KEY_FILES.manifest));
  replace(at(KEY_FILES.manifest), json({ ...manifest, rotatedAt: now.toISOString() }));
  return { retired, added: [...added.signing, ...added.encryption, added.data].map((k) => k.kid) };
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Reads the key set in `dir`; every problem is collected into one KeySetError. */
export function readKeySet(dir: string): KeyRing {
  const problems: string[] = [];
  const at = (file: string) => path.join(dir, file);
  const read = <T>(file: string, parse: (text: string) => T): T | undefined => {
    let text: string;
    try {
      text = fs.readFileSync(at(file), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push(`${at(file)} is ${code === 'ENOENT' ? 'missing' : `unreadable (${code})`}`);
      return undefined;
    }
    try {
      return parse(text);
    } catch (err) {
      problems.push(`${at(file)} is not a valid key file: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };

  const manifest = read(KEY_FILES.manifest, (text) => {
    const value = JSON.parse(text) as Manifest;
    if (value.format !== MANIFEST_FORMAT || !['development', 'production'].includes(value.environment)) throw new Error(`expected format ${MANIFEST_FORMAT} and an environment`);
    return value;
  });
  const hashingKey = read(KEY_FILES.hashing, (text) => thirtyTwoBytes(text.trim(), 'the hashing key'));
  const dataKeys = read(KEY_FILES.data, (text) => {
    const keys = (JSON.parse(text) as { keys: StoredDataKey[] }).keys;
    const active = keys.filter((k) => k.status === 'active');
    if (active.length !== 1) throw new Error('exactly one data key must be active');
    return { activeKid: active[0].kid, keys: new Map(keys.map((k) => [k.kid, thirtyTwoBytes(k.k, `data key ${k.kid}`)])) };
  });
  const signingKeys = read(KEY_FILES.signing, (text) => importKeys<SigningAlgorithm>(text, 'sig', ['ES256', 'RS256']));
  const encryptionKeys = read(KEY_FILES.encryption, (text) => importKeys<KeyAgreementAlgorithm>(text, 'enc', ['RSA-OAEP-256', 'ECDH-ES+A256KW']));
  if (signingKeys && !signingKeys.some((k) => k.alg === 'ES256' && k.status === 'active')) problems.push(`${at(KEY_FILES.signing)} has no active ES256 key`);
  if (encryptionKeys && !encryptionKeys.some((k) => k.status === 'active')) problems.push(`${at(KEY_FILES.encryption)} has no active key`);
  if (problems.length) throw new KeySetError(problems);
  return { environment: manifest!.environment, hashingKey: hashingKey!, dataKeys: dataKeys!, signingKeys: signingKeys!, encryptionKeys: encryptionKeys! };
}

/** Every problem of the key set in `dir` (none: it can be used). */
export function inspectKeySet(dir: string): string[] {
  try {
    readKeySet(dir);
    return [];
  } catch (err) {
    return err instanceof KeySetError ? err.problems : [String(err)];
  }
}

/** The key set of `dir`; outside production a missing set is generated first (marked `development`). */
export function loadKeyRing(dir: string, mayGenerate: boolean): KeyRing {
  if (mayGenerate && !fs.existsSync(path.join(dir, KEY_FILES.manifest))) generateKeySet(dir, 'development');
  return readKeySet(dir);
}

function thirtyTwoBytes(base64: string, what: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error(`${what} must be 32 bytes, base64`);
  return key;
}

function importKeys<A extends string>(text: string, use: 'sig' | 'enc', algorithms: readonly A[]): OwnKey<A>[] {
  const stored = (JSON.parse(text) as { keys: StoredJwk[] }).keys;
  if (!Array.isArray(stored) || stored.length === 0) throw new Error('no keys');
  const keys = stored.map((jwk) => {
    const { kid, alg, status, use: storedUse, ...material } = jwk;
    if (!algorithms.includes(alg as A)) throw new Error(`key ${kid} has algorithm ${alg}; expected one of ${algorithms.join(', ')}`);
    if (storedUse !== use || !['active', 'retired'].includes(status)) throw new Error(`key ${kid} needs use "${use}" and a status`);
    const privateKey = createPrivateKey({ key: material, format: 'jwk' });
    const publicKey = createPublicKey(privateKey);
    const publicJwk: PublicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use };
    return { kid, alg: alg as A, status, privateKey, publicKey, publicJwk };
  });
  return [...keys.filter((k) => k.status === 'active'), ...keys.filter((k) => k.status === 'retired')];
}

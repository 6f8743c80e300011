import { createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, JsonWebKey, KeyObject, randomBytes, sign, webcrypto } from 'node:crypto';
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
 *
 * With `KEY_PROVIDER=pkcs11` the asymmetric keys live in an HSM instead (src/lib/pkcs11/), and the folder holds
 * only the rest (`keyset.json`, `data.keys.json`, `hashing.key`): the `symmetric` layout of the functions below.
 * Either way the rest of the server sees a {@link KeyRing} whose private keys are reached only through
 * {@link SigningKey.sign} and the two {@link DecryptionKey} steps, never as key material.
 *
 * This file imports nothing but Node's own modules (test/unit/keys.test.ts runs it alone in worker threads).
 */
export type KeySetEnvironment = 'development' | 'production';
export type KeyStatus = 'active' | 'retired';
export type SigningAlgorithm = 'ES256' | 'RS256';
/** The digest an RSA signing key signs with: its own algorithm's (sha256), or sha512 for RS512. */
export type SignatureHash = 'sha256' | 'sha512';
export type KeyAgreementAlgorithm = 'RSA-OAEP-256' | 'ECDH-ES+A256KW';

/** A public JWK as published at /.well-known/jwks.json. */
export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: string;
  use: 'sig' | 'enc';
}

/** One of our asymmetric keys, as far as anyone may see it: the public half. */
export interface OwnKey<A extends string = string> {
  kid: string;
  alg: A;
  status: KeyStatus;
  publicKey: KeyObject;
  publicJwk: PublicJwk;
}

/**
 * A key we sign with. Its private half signs where it lives (this process's memory for the file provider, the
 * HSM for PKCS#11) and is never handed out.
 */
export interface SigningKey extends OwnKey<SigningAlgorithm> {
  /**
   * The JWS signature (RFC 7518 §3) of `signingInput`, the exact bytes to sign: ES256 as the 64 bytes R || S
   * (not DER), RS256 as RSASSA-PKCS1-v1_5 with SHA-256. Rejects when the key cannot be used (HSM unreachable).
   * An RSA key given `hash` 'sha512' signs RS512 instead (RSASSA-PKCS1-v1_5 with SHA-512, the same key: OCEN v3's
   * algorithm); an ES256 key refuses it.
   */
  sign(signingInput: Uint8Array, hash?: SignatureHash): Promise<Uint8Array>;
}

/**
 * A key partners encrypt to (JWE, RFC 7516). Only the step of JWE key management that needs the private key is
 * done by it; the rest (Concat KDF, AES key unwrap, content decryption) needs none and is done by the caller.
 */
export interface DecryptionKey extends OwnKey<KeyAgreementAlgorithm> {
  /** RSA-OAEP-256 keys: RSAES-OAEP decryption (SHA-256, MGF1 with SHA-256, empty label) of a JWE Encrypted Key: the CEK. */
  decryptKey(encryptedKey: Uint8Array): Promise<Uint8Array>;
  /** ECDH-ES+A256KW keys: the ECDH shared secret Z (32 bytes) with the sender's ephemeral P-256 public key (`epk`). */
  agree(ephemeralPublicKey: KeyObject): Promise<Uint8Array>;
}

/** A key of the file provider: its private key is in this process (tests and tools read it). */
export interface FileSigningKey extends SigningKey {
  privateKey: KeyObject;
}

export interface FileDecryptionKey extends DecryptionKey {
  privateKey: KeyObject;
}

/** Data keys for sealing: the active one seals, all open. */
export interface DataKeys {
  activeKid: string;
  keys: ReadonlyMap<string, Buffer>;
}

/**
 * The server's key set as its users see it. Read `signingKeys`, `encryptionKeys` and `dataKeys` when a key is
 * needed, never once at start: a reloading ring (src/lib/key-provider.ts) swaps them after a rotation.
 */
export interface KeyRing {
  environment: KeySetEnvironment;
  /** HMAC key for phone/PAN look-ups, hashed one-time codes and tokens. */
  hashingKey: Buffer;
  /** AES-256-GCM keys for data at rest that must be read back. */
  dataKeys: DataKeys;
  /** Every signing key, active first; retired ones still verify. */
  signingKeys: SigningKey[];
  /** Every encryption key, active first; retired ones still decrypt. */
  encryptionKeys: DecryptionKey[];
  /**
   * Reads the key set again at once, when a key named by a message is not held (another process may have
   * rotated first); true when the set changed. Rings that never change do not have it.
   */
  refresh?(): boolean;
}

/** A key set read from its folder, private keys in memory. */
export interface FileKeyRing extends KeyRing {
  signingKeys: FileSigningKey[];
  encryptionKeys: FileDecryptionKey[];
}

/**
 * What a key folder holds: the whole set (`files`, the file provider) or everything but the asymmetric keys
 * (`symmetric`: they live in an HSM, see src/lib/pkcs11/).
 */
export type KeyFolderLayout = 'files' | 'symmetric';

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

/**
 * A key that exists but cannot be used now (the HSM unreachable, its sessions lost): temporary, so a request
 * is answered 503 and a job waits (`code` is one src/lib/unavailable.ts knows), never "the message is bad".
 */
export class KeyUnavailableError extends Error {
  readonly code = 'KEY_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyUnavailableError';
  }
}

/** Why a key set cannot be used; every problem found, not just the first. */
export class KeySetError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'KeySetError';
  }
}

/** The active key signing with `alg`. */
export function activeSigningKey(ring: KeyRing, alg: SigningAlgorithm): SigningKey {
  const key = ring.signingKeys.find((k) => k.alg === alg && k.status === 'active');
  if (!key) throw new Error(`The key set has no active ${alg} signing key`);
  return key;
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
 * The `symmetric` layout writes no asymmetric keys (an HSM holds them).
 */
export function generateKeySet(dir: string, environment: KeySetEnvironment, now = new Date(), layout: KeyFolderLayout = 'files'): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const at = (file: string) => path.join(dir, file);
  const legacy = (file: string) => (environment === 'development' && fs.existsSync(at(file)) ? fs.readFileSync(at(file), 'utf8').trim() : undefined);

  const legacyData = legacy('data.key');
  const data = legacyData ? { kid: 'dk-legacy', status: 'active' as const, k: legacyData } : newDataKey();

  createIfAbsent(at(KEY_FILES.hashing), `${legacy('hashing.key') ?? randomBytes(32).toString('base64')}\n`);
  createIfAbsent(at(KEY_FILES.data), json({ keys: [data] }));
  if (layout === 'files') {
    const legacyPem = legacy('auth-token-signing.pem');
    const signing = newSigningKeys();
    if (legacyPem) {
      const privateKey = createPrivateKey(legacyPem);
      signing[0] = { ...privateKey.export({ format: 'jwk' }), kid: jwkThumbprint(createPublicKey(privateKey).export({ format: 'jwk' })), alg: 'ES256', use: 'sig', status: 'active' };
    }
    createIfAbsent(at(KEY_FILES.signing), json({ keys: signing }));
    createIfAbsent(at(KEY_FILES.encryption), json({ keys: newEncryptionKeys() }));
  }
  const manifest: Manifest = { format: MANIFEST_FORMAT, environment, createdAt: now.toISOString() };
  createIfAbsent(at(KEY_FILES.manifest), json(manifest));
}

/**
 * New active signing, encryption and data keys; the old ones stay, retired, to verify and decrypt what they made.
 * The hashing key is not rotated: the look-up hashes stored with it would no longer be found. The `symmetric`
 * layout rotates the data keys only (the HSM's keys are rotated in the HSM).
 */
export function rotateKeySet(dir: string, now = new Date(), layout: KeyFolderLayout = 'files'): { retired: string[]; added: string[] } {
  const problems = inspectKeySet(dir, layout);
  if (problems.length) throw new KeySetError(problems);
  const at = (file: string) => path.join(dir, file);
  const retired: string[] = [];
  const retire = <K extends { kid: string; status: KeyStatus }>(keys: K[]) =>
    keys.map((key) => {
      if (key.status === 'active') retired.push(key.kid);
      return { ...key, status: 'retired' as const };
    });
  const added: string[] = [];
  if (layout === 'files') {
    const signing = readJson<{ keys: StoredJwk[] }>(at(KEY_FILES.signing));
    const encryption = readJson<{ keys: StoredJwk[] }>(at(KEY_FILES.encryption));
    const newSigning = newSigningKeys();
    const newEncryption = newEncryptionKeys();
    replace(at(KEY_FILES.signing), json({ keys: [...newSigning, ...retire(signing.keys)] }));
    replace(at(KEY_FILES.encryption), json({ keys: [...newEncryption, ...retire(encryption.keys)] }));
    added.push(...[...newSigning, ...newEncryption].map((k) => k.kid));
  }
  const data = readJson<{ keys: StoredDataKey[] }>(at(KEY_FILES.data));
  const newData = newDataKey();
  replace(at(KEY_FILES.data), json({ keys: [newData, ...retire(data.keys)] }));
  added.push(newData.kid);
  const manifest = readJson<Manifest>(at(KEY_FILES.manifest));
  replace(at(KEY_FILES.manifest), json({ ...manifest, rotatedAt: now.toISOString() }));
  return { retired, added };
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Reads the key set in `dir`; every problem is collected into one KeySetError. */
export function readKeySet(dir: string, layout: KeyFolderLayout = 'files'): FileKeyRing {
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
  let signingKeys: FileSigningKey[] | undefined = [];
  let encryptionKeys: FileDecryptionKey[] | undefined = [];
  if (layout === 'files') {
    signingKeys = read(KEY_FILES.signing, (text) => importKeys(text, 'sig', ['ES256', 'RS256'] as const).map(fileSigningKey));
    encryptionKeys = read(KEY_FILES.encryption, (text) => importKeys(text, 'enc', ['RSA-OAEP-256', 'ECDH-ES+A256KW'] as const).map(fileDecryptionKey));
    if (signingKeys && !signingKeys.some((k) => k.alg === 'ES256' && k.status === 'active')) problems.push(`${at(KEY_FILES.signing)} has no active ES256 key`);
    if (encryptionKeys && !encryptionKeys.some((k) => k.status === 'active')) problems.push(`${at(KEY_FILES.encryption)} has no active key`);
  } else {
    const onDisk = [KEY_FILES.signing, KEY_FILES.encryption].filter((file) => fs.existsSync(at(file)));
    if (onDisk.length) problems.push(`${onDisk.map(at).join(' and ')} hold private keys on disk, but the asymmetric keys live in the HSM (KEY_PROVIDER=pkcs11): move ${onDisk.length === 1 ? 'it' : 'them'} out of the key folder`);
  }
  if (problems.length) throw new KeySetError(problems);
  return { environment: manifest!.environment, hashingKey: hashingKey!, dataKeys: dataKeys!, signingKeys: signingKeys!, encryptionKeys: encryptionKeys! };
}

/** Every problem of the key set in `dir` (none: it can be used). */
export function inspectKeySet(dir: string, layout: KeyFolderLayout = 'files'): string[] {
  try {
    readKeySet(dir, layout);
    return [];
  } catch (err) {
    return err instanceof KeySetError ? err.problems : [String(err)];
  }
}

/** The key set of `dir`; outside production a missing set is generated first (marked `development`). */
export function loadKeyRing(dir: string, mayGenerate: boolean, layout: KeyFolderLayout = 'files'): FileKeyRing {
  if (mayGenerate && !fs.existsSync(path.join(dir, KEY_FILES.manifest))) generateKeySet(dir, 'development', new Date(), layout);
  return readKeySet(dir, layout);
}

function thirtyTwoBytes(base64: string, what: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32) throw new Error(`${what} must be 32 bytes, base64`);
  return key;
}

interface ImportedKey<A extends string> extends OwnKey<A> {
  privateKey: KeyObject;
}

function importKeys<A extends string>(text: string, use: 'sig' | 'enc', algorithms: readonly A[]): ImportedKey<A>[] {
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

/**
 * A signing key whose private key is in memory (the file provider). Node signs in the caller's turn (about a
 * millisecond for RSA-2048), not on the thread pool: an answer signed on the pool went out a turn later, and a 413
 * answered that way to a client still streaming an endless body was lost in 1 run of 5 (test/http/body-limits).
 */
export function fileSigningKey(key: ImportedKey<SigningAlgorithm>): FileSigningKey {
  const signingKey = key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' as const } : key.privateKey;
  return {
    ...key,
    sign: (signingInput, hash = 'sha256') =>
      key.alg === 'ES256' && hash !== 'sha256'
        ? Promise.reject(new Error(`key ${key.kid} is ES256 and cannot sign with ${hash}`))
        : Promise.resolve().then(() => sign(hash, signingInput, signingKey)),
  };
}

/** A decryption key whose private key is in memory (the file provider). */
export function fileDecryptionKey(key: ImportedKey<KeyAgreementAlgorithm>): FileDecryptionKey {
  let oaepKey: Promise<webcrypto.CryptoKey> | undefined;
  return {
    ...key,
    async decryptKey(encryptedKey) {
      if (key.alg !== 'RSA-OAEP-256') throw new Error(`key ${key.kid} is for ${key.alg}, not RSA-OAEP-256`);
      oaepKey ??= webcrypto.subtle.importKey('jwk', key.privateKey.export({ format: 'jwk' }), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
      return new Uint8Array(await webcrypto.subtle.decrypt({ name: 'RSA-OAEP' }, await oaepKey, encryptedKey));
    },
    async agree(ephemeralPublicKey) {
      if (key.alg !== 'ECDH-ES+A256KW') throw new Error(`key ${key.kid} is for ${key.alg}, not ECDH-ES+A256KW`);
      return diffieHellman({ privateKey: key.privateKey, publicKey: ephemeralPublicKey });
    },
  };
}

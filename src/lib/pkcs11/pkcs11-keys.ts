import { createHash, createPublicKey, KeyObject, randomBytes } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import {
  DecryptionKey, KeyAgreementAlgorithm, KeySetEnvironment, KeySetError, KeyStatus, KeyUnavailableError, PublicJwk, SigningAlgorithm, SigningKey, jwkThumbprint,
} from '../keys';
import { Pkcs11Token, isSessionLost, pkcs11Code, pkcs11CodeName } from './pkcs11-token';
import { oaepDecode } from './rsa-oaep';

/**
 * Our asymmetric keys in a PKCS#11 token: the same four kinds as the file provider's (ES256 and RS256 to sign,
 * RSA-OAEP-256 and ECDH-ES+A256KW to decrypt), each a key pair made in the token whose private key is
 * CKA_SENSITIVE and not CKA_EXTRACTABLE: it is used there and never leaves it. The public halves are read from
 * the token and published.
 *
 * Objects, all token objects, private (readable only once logged in) except the public keys:
 * - each key pair: CKA_ID = the kid (its RFC 7638 thumbprint, ASCII), CKA_LABEL = `credit-partner <use> <alg> <kid>`;
 *   each private key can do one thing only (CKA_SIGN, CKA_DECRYPT or CKA_DERIVE);
 * - the manifest, a data object (CKA_APPLICATION `credit-partner`, CKA_LABEL `credit-partner keyset`) whose value
 *   is JSON: the set's environment and dates, a generation number, and each key's kid, alg, use and status
 *   (`active` or `retired`). A rotation makes the new key pairs first, then writes the next generation of the
 *   manifest and removes the older ones, so a reader sees the old set or the new one, never a half; key pairs a
 *   failed rotation left behind are listed by `keys inspect` and used by nothing.
 *
 * Private operations (PKCS#11 mechanisms):
 * - ES256: CKM_ECDSA over the SHA-256 of the signing input (hashed here): R || S, exactly the JWS form;
 * - RS256: CKM_SHA256_RSA_PKCS;
 * - RSA-OAEP-256: CKM_RSA_PKCS_OAEP with SHA-256 and MGF1-SHA-256; a token that refuses those parameters
 *   (SoftHSM2 2.6 allows SHA-1 only) gets CKM_RSA_X_509 (the raw private-key operation, still in the token)
 *   and the OAEP padding is checked here (rsa-oaep.ts). `keys inspect` says which one the token uses;
 * - ECDH-ES+A256KW: CKM_ECDH1_DERIVE with the sender's ephemeral key gives the shared secret Z as a session
 *   object that may be read (it is this one message's secret, not the key), read and destroyed at once; the
 *   Concat KDF and the AES key unwrap follow in software (src/lib/jose-compact.ts).
 */

export const TOKEN_APPLICATION = 'credit-partner';
export const TOKEN_MANIFEST_LABEL = 'credit-partner keyset';
const TOKEN_MANIFEST_FORMAT = 'credit-partner-pkcs11-keyset/1';
const RSA_BITS = 3072;
/** DER of the P-256 curve's OID (1.2.840.10045.3.1.7), as CKA_EC_PARAMS. */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

type Alg = SigningAlgorithm | KeyAgreementAlgorithm;
type Use = 'sig' | 'enc';

interface ManifestKey {
  kid: string;
  alg: Alg;
  use: Use;
  status: KeyStatus;
}

interface TokenManifest {
  format: typeof TOKEN_MANIFEST_FORMAT;
  environment: KeySetEnvironment;
  createdAt: string;
  rotatedAt?: string;
  generation: number;
  keys: ManifestKey[];
}

/** The asymmetric half of a key ring, from a token. */
export interface TokenKeys {
  environment: KeySetEnvironment;
  generation: number;
  signingKeys: SigningKey[];
  encryptionKeys: DecryptionKey[];
}

const KINDS: Array<{ alg: Alg; use: Use }> = [
  { alg: 'ES256', use: 'sig' },
  { alg: 'RS256', use: 'sig' },
  { alg: 'RSA-OAEP-256', use: 'enc' },
  { alg: 'ECDH-ES+A256KW', use: 'enc' },
];

const label = (key: { alg: string; use: string; kid: string }) => `credit-partner ${key.use} ${key.alg} ${key.kid}`;
const isEc = (alg: Alg) => alg === 'ES256' || alg === 'ECDH-ES+A256KW';

/** Whether the token holds a key set (a manifest). */
export function hasTokenKeySet(token: Pkcs11Token): boolean {
  return readManifests(token).length > 0;
}

/**
 * Makes a key set in the token unless it holds one: four key pairs and the manifest. Returns whether it was made.
 * Run it once per token (the deployment's one-shot `keys ensure`); two at once may both make keys, and then the
 * manifest written last is the set, the other pairs stay unused.
 */
export function ensureTokenKeySet(token: Pkcs11Token, environment: KeySetEnvironment, now = new Date()): boolean {
  if (hasTokenKeySet(token)) return false;
  const keys = KINDS.map((kind) => generateKeyPair(token, kind.alg, kind.use));
  writeManifest(token, { format: TOKEN_MANIFEST_FORMAT, environment, createdAt: now.toISOString(), generation: 1, keys: keys.map((k) => ({ ...k, status: 'active' as const })) });
  return true;
}

/** New active key pairs of each kind; the old ones stay, retired, to verify and decrypt what they made. */
export function rotateTokenKeySet(token: Pkcs11Token, now = new Date()): { retired: string[]; added: string[] } {
  const manifest = currentManifest(token);
  if (!manifest) throw new KeySetError([`The PKCS#11 token ${token.label} holds no key set: run \`npm run keys -- ensure\` first`]);
  const problems = inspectTokenKeySet(token).problems;
  if (problems.length) throw new KeySetError(problems);
  const added = KINDS.map((kind) => generateKeyPair(token, kind.alg, kind.use));
  const retired = manifest.keys.filter((k) => k.status === 'active').map((k) => k.kid);
  writeManifest(token, {
    ...manifest,
    rotatedAt: now.toISOString(),
    generation: manifest.generation + 1,
    keys: [...added.map((k) => ({ ...k, status: 'active' as const })), ...manifest.keys.map((k) => ({ ...k, status: 'retired' as const }))],
  });
  return { retired, added: added.map((k) => k.kid) };
}

/** The token's key set, ready to use; KeySetError with every problem otherwise. */
export function readTokenKeys(token: Pkcs11Token): TokenKeys {
  const manifest = currentManifest(token);
  if (!manifest) throw new KeySetError([`The PKCS#11 token ${token.label} holds no key set (run \`npm run keys -- ensure\` with KEY_PROVIDER=pkcs11)`]);
  const problems: string[] = [];
  const signingKeys: SigningKey[] = [];
  const encryptionKeys: DecryptionKey[] = [];
  for (const entry of manifest.keys) {
    const found = describeKey(token, entry);
    problems.push(...found.problems);
    if (found.problems.length || !found.publicKey) continue;
    const own = { kid: entry.kid, status: entry.status, publicKey: found.publicKey, publicJwk: { ...found.publicJwk!, kid: entry.kid, alg: entry.alg, use: entry.use } as PublicJwk };
    const ref = new PrivateKeyRef(token, entry.kid);
    if (entry.use === 'sig') signingKeys.push(tokenSigningKey({ ...own, alg: entry.alg as SigningAlgorithm }, ref));
    else encryptionKeys.push(tokenDecryptionKey({ ...own, alg: entry.alg as KeyAgreementAlgorithm }, ref));
  }
  if (!signingKeys.some((k) => k.alg === 'ES256' && k.status === 'active') && !problems.length) problems.push(`The PKCS#11 token ${token.label} has no active ES256 key`);
  if (!encryptionKeys.some((k) => k.status === 'active') && !problems.length) problems.push(`The PKCS#11 token ${token.label} has no active encryption key`);
  if (problems.length) throw new KeySetError(problems);
  const byStatus = <K extends { status: KeyStatus }>(keys: K[]) => [...keys.filter((k) => k.status === 'active'), ...keys.filter((k) => k.status === 'retired')];
  return { environment: manifest.environment, generation: manifest.generation, signingKeys: byStatus(signingKeys), encryptionKeys: byStatus(encryptionKeys) };
}

/** What `keys inspect` shows of one key pair in the token. */
export interface TokenKeyDescription {
  kid: string;
  alg: string;
  use: string;
  status: KeyStatus | 'unused';
  label: string;
  /** The private key's protection, as the token reports it. */
  sensitive?: boolean;
  extractable?: boolean;
  alwaysSensitive?: boolean;
  neverExtractable?: boolean;
  /** What the token answered when asked for the private key's value (CKA_VALUE, or CKA_PRIVATE_EXPONENT for RSA). */
  privateValue?: string;
}

/** The key set of the token as `keys inspect` reports it, with every problem (none: usable). */
export function inspectTokenKeySet(token: Pkcs11Token): { environment?: KeySetEnvironment; generation?: number; createdAt?: string; rotatedAt?: string; keys: TokenKeyDescription[]; problems: string[] } {
  const manifest = currentManifest(token);
  if (!manifest) return { keys: [], problems: [`The PKCS#11 token ${token.label} holds no key set`] };
  const problems: string[] = [];
  const keys: TokenKeyDescription[] = manifest.keys.map((entry) => {
    const found = describeKey(token, entry);
    problems.push(...found.problems);
    return found.description;
  });
  const listed = new Set(manifest.keys.map((k) => k.kid));
  for (const orphan of ourKeyIds(token).filter((kid) => !listed.has(kid))) {
    keys.push({ kid: orphan, alg: '?', use: '?', status: 'unused', label: `credit-partner … ${orphan} (not in the manifest: left by an interrupted rotation; may be destroyed)` });
  }
  return { environment: manifest.environment, generation: manifest.generation, createdAt: manifest.createdAt, rotatedAt: manifest.rotatedAt, keys, problems };
}

function describeKey(token: Pkcs11Token, entry: ManifestKey): { problems: string[]; description: TokenKeyDescription; publicKey?: KeyObject; publicJwk?: Record<string, unknown> } {
  const description: TokenKeyDescription = { kid: entry.kid, alg: entry.alg, use: entry.use, status: entry.status, label: label(entry) };
  const problems: string[] = [];
  const what = `key ${entry.kid} (${entry.alg}) in the PKCS#11 token ${token.label}`;
  const [publicHandle] = findObjects(token, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY }, { type: pkcs11js.CKA_ID, value: Buffer.from(entry.kid, 'ascii') }]);
  const [privateHandle] = findObjects(token, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_ID, value: Buffer.from(entry.kid, 'ascii') }]);
  if (!publicHandle || !privateHandle) return { problems: [`${what}: its ${publicHandle ? 'private' : 'public'} key is missing`], description };

  let publicKey: KeyObject | undefined;
  let publicJwk: Record<string, unknown> | undefined;
  try {
    publicKey = readPublicKey(token, publicHandle, entry.alg);
    publicJwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    if (jwkThumbprint(publicJwk) !== entry.kid) problems.push(`${what}: the public key's thumbprint is not its kid`);
  } catch (err) {
    problems.push(`${what}: the public key cannot be read (${pkcs11CodeName(err)})`);
  }
  const flags = token.run((module, session) =>
    module.C_GetAttributeValue(session, privateHandle, [
      { type: pkcs11js.CKA_SENSITIVE }, { type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_ALWAYS_SENSITIVE }, { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
      { type: entry.use === 'sig' ? pkcs11js.CKA_SIGN : entry.alg === 'RSA-OAEP-256' ? pkcs11js.CKA_DECRYPT : pkcs11js.CKA_DERIVE },
    ]).map((attribute) => attribute.value[0] === 1),
  );
  [description.sensitive, description.extractable, description.alwaysSensitive, description.neverExtractable] = flags;
  if (!description.sensitive || description.extractable) problems.push(`${what}: the private key is not protected (CKA_SENSITIVE must be true and CKA_EXTRACTABLE false)`);
  if (!flags[4]) problems.push(`${what}: the private key may not ${entry.use === 'sig' ? 'sign' : entry.alg === 'RSA-OAEP-256' ? 'decrypt' : 'derive'}`);
  description.privateValue = askForPrivateValue(token, privateHandle, entry.alg);
  return { problems, description, publicKey, publicJwk };
}

/** Asks the token for the private key's value, which it must refuse; what it answered. */
export function askForPrivateValue(token: Pkcs11Token, handle: pkcs11js.Handle, alg: string): string {
  const attribute = alg === 'ES256' || alg === 'ECDH-ES+A256KW' ? pkcs11js.CKA_VALUE : pkcs11js.CKA_PRIVATE_EXPONENT;
  try {
    const [value] = token.run((module, session) => module.C_GetAttributeValue(session, handle, [{ type: attribute }]));
    return value.value.length ? `given (${value.value.length} bytes): NOT PROTECTED` : 'refused (empty)';
  } catch (err) {
    return `refused: ${pkcs11CodeName(err)}`;
  }
}

function findObjects(token: Pkcs11Token, template: pkcs11js.Template): pkcs11js.Handle[] {
  return token.run((module, session) => {
    module.C_FindObjectsInit(session, template);
    try {
      return module.C_FindObjects(session, 1000);
    } finally {
      module.C_FindObjectsFinal(session);
    }
  });
}

/** The kids of every key pair this server made in the token (by label), listed or not. */
function ourKeyIds(token: Pkcs11Token): string[] {
  const handles = findObjects(token, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }]);
  const kids = handles.flatMap((handle) => {
    const [labelAttribute, idAttribute] = token.run((module, session) => module.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_LABEL }, { type: pkcs11js.CKA_ID }]));
    return labelAttribute.value.toString('utf8').startsWith('credit-partner ') ? [idAttribute.value.toString('ascii')] : [];
  });
  return [...new Set(kids)];
}

function readManifests(token: Pkcs11Token): Array<{ handle: pkcs11js.Handle; manifest: TokenManifest | undefined }> {
  const handles = findObjects(token, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
    { type: pkcs11js.CKA_APPLICATION, value: TOKEN_APPLICATION },
    { type: pkcs11js.CKA_LABEL, value: TOKEN_MANIFEST_LABEL },
  ]);
  return handles.map((handle) => {
    const [value] = token.run((module, session) => module.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }]));
    try {
      const manifest = JSON.parse(value.value.toString('utf8')) as TokenManifest;
      return { handle, manifest: manifest.format === TOKEN_MANIFEST_FORMAT && Array.isArray(manifest.keys) ? manifest : undefined };
    } catch {
      return { handle, manifest: undefined };
    }
  });
}

/** The newest manifest (highest generation; among equals, the one whose JSON sorts first, so every reader picks the same). */
function currentManifest(token: Pkcs11Token): TokenManifest | undefined {
  const valid = readManifests(token).flatMap((m) => (m.manifest ? [m.manifest] : []));
  valid.sort((a, b) => b.generation - a.generation || JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return valid[0];
}

function writeManifest(token: Pkcs11Token, manifest: TokenManifest): void {
  const older = readManifests(token);
  token.run((module, session) =>
    module.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_APPLICATION, value: TOKEN_APPLICATION },
      { type: pkcs11js.CKA_LABEL, value: TOKEN_MANIFEST_LABEL },
      { type: pkcs11js.CKA_VALUE, value: Buffer.from(JSON.stringify(manifest), 'utf8') },
    ]),
  );
  for (const { handle, manifest: old } of older) {
    if (!old || old.generation < manifest.generation) token.run((module, session) => module.C_DestroyObject(session, handle));
  }
}

/** Makes a key pair for `alg` in the token, its private key sensitive and never extractable; names both halves by the kid. */
function generateKeyPair(token: Pkcs11Token, alg: Alg, use: Use): { kid: string; alg: Alg; use: Use } {
  const pendingId = randomBytes(16);
  const common = [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_ID, value: pendingId },
    { type: pkcs11js.CKA_LABEL, value: 'credit-partner pending' },
  ];
  const mayDo = {
    sign: use === 'sig',
    decrypt: alg === 'RSA-OAEP-256',
    derive: alg === 'ECDH-ES+A256KW',
  };
  const publicTemplate = [
    ...common,
    { type: pkcs11js.CKA_PRIVATE, value: false },
    { type: pkcs11js.CKA_VERIFY, value: mayDo.sign },
    ...(isEc(alg)
      ? [{ type: pkcs11js.CKA_EC_PARAMS, value: P256_PARAMS }]
      : [{ type: pkcs11js.CKA_MODULUS_BITS, value: RSA_BITS }, { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }, { type: pkcs11js.CKA_ENCRYPT, value: mayDo.decrypt }]),
  ];
  const privateTemplate = [
    ...common,
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_SIGN, value: mayDo.sign },
    { type: pkcs11js.CKA_DERIVE, value: mayDo.derive },
    ...(isEc(alg) ? [] : [{ type: pkcs11js.CKA_DECRYPT, value: mayDo.decrypt }, { type: pkcs11js.CKA_UNWRAP, value: false }]),
  ];
  const mechanism = { mechanism: isEc(alg) ? pkcs11js.CKM_EC_KEY_PAIR_GEN : pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN };
  const pair = token.run((module, session) => module.C_GenerateKeyPair(session, mechanism, publicTemplate, privateTemplate));
  const kid = jwkThumbprint(readPublicKey(token, pair.publicKey, alg).export({ format: 'jwk' }));
  const named = [{ type: pkcs11js.CKA_ID, value: Buffer.from(kid, 'ascii') }, { type: pkcs11js.CKA_LABEL, value: label({ use, alg, kid }) }];
  token.run((module, session) => {
    module.C_SetAttributeValue(session, pair.publicKey, named);
    module.C_SetAttributeValue(session, pair.privateKey, named);
  });
  return { kid, alg, use };
}

function readPublicKey(token: Pkcs11Token, handle: pkcs11js.Handle, alg: Alg): KeyObject {
  if (isEc(alg)) {
    const [params, point] = token.run((module, session) => module.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_EC_PARAMS }, { type: pkcs11js.CKA_EC_POINT }]));
    if (!params.value.equals(P256_PARAMS)) throw new Error('not a P-256 key');
    const raw = uncompressedPoint(point.value);
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
  }
  const [modulus, exponent] = token.run((module, session) => module.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_MODULUS }, { type: pkcs11js.CKA_PUBLIC_EXPONENT }]));
  const unsigned = (bytes: Buffer) => bytes.subarray(bytes.findIndex((b) => b !== 0));
  return createPublicKey({ key: { kty: 'RSA', n: unsigned(modulus.value).toString('base64url'), e: unsigned(exponent.value).toString('base64url') }, format: 'jwk' });
}

/** CKA_EC_POINT is the point 04 || X || Y, as a DER OCTET STRING (PKCS#11 2.40) or, from some modules, bare. */
function uncompressedPoint(value: Buffer): Buffer {
  if (value.length === 67 && value[0] === 0x04 && value[1] === 0x41 && value[2] === 0x04) return value.subarray(2);
  if (value.length === 65 && value[0] === 0x04) return value;
  throw new Error('CKA_EC_POINT is not an uncompressed P-256 point');
}

/** The private key of one kid: its handle, found when first used and again after the token forgets it. */
class PrivateKeyRef {
  private handle: pkcs11js.Handle | undefined;

  constructor(readonly token: Pkcs11Token, readonly kid: string) {}

  get(): pkcs11js.Handle {
    if (!this.handle) {
      const [found] = findObjects(this.token, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_ID, value: Buffer.from(this.kid, 'ascii') }]);
      if (!found) throw new KeyUnavailableError(`The private key ${this.kid} is no longer in the PKCS#11 token ${this.token.label}`);
      this.handle = found;
    }
    return this.handle;
  }

  /** Runs `fn` with the key's handle on a pooled session; a handle the token no longer knows is looked up again. */
  use<T>(fn: (module: pkcs11js.PKCS11, session: pkcs11js.Handle, handle: pkcs11js.Handle) => Promise<T>): Promise<T> {
    return this.token.withSession(async (module, session) => {
      try {
        return await fn(module, session, this.get());
      } catch (err) {
        if (isSessionLost(err)) this.handle = undefined;
        throw err;
      }
    });
  }
}

function tokenSigningKey(key: Omit<SigningKey, 'sign'>, ref: PrivateKeyRef): SigningKey {
  const signatureBytes = key.alg === 'ES256' ? 64 : (key.publicKey.asymmetricKeyDetails?.modulusLength ?? RSA_BITS) / 8;
  return {
    ...key,
    sign: (signingInput, hash = 'sha256') =>
      ref.use(async (module, session, handle) => {
        if (key.alg === 'ES256') {
          if (hash !== 'sha256') throw new Error(`key ${key.kid} is ES256 and cannot sign with ${hash}`);
          module.C_SignInit(session, { mechanism: pkcs11js.CKM_ECDSA }, handle);
          const signature = await module.C_SignAsync(session, createHash('sha256').update(signingInput).digest(), Buffer.alloc(signatureBytes));
          if (signature.length !== 64) throw new Error(`The token made an ECDSA signature of ${signature.length} bytes, not 64`);
          return signature;
        }
        module.C_SignInit(session, { mechanism: hash === 'sha512' ? pkcs11js.CKM_SHA512_RSA_PKCS : pkcs11js.CKM_SHA256_RSA_PKCS }, handle);
        return module.C_SignAsync(session, Buffer.from(signingInput), Buffer.alloc(signatureBytes));
      }),
  };
}

/** Return values of C_DecryptInit meaning "not these OAEP parameters", after which CKM_RSA_X_509 is tried. */
const OAEP_REFUSED = new Set([pkcs11js.CKR_ARGUMENTS_BAD, pkcs11js.CKR_MECHANISM_PARAM_INVALID, pkcs11js.CKR_MECHANISM_INVALID]);
/** CKZ_DATA_SPECIFIED: the OAEP label is the (empty) source data. */
const CKZ_DATA_SPECIFIED = 1;

function tokenDecryptionKey(key: Omit<DecryptionKey, 'decryptKey' | 'agree'>, ref: PrivateKeyRef): DecryptionKey {
  const modulusBytes = (key.publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  return {
    ...key,
    decryptKey(encryptedKey) {
      if (key.alg !== 'RSA-OAEP-256') return Promise.reject(new Error(`key ${key.kid} is for ${key.alg}, not RSA-OAEP-256`));
      return ref.use(async (module, session, handle) => {
        const token = ref.token;
        if (token.rsaOaep !== 'raw') {
          try {
            const parameter: pkcs11js.RsaOAEP = { type: pkcs11js.CK_PARAMS_RSA_OAEP, hashAlg: pkcs11js.CKM_SHA256, mgf: pkcs11js.CKG_MGF1_SHA256, source: CKZ_DATA_SPECIFIED };
            module.C_DecryptInit(session, { mechanism: pkcs11js.CKM_RSA_PKCS_OAEP, parameter }, handle);
            token.rsaOaep = 'native';
            return await module.C_DecryptAsync(session, Buffer.from(encryptedKey), Buffer.alloc(modulusBytes));
          } catch (err) {
            if (token.rsaOaep === 'native' || !OAEP_REFUSED.has(pkcs11Code(err) ?? -1)) throw err;
            token.rsaOaep = 'raw';
          }
        }
        if (encryptedKey.length !== modulusBytes) throw new Error('The encrypted key is not as long as the modulus');
        module.C_DecryptInit(session, { mechanism: pkcs11js.CKM_RSA_X_509 }, handle);
        const raw = await module.C_DecryptAsync(session, Buffer.from(encryptedKey), Buffer.alloc(modulusBytes));
        const em = Buffer.concat([Buffer.alloc(modulusBytes - raw.length), raw]);
        return oaepDecode(em, modulusBytes);
      });
    },
    agree(ephemeralPublicKey) {
      if (key.alg !== 'ECDH-ES+A256KW') return Promise.reject(new Error(`key ${key.kid} is for ${key.alg}, not ECDH-ES+A256KW`));
      const jwk = ephemeralPublicKey.export({ format: 'jwk' });
      if (jwk.crv !== 'P-256' || !jwk.x || !jwk.y) return Promise.reject(new Error('The ephemeral key is not a P-256 key'));
      const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
      const parameter: pkcs11js.ECDH1 = { type: pkcs11js.CK_PARAMS_EC_DH, kdf: pkcs11js.CKD_NULL, publicData: point };
      return ref.use(async (module, session, handle) => {
        const secret = await module.C_DeriveKeyAsync(
          session,
          { mechanism: pkcs11js.CKM_ECDH1_DERIVE, parameter },
          handle,
          [
            { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
            { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
            { type: pkcs11js.CKA_TOKEN, value: false },
            { type: pkcs11js.CKA_SENSITIVE, value: false },
            { type: pkcs11js.CKA_EXTRACTABLE, value: true },
            { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
          ],
        );
        try {
          return module.C_GetAttributeValue(session, secret, [{ type: pkcs11js.CKA_VALUE }])[0].value;
        } finally {
          module.C_DestroyObject(session, secret);
        }
      });
    },
  };
}

import { constants, diffieHellman, generateKeyPairSync, publicEncrypt, randomBytes, verify } from 'node:crypto';
import type { Logger } from 'pino';
import {
  DataKeys, DecryptionKey, KeyRing, KeySetEnvironment, KeySetError, SigningKey, inspectKeySet, loadKeyRing, readKeySet,
} from './keys';
import { Pkcs11Settings, Pkcs11Token } from './pkcs11/pkcs11-token';
import { ensureTokenKeySet, hasTokenKeySet, readTokenKeys } from './pkcs11/pkcs11-keys';

/**
 * Where the server's keys come from (`KEY_PROVIDER`), behind one port, {@link KeySource}:
 *
 * - `file` (the default): the whole set in `KEYS_DIR` (src/lib/keys.ts);
 * - `pkcs11`: the signing and decryption keys in an HSM's token (src/lib/pkcs11/), used there and never out of
 *   it; `KEYS_DIR` keeps the data keys (AES-256-GCM, data at rest) and the hashing key (HMAC), which stay files.
 *
 * The server holds a {@link LiveKeyRing}: the set as last read, read again on SIGHUP ({@link reloadOnSignal})
 * and every `KEYS_RELOAD_MS`, and at once (at most once a second) when a message names a key it does not hold,
 * as after another process's rotation. A rotation thus needs no restart: the new active keys sign and seal, the
 * retired ones still verify and decrypt, /.well-known/jwks.json lists the new set. A set that cannot be read, or
 * whose hashing key changed (stored look-up hashes would no longer match), is refused and the old one kept.
 */
export interface KeyProviderSettings {
  /** `KEY_PROVIDER`: `file` or `pkcs11`. */
  provider: 'file' | 'pkcs11';
  /** `KEYS_DIR`: the key folder (the whole set, or with pkcs11 the data and hashing keys). */
  dir: string;
  /** `KEYS_RELOAD_MS`: how often the set is read again (0: only on SIGHUP and unknown keys). */
  reloadMs: number;
  /** The token, with `KEY_PROVIDER=pkcs11`. */
  pkcs11?: Pkcs11Settings;
}

/** The port: a key set, read whole each time it is asked for. */
export interface KeySource {
  readonly provider: 'file' | 'pkcs11';
  /** The key set as it is now; KeySetError with every problem otherwise. */
  read(): KeyRing;
  /** Lets go of what the source holds open (the token's sessions). */
  close(): void;
}

/**
 * The source of `settings`. `mayGenerate` (outside production): a missing set is made first, marked
 * `development` (with pkcs11, in the token).
 */
export function openKeySource(settings: KeyProviderSettings, options: { mayGenerate: boolean }): KeySource {
  if (settings.provider === 'file') {
    return { provider: 'file', read: () => loadKeyRing(settings.dir, options.mayGenerate), close: () => undefined };
  }
  if (!settings.pkcs11) throw new KeySetError(['KEY_PROVIDER=pkcs11 needs the PKCS11_* settings']);
  const token = Pkcs11Token.open(settings.pkcs11);
  return {
    provider: 'pkcs11',
    read() {
      const folder = loadKeyRing(settings.dir, options.mayGenerate, 'symmetric');
      if (options.mayGenerate && !hasTokenKeySet(token)) ensureTokenKeySet(token, 'development');
      const inToken = readTokenKeys(token);
      const environment: KeySetEnvironment = folder.environment === 'production' && inToken.environment === 'production' ? 'production' : 'development';
      return { environment, hashingKey: folder.hashingKey, dataKeys: folder.dataKeys, signingKeys: inToken.signingKeys, encryptionKeys: inToken.encryptionKeys };
    },
    close: () => token.close(),
  };
}

/**
 * Every problem of the key set of `settings` (none: it can be used), and its environment when readable; the
 * production boot guard's check. Opens the token and lets go of it again.
 */
export function inspectKeyProvider(settings: KeyProviderSettings): { problems: string[]; environment?: KeySetEnvironment } {
  if (settings.provider === 'file') {
    const problems = inspectKeySet(settings.dir);
    return problems.length ? { problems } : { problems, environment: readKeySet(settings.dir).environment };
  }
  const problems = inspectKeySet(settings.dir, 'symmetric').map((problem) => `KEYS_DIR: ${problem}`);
  let source: KeySource | undefined;
  try {
    source = openKeySource(settings, { mayGenerate: false });
    const ring = source.read();
    return { problems, environment: ring.environment };
  } catch (err) {
    if (err instanceof KeySetError) problems.push(...err.problems.filter((problem) => !problem.startsWith(settings.dir)));
    else problems.push(`the PKCS#11 token cannot be used: ${err instanceof Error ? err.message : String(err)}`);
    return { problems };
  } finally {
    source?.close();
  }
}

type ReloadLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/** What a reload did. */
export interface ReloadOutcome {
  changed: boolean;
  /** Why the set read was refused (the old one is kept). */
  refused?: string;
  signing: string[];
  encryption: string[];
  activeDataKey: string;
}

/** The key ring the server uses: the latest good read of its source (see the module comment). */
export class LiveKeyRing implements KeyRing {
  private current: KeyRing;
  private readonly hashing: Buffer;
  private timer: NodeJS.Timeout | undefined;
  private lastRead = Date.now();
  /** Data keys as of now, for the Sealer: a kid it does not know makes the ring read the set again. */
  readonly dataKeys: DataKeys;

  constructor(
    private readonly source: KeySource,
    private readonly logger?: ReloadLogger,
    private readonly options: { refreshAtMostEveryMs?: number } = {},
  ) {
    this.current = source.read();
    this.hashing = this.current.hashingKey;
    this.dataKeys = new LiveDataKeys(() => this.current.dataKeys, () => this.refresh());
  }

  get provider(): 'file' | 'pkcs11' {
    return this.source.provider;
  }

  get environment(): KeySetEnvironment {
    return this.current.environment;
  }

  get hashingKey(): Buffer {
    return this.hashing;
  }

  get signingKeys(): SigningKey[] {
    return this.current.signingKeys;
  }

  get encryptionKeys(): DecryptionKey[] {
    return this.current.encryptionKeys;
  }

  /** Reads the set again now; on failure the current one is kept (and the reason logged and returned). */
  reload(reason = 'asked'): ReloadOutcome {
    this.lastRead = Date.now();
    const before = fingerprint(this.current);
    let next: KeyRing;
    try {
      next = this.source.read();
      if (!next.hashingKey.equals(this.hashing)) throw new KeySetError(['the hashing key changed: look-up hashes stored with the old one would no longer be found (it is never rotated)']);
    } catch (err) {
      const refused = err instanceof KeySetError ? err.problems.join('; ') : err instanceof Error ? err.message : String(err);
      this.logger?.error({ reason, refused }, 'the key set could not be read again; the keys in use are kept');
      return { changed: false, refused, ...describe(this.current) };
    }
    // An unchanged set keeps the objects in use (and what they cache, such as the published JWKS).
    if (fingerprint(next) === before) return { changed: false, ...describe(this.current) };
    this.current = next;
    this.logger?.info({ reason, ...describe(next) }, 'key set reloaded: new keys in use');
    return { changed: true, ...describe(next) };
  }

  /** Reads the set again when a key was not found, at most once per `refreshAtMostEveryMs` (1 s); true when it changed. */
  refresh(): boolean {
    if (Date.now() - this.lastRead < (this.options.refreshAtMostEveryMs ?? 1_000)) return false;
    return this.reload('a key not held was asked for').changed;
  }

  /** Reads the set again every `ms` (not keeping the process alive); 0 or less: never. */
  reloadEvery(ms: number): this {
    clearInterval(this.timer);
    this.timer = ms > 0 ? setInterval(() => this.reload('interval'), ms).unref() : undefined;
    return this;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.source.close();
  }
}

/** The ring of `settings`, reloading every `settings.reloadMs`. */
export function openKeyRing(settings: KeyProviderSettings, options: { mayGenerate: boolean; logger?: ReloadLogger }): LiveKeyRing {
  const source = openKeySource(settings, { mayGenerate: options.mayGenerate });
  try {
    return new LiveKeyRing(source, options.logger).reloadEvery(settings.reloadMs);
  } catch (err) {
    source.close();
    throw err;
  }
}

/** Reloads `ring` on `signal` (SIGHUP: `kill -HUP <pid>`, what `docker kill --signal HUP` sends); returns the remover. */
export function reloadOnSignal(ring: LiveKeyRing, signal: NodeJS.Signals = 'SIGHUP'): () => void {
  const handler = () => ring.reload(signal);
  process.on(signal, handler);
  return () => process.off(signal, handler);
}

function describe(ring: KeyRing): Omit<ReloadOutcome, 'changed' | 'refused'> {
  return {
    signing: ring.signingKeys.map((k) => `${k.alg}:${k.kid}:${k.status}`),
    encryption: ring.encryptionKeys.map((k) => `${k.alg}:${k.kid}:${k.status}`),
    activeDataKey: ring.dataKeys.activeKid,
  };
}

function fingerprint(ring: KeyRing): string {
  return JSON.stringify({ ...describe(ring), data: [...ring.dataKeys.keys.keys()] });
}

/** DataKeys that follow the ring; a kid not held asks the ring to read the set again, once. */
class LiveDataKeys implements DataKeys {
  readonly keys: ReadonlyMap<string, Buffer>;

  constructor(private readonly now: () => DataKeys, refresh: () => boolean) {
    this.keys = new LiveMap(() => this.now().keys, refresh);
  }

  get activeKid(): string {
    return this.now().activeKid;
  }
}

class LiveMap implements ReadonlyMap<string, Buffer> {
  constructor(private readonly now: () => ReadonlyMap<string, Buffer>, private readonly refresh: () => boolean) {}

  get(kid: string): Buffer | undefined {
    return this.now().get(kid) ?? (this.refresh() ? this.now().get(kid) : undefined);
  }

  has(kid: string): boolean {
    return this.get(kid) !== undefined;
  }

  get size(): number {
    return this.now().size;
  }

  forEach(fn: (value: Buffer, key: string, map: ReadonlyMap<string, Buffer>) => void): void {
    this.now().forEach((value, key) => fn(value, key, this));
  }

  entries(): MapIterator<[string, Buffer]> {
    return this.now().entries();
  }

  keys(): MapIterator<string> {
    return this.now().keys();
  }

  values(): MapIterator<Buffer> {
    return this.now().values();
  }

  [Symbol.iterator](): MapIterator<[string, Buffer]> {
    return this.now().entries();
  }
}

/** One private-key operation tried by {@link selfTest}. */
export interface SelfTestResult {
  kid: string;
  alg: string;
  status: string;
  operation: 'sign' | 'decrypt' | 'agree';
  ok: boolean;
  error?: string;
}

/**
 * Uses every private key of `ring` once and checks the result with its public key: a signature verifies, an
 * OAEP ciphertext made to it decrypts, an ECDH agreement matches the other side's (`keys inspect`).
 */
export async function selfTest(ring: KeyRing): Promise<SelfTestResult[]> {
  const data = Buffer.from('credit-partner key self-test');
  const trial = async (key: SigningKey | DecryptionKey, operation: SelfTestResult['operation'], run: () => Promise<boolean>): Promise<SelfTestResult> => {
    const result = { kid: key.kid, alg: key.alg, status: key.status, operation };
    try {
      return (await run()) ? { ...result, ok: true } : { ...result, ok: false, error: 'the result does not check with the public key' };
    } catch (err) {
      return { ...result, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  };
  const signing = ring.signingKeys.map((key) =>
    trial(key, 'sign', async () => verify('sha256', data, key.alg === 'ES256' ? { key: key.publicKey, dsaEncoding: 'ieee-p1363' } : key.publicKey, await key.sign(data))),
  );
  const decrypting = ring.encryptionKeys.map((key) => {
    if (key.alg === 'RSA-OAEP-256') {
      return trial(key, 'decrypt', async () => {
        const secret = randomBytes(32);
        const sealed = publicEncrypt({ key: key.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, secret);
        return Buffer.from(await key.decryptKey(sealed)).equals(secret);
      });
    }
    return trial(key, 'agree', async () => {
      const ephemeral = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return Buffer.from(await key.agree(ephemeral.publicKey)).equals(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: key.publicKey }));
    });
  });
  return Promise.all([...signing, ...decrypting]);
}

import * as pkcs11js from 'pkcs11js';
import { KeyUnavailableError } from '../keys';

/**
 * One token of a PKCS#11 module (an HSM partition, a SoftHSM2 token), logged in, with a pool of sessions.
 *
 * Settings (`PKCS11_*`, validated in src/lib/config.ts):
 * - `module`: the vendor's PKCS#11 library (`PKCS11_MODULE`, e.g. /usr/lib/softhsm/libsofthsm2.so);
 * - the token, by `tokenLabel` (`PKCS11_TOKEN_LABEL`) or by `slot` id (`PKCS11_SLOT`, as the vendor's tool lists it);
 * - `pin`: the user PIN (`PKCS11_PIN`, or read from the file `PKCS11_PIN_FILE`), kept in memory to log in again
 *   after the HSM drops the sessions; never logged, never in an error message;
 * - `sessions`: how many private-key operations may run at once (`PKCS11_SESSIONS`, default 4).
 *
 * Threads and concurrency. pkcs11js calls the module synchronously on the event loop, or (its `…Async` calls) on
 * libuv's thread pool. The module is initialised with CKF_OS_LOCKING_OK, so it locks for itself across threads.
 * A PKCS#11 session runs one operation at a time, so:
 * - private-key operations (sign, decrypt, derive) take a session of the pool for the whole operation
 *   ({@link withSession}) and run on the thread pool, off the event loop; past `sessions`, callers queue (FIFO);
 * - short synchronous calls (find objects, read attributes, generate keys for the command line) use one
 *   separate session ({@link run}), only ever from the event loop, between awaits, so never two at once.
 * One process opens a token once: {@link Pkcs11Token.open} hands every caller the same logged-in token and
 * counts them; the last {@link close} logs out, closes the sessions and finalises the module.
 *
 * When the HSM drops the sessions (a restart, a network HSM's failover), the operation is retried once on a new
 * session (logged in again); if that fails too, it rejects with KeyUnavailableError (answered 503, a job waits).
 */
export interface Pkcs11Settings {
  module: string;
  tokenLabel?: string;
  slot?: string;
  pin: string;
  sessions: number;
}

type Handle = pkcs11js.Handle;
type Module = pkcs11js.PKCS11;

interface LoadedModule {
  module: Module;
  users: number;
  /** Whether this process initialised it (and so finalises it). */
  initialized: boolean;
}

const modules = new Map<string, LoadedModule>();
const tokens = new Map<string, Pkcs11Token>();

/** PKCS#11 return values meaning the sessions (or the login, or the device) are gone, not that the input was bad. */
const SESSION_LOST = new Set(
  ['CKR_SESSION_HANDLE_INVALID', 'CKR_SESSION_CLOSED', 'CKR_USER_NOT_LOGGED_IN', 'CKR_DEVICE_REMOVED', 'CKR_DEVICE_ERROR', 'CKR_TOKEN_NOT_PRESENT', 'CKR_TOKEN_NOT_RECOGNIZED', 'CKR_OBJECT_HANDLE_INVALID', 'CKR_KEY_HANDLE_INVALID']
    .map((name) => (pkcs11js as unknown as Record<string, number | undefined>)[name])
    .filter((code): code is number => code !== undefined),
);
const { CKR_USER_ALREADY_LOGGED_IN, CKR_CRYPTOKI_ALREADY_INITIALIZED } = pkcs11js;

/** The PKCS#11 return value of an error from pkcs11js (undefined for anything else). */
export function pkcs11Code(err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'number') return code;
  // Some calls throw a plain Error whose message is "CKR_NAME:code".
  const match = typeof message === 'string' ? /\bCKR_[A-Z0-9_]+:(\d+)/.exec(message) : null;
  return match ? Number(match[1]) : undefined;
}

/** The name of a return value (CKR_…), for messages. */
export function pkcs11CodeName(err: unknown): string {
  const code = pkcs11Code(err);
  if (code === undefined) return typeof (err as { message?: unknown })?.message === 'string' ? (err as { message: string }).message : String(err);
  const name = Object.entries(pkcs11js).find(([key, value]) => key.startsWith('CKR_') && value === code)?.[0];
  return name ?? `CKR 0x${code.toString(16)}`;
}

export function isSessionLost(err: unknown): boolean {
  const code = pkcs11Code(err);
  return code !== undefined && SESSION_LOST.has(code);
}

/** A slot handle (a CK_ULONG in the platform's byte order) as a number string. */
export function slotId(handle: Handle): string {
  return handle.length >= 8 ? handle.readBigUInt64LE(0).toString() : handle.readUInt32LE(0).toString();
}

function tokenKey(settings: Pkcs11Settings): string {
  return `${settings.module}\0${settings.tokenLabel ?? ''}\0${settings.slot ?? ''}`;
}

export class Pkcs11Token {
  readonly module: Module;
  readonly slot: Handle;
  readonly label: string;
  readonly info: { manufacturer: string; model: string; serial: string; slot: string };
  readonly #pin: string;
  private readonly settings: Pkcs11Settings;
  private users = 1;
  private admin: Handle | undefined;
  private readonly idle: Handle[] = [];
  private opened = 0;
  private readonly waiting: Array<{ resolve: (session: Handle) => void; reject: (err: Error) => void }> = [];
  private closed = false;
  /** What the token answered when asked for RSA-OAEP with SHA-256 (see pkcs11-keys.ts). */
  rsaOaep: 'native' | 'raw' | undefined;

  /** The token of `settings`, logged in; the same object for every caller in this process (close it once each). */
  static open(settings: Pkcs11Settings): Pkcs11Token {
    const key = tokenKey(settings);
    const shared = tokens.get(key);
    if (shared && !shared.closed) {
      if (shared.#pin !== settings.pin) throw new Error(`The PKCS#11 token ${shared.label} is open in this process with another PIN`);
      shared.users += 1;
      return shared;
    }
    const token = new Pkcs11Token(settings);
    tokens.set(key, token);
    return token;
  }

  private constructor(settings: Pkcs11Settings) {
    this.settings = settings;
    this.#pin = settings.pin;
    const loaded = loadModule(settings.module);
    this.module = loaded.module;
    try {
      this.slot = findSlot(this.module, settings);
      const info = this.module.C_GetTokenInfo(this.slot);
      this.label = info.label.trim();
      this.info = { manufacturer: info.manufacturerID.trim(), model: info.model.trim(), serial: info.serialNumber.trim(), slot: slotId(this.slot) };
      this.admin = this.openSession();
    } catch (err) {
      releaseModule(settings.module);
      throw err;
    }
  }

  /** Runs synchronous calls on the token's own session (event loop only; see the class comment). */
  run<T>(fn: (module: Module, session: Handle) => T): T {
    if (this.closed) throw new KeyUnavailableError(`The PKCS#11 token ${this.label} is closed`);
    try {
      this.admin ??= this.openSession();
      return fn(this.module, this.admin);
    } catch (err) {
      if (!isSessionLost(err)) throw err;
      this.dropSession(this.admin);
      this.admin = undefined;
      try {
        this.admin = this.openSession();
        return fn(this.module, this.admin);
      } catch (again) {
        throw isSessionLost(again) ? new KeyUnavailableError(`The PKCS#11 token ${this.label} cannot be used: ${pkcs11CodeName(again)}`, { cause: again }) : again;
      }
    }
  }

  /**
   * Runs one private-key operation on a session of the pool (waiting for one when all are busy). `fn` is called
   * again, on a new session, if the first one turns out lost; then KeyUnavailableError.
   */
  async withSession<T>(fn: (module: Module, session: Handle) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const session = await this.acquire();
      let lost = false;
      try {
        return await fn(this.module, session);
      } catch (err) {
        lost = isSessionLost(err);
        if (lost && attempt === 1) continue;
        if (lost) throw new KeyUnavailableError(`The PKCS#11 token ${this.label} cannot be used: ${pkcs11CodeName(err)}`, { cause: err });
        throw err;
      } finally {
        if (lost) this.discard(session);
        else this.release(session);
      }
    }
  }

  /** Gives up this caller's use; the last one logs out, closes every session and finalises the module. */
  close(): void {
    if (this.closed) return;
    this.users -= 1;
    if (this.users > 0) return;
    this.closed = true;
    tokens.delete(tokenKey(this.settings));
    for (const waiter of this.waiting.splice(0)) waiter.reject(new KeyUnavailableError(`The PKCS#11 token ${this.label} was closed`));
    try {
      this.module.C_CloseAllSessions(this.slot);
    } catch {
      /* the module may be gone already */
    }
    releaseModule(this.settings.module);
  }

  private openSession(): Handle {
    const session = this.module.C_OpenSession(this.slot, pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION);
    try {
      this.module.C_Login(session, pkcs11js.CKU_USER, this.#pin);
    } catch (err) {
      if (pkcs11Code(err) !== CKR_USER_ALREADY_LOGGED_IN) {
        this.dropSession(session);
        // pkcs11js's message names the function and the return value only, never the PIN.
        throw err;
      }
    }
    return session;
  }

  private dropSession(session: Handle | undefined): void {
    if (!session) return;
    try {
      this.module.C_CloseSession(session);
    } catch {
      /* already gone */
    }
  }

  private acquire(): Promise<Handle> {
    if (this.closed) return Promise.reject(new KeyUnavailableError(`The PKCS#11 token ${this.label} is closed`));
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.opened < this.settings.sessions) {
      try {
        const session = this.openSession();
        this.opened += 1;
        return Promise.resolve(session);
      } catch (err) {
        return Promise.reject(new KeyUnavailableError(`The PKCS#11 token ${this.label} cannot be used: ${pkcs11CodeName(err)}`, { cause: err }));
      }
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(session: Handle): void {
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) next.resolve(session);
    else this.idle.push(session);
  }

  private discard(session: Handle): void {
    this.dropSession(session);
    this.opened -= 1;
    const next = this.waiting.shift();
    if (next) this.acquire().then(next.resolve, next.reject);
  }
}

function loadModule(file: string): LoadedModule {
  const loaded = modules.get(file);
  if (loaded) {
    loaded.users += 1;
    return loaded;
  }
  const module = new pkcs11js.PKCS11();
  module.load(file);
  let initialized = true;
  try {
    module.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (err) {
    // Initialised already by someone else in this process: use it, and leave finalising to them.
    if (pkcs11Code(err) !== CKR_CRYPTOKI_ALREADY_INITIALIZED) throw err;
    initialized = false;
  }
  const entry = { module, users: 1, initialized };
  modules.set(file, entry);
  return entry;
}

function releaseModule(file: string): void {
  const loaded = modules.get(file);
  if (!loaded) return;
  loaded.users -= 1;
  if (loaded.users > 0) return;
  modules.delete(file);
  try {
    if (loaded.initialized) loaded.module.C_Finalize();
  } finally {
    loaded.module.close();
  }
}

function findSlot(module: Module, settings: Pkcs11Settings): Handle {
  const slots = module.C_GetSlotList(true);
  const found = slots.filter((slot) =>
    settings.slot !== undefined ? slotId(slot) === settings.slot : module.C_GetTokenInfo(slot).label.trim() === settings.tokenLabel,
  );
  const wanted = settings.slot !== undefined ? `token in slot ${settings.slot}` : `token labelled "${settings.tokenLabel}"`;
  if (found.length === 0) {
    const present = slots.map((slot) => `slot ${slotId(slot)} "${module.C_GetTokenInfo(slot).label.trim()}"`).join(', ') || 'none';
    throw new Error(`The PKCS#11 module ${settings.module} has no ${wanted} (tokens present: ${present})`);
  }
  if (found.length > 1) throw new Error(`The PKCS#11 module ${settings.module} has ${found.length} tokens labelled "${settings.tokenLabel}": name one by PKCS11_SLOT`);
  return found[0];
}

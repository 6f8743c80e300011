import fs from 'node:fs';
import path from 'node:path';
import { RateWindow } from './rate-limiter';
import type { KeyProviderSettings } from './key-provider';

/**
 * `sandbox` (the default): sandbox routes, personas and adapters, plain JSON accepted, development keys generated
 * on first start. `production`: no sandbox, signed requests only, and a boot that refuses to start unsafe
 * (see src/boot-guard.ts).
 */
export type AppEnv = 'sandbox' | 'production';

/** Everything the server reads from its environment, validated once at boot. */
export interface Config {
  appEnv: AppEnv;
  port: number;
  /**
   * The metrics server (`GET /metrics`, Prometheus text format), apart from the partner port: `METRICS_PORT`
   * (default 9464; 0 = a free port, logged at start), on `METRICS_HOST` (default all interfaces).
   */
  metrics: { port: number; host: string | undefined };
  /**
   * Trace export (src/lib/trace.ts): spans are sent over OTLP/HTTP (JSON) to `tracesUrl` when
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the full URL) or `OTEL_EXPORTER_OTLP_ENDPOINT` (a base URL; `/v1/traces` is
   * appended) is set, unless `OTEL_SDK_DISABLED=true`; nothing is exported (nor loaded) otherwise. `serviceName`:
   * `OTEL_SERVICE_NAME`, default `credit-partner`.
   */
  tracing: { tracesUrl: string | undefined; serviceName: string };
  /** Prefix for the partner API paths, e.g. `/gpay`; empty by default. */
  basePath: string;
  databaseUrl: string;
  /** Connections of this process's transaction pool (each request holds one for its transaction only). */
  databasePoolSize: number;
  /**
   * How long the server waits on its dependencies before a request fails with 503 (and a job waits and
   * retries): opening or getting a PostgreSQL connection, one statement's answer, one Redis command's answer.
   * Each is well under a second, so that an outage is answered within one.
   */
  timeouts: { databaseConnectMs: number; databaseQueryMs: number; redisCommandMs: number };
  redisUrl: string;
  /** Prefix of every BullMQ key in Redis, so that several deployments (or test files) can share one Redis. */
  queuePrefix: string;
  /** Sandbox drivers (readable SMS outbox, KYC/mandate completion, test personas): APP_ENV=sandbox. */
  sandbox: boolean;
  /** Swagger UI at /docs. Off in production unless asked for (the OpenAPI document stays at /openapi.json). */
  docsEnabled: boolean;
  keysDir: string;
  /** Whether KEYS_DIR was set (production insists on it). */
  keysDirSet: boolean;
  /**
   * Where the keys come from (src/lib/key-provider.ts): `KEY_PROVIDER` `file` (default: all of them in KEYS_DIR)
   * or `pkcs11` (signing and decryption keys in an HSM token, the data and hashing keys in KEYS_DIR), with
   * `PKCS11_MODULE`, `PKCS11_TOKEN_LABEL` or `PKCS11_SLOT`, `PKCS11_PIN` or `PKCS11_PIN_FILE` (never logged) and
   * `PKCS11_SESSIONS` (default 4); `KEYS_RELOAD_MS` (default 60 s; 0: only on SIGHUP) how often the set is read
   * again, so that a rotation needs no restart.
   */
  keys: KeyProviderSettings;
  /** Public URL of this server, used to build the borrower-page links returned by getAuthToken. */
  publicBaseUrl: string;
  requestTimestampToleranceMs: number;
  logLevel: string;
  /** This bank's name, as partners and borrowers see it (OTP SMS texts). */
  lenderName: string;
  /**
   * The Key Fact Statement (RBI KFS circular, April 2024): `HOLIDAY_CALENDAR` (`IN`, default, or `IN-<state>` such
   * as `IN-MH`: the date-holidays public holidays counted, with Sundays and 2nd/4th Saturdays, to skip
   * non-working days in a KFS's 3-working-day validity) and the grievance redressal officer every KFS names (`GRIEVANCE_OFFICER_NAME`, `_PHONE`, `_EMAIL`; the
   * defaults are sandbox placeholders a bank must replace). The cooling-off period a KFS states is the product
   * version's (`Product.coolingOffDays`).
   */
  kfs: { holidayCalendar: string; grievanceOfficer: { name: string; phone: string; email: string } };
  /**
   * The HTTP server's bounds (src/lib/http-server.ts), the same for every entry point and the tests:
   * `headersTimeoutMs` (HTTP_HEADERS_TIMEOUT_MS, 10 s) to receive a request's headers and `requestTimeoutMs`
   * (HTTP_REQUEST_TIMEOUT_MS, 30 s) to receive the whole request, else 408 and the connection closed (Node's
   * defaults are 60 s and 300 s); `maxConnections` (HTTP_MAX_CONNECTIONS, 1,000) open at once, more are closed
   * on arrival; `maxInFlightPerSocket` (HTTP_MAX_IN_FLIGHT_PER_SOCKET, 8) pipelined requests of one connection
   * being handled at once: past it the connection is not read until one is answered.
   */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; maxConnections: number; maxInFlightPerSocket: number };
  /** How long a partner look-up is cached; a suspension made elsewhere takes effect within this time. */
  partnerCacheMs: number;
  /**
   * How many partner look-ups are cached (PARTNER_CACHE_SIZE, 1,000), and of them how many "no such partner"
   * answers (PARTNER_NEGATIVE_CACHE_SIZE, 200): random X-Partner-Id values cannot grow the cache.
   */
  partnerCacheSize: number;
  partnerNegativeCacheSize: number;
  /** How long a product look-up is cached; a product change made elsewhere takes effect within this time. */
  productCacheMs: number;
  sms: { gatewayUrl?: string; gatewayToken?: string };
  /**
   * `ADAPTERS_MODULE`: the adapter modules that supply the core's ports (src/adapters/ports.ts), comma-separated,
   * each a built-in name (`credit-partner/sandbox`, `credit-partner/http`), an npm package name, or a path
   * (absolute, or relative to the working directory). A later module overrides an earlier one for a port both
   * supply. Default: `credit-partner/sandbox` in the sandbox, `credit-partner/http` in production.
   */
  adapterModules: string[];
  /**
   * The generic HTTP adapters of `credit-partner/http` (docs/http-adapters.md): the credit bureau at
   * `BUREAU_HTTP_URL`, the disbursement rail at `RAIL_HTTP_URL` and the mandate rail at `MANDATE_RAIL_HTTP_URL`, each
   * with its HMAC secret (`BUREAU_HTTP_SECRET`, `RAIL_HTTP_SECRET`, `MANDATE_RAIL_HTTP_SECRET`: at least 32
   * characters, never logged) and the time a call may take (`…_HTTP_TIMEOUT_MS`, default 10 s). Each is undefined
   * while its URL is unset.
   */
  httpAdapters: { bureau?: HttpServiceConfig; rail?: HttpServiceConfig; mandateRail?: HttpServiceConfig };
  /**
   * How many OTP challenges one phone number may be sent per window, across partners and API processes
   * (`OTP_PHONE_LIMITS`, e.g. `10/15m,20/24h`). Every window must allow the challenge.
   */
  otpPhoneLimits: RateWindow[];
  /** A JSON file of partners, upserted into the partner table at boot (`PARTNERS_FILE`); none when unset. */
  partnersFile?: string;
  /** `npm start` runs the worker in the API process unless false. */
  runWorker: boolean;
  /** The OCEN 4.0 network settings; undefined (the OCEN surface off) when none is set, or when `OCEN_ENABLED=false`. */
  ocen?: OcenConfig;
  /**
   * `OCEN_ENABLED`: false turns the OCEN surface off whatever else is set; true or unset leaves it to the
   * `OCEN_*` settings. Production insists on the settings unless it is false (see src/boot-guard.ts).
   */
  ocenEnabled: boolean;
  worker: {
    concurrency: number;
    outboxPollMs: number;
    reconcileEveryMs: number;
    reconcileStaleAfterMs: number;
    /**
     * `CALLBACK_REDRIVE_AFTER_MS`: a partner callback not delivered and not tried for this long (its queue
     * attempts were used up, or its job was lost) is staged again by the reconciler (at most
     * `CALLBACK_REDRIVE_MAX` times per callback).
     */
    callbackRedriveAfterMs: number;
    callbackRedriveMax: number;
    /** A running job's claim in Redis lasts this long and is renewed every half of it; a dead worker's job is taken over soon after it lapses. */
    lockMs: number;
    /** How often a worker looks for jobs whose claim lapsed (their worker died) and queues them again. */
    stalledCheckMs: number;
    /** On SIGTERM, how long the jobs in flight get to finish before the worker stops anyway (they are then taken over elsewhere). */
    shutdownGraceMs: number;
  };
  /** Sandbox only: how long the sandbox rail takes to answer a transfer it has taken (a slow bank). */
  sandboxRailDelayMs: number;
  /**
   * `DOCUMENTS_DIR` (default `.documents` under the working directory, git-ignored): where the default document
   * store keeps borrowers' uploaded documents (KYC documents), each file sealed with the data key and named at
   * random. Give it its own volume, backed up with the keys' protection in mind.
   */
  documentsDir: string;
}

/** An outside service reached by a generic HTTP adapter (src/adapters/http/). */
export interface HttpServiceConfig {
  /** The service's base URL, without a trailing slash. */
  url: string;
  /** The HMAC-SHA256 key shared with the service. */
  secret: string;
  timeoutMs: number;
}

/** The built-in adapter modules, by the name ADAPTERS_MODULE gives them. */
export const BUILTIN_ADAPTER_MODULES = { sandbox: 'credit-partner/sandbox', http: 'credit-partner/http' } as const;

/**
 * How this lender takes part in an OCEN 4.0 network (`OCEN_*`): all of them or none. The URLs are the network's
 * services (for the dev network: registry https://dev.ocen.network, auth service
 * https://auth.ocen.network/realms/dev with its token endpoint and JWKS under /protocol/openid-connect/).
 */
export interface OcenConfig {
  /** `OCEN_REGISTRY_URL`: participants are read at `{registryUrl}/service/participant-roles/{participantId}`. */
  registryUrl: string;
  /** `OCEN_AUTH_JWKS_URL`: the auth service's keys, which sign the callers' bearer tokens. */
  authJwksUrl: string;
  /** `OCEN_AUTH_ISSUER`: the `iss` of those tokens. */
  authIssuer: string;
  /** `OCEN_AUTH_TOKEN_URL`: where we get our own token (client credentials). */
  authTokenUrl: string;
  /** `OCEN_CLIENT_ID`, `OCEN_CLIENT_SECRET`: our credentials at the auth service (the secret is never logged). */
  clientId: string;
  clientSecret: string;
  /** `OCEN_PARTICIPANT_ID`: our participant (lender role) id in the registry (`metadata.originatorParticipantId`). */
  participantId: string;
  /** `OCEN_ORG_ID`: our organisation id in the registry (`metadata.originatorOrgId`). */
  orgId: string;
  /** `OCEN_REGISTRY_CACHE_MS`: how long a registry answer is kept (a key rotation or withdrawn approval takes effect within it). */
  registryCacheMs: number;
  /**
   * `OCEN_TIMESTAMP_WINDOW_MS` (default 5 minutes): a request whose `metadata.timestamp` is further than this from
   * our clock, either way, is refused (replay window). A request without a timestamp is accepted.
   */
  timestampWindowMs: number;
  /**
   * `OCEN_ANALYTICS_URL` (optional): the network's heartbeat and analytics service (dev network:
   * https://analytics-dev.ocen.network); heartbeats go to `{analyticsUrl}/ocen/v4/event`, the lender's
   * disbursement metric to `{analyticsUrl}/ocen/v4/metrics/lender/loanDisbursementMetric`. None sent without it.
   */
  analyticsUrl?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const str = (name: string, fallback: string) => (env[name] ?? '').trim() || fallback;
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = (env[name] ?? '').trim().toLowerCase();
    if (raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false, got "${env[name]}"`);
    return fallback;
  };
  const url = (name: string, fallback: string, protocols: string[]): string => {
    const value = str(name, fallback);
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) problems.push(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return value;
  };

  const windows = (name: string, fallback: string): RateWindow[] => {
    const raw = str(name, fallback);
    const parsed = raw.split(',').map((part) => parseWindow(part.trim()));
    const seconds = parsed.map((window) => window?.seconds);
    if (parsed.some((window) => window === undefined) || new Set(seconds).size !== seconds.length) {
      problems.push(`${name} must be comma-separated limits N/<duration> (N from 1 to 100000, duration 1s to 30d, each duration once), e.g. ${fallback}; got "${raw}"`);
      return fallback.split(',').map((part) => parseWindow(part)!);
    }
    return parsed as RateWindow[];
  };

  const optionalUrl = (name: string, protocols: string[]): string | undefined => (str(name, '') ? url(name, '', protocols) : undefined);

  const appEnvRaw = str('APP_ENV', 'sandbox');
  if (!['sandbox', 'production'].includes(appEnvRaw)) problems.push(`APP_ENV must be sandbox or production, got "${appEnvRaw}"`);
  const appEnv: AppEnv = appEnvRaw === 'production' ? 'production' : 'sandbox';
  const port = int('PORT', 8080, 0, 65535);
  const metricsPort = int('METRICS_PORT', 9464, 0, 65535);
  if (metricsPort !== 0 && metricsPort === port) problems.push(`METRICS_PORT must differ from PORT (${port}): metrics are never served on the partner port`);
  if (env.SANDBOX !== undefined) problems.push('SANDBOX is no longer read: the sandbox is on exactly when APP_ENV=sandbox');

  const basePath = str('BASE_PATH', '').replace(/\/+$/, '');
  if (basePath && !/^\/[A-Za-z0-9/_-]*$/.test(basePath)) problems.push(`BASE_PATH must start with "/" and hold only [A-Za-z0-9/_-], got "${basePath}"`);

  const ocenEnabled = bool('OCEN_ENABLED', true);
  const ocen = ocenEnabled ? loadOcenConfig(str, url, int, problems) : undefined;

  const config: Config = {
    appEnv,
    port,
    metrics: { port: metricsPort, host: str('METRICS_HOST', '') || undefined },
    basePath,
    databaseUrl: url('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/credit_partner', ['postgresql:', 'postgres:']),
    databasePoolSize: int('DATABASE_POOL_SIZE', 20, 1, 500),
    timeouts: {
      databaseConnectMs: int('DATABASE_CONNECT_TIMEOUT_MS', 500, 50, 60_000),
      databaseQueryMs: int('DATABASE_QUERY_TIMEOUT_MS', 500, 50, 600_000),
      redisCommandMs: int('REDIS_COMMAND_TIMEOUT_MS', 500, 50, 60_000),
    },
    redisUrl: url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    queuePrefix: str('QUEUE_PREFIX', 'credit-partner'),
    sandbox: appEnv === 'sandbox',
    docsEnabled: bool('DOCS_ENABLED', appEnv !== 'production'),
    keysDir: path.resolve(str('KEYS_DIR', '.keys')),
    keysDirSet: str('KEYS_DIR', '') !== '',
    keys: keySettings(env, problems),
    publicBaseUrl: url('PUBLIC_BASE_URL', `http://localhost:${port}`, ['http:', 'https:']).replace(/\/+$/, ''),
    requestTimestampToleranceMs: int('REQUEST_TIMESTAMP_TOLERANCE_MS', 60_000, 1_000, 3_600_000),
    logLevel: str('LOG_LEVEL', 'info'),
    lenderName: str('LENDER_NAME', 'Sandbox Bank'),
    kfs: {
      holidayCalendar: str('HOLIDAY_CALENDAR', 'IN').toUpperCase(),
      grievanceOfficer: {
        name: str('GRIEVANCE_OFFICER_NAME', 'Grievance Redressal Officer (sandbox)'),
        phone: str('GRIEVANCE_OFFICER_PHONE', '1800-000-0000'),
        email: str('GRIEVANCE_OFFICER_EMAIL', 'grievance@sandbox-bank.example'),
      },
    },
    http: {
      headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 1_000, 600_000),
      requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', 30_000, 1_000, 3_600_000),
      maxConnections: int('HTTP_MAX_CONNECTIONS', 1_000, 1, 1_000_000),
      maxInFlightPerSocket: int('HTTP_MAX_IN_FLIGHT_PER_SOCKET', 8, 1, 1_000),
    },
    partnerCacheMs: int('PARTNER_CACHE_MS', 5_000, 0, 600_000),
    partnerCacheSize: int('PARTNER_CACHE_SIZE', 1_000, 1, 1_000_000),
    partnerNegativeCacheSize: int('PARTNER_NEGATIVE_CACHE_SIZE', 200, 1, 1_000_000),
    productCacheMs: int('PRODUCT_CACHE_MS', 5_000, 0, 600_000),
    sms: { gatewayUrl: optionalUrl('SMS_GATEWAY_URL', ['https:', 'http:']), gatewayToken: (env.SMS_GATEWAY_TOKEN ?? '').trim() || undefined },
    adapterModules: str('ADAPTERS_MODULE', appEnv === 'production' ? BUILTIN_ADAPTER_MODULES.http : BUILTIN_ADAPTER_MODULES.sandbox)
      .split(',')
      .map((spec) => spec.trim())
      .filter(Boolean),
    httpAdapters: {
      bureau: httpService('BUREAU_HTTP', env, str, url, int, problems),
      rail: httpService('RAIL_HTTP', env, str, url, int, problems),
      mandateRail: httpService('MANDATE_RAIL_HTTP', env, str, url, int, problems),
    },
    otpPhoneLimits: windows('OTP_PHONE_LIMITS', '10/15m,20/24h'),
    partnersFile: str('PARTNERS_FILE', '') ? path.resolve(str('PARTNERS_FILE', '')) : undefined,
    runWorker: bool('RUN_WORKER', true),
    ocen,
    ocenEnabled,
    worker: {
      concurrency: int('WORKER_CONCURRENCY', 8, 1, 256),
      outboxPollMs: int('OUTBOX_POLL_MS', 250, 10, 60_000),
      reconcileEveryMs: int('RECONCILE_EVERY_MS', 30_000, 100, 3_600_000),
      reconcileStaleAfterMs: int('RECONCILE_STALE_AFTER_MS', 120_000, 1_000, 86_400_000),
      callbackRedriveAfterMs: int('CALLBACK_REDRIVE_AFTER_MS', 900_000, 1_000, 86_400_000),
      callbackRedriveMax: int('CALLBACK_REDRIVE_MAX', 24, 0, 10_000),
      lockMs: int('WORKER_LOCK_MS', 5_000, 1_000, 600_000),
      stalledCheckMs: int('WORKER_STALLED_CHECK_MS', 2_000, 100, 600_000),
      shutdownGraceMs: int('WORKER_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    },
    sandboxRailDelayMs: int('SANDBOX_RAIL_DELAY_MS', 0, 0, 600_000),
    documentsDir: path.resolve(str('DOCUMENTS_DIR', '.documents')),
    tracing: loadTracingConfig(str, url, bool, problems),
  };
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "${config.logLevel}"`);
  }
  if (!/^IN(-[A-Z]{2})?$/.test(config.kfs.holidayCalendar)) problems.push(`HOLIDAY_CALENDAR must be IN or IN-<state code> (e.g. IN-MH), got "${config.kfs.holidayCalendar}"`);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(config.kfs.grievanceOfficer.email)) problems.push(`GRIEVANCE_OFFICER_EMAIL must be an email address, got "${config.kfs.grievanceOfficer.email}"`);
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) problems.push('HTTP_HEADERS_TIMEOUT_MS must not be longer than HTTP_REQUEST_TIMEOUT_MS');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** The KEY_PROVIDER, KEYS_* and PKCS11_* settings alone (what `npm run keys` needs); ConfigError with every problem. */
export function loadKeySettings(env: NodeJS.ProcessEnv = process.env): KeyProviderSettings {
  const problems: string[] = [];
  const settings = keySettings(env, problems);
  if (problems.length) throw new ConfigError(problems);
  return settings;
}

const KEY_SETTING_NAMES = ['PKCS11_MODULE', 'PKCS11_TOKEN_LABEL', 'PKCS11_SLOT', 'PKCS11_PIN', 'PKCS11_PIN_FILE', 'PKCS11_SESSIONS'] as const;

function keySettings(env: NodeJS.ProcessEnv, problems: string[]): KeyProviderSettings {
  const str = (name: string) => (env[name] ?? '').trim();
  const whole = (name: string, fallback: number, min: number, max: number) => {
    const raw = str(name);
    if (raw === '') return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  };
  const provider = str('KEY_PROVIDER') || 'file';
  const base = { dir: path.resolve(str('KEYS_DIR') || '.keys'), reloadMs: whole('KEYS_RELOAD_MS', 60_000, 0, 86_400_000) };
  if (provider === 'file') {
    const stray = KEY_SETTING_NAMES.filter((name) => str(name) !== '');
    if (stray.length) problems.push(`${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but KEY_PROVIDER is not pkcs11 (set KEY_PROVIDER=pkcs11 to keep the keys in the HSM)`);
    return { provider: 'file', ...base };
  }
  if (provider !== 'pkcs11') {
    problems.push(`KEY_PROVIDER must be file or pkcs11, got "${provider}"`);
    return { provider: 'file', ...base };
  }
  const module = str('PKCS11_MODULE');
  if (!module) problems.push('KEY_PROVIDER=pkcs11 needs PKCS11_MODULE, the path of the HSM vendor\'s PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so)');
  else if (!fs.existsSync(module)) problems.push(`PKCS11_MODULE ${module} does not exist (mount the HSM vendor's PKCS#11 library there)`);
  const tokenLabel = str('PKCS11_TOKEN_LABEL') || undefined;
  const slot = str('PKCS11_SLOT') || undefined;
  if (!tokenLabel === !slot) problems.push('KEY_PROVIDER=pkcs11 needs exactly one of PKCS11_TOKEN_LABEL (the token\'s label) and PKCS11_SLOT (its slot id)');
  if (slot !== undefined && !/^\d+$/.test(slot)) problems.push(`PKCS11_SLOT must be a slot id (digits), got "${slot}"`);
  let pin = str('PKCS11_PIN');
  const pinFile = str('PKCS11_PIN_FILE');
  if (pin && pinFile) problems.push('PKCS11_PIN and PKCS11_PIN_FILE are both set: give the PIN one way');
  else if (pinFile) {
    try {
      pin = fs.readFileSync(pinFile, 'utf8').trim();
      if (!pin) problems.push(`PKCS11_PIN_FILE ${pinFile} is empty`);
    } catch (err) {
      problems.push(`PKCS11_PIN_FILE ${pinFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else if (!pin) problems.push('KEY_PROVIDER=pkcs11 needs the token\'s user PIN: PKCS11_PIN_FILE (a secret file) or PKCS11_PIN');
  const sessions = whole('PKCS11_SESSIONS', 4, 1, 64);
  return { provider: 'pkcs11', ...base, pkcs11: { module, tokenLabel, slot, pin, sessions } };
}

/** `<PREFIX>_URL`, `<PREFIX>_SECRET`, `<PREFIX>_TIMEOUT_MS`: undefined when neither URL nor secret is set; both when either is. */
function httpService(
  prefix: string,
  env: NodeJS.ProcessEnv,
  str: (name: string, fallback: string) => string,
  url: (name: string, fallback: string, protocols: string[]) => string,
  int: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): HttpServiceConfig | undefined {
  const base = str(`${prefix}_URL`, '');
  const secret = (env[`${prefix}_SECRET`] ?? '').trim();
  if (!base && !secret) return undefined;
  if (!base) problems.push(`${prefix}_SECRET is set but ${prefix}_URL is not (set both, or neither)`);
  if (!secret) problems.push(`${prefix}_URL is set but ${prefix}_SECRET is not: the service's answers could not be verified`);
  else if (secret.length < 32) problems.push(`${prefix}_SECRET must be at least 32 characters (a random key shared with the service), got ${secret.length}`);
  return {
    url: base ? url(`${prefix}_URL`, '', ['https:', 'http:']).replace(/\/+$/, '') : '',
    secret,
    timeoutMs: int(`${prefix}_TIMEOUT_MS`, 10_000, 100, 120_000),
  };
}

/** The OCEN settings that are URLs (the issuer is one too, as an identifier). */
export const OCEN_URLS = { registryUrl: 'OCEN_REGISTRY_URL', authJwksUrl: 'OCEN_AUTH_JWKS_URL', authIssuer: 'OCEN_AUTH_ISSUER', authTokenUrl: 'OCEN_AUTH_TOKEN_URL' } as const;
const OCEN_VALUES = { clientId: 'OCEN_CLIENT_ID', clientSecret: 'OCEN_CLIENT_SECRET', participantId: 'OCEN_PARTICIPANT_ID', orgId: 'OCEN_ORG_ID' } as const;
/** Every setting the OCEN surface needs (all of them or none; production needs all unless OCEN_ENABLED=false). */
export const OCEN_REQUIRED_SETTINGS: readonly string[] = [...Object.values(OCEN_URLS), ...Object.values(OCEN_VALUES)];

/** The OCEN settings: undefined when none is set; every one of them (URLs valid) when any is. */
function loadOcenConfig(
  str: (name: string, fallback: string) => string,
  url: (name: string, fallback: string, protocols: string[]) => string,
  int: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): OcenConfig | undefined {
  const names = OCEN_REQUIRED_SETTINGS;
  const set = names.filter((name) => str(name, '') !== '');
  if (set.length === 0) return undefined;
  const missing = names.filter((name) => !set.includes(name));
  if (missing.length) problems.push(`the OCEN settings come together: ${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not (set all of them, or none to keep the OCEN surface off)`);
  const http = ['https:', 'http:'];
  const urls = Object.fromEntries(Object.entries(OCEN_URLS).map(([key, name]) => [key, str(name, '') ? url(name, '', http) : ''])) as Record<keyof typeof OCEN_URLS, string>;
  const values = Object.fromEntries(Object.entries(OCEN_VALUES).map(([key, name]) => [key, str(name, '')])) as Record<keyof typeof OCEN_VALUES, string>;
  return {
    ...urls,
    ...values,
    registryCacheMs: int('OCEN_REGISTRY_CACHE_MS', 300_000, 0, 86_400_000),
    timestampWindowMs: int('OCEN_TIMESTAMP_WINDOW_MS', 300_000, 1_000, 86_400_000),
    analyticsUrl: str('OCEN_ANALYTICS_URL', '') ? url('OCEN_ANALYTICS_URL', '', http).replace(/\/+$/, '') : undefined,
  };
}

/** The OpenTelemetry settings this server reads itself (the SDK reads the others it knows: headers, timeout, batching, sampler, resource). */
function loadTracingConfig(
  str: (name: string, fallback: string) => string,
  url: (name: string, fallback: string, protocols: string[]) => string,
  bool: (name: string, fallback: boolean) => boolean,
  problems: string[],
): Config['tracing'] {
  const serviceName = str('OTEL_SERVICE_NAME', 'credit-partner');
  const http = ['https:', 'http:'];
  const tracesEndpoint = str('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', '') ? url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', '', http) : undefined;
  const endpoint = str('OTEL_EXPORTER_OTLP_ENDPOINT', '') ? url('OTEL_EXPORTER_OTLP_ENDPOINT', '', http) : undefined;
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    // Spans go as OTLP/HTTP JSON; an OTLP/HTTP receiver takes JSON and protobuf on the same endpoint, gRPC it does not.
    const protocol = str(name, 'http/json');
    if (protocol !== 'http/json' && protocol !== 'http/protobuf') problems.push(`${name} must be http/json (or http/protobuf: JSON is sent, which OTLP/HTTP receivers take too); gRPC is not supported, got "${protocol}"`);
  }
  if (bool('OTEL_SDK_DISABLED', false)) return { tracesUrl: undefined, serviceName };
  const tracesUrl = tracesEndpoint ?? (endpoint ? `${endpoint.replace(/\/+$/, '')}/v1/traces` : undefined);
  return { tracesUrl, serviceName };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** `10/15m` → 10 per 900 s; undefined when malformed or out of range. */
function parseWindow(text: string): RateWindow | undefined {
  const match = /^(\d{1,6})\/(\d{1,6})([smhd])$/.exec(text);
  if (!match) return undefined;
  const points = Number(match[1]);
  const seconds = Number(match[2]) * UNIT_SECONDS[match[3]];
  if (points < 1 || points > 100_000 || seconds < 1 || seconds > 30 * 86_400) return undefined;
  return { points, seconds };
}

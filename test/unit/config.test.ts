import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/lib/config';

describe('configuration, validated once at boot', () => {
  it('when nothing is set, then the defaults point at the local PostgreSQL and Redis with the sandbox on', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      appEnv: 'sandbox',
      port: 8080,
      basePath: '',
      databaseUrl: 'postgresql://postgres@127.0.0.1:5432/credit_partner',
      redisUrl: 'redis://127.0.0.1:6379',
      sandbox: true,
      requestTimestampToleranceMs: 60_000,
      publicBaseUrl: 'http://localhost:8080',
    });
  });

  it('when nothing is set, then every wait on PostgreSQL and Redis on the request path is bounded well under a second', () => {
    const { timeouts, worker } = loadConfig({});
    expect(timeouts).toEqual({ databaseConnectMs: 500, databaseQueryMs: 500, redisCommandMs: 500 });
    expect(worker).toMatchObject({ lockMs: 5_000, stalledCheckMs: 2_000, shutdownGraceMs: 10_000 });
  });

  it('when APP_ENV is production, then the sandbox is off; SANDBOX is not a switch any more, and saying it is refused', () => {
    expect(loadConfig({ APP_ENV: 'production' }).sandbox).toBe(false);
    expect(() => loadConfig({ APP_ENV: 'production', SANDBOX: 'true' })).toThrow(/SANDBOX is no longer read/);
  });

  it('when APP_ENV is production, then Swagger UI is off unless DOCS_ENABLED is true; elsewhere it is on', () => {
    expect(loadConfig({}).docsEnabled).toBe(true);
    expect(loadConfig({ APP_ENV: 'production' }).docsEnabled).toBe(false);
    expect(loadConfig({ APP_ENV: 'production', DOCS_ENABLED: 'true' }).docsEnabled).toBe(true);
  });

  it('when several values are wrong, then one error names every one of them', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'not a url', APP_ENV: 'staging', BASE_PATH: 'no-slash', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'APP_ENV', 'BASE_PATH', 'LOG_LEVEL']) expect(problems).toContain(name);
  });

  it('when OTP_PHONE_LIMITS is unset, then a phone may be sent 10 challenges per 15 minutes and 20 per 24 hours (a journey needs up to 6)', () => {
    expect(loadConfig({}).otpPhoneLimits).toEqual([
      { points: 10, seconds: 900 },
      { points: 20, seconds: 86_400 },
    ]);
  });

  it('when OTP_PHONE_LIMITS is set, then each N/<duration> is one window; a malformed, out-of-range or repeated window is refused by name', () => {
    expect(loadConfig({ OTP_PHONE_LIMITS: '3/30s, 5/1h,40/7d' }).otpPhoneLimits).toEqual([
      { points: 3, seconds: 30 },
      { points: 5, seconds: 3_600 },
      { points: 40, seconds: 604_800 },
    ]);
    for (const bad of ['ten/15m', '10/15', '0/1m', '10/31d', '5/15m,6/900s', '5/15m,', '10 per 15m']) {
      expect(() => loadConfig({ OTP_PHONE_LIMITS: bad })).toThrow(/OTP_PHONE_LIMITS must be/);
    }
  });

  it('when PARTNERS_FILE is set, then it is resolved to an absolute path; unset, there is none', () => {
    expect(loadConfig({}).partnersFile).toBeUndefined();
    expect(loadConfig({ PARTNERS_FILE: 'deploy/partners.json' }).partnersFile).toBe(path.resolve('deploy/partners.json'));
  });

  it('when ADAPTERS_MODULE is unset, then the sandbox uses its own adapters and production the generic HTTP ones; set, it is a comma-separated list in order', () => {
    expect(loadConfig({}).adapterModules).toEqual(['credit-partner/sandbox']);
    expect(loadConfig({ APP_ENV: 'production' }).adapterModules).toEqual(['credit-partner/http']);
    expect(loadConfig({ ADAPTERS_MODULE: ' credit-partner/http, @bank/credit-partner-adapters ,,./local.js ' }).adapterModules).toEqual(['credit-partner/http', '@bank/credit-partner-adapters', './local.js']);
  });

  it('when a generic HTTP adapter is configured, then its URL loses a trailing slash and its timeout defaults to 10 s; unset, there is none', () => {
    const secret = 's'.repeat(32);
    expect(loadConfig({ RAIL_HTTP_URL: 'https://rail.bank.example/v1/', RAIL_HTTP_SECRET: secret }).httpAdapters).toEqual({ rail: { url: 'https://rail.bank.example/v1', secret, timeoutMs: 10_000 } });
    expect(loadConfig({ BUREAU_HTTP_URL: 'https://bureau.bank.example', BUREAU_HTTP_SECRET: secret, BUREAU_HTTP_TIMEOUT_MS: '2500' }).httpAdapters.bureau).toEqual({ url: 'https://bureau.bank.example', secret, timeoutMs: 2_500 });
    expect(loadConfig({}).httpAdapters).toEqual({});
  });

  it('when BASE_PATH has a trailing slash, then it is normalised', () => {
    expect(loadConfig({ BASE_PATH: '/gpay/' }).basePath).toBe('/gpay');
  });

  describe('the OCEN network settings', () => {
    const ocen = {
      OCEN_REGISTRY_URL: 'https://dev.ocen.network',
      OCEN_AUTH_JWKS_URL: 'https://auth.ocen.network/realms/dev/protocol/openid-connect/certs',
      OCEN_AUTH_ISSUER: 'https://auth.ocen.network/realms/dev',
      OCEN_AUTH_TOKEN_URL: 'https://auth.ocen.network/realms/dev/protocol/openid-connect/token',
      OCEN_CLIENT_ID: 'lender-client',
      OCEN_CLIENT_SECRET: 'secret',
      OCEN_PARTICIPANT_ID: 'lender-1',
      OCEN_ORG_ID: 'org-bank',
    };

    it('when none is set, then the OCEN surface is off (no ocen settings)', () => {
      expect(loadConfig({}).ocen).toBeUndefined();
    });

    it('when all are set, then they are read as given, with the registry cached 5 minutes and a replay window of 5 minutes by default, and no analytics', () => {
      expect(loadConfig(ocen).ocen).toEqual({
        registryUrl: 'https://dev.ocen.network',
        authJwksUrl: ocen.OCEN_AUTH_JWKS_URL,
        authIssuer: 'https://auth.ocen.network/realms/dev',
        authTokenUrl: ocen.OCEN_AUTH_TOKEN_URL,
        clientId: 'lender-client',
        clientSecret: 'secret',
        participantId: 'lender-1',
        orgId: 'org-bank',
        registryCacheMs: 300_000,
        timestampWindowMs: 300_000,
        analyticsUrl: undefined,
      });
      expect(loadConfig({ ...ocen, OCEN_REGISTRY_CACHE_MS: '1000' }).ocen?.registryCacheMs).toBe(1000);
      expect(loadConfig({ ...ocen, OCEN_TIMESTAMP_WINDOW_MS: '60000' }).ocen?.timestampWindowMs).toBe(60_000);
      expect(loadConfig({ ...ocen, OCEN_ANALYTICS_URL: 'https://analytics-dev.ocen.network/' }).ocen?.analyticsUrl).toBe('https://analytics-dev.ocen.network');
      expect(() => loadConfig({ ...ocen, OCEN_ANALYTICS_URL: 'analytics' })).toThrow(/OCEN_ANALYTICS_URL is not a valid URL/);
    });

    it('when OCEN_ENABLED is false, then the surface is off even with every setting given', () => {
      expect(loadConfig({ ...ocen, OCEN_ENABLED: 'false' })).toMatchObject({ ocen: undefined, ocenEnabled: false });
      expect(loadConfig({ ...ocen, OCEN_ENABLED: 'true' }).ocen?.participantId).toBe('lender-1');
      expect(() => loadConfig({ OCEN_ENABLED: 'maybe' })).toThrow(/OCEN_ENABLED must be true or false/);
    });

    it('when only some are set, then the boot stops naming the missing ones', () => {
      expect(() => loadConfig({ OCEN_REGISTRY_URL: ocen.OCEN_REGISTRY_URL, OCEN_CLIENT_ID: 'x' })).toThrow(
        'the OCEN settings come together: OCEN_REGISTRY_URL, OCEN_CLIENT_ID are set but OCEN_AUTH_JWKS_URL, OCEN_AUTH_ISSUER, OCEN_AUTH_TOKEN_URL, OCEN_CLIENT_SECRET, OCEN_PARTICIPANT_ID, OCEN_ORG_ID are not',
      );
    });

    it('when a URL is not an http(s) URL, then the boot stops naming it', () => {
      let error: unknown;
      try {
        loadConfig({ ...ocen, OCEN_REGISTRY_URL: 'dev.ocen.network', OCEN_AUTH_JWKS_URL: 'ftp://auth.example/certs' });
      } catch (err) {
        error = err;
      }
      expect((error as ConfigError).problems).toEqual(['OCEN_REGISTRY_URL is not a valid URL', 'OCEN_AUTH_JWKS_URL must use https: or http:, got "ftp:"']);
    });
  });
});

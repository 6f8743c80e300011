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

  it('when BASE_PATH has a trailing slash, then it is normalised', () => {
    expect(loadConfig({ BASE_PATH: '/gpay/' }).basePath).toBe('/gpay');
  });
});

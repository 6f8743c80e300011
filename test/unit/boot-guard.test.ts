import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/lib/config';
import { createLogger } from '../../src/lib/logger';
import { generateKeySet } from '../../src/lib/keys';
import { boot } from '../../src/boot';
import { BootRefusal, partnerProblems, productionProblems } from '../../src/boot-guard';
import { Partner } from '../../src/core/partner/partner';

/** A database nobody listens on: a guard that touched it would fail with a connection error, not a BootRefusal. */
const UNREACHABLE_DATABASE = 'postgresql://postgres@127.0.0.1:1/never';

/** The problems production is refused with; none when it got past the guard (to the unreachable database). */
async function refusal(env: Record<string, string>): Promise<string[]> {
  const config = loadConfig({ DATABASE_URL: UNREACHABLE_DATABASE, LOG_LEVEL: 'silent', ...env });
  const error = await boot(config, createLogger('silent')).then(() => undefined, (err: unknown) => err);
  if (!(error instanceof BootRefusal)) {
    expect(String(error)).toMatch(/ECONNREFUSED|connect/);
    return [];
  }
  return error.problems;
}

/** A test adapter module supplying every port (test/support/test-app.ts productionEnv uses it). */
const EVERY_PORT_MODULE = path.resolve(__dirname, '../fixtures/adapters/every-port.js');

const keySet = (environment: 'development' | 'production') => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-boot-'));
  generateKeySet(dir, environment);
  return dir;
};

describe('the production boot guard', () => {
  let readyEnv: Record<string, string> | undefined;
  /** Production with everything the guard asks for, but adapters. */
  const ready = () => (readyEnv ??= { APP_ENV: 'production', KEYS_DIR: keySet('production'), PUBLIC_BASE_URL: 'https://bank.invalid', OCEN_ENABLED: 'false' });

  it('when production is started with nothing configured, then it stops before the database with every problem in one message, each port without an adapter named', async () => {
    const problems = await refusal({ APP_ENV: 'production' });
    expect(problems).toHaveLength(3 + 9);
    expect(problems[0]).toMatch(/^KEYS_DIR is not set/);
    expect(problems[1]).toMatch(/^PUBLIC_BASE_URL must use https/);
    expect(problems[2]).toMatch(/^OCEN_REGISTRY_URL, .*OCEN_ORG_ID are not set: .*OCEN_ENABLED=false/);
    expect(problems.slice(3).map((problem) => /\((\w+)\): /.exec(problem)?.[1])).toEqual(['bureau', 'ckyc', 'aadhaar', 'rail', 'mandateRail', 'collector', 'accountAggregator', 'documentVerifier', 'sms']);
    expect(problems[3]).toBe('no adapter for the credit bureau (bureau): set BUREAU_HTTP_URL and BUREAU_HTTP_SECRET with credit-partner/http in ADAPTERS_MODULE (the generic HTTP bureau), or name a module that supplies it');
    expect(problems[11]).toMatch(/^no adapter for the SMS gateway \(sms\): set SMS_GATEWAY_URL/);
    expect(new BootRefusal(problems).message).toMatch(/refuses to start in production:\n {2}- KEYS_DIR[^]*\n {2}- PUBLIC_BASE_URL[^]*\n {2}- OCEN_REGISTRY_URL[^]*\n {2}- no adapter for the credit bureau/);
  });

  it('when production names adapter modules that cannot be used, then each problem is named with the others: a missing file, a port without a method, the sandbox fakes', async () => {
    const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cp-boot-adapters-')), 'broken.js');
    fs.writeFileSync(broken, 'module.exports = { createAdapters: () => ({ rail: { transfer: async () => null }, bureau: { check: async () => "CLEAN" }, teller: {} }) };');
    const problems = await refusal({ ...ready(), ADAPTERS_MODULE: `${broken},./no/such/module.js` });
    expect(problems).toEqual([
      `ADAPTERS_MODULE ./no/such/module.js: no such file (resolved from ${process.cwd()})`,
    ]);
    const shapes = await refusal({ ...ready(), ADAPTERS_MODULE: broken });
    expect(shapes).toEqual([
      `ADAPTERS_MODULE ${broken}: rail (the disbursement rail) lacks status(); it needs transfer(), status()`,
      `ADAPTERS_MODULE ${broken}: supplies "teller", which is no port (the ports are bureau, ckyc, aadhaar, rail, mandateRail, collector, accountAggregator, documentVerifier, sms, documentStore)`,
    ]);
    expect(await refusal({ ...ready(), ADAPTERS_MODULE: `credit-partner/sandbox,${EVERY_PORT_MODULE}` })).toEqual([]);
    const sandbox = await refusal({ ...ready(), ADAPTERS_MODULE: `${EVERY_PORT_MODULE},credit-partner/sandbox` });
    expect(sandbox).toEqual([expect.stringMatching(/^ADAPTERS_MODULE names credit-partner\/sandbox, whose fakes move no money .*: the sandbox's adapters are refused in production$/)]);
  });

  it('when production reaches the generic HTTP bureau or rail over plain http, then each URL is named', () => {
    const secret = 'k'.repeat(32);
    const problems = productionProblems(loadConfig({ ...ready(), BUREAU_HTTP_URL: 'http://bureau.invalid', BUREAU_HTTP_SECRET: secret, RAIL_HTTP_URL: 'https://rail.invalid', RAIL_HTTP_SECRET: secret }));
    expect(problems).toEqual(['BUREAU_HTTP_URL must use https in production, got "http://bureau.invalid"']);
  });

  it('when KEYS_DIR holds a development key set, then production refuses it', async () => {
    const problems = await refusal({ APP_ENV: 'production', KEYS_DIR: keySet('development'), ADAPTERS_MODULE: EVERY_PORT_MODULE, PUBLIC_BASE_URL: 'https://bank.invalid', OCEN_ENABLED: 'false' });
    expect(problems).toEqual([expect.stringMatching(/holds a key set generated for development/)]);
  });

  it('when a key file is missing or unreadable, then each is named', async () => {
    const dir = keySet('production');
    fs.rmSync(path.join(dir, 'data.keys.json'));
    fs.chmodSync(path.join(dir, 'hashing.key'), 0o000);
    const readable = (() => {
      try {
        fs.readFileSync(path.join(dir, 'hashing.key'));
        return true;
      } catch {
        return false;
      }
    })();
    const problems = await refusal({ APP_ENV: 'production', KEYS_DIR: dir, ADAPTERS_MODULE: `credit-partner/http,${EVERY_PORT_MODULE}`, SMS_GATEWAY_URL: 'http://sms.invalid', PUBLIC_BASE_URL: 'https://bank.invalid' });
    expect(problems).toContainEqual(expect.stringMatching(/data\.keys\.json is missing/));
    if (!readable) expect(problems).toContainEqual(expect.stringMatching(/hashing\.key is unreadable \(EACCES\)/)); // root reads any file
    expect(problems).toContainEqual('SMS_GATEWAY_URL must use https in production');
  });

  it('when production has no active partner with verification keys, then it is refused; one signing partner is enough', () => {
    const config = loadConfig({ APP_ENV: 'production' });
    const partner = (status: Partner['status'], keys: Partner['jwks']['keys']): Partner => ({
      id: 'p', displayName: 'P', protocol: 'GPAY', status, jwks: { keys }, callbackBaseUrl: null, smsTemplate: null, rateLimitPerMinute: null,
    });
    const sig = { kid: 'a', kty: 'EC', use: 'sig' };
    expect(partnerProblems(config, [])).toEqual([expect.stringMatching(/no active partner has verification keys/)]);
    expect(partnerProblems(config, [partner('SUSPENDED', [sig]), partner('ACTIVE', [{ kid: 'b', kty: 'RSA', use: 'enc' }])])).toHaveLength(1);
    expect(partnerProblems(config, [partner('ACTIVE', [sig])])).toEqual([]);
    expect(partnerProblems(loadConfig({}), [])).toEqual([]);
  });

  it('when the sandbox starts with nothing configured, then nothing is refused', () => {
    expect(productionProblems(loadConfig({}))).toEqual([]);
  });

  it('when production takes part in OCEN over plain http, then each such service URL is named', () => {
    const ocen = {
      OCEN_REGISTRY_URL: 'http://registry.invalid', OCEN_AUTH_JWKS_URL: 'https://auth.invalid/certs', OCEN_AUTH_ISSUER: 'https://auth.invalid/realms/x',
      OCEN_AUTH_TOKEN_URL: 'http://auth.invalid/token', OCEN_CLIENT_ID: 'lender', OCEN_CLIENT_SECRET: 'secret', OCEN_PARTICIPANT_ID: 'p-1', OCEN_ORG_ID: 'o-1',
    };
    const problems = productionProblems(loadConfig({ APP_ENV: 'production', KEYS_DIR: keySet('production'), SMS_GATEWAY_URL: 'https://sms.invalid', PUBLIC_BASE_URL: 'https://bank.invalid', ...ocen }));
    expect(problems).toEqual([
      'OCEN_REGISTRY_URL must use https in production, got "http://registry.invalid"',
      'OCEN_AUTH_TOKEN_URL must use https in production, got "http://auth.invalid/token"',
    ]);
    expect(productionProblems(loadConfig({ ...ocen }))).toEqual([]);
  });

  it('when production serves OCEN, then every OCEN setting is needed unless OCEN_ENABLED=false turns the surface off', () => {
    const ready = { APP_ENV: 'production', KEYS_DIR: keySet('production'), SMS_GATEWAY_URL: 'https://sms.invalid', PUBLIC_BASE_URL: 'https://bank.invalid' };
    const ocen = {
      OCEN_REGISTRY_URL: 'https://registry.invalid', OCEN_AUTH_JWKS_URL: 'https://auth.invalid/certs', OCEN_AUTH_ISSUER: 'https://auth.invalid/realms/x',
      OCEN_AUTH_TOKEN_URL: 'https://auth.invalid/token', OCEN_CLIENT_ID: 'lender', OCEN_CLIENT_SECRET: 'secret', OCEN_PARTICIPANT_ID: 'p-1', OCEN_ORG_ID: 'o-1',
    };
    const missing = productionProblems(loadConfig(ready));
    expect(missing).toHaveLength(1);
    for (const name of Object.keys(ocen)) expect(missing[0]).toContain(name);
    expect(productionProblems(loadConfig({ ...ready, OCEN_ENABLED: 'false' }))).toEqual([]);
    expect(loadConfig({ ...ready, OCEN_ENABLED: 'false', ...ocen }).ocen).toBeUndefined();
    expect(productionProblems(loadConfig({ ...ready, ...ocen }))).toEqual([]);
    expect(productionProblems(loadConfig({ ...ready, ...ocen, OCEN_ANALYTICS_URL: 'http://analytics.invalid' }))).toEqual(['OCEN_ANALYTICS_URL must use https in production, got "http://analytics.invalid"']);
    // One setting forgotten: the configuration itself is refused, naming it.
    const { OCEN_ORG_ID: _forgotten, ...incomplete } = ocen;
    expect(() => loadConfig({ ...ready, ...incomplete })).toThrow(/OCEN_ORG_ID is not/);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { TestApp, productionEnv, startTestApp } from '../support/test-app';
import { ServerProcess } from '../support/server-process';
import { freePort } from '../support/free-port';

/**
 * How a deployment's adapters are chosen at boot (ADAPTERS_MODULE): production refuses to start while any port has
 * no adapter, naming each, and starts once a module supplies them all; the sandbox starts with ports missing, and
 * /readyz names them.
 */
jest.setTimeout(120_000);

let t: TestApp;
let api: ServerProcess | undefined;
const partnersFile = path.join(os.tmpdir(), `cp-adapters-boot-partners-${process.pid}.json`);

beforeAll(async () => {
  // Migrates the database the server processes start on.
  t = await startTestApp({ worker: false });
  const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  fs.writeFileSync(partnersFile, JSON.stringify([{ id: 'boot-pay', protocol: 'GPAY', displayName: 'Boot Pay', jwks: { keys: [{ ...publicKey, kid: 'b1', use: 'sig', alg: 'ES256' }] } }]));
});
afterAll(async () => {
  await api?.stop();
  await t?.stop();
  fs.rmSync(partnersFile, { force: true });
});


/** Production on the test database, with a partner that can sign: everything but adapters. */
function production(port: number): Record<string, string> {
  const { ADAPTERS_MODULE: _module, ...rest } = productionEnv();
  return { ...t.processEnv(), ...rest, PARTNERS_FILE: partnersFile, PORT: String(port) };
}

describe('choosing the adapters at boot', () => {
  it('when production starts with ADAPTERS_MODULE unset (only the generic HTTP adapters, none configured), then it refuses, naming each port without an adapter', async () => {
    api = ServerProcess.start('api', production(await freePort()));
    const exit = await api.exited;
    const output = api.log.map((entry) => String(entry.msg));
    expect(exit.code).toBe(1);
    expect(output).toContain('credit-partner failed to start: credit-partner refuses to start in production:');
    const named = output.filter((line) => line.startsWith('  - no adapter for the ')).map((line) => /\((\w+)\): /.exec(line)?.[1]);
    expect(named).toEqual(['bureau', 'ckyc', 'aadhaar', 'rail', 'mandateRail', 'collector', 'accountAggregator', 'documentVerifier', 'sms']);
    expect(output).toContain('  - no adapter for the disbursement rail (rail): set RAIL_HTTP_URL and RAIL_HTTP_SECRET with credit-partner/http in ADAPTERS_MODULE (the generic HTTP rail), or name a module that supplies it');
    expect(output.some((line) => /listening/.test(line))).toBe(false);
    api = undefined;
  });

  it('when production names a module that supplies every port (a path, relative to the working directory), then it starts, logs which module supplies each port, and is ready', async () => {
    const port = await freePort();
    api = ServerProcess.start('api', { ...production(port), ADAPTERS_MODULE: './test/fixtures/adapters/every-port.js' });
    await api.logged(/listening/);
    const loaded = api.log.find((entry) => entry.msg === 'adapters loaded')!;
    expect(loaded).toMatchObject({ modules: ['test every-port module'], missing: [] });
    expect(loaded.ports).toEqual(['bureau', 'ckyc', 'aadhaar', 'rail', 'mandateRail', 'collector', 'accountAggregator', 'documentVerifier', 'sms'].map((port) => `${port}: test every-port module`));
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: 'up', redis: 'up', migrations: 'current', adapters: 'loaded' } } });
    api.signal('SIGTERM');
    expect(await api.exited).toEqual({ code: 0, signal: null });
    api = undefined;
  });

  it('when the sandbox names a module supplying only some ports, then it starts, and /readyz names the ports left without one', async () => {
    const partial = await startTestApp({
      worker: false,
      env: { ADAPTERS_MODULE: 'credit-partner/http', BUREAU_HTTP_URL: 'http://127.0.0.1:1/bureau', BUREAU_HTTP_SECRET: 'x'.repeat(32) },
    });
    try {
      expect(partial.services.adapters.suppliedBy).toEqual({ bureau: 'credit-partner/http' });
      expect(partial.services.sandbox).toBeUndefined();
      const ready = await partial.http().get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'not ready', checks: { adapters: 'missing' }, missingAdapters: ['ckyc', 'aadhaar', 'rail', 'mandateRail', 'collector', 'accountAggregator', 'documentVerifier', 'sms'] });
    } finally {
      await partial.stop();
    }
  });
});

import path from 'node:path';
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/lib/config';
import { createLogger } from '../../src/lib/logger';
import { systemClock } from '../../src/lib/clock';
import { AdapterContext, AdapterModule } from '../../src/adapters/ports';
import { AdapterError } from '../../src/lib/adapter-error';
import { LoadedAdapterModule, builtinAdapterModules, createAdapterContext, loadAdapterModules } from '../../src/adapters/modules';
import { KitReport, verifyAdapters } from '../../src/adapters/conformance/kit';
import { formatReport } from '../../src/adapters/conformance/report';
import { TestApp, startTestApp } from '../support/test-app';
import { ReferenceServices, startReferenceServices } from '../support/reference-http-services';

/**
 * The conformance kit (`npm run adapters -- verify`): it passes the reference adapters (the sandbox's, and the
 * generic HTTP bureau and rail against a service that keeps the documented contract), and it fails an adapter that
 * breaks a behaviour the core relies on, saying which and why.
 */
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const SECRET = 'reference-services-shared-secret-0123456789';
const BROKEN_RAIL = path.resolve(__dirname, '../fixtures/adapters/broken-rail.js');

let t: TestApp;
let services: ReferenceServices;
let redis: Redis;
beforeAll(async () => {
  t = await startTestApp({ worker: false });
  services = await startReferenceServices({ secret: SECRET });
  redis = new Redis(t.services.config.redisUrl);
});
afterAll(async () => {
  await services?.close();
  redis?.disconnect();
  await t?.stop();
});

const httpEnv = () => ({
  BUREAU_HTTP_URL: services.bureauUrl, BUREAU_HTTP_SECRET: SECRET, BUREAU_HTTP_TIMEOUT_MS: '1000',
  RAIL_HTTP_URL: services.railUrl, RAIL_HTTP_SECRET: SECRET, RAIL_HTTP_TIMEOUT_MS: '1000',
  MANDATE_RAIL_HTTP_URL: services.mandateRailUrl, MANDATE_RAIL_HTTP_SECRET: SECRET, MANDATE_RAIL_HTTP_TIMEOUT_MS: '1000',
});

function contextFor(env: Record<string, string> = {}): AdapterContext {
  const config = loadConfig({ REDIS_URL: t.services.config.redisUrl, ...env });
  return createAdapterContext(config, {
    logger: createLogger('silent'),
    clock: systemClock,
    redis: () => redis,
    records: { nameBehindMandateReference: async () => null, panDigitsBehindUmrn: async () => null, nameBehindAadhaarReference: async () => null },
    redisKeyPrefix: `${t.services.config.queuePrefix}:kit`,
  });
}

function kit(modules: LoadedAdapterModule[], env: Record<string, string> = {}, timeoutMs = 3_000): Promise<KitReport> {
  return verifyAdapters({
    modules,
    context: contextFor(env),
    timeoutMs,
    unreachableRedis: () => {
      const client = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      return client;
    },
  });
}

const moduleOf = (name: string, createAdapters: AdapterModule['createAdapters']): LoadedAdapterModule => ({ spec: name, name, module: { name, createAdapters } });
const checkOf = (report: KitReport, port: string, name: RegExp) => report.ports.find((p) => p.port === port)!.checks.find((c) => name.test(c.name))!;

describe('the adapter conformance kit', () => {
  it('when it verifies the sandbox module, then every port it supplies passes', async () => {
    const config = loadConfig({});
    const report = await kit(loadAdapterModules(['credit-partner/sandbox'], builtinAdapterModules(config)));
    expect({ failed: report.failed, report: formatReport(report) }).toMatchObject({ failed: 0 });
    expect(report.ports.map((p) => p.port)).toEqual(['bureau', 'ckyc', 'aadhaar', 'rail', 'mandateRail', 'collector', 'accountAggregator', 'documentVerifier', 'sms']);
    expect(checkOf(report, 'rail', /errors are classified/)).toMatchObject({ outcome: 'pass', detail: 'Redis unreachable → retry' });
    expect(checkOf(report, 'bureau', /errors are classified/).outcome).toBe('skip');
    expect(report.ports.find((p) => p.port === 'mandateRail')!.checks.map((c) => [c.name, c.outcome])).toEqual(expect.arrayContaining([
      ['the debit status of a reference never presented is UNKNOWN (never taken)', 'pass'],
      ['a debit under the mandate is DEBITED or BOUNCED, idempotent by reference, and its debit status answers it', 'pass'],
      ['after a lost debit answer, the debit status finds the debit (so it is never presented twice)', 'pass'],
      ['a cancellation is CANCELLED (or NOT_FOUND), the same when asked again', 'pass'],
    ]));
    expect(checkOf(report, 'mandateRail', /a debit under the mandate/).detail).toMatch(/^\{"outcome":"DEBITED","railReference":"SBXD\d{16}"\}$/);
  });

  it('when it verifies the generic HTTP bureau, rail and mandate rail against a service keeping the documented contract, then they pass and every transfer was paid (every debit taken) once', async () => {
    const config = loadConfig(httpEnv());
    const report = await kit(loadAdapterModules(['credit-partner/http'], builtinAdapterModules(config)), httpEnv());
    expect({ failed: report.failed, report: formatReport(report) }).toMatchObject({ failed: 0 });
    expect(report.ports.map((p) => p.port)).toEqual(['bureau', 'rail', 'mandateRail']);
    expect(checkOf(report, 'mandateRail', /lost debit answer/).detail).toMatch(/^its HTTP answer dropped on the way back; debitStatus then \{"outcome":"DEBITED","railReference":"[0-9A-F]{12}"\}$/);
    const kitDebits = [...services.debits].filter(([reference]) => reference.startsWith('KIT-'));
    expect(kitDebits.length).toBeGreaterThanOrEqual(2);
    expect(kitDebits.filter(([, count]) => count !== 1)).toEqual([]);
    expect(checkOf(report, 'rail', /lost answer/).detail).toMatch(/^its HTTP answer dropped on the way back; status then \{"status":"SUCCEEDED","utr":"[0-9A-F]{12}"\}$/);
    expect(checkOf(report, 'rail', /errors are classified/).detail).toBe('connection refused → retry, no answer (timeout) → retry, HTTP 503 → retry, HTTP 429 → retry, HTTP 400 → final');
    expect(checkOf(report, 'bureau', /errors are classified/).outcome).toBe('pass');
    const kitPayments = [...services.payments].filter(([reference]) => reference.startsWith('KIT-'));
    expect(kitPayments.length).toBeGreaterThanOrEqual(2);
    expect(kitPayments.filter(([, count]) => count !== 1)).toEqual([]);
    expect(services.badSignatures).toBe(0);
  });

  it('when a rail is not idempotent (it pays again and answers a new UTR on every call), then the kit fails it, saying so', async () => {
    const report = await kit(loadAdapterModules([BROKEN_RAIL], {}));
    const idempotent = checkOf(report, 'rail', /same reference transferred again/);
    expect(idempotent).toEqual({
      name: 'the same reference transferred again gets the first answer (it pays once)',
      outcome: 'fail',
      detail: 'first {"status":"SUCCEEDED","utr":"BROKEN1"}, then {"status":"SUCCEEDED","utr":"BROKEN2"}: not idempotent; a rail must take one transfer per reference (the Idempotency-Key) and answer it again, never pay twice',
    });
    expect(report.failed).toBeGreaterThanOrEqual(1);
    expect(formatReport(report)).toMatch(/✗ the same reference transferred again gets the first answer \(it pays once\)\n {6}first .*BROKEN1.*BROKEN2.*never pay twice\n[^]*does not conform\n$/);
  });

  it('when an adapter opens a database transaction during its call, then the kit fails it (and the call is refused)', async () => {
    const db = t.services.db;
    const report = await kit([moduleOf('bureau on the server database', () => ({
      bureau: { check: async () => db.transaction(async () => 'CLEAN' as const) },
    }))]);
    expect(checkOf(report, 'bureau', /answers a verdict/)).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/TransactionInOutsideCallError: A database transaction was opened during the outside call bureau\.check/) });
    expect(checkOf(report, 'bureau', /no call inside a transaction/)).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/^opened a database transaction during bureau\.check \(1\), bureau\.check \(1\)/) });
  });

  it('when an HTTP adapter neither bounds its calls nor says which errors are final, then the kit fails its classification, naming the fault', async () => {
    const careless = (classify: boolean) => moduleOf(classify ? 'bureau without a timeout' : 'bureau with plain errors', (context) => ({
      bureau: {
        check: async (inquiry) => {
          const response = await context.fetch(`${services.bureauUrl}/unsigned`, { method: 'POST', body: JSON.stringify(inquiry), ...(classify ? {} : { signal: AbortSignal.timeout(500) }) });
          if (!response.ok && classify) throw new AdapterError(`HTTP ${response.status}`, { retryable: response.status >= 500 || response.status === 429 });
          if (!response.ok) throw new Error(`bureau answered ${response.status}`);
          return 'CLEAN' as const;
        },
      },
    }));
    const plain = await kit([careless(false)], {}, 2_000);
    expect(checkOf(plain, 'bureau', /errors are classified/)).toMatchObject({ outcome: 'fail', detail: 'HTTP 503 must be retry, but check threw Error: bureau answered 503, unclassified (throw AdapterError with retryable)' });
    const unbounded = await kit([careless(true)], {}, 1_000);
    expect(checkOf(unbounded, 'bureau', /errors are classified/)).toMatchObject({ outcome: 'fail', detail: 'did not give up on a service that never answers within 1000 ms: give each call a timeout (AbortSignal.timeout)' });
  });

  it('when run as the command line on the broken rail, then it prints the report and exits 1; on the HTTP adapters it exits 0', async () => {
    // Not spawnSync: the reference services answer from this process's event loop.
    const run = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['-r', './test/support/register-ts.js', 'src/adapters-main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...t.processEnv(), ...env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const broken = await run(['verify', BROKEN_RAIL, '--timeout-ms', '2000']);
    expect({ code: broken.status, stderr: broken.stderr }).toEqual({ code: 1, stderr: '' });
    expect(broken.stdout).toMatch(/^Adapter conformance: broken rail \(pays on every call\) \(every call within 2000 ms\)\n/);
    expect(broken.stdout).toContain('  ✗ the same reference transferred again gets the first answer (it pays once)\n      first {"status":"SUCCEEDED","utr":"BROKEN1"}, then {"status":"SUCCEEDED","utr":"BROKEN2"}: not idempotent;');
    const http = await run(['verify', 'credit-partner/http', '--timeout-ms', '3000'], httpEnv());
    expect({ code: http.status, stderr: http.stderr, last: http.stdout.trim().split('\n').pop() }).toEqual({ code: 0, stderr: '', last: expect.stringMatching(/^\d+ passed, 0 failed, 0 not applicable: conforms$/) });
    expect((await run(['verify', '--port', 'teller'])).status).toBe(64);
    expect(await run(['verify', './no/such/adapters.js'])).toMatchObject({ status: 2, stderr: expect.stringContaining('./no/such/adapters.js: no such file') });
  });
});

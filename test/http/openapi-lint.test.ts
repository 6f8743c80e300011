/**
 * Every OpenAPI document the server serves passes Redocly's recommended rules and Spectral's `spectral:oas` with no
 * error, as an integrator's tooling runs them. The documents are the ones `openApiDocuments` lists (src/app.ts),
 * fetched over HTTP from a sandbox app (the partner API with the sandbox's endpoints, OCEN with the built-in loan
 * agent) and a production one (no sandbox): a surface that adds its document there is linted here too. And the
 * Swagger UI pages' "Try it out", run from the served swagger-ui-init.js as a browser runs it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { openApiDocuments } from '../../src/app';
import { buildOcenOpenApi } from '../../src/protocols/ocen/ocen-openapi';
import { TestApp, productionEnv, startTestApp } from '../support/test-app';
import { partnerKeyPair } from '../support/signed-client';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'node_modules/.bin');
const QUIET = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };

interface Finding {
  linter: 'redocly' | 'spectral';
  severity: 'error' | 'warning';
  rule: string;
  where: string;
  message: string;
}

/** A linter exits 1 when it finds an error; its report is written either way. Any other failure is thrown. */
async function stdoutOf(file: string, args: string[]): Promise<string> {
  try {
    return (await run(file, args, { cwd: ROOT, env: QUIET, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (err) {
    const failed = err as { code?: unknown; stdout?: string };
    if (failed.code === 1 && typeof failed.stdout === 'string') return failed.stdout;
    throw err;
  }
}

async function redocly(file: string): Promise<Finding[]> {
  const report = JSON.parse(await stdoutOf(path.join(BIN, 'redocly'), ['lint', '--extends', 'recommended', '--format', 'json', file]));
  return report.problems.map((p: { ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }) => ({
    linter: 'redocly', severity: p.severity === 'error' ? 'error' : 'warning', rule: p.ruleId, where: p.location[0]?.pointer ?? '', message: p.message,
  }));
}

async function spectral(file: string): Promise<Finding[]> {
  const output = `${file}.spectral.json`;
  await stdoutOf(path.join(BIN, 'spectral'), ['lint', '--ruleset', path.join(ROOT, '.spectral.yaml'), '--format', 'json', '--output', output, file]);
  const report = JSON.parse(fs.readFileSync(output, 'utf8'));
  return report.map((p: { code: string; severity: number; message: string; path: string[] }) => ({
    linter: 'spectral', severity: p.severity === 0 ? 'error' : 'warning', rule: p.code, where: p.path.join('.'), message: p.message,
  }));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-lint-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Fetches every document the app lists, writes each to a file, and lints it with both linters. */
async function lintServed(t: TestApp, label: string): Promise<Record<string, Finding[]>> {
  const served = openApiDocuments(t.services).map((d) => d.path);
  expect(served.length).toBeGreaterThan(0);
  const findings: Record<string, Finding[]> = {};
  for (const documentPath of served) {
    const res = await t.http().get(documentPath).expect(200).expect('content-type', /json/);
    const file = path.join(dir, `${label}${documentPath.replace(/[^A-Za-z0-9.]+/g, '-')}`);
    fs.writeFileSync(file, JSON.stringify(res.body, null, 2));
    const [a, b] = await Promise.all([redocly(file), spectral(file)]);
    findings[documentPath] = [...a, ...b];
  }
  return findings;
}

/** Errors and warnings per document and linter, kept in test-artifacts/openapi-lint.json for the record. */
function recordCounts(label: string, findings: Record<string, Finding[]>): void {
  const file = path.join(ROOT, 'test-artifacts', 'openapi-lint.json');
  const counts = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  for (const [document, list] of Object.entries(findings)) {
    counts[`${label} ${document}`] = Object.fromEntries((['redocly', 'spectral'] as const).map((linter) => {
      const mine = list.filter((f) => f.linter === linter);
      return [linter, { errors: mine.filter((f) => f.severity === 'error').length, warnings: mine.filter((f) => f.severity === 'warning').length }];
    }));
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(counts, null, 2));
}

const errorsOf = (findings: Record<string, Finding[]>) =>
  Object.fromEntries(Object.entries(findings).map(([document, list]) => [document, list.filter((f) => f.severity === 'error')]));

describe('in the sandbox', () => {
  let t: TestApp;
  let findings: Record<string, Finding[]>;
  beforeAll(async () => {
    t = await startTestApp({ worker: false });
    findings = await lintServed(t, 'sandbox');
    recordCounts('sandbox', findings);
  }, 120_000);
  afterAll(() => t?.stop());

  it('serves the partner API\'s document and the OCEN lender\'s, each linked from the front door', async () => {
    expect(Object.keys(findings)).toEqual(expect.arrayContaining(['/openapi.json', '/ocen/openapi.json']));
    const links = Object.values((await t.http().get('/').expect(200)).body.links as Record<string, string>);
    expect(links).toEqual(expect.arrayContaining(Object.keys(findings)));
  });

  it('when each served document is linted with Redocly (recommended) and Spectral (spectral:oas), then neither reports an error', () => {
    expect(errorsOf(findings)).toEqual(Object.fromEntries(Object.keys(findings).map((document) => [document, []])));
  });

  it('when "Try it out" runs the served swagger-ui-init.js (no inline script), then an example\'s requestId is made fresh and a typed one is kept, on both pages', async () => {
    const interceptorOf = async (page: string) => {
      const init = (await t.http().get(`${page}/swagger-ui-init.js`).expect(200)).text;
      const captured: { requestInterceptor?: (request: { body: string; headers: Record<string, string> }) => { body: string } } = {};
      const bundle = Object.assign((options: typeof captured) => Object.assign(captured, options), { presets: { apis: {} }, plugins: { DownloadUrl: {} } });
      const window: { onload?: () => void; location: { search: string; origin: string } } = { location: { search: '', origin: 'http://localhost' } };
      vm.runInNewContext(init, { window, SwaggerUIBundle: bundle, SwaggerUIStandalonePreset: {}, globalThis: {} });
      window.onload!();
      return (body: unknown) => JSON.parse(captured.requestInterceptor!({ body: JSON.stringify(body), headers: {} }).body);
    };
    const documents = Object.fromEntries(openApiDocuments(t.services).map((d) => [d.docsPath, d.document as any]));
    const gpay = await interceptorOf('/docs');
    const gpayExample = documents['/docs'].paths['/v1/financialservices/credit/offer/approveUser'].post.requestBody.content['application/json'].example;
    expect(gpay(gpayExample).requestHeader.requestId).not.toBe(gpayExample.requestHeader.requestId);
    expect(gpay({ ...gpayExample, requestHeader: { ...gpayExample.requestHeader, requestId: 'typed-1' } }).requestHeader.requestId).toBe('typed-1');
    const ocen = await interceptorOf('/ocen/docs');
    const ocenExample = documents['/ocen/docs'].paths['/v4.0.0alpha/offers/generateOffersRequest'].post.requestBody.content['application/json'].example;
    expect(ocen(ocenExample).metadata.requestId).not.toBe(ocenExample.metadata.requestId);
    const typed = { ...ocenExample, metadata: { ...ocenExample.metadata, requestId: 'typed-2' } };
    expect(ocen(typed)).toEqual(ocen(typed));
    expect(ocen(typed).metadata.requestId).toBe('typed-2');
  });

  it('when OCEN_* settings are given (no built-in agent: token and signature required), then the OCEN document has no error either', async () => {
    const configured = buildOcenOpenApi(t.services.ocen!.operations, { basePath: '/bank', publicBaseUrl: 'https://bank.invalid', builtInAgent: false });
    const file = path.join(dir, 'configured-ocen.json');
    fs.writeFileSync(file, JSON.stringify(configured, null, 2));
    const found = [...(await redocly(file)), ...(await spectral(file))];
    expect(found.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('the linters do bite: a $ref with a description beside it, and an operation without a summary, are errors', async () => {
    const spec = (await t.http().get('/ocen/openapi.json')).body;
    const [first] = Object.values<{ post: { summary?: string } }>(spec.paths);
    delete first.post.summary;
    spec.components.schemas.Ack.properties.error = { $ref: '#/components/schemas/Ack', description: 'beside a $ref' };
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, JSON.stringify(spec));
    const rules = [...(await redocly(file)), ...(await spectral(file))].filter((f) => f.severity === 'error').map((f) => `${f.linter} ${f.rule}`);
    expect(rules).toEqual(expect.arrayContaining(['redocly operation-summary', 'spectral no-$ref-siblings']));
  });
});

describe('in production (no sandbox)', () => {
  let t: TestApp;
  let findings: Record<string, Finding[]>;
  beforeAll(async () => {
    const key = await partnerKeyPair('lint-es256', 'ES256');
    t = await startTestApp({ worker: false, env: productionEnv(), partners: [{ id: 'bank-partner', displayName: 'Partner', protocol: 'GPAY', jwks: { keys: [key.publicJwk] } }] });
    findings = await lintServed(t, 'production');
    recordCounts('production', findings);
  }, 120_000);
  afterAll(() => t?.stop());

  it('when each served document is linted with Redocly (recommended) and Spectral (spectral:oas), then neither reports an error', () => {
    expect(Object.keys(findings)).toContain('/openapi.json');
    expect(errorsOf(findings)).toEqual(Object.fromEntries(Object.keys(findings).map((document) => [document, []])));
  });
});

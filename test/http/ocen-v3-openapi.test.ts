/**
 * The OCEN v3 surface's own OpenAPI document (`/ocen-v3/openapi.json`): it lists exactly the operations served,
 * each with its signed body, its signed ack and the `...Response` callback with the official schema, and both
 * linters the project uses for served documents find no error in it (Redocly's recommended rules, Spectral's
 * `spectral:oas`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { V3_OPERATIONS, V3Operation } from '../../src/protocols/ocen-v3/ocen-v3-schemas';
import { TestApp, startTestApp } from '../support/test-app';

let t: TestApp;
let document: any;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocen-v3-openapi-'));
const file = path.join(dir, 'ocen-v3.json');
const bin = (name: string) => path.join(__dirname, '../../node_modules/.bin', name);

beforeAll(async () => {
  t = await startTestApp({ worker: false });
  document = (await t.http().get('/ocen-v3/openapi.json').expect(200)).body;
  fs.writeFileSync(file, JSON.stringify(document));
});

afterAll(async () => {
  await t?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('when read, then it lists every served v3 operation with its callback, and nothing else', () => {
  const served = t.services.ocenV3.operations;
  expect(Object.keys(document.paths).sort()).toEqual(served.map((o) => `/v3/${o}`).sort());
  for (const operation of served) {
    const post = document.paths[`/v3/${operation}`].post;
    const response = V3_OPERATIONS[operation as V3Operation].response;
    expect(Object.keys(post.callbacks)).toEqual([response]);
    expect(post.requestBody.content['application/json'].schema.properties.payload.contentSchema.$ref).toMatch(/^#\/components\/schemas\//);
  }
  const refs = [...JSON.stringify(document).matchAll(/"#\/components\/schemas\/([A-Za-z0-9]+)"/g)].map((m) => m[1]);
  expect(refs.filter((name) => !document.components.schemas[name])).toEqual([]);
});

it('when linted with Redocly (recommended) and Spectral (spectral:oas), then neither reports an error', () => {
  const redocly = spawnSync(bin('redocly'), ['lint', '--format=json', file], { encoding: 'utf8', timeout: 120_000 });
  const problems = JSON.parse(redocly.stdout).problems as Array<{ severity: string; message: string }>;
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  fs.writeFileSync(path.join(dir, '.spectral.yaml'), 'extends: ["spectral:oas"]\n');
  const out = path.join(dir, 'spectral.json');
  spawnSync(bin('spectral'), ['lint', '-r', path.join(dir, '.spectral.yaml'), '-f', 'json', '-o', out, file], { encoding: 'utf8', timeout: 120_000 });
  const results = JSON.parse(fs.readFileSync(out, 'utf8')) as Array<{ severity: number; message: string }>;
  expect(results.filter((r) => r.severity === 0)).toEqual([]);
});

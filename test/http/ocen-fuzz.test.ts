/**
 * Hostile input on the OCEN surface: every request path of /ocen/openapi.json, on the sandbox's built-in test loan
 * agent (no signature needed, so every body reaches the handlers), with bodies generated from the operation's own
 * request schema (json-schema-faker, seeded by fast-check) and with the operation's example damaged one way each:
 * a member removed, a value of another type or out of range, odd unicode, null, a huge string, deep nesting; most
 * damaged ones name real records of the agent (an offered application, a granted one, a disbursed loan). Each
 * answer must be the protocol's Ack (`{error, traceId, timestamp}`, `error` "0" on 200), never a 5xx; and what was
 * accepted must be answered by a callback that validates (the worker checks each before storing it).
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { generateSync } from 'json-schema-faker';
import { OCEN_EXAMPLES } from '../../src/protocols/ocen/ocen-examples';
import type { OcenOperation } from '../../src/protocols/ocen/ocen-schemas';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { SANDBOX_OCEN_AGENT_ID } from '../../src/core/partner/sandbox-partners';
import { SANDBOX_JOURNEY } from '../../src/protocols/ocen/ocen-examples';
import { disbursedLoan, grantedApplication, openOcenApplication } from '../support/ocen-loan-fixtures';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const PER_OPERATION = Number(process.env.OCEN_FUZZ_PER_OPERATION ?? 80);
const CONCURRENCY = 8;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (value: unknown): value is { [key: string]: Json } => typeof value === 'object' && value !== null && !Array.isArray(value);

let app: TestApp;
let spec: Record<string, any>;
/** Real records of the built-in agent (an offered application, a granted one, a disbursed loan), so that damaged requests reach past the look-ups. */
const real: Array<{ loanApplicationId: string; loanId: string }> = [];

beforeAll(async () => {
  app = await startTestApp();
  spec = (await app.http().get('/ocen/openapi.json').expect(200)).body;
  const [offered, granted, disbursed] = await Promise.all([1, 2, 3].map(() => openOcenApplication(app, SANDBOX_OCEN_AGENT_ID)));
  const grantedLoan = await grantedApplication(app.services, granted);
  const disbursedOne = await disbursedLoan(app.services, disbursed);
  real.push(
    { loanApplicationId: offered.externalReference, loanId: SANDBOX_JOURNEY.loanId },
    { loanApplicationId: granted.externalReference, loanId: grantedLoan.lenderReference },
    { loanApplicationId: disbursed.externalReference, loanId: disbursedOne.loanId },
  );
}, 120_000);

/** The example with its placeholder loan application and loan replaced by one of the real ones. */
function withRealIds(example: Json, which: number): Json {
  const { loanApplicationId, loanId } = real[which];
  return JSON.parse(JSON.stringify(example).replaceAll(SANDBOX_JOURNEY.loanApplicationId, loanApplicationId).replaceAll(SANDBOX_JOURNEY.loanId, loanId)) as Json;
}
afterAll(() => app?.stop());

function inline(node: any, depth = 0): any {
  if (depth > 40) return {};
  if (Array.isArray(node)) return node.map((n) => inline(n, depth + 1));
  if (isObject(node)) {
    if (typeof node.$ref === 'string') return inline(spec.components.schemas[node.$ref.split('/').pop()!], depth + 1);
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inline(value, depth + 1)]));
  }
  return node;
}

function placesOf(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  const here = path.length ? [path] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => placesOf(v, [...path, i]))];
  if (isObject(value)) return [...here, ...Object.entries(value).flatMap(([k, v]) => placesOf(v, [...path, k]))];
  return here;
}

function put(value: Json, path: Array<string | number>, replacement: Json | undefined): Json {
  const copy = structuredClone(value);
  let node: any = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  const last = path[path.length - 1];
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

const ODD: Json[] = ['😀', '\u202eevil\u202c', 'e\u0301\u0301', 'a\u0000b', '\ud800', '\u001b[31m', '९८७६', '', ' ', '-1', '1e309', 'null', '{}', 'x'.repeat(5_000)];
const replacement = fc.oneof(
  fc.constant<Json | undefined>(undefined),
  fc.constantFrom<Json>(null, true, 0, -1, 0.5, 2 ** 53 + 2, 1e300, [], {}, [null], { a: 1 }),
  fc.constantFrom(...ODD),
  fc.jsonValue().map((v) => v as Json),
);

interface Case {
  operation: string;
  kind: string;
  body: Json | string;
  participant?: string;
}

function casesOf(operation: string, schema: Record<string, any>): fc.Arbitrary<Case> {
  const example = (OCEN_EXAMPLES[operation as OcenOperation]?.body ?? {}) as Json;
  const places = placesOf(example);
  const generated = fc.integer({ min: 1, max: 2 ** 31 - 2 }).map((seed) => ({ operation, kind: 'generated', body: generateSync(schema, { seed, maxDepth: 12 } as never) as Json }));
  const damaged = fc.tuple(fc.constantFrom(...places), replacement, fc.integer({ min: -1, max: 2 })).map(([path, value, which]) => ({ operation, kind: which < 0 ? 'damaged' : 'damaged, real ids', body: put(which < 0 ? example : withRealIds(example, which), path, value) }));
  const deep = fc.integer({ min: 40, max: 400 }).map((n) => ({ operation, kind: 'deep', body: `${'['.repeat(n)}${']'.repeat(n)}` }));
  const notJson = fc.constantFrom('', '{', 'null', '[]', '"text"', '{"metadata": }', '\u0000').map((text) => ({ operation, kind: 'not an object', body: text }));
  return fc.tuple(fc.oneof({ weight: 3, arbitrary: generated }, { weight: 6, arbitrary: damaged }, { weight: 1, arbitrary: deep }, { weight: 1, arbitrary: notJson }), fc.boolean())
    .map(([c, second]) => ({ ...c, participant: second ? 'fuzz-agent-two' : undefined }));
}

/** A fresh requestId and timestamp for a body that has an envelope (so repeats are not replays). */
function fresh(body: Json | string): string {
  if (typeof body === 'string') return body;
  if (isObject(body) && isObject(body.metadata)) {
    return JSON.stringify({ ...body, metadata: { ...body.metadata, requestId: randomUUID(), timestamp: new Date().toISOString() } });
  }
  return JSON.stringify(body);
}

it('answers every generated or damaged OCEN request with an Ack and a status below 500, and builds a valid callback for each accepted one', async () => {
  const operations = Object.entries<Record<string, any>>(spec.paths).map(([path, methods]) => ({
    path,
    operation: path.replace(/^\/v4\.0\.0alpha\//, ''),
    schema: inline(methods.post.requestBody.content['application/json'].schema),
  }));
  expect(operations).toHaveLength(27);
  const cases: Array<Case & { path: string }> = [];
  operations.forEach(({ path, operation, schema }, index) => {
    for (const c of fc.sample(casesOf(operation, schema), { seed: SEED + index, numRuns: PER_OPERATION })) cases.push({ ...c, path });
  });

  const problems: string[] = [];
  const statuses: Record<string, Record<string, number>> = {};
  const accepted: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const text = fresh(c.body);
      const request = app.http().post(c.path).set('content-type', 'application/json');
      if (c.participant) request.set('x-ocen-participant-id', c.participant);
      const answer = await request.send(text);
      const byKind = (statuses[c.kind] ??= {});
      byKind[answer.status] = (byKind[answer.status] ?? 0) + 1;
      const ack = answer.body as Record<string, unknown>;
      const shaped = isObject(ack) && typeof ack.error === 'string' && typeof ack.traceId === 'string' && typeof ack.timestamp === 'string';
      if (answer.status >= 500 || !shaped || (answer.status === 200) !== (ack.error === '0')) {
        problems.push(`${c.operation} (${c.kind}): ${answer.status} ${JSON.stringify(ack).slice(0, 200)} for ${text.slice(0, process.env.OCEN_FUZZ_FULL ? 100_000 : 200)}`);
      }
      if (answer.status === 200) accepted.push(JSON.parse(text).metadata.requestId);
    }
  }));
  console.log(`ocen fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays it), ${cases.length} requests over ${operations.length} operations, ${accepted.length} accepted, statuses by kind ${JSON.stringify(statuses)}`);
  expect(problems).toEqual([]);

  // Each accepted request's answer gets built, which means it passed the patched loan.json (a body that does not is
  // never stored, and its row stays unbuilt).
  const unbuilt = () => app.services.db.query<{ operation: string; last_error: string | null }>(
    `SELECT operation, last_error FROM partner_callback WHERE request_id = ANY($1) AND body_ciphertext IS NULL`,
    [accepted],
  );
  expect(await eventually(unbuilt, (rows) => rows.length === 0, 60_000).catch(async () => unbuilt())).toEqual([]);
}, 300_000);

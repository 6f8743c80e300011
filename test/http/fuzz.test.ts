import http from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { generateSync } from 'json-schema-faker';
import { compactVerify, createLocalJWKSet } from 'jose';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { createHttpServer } from '../../src/lib/http-server';
import { PATHS, applicationStatus, challenge, panWith, readyToSubmit, submitData } from '../support/journey';
import { PartnerKeyPair, partnerKeyPair, serverJwks, sign } from '../support/signed-client';

/*
 * Fuzzes every operation of the served /openapi.json on a real listening server. Bodies come from the
 * document's own schemas (json-schema-faker, seeded by fast-check), then one class of damage each: none,
 * one mutation, odd unicode, deep nesting, a body near or over the 64 KiB limit, or a transport oddity; part
 * of them are sent signed (application/jose), as production requires. Every answer must be declared for its
 * operation, match the declared schema (a signed answer: once verified), and never be a 5xx.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const PER_OPERATION = Number(process.env.FUZZ_PER_OPERATION ?? 330);
const CONCURRENCY = 8;
const BODY_LIMIT = 64 * 1024;
const PLACEHOLDER_ID = 'fuzz-request-id';
const PLACEHOLDER_MILLIS = '1111111111111';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, any>;
type Kind = 'valid' | 'mutation' | 'unicode' | 'deep' | 'huge' | 'transport' | 'signed';
const SIGNED_PARTNER = 'fuzz-signed';

interface Operation {
  name: string;
  method: 'get' | 'post';
  template: string;
  doc: Schema;
  body?: Schema;
  parameters: Array<{ name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: Schema }>;
  envelope: boolean;
}

/** One request, fixed at generation time except the fresh requestId and timestamp filled in when it is sent. */
interface Case {
  operation: Operation;
  kind: Kind;
  note: string;
  params: Record<string, string>;
  partnerId?: string;
  contentType?: string;
  json?: Json;
  /** Replaces the JSON string `"marker"` of the serialised body with raw text (deep nesting), or pads it to a byte size. */
  splice?: { marker: string; text?: string; padTo?: number; unit?: string };
  raw?: Buffer;
  /** Sent as a compact JWS of the JSON body by SIGNED_PARTNER's key; `tampered` changes the signed payload after signing. */
  signed?: 'intact' | 'tampered';
  /** What the answer must be, beyond being declared: ill-formed text and deep nesting are always refused. */
  expect?: (status: number) => string | undefined;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

let t: TestApp;
let server: http.Server;
let agent: http.Agent | undefined;
let base: string;
let spec: Schema;
let counter = 0;
let signingKey: PartnerKeyPair;
let ourKeys: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  t = await startTestApp();
  server = createHttpServer(t.app, t.services.config.http);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  spec = JSON.parse((await send({ method: 'GET', path: '/openapi.json' })).text);
  signingKey = await partnerKeyPair('fuzz-es256', 'ES256');
  await t.services.partners.add({ id: SIGNED_PARTNER, displayName: 'Fuzz test partner (signs its requests)', protocol: 'GPAY', jwks: { keys: [signingKey.publicJwk] } });
  ourKeys = createLocalJWKSet(await serverJwks(t));
});

afterAll(async () => {
  agent?.destroy();
  await new Promise((resolve) => server?.close(resolve));
  await t?.stop();
});

function send(request: { method: string; path: string; headers?: Record<string, string>; body?: Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // The server answers a body over the limit with 413 before reading it and closes that connection: such a
    // request gets a connection of its own, so no other request lands on a closing socket.
    const own = !agent || (request.body?.length ?? 0) > BODY_LIMIT;
    const req = http.request(`${base}${request.path}`, { method: request.method, agent: own ? false : agent, headers: { ...request.headers, ...(request.body ? { 'content-length': String(request.body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

// ---------------------------------------------------------------------------------------------- the document

/** A schema with every $ref replaced by its target (the document has no recursive schema). */
function inline(node: any): any {
  if (Array.isArray(node)) return node.map(inline);
  if (node && typeof node === 'object') {
    if (typeof node.$ref === 'string') return inline(spec.components.schemas[node.$ref.split('/').pop()]);
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inline(value)]));
  }
  return node;
}

function shortClockMoves(body: Schema): Schema {
  return { ...body, properties: { ...body.properties, days: { ...body.properties.days, maximum: 2 } } };
}

function operationsOf(document: Schema): Operation[] {
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries<Record<string, Schema>>(document.paths)) {
    for (const [method, doc] of Object.entries(methods)) {
      let body = doc.requestBody?.content?.['application/json']?.schema;
      // Each day of a clock move runs a close of business before the answer: the fuzzer's valid moves stay short.
      if (template === '/sandbox/clock/advance' && body) body = shortClockMoves(inline(body));
      operations.push({
        name: `${method.toUpperCase()} ${template}`,
        method: method as 'get' | 'post',
        template,
        doc,
        body: body ? inline(body) : undefined,
        parameters: (doc.parameters ?? []).map((p: Schema) => ({ ...p, schema: inline(p.schema) })),
        envelope: !template.startsWith('/sandbox/'),
      });
    }
  }
  return operations;
}

/** One schema-valid value, from json-schema-faker with a seed that fast-check chooses (so the run replays from SEED). */
const fromSchema = (schema: Schema) => fc.integer({ min: 1, max: 2 ** 31 - 2 }).map((seed) => generateSync(schema, { seed, maxDepth: 30, refDepthMax: 30 } as never) as Json);

// ---------------------------------------------------------------------------------------------- known identifiers

/** Identifiers of one whole journey, so that part of the valid bodies reach real records and their answers. */
const known = { gid: '', offerId: '', accountToken: '', cKycId: '', phone: { countryCode: '91', nationalNumber: '9000000000' } };

async function runJourney(): Promise<void> {
  const pan = panWith('1234');
  const ready = await readyToSubmit(t, { pan });
  const search = await t.call(PATHS.searchCkyc, { googleApplicationId: ready.gid, pan, dateOfBirth: '1990-05-15', tncAcceptanceMetadata: [{ type: 'CKYC_DATA_FETCH', acceptance: true }] });
  const proof = await challenge(t, ready.phone, 'submitApplicationContext');
  const submitted = await t.call(PATHS.submit, submitData(ready.gid, ready.offerId, ready.phone, proof, { amountRupees: 100_000, tenureMonths: 12, rateE5: ready.rateE5, kfsId: ready.kfsId }));
  expect(submitted.status).toBe(200);
  const status = await eventually(() => applicationStatus(t, ready.gid), (s) => s.applicationState === 'DISBURSED');
  Object.assign(known, { gid: ready.gid, offerId: ready.offerId, accountToken: status.accountToken, cKycId: search.body.data?.cKycId ?? '', phone: ready.phone });
}

/** Puts the journey's identifiers where the body has the same members. */
function useKnownIdentifiers(body: Json): Json {
  const data = isObject(body) && isObject(body.data) ? body.data : undefined;
  if (!data) return body;
  if ('googleApplicationId' in data) data.googleApplicationId = known.gid;
  if ('offerId' in data) data.offerId = known.offerId;
  if ('accountToken' in data) data.accountToken = known.accountToken;
  if ('cKycId' in data && known.cKycId) data.cKycId = known.cKycId;
  return body;
}

// ---------------------------------------------------------------------------------------------- damage

const isObject = (value: unknown): value is { [key: string]: Json } => typeof value === 'object' && value !== null && !Array.isArray(value);
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** Every place in a value: the path to it (member names and indexes). */
function placesOf(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  const children = Array.isArray(value) ? value.map((item, i) => placesOf(item, [...path, i])) : isObject(value) ? Object.entries(value).map(([key, member]) => placesOf(member, [...path, key])) : [];
  return [path, ...children.flat()];
}

function at(value: Json, path: Array<string | number>): Json {
  return path.reduce<Json>((node, key) => (node as any)[key], value);
}

function put(value: Json, path: Array<string | number>, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const parent = at(value, path.slice(0, -1)) as any;
  const key = path[path.length - 1];
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else {
    parent[key] = replacement;
  }
  return value;
}

/** A value of another JSON type than `value`. */
const otherType = (value: Json): fc.Arbitrary<Json> =>
  fc.oneof(fc.constant<Json>(null), fc.boolean(), fc.integer(), fc.double(), fc.string(), fc.constant<Json>([]), fc.constant<Json>({}), fc.array(fc.jsonValue() as fc.Arbitrary<Json>, { maxLength: 3 })).filter((other) => typeof other !== typeof value || Array.isArray(other) !== Array.isArray(value) || (other === null) !== (value === null));

/** A value of the same type but out of any sensible range. */
const outOfRange = (value: Json): fc.Arbitrary<Json> => {
  if (typeof value === 'string') return fc.constantFrom('', ' ', 'x'.repeat(257), '9'.repeat(40), '-9223372036854775809', '9223372036854775808', '0000-00-00', '2023-02-29', value + value + value + 'x'.repeat(120));
  if (typeof value === 'number') return fc.constantFrom(-1, 0, 0.5, -0.000001, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e300, -1e300, Number.MAX_VALUE);
  if (Array.isArray(value)) return fc.constantFrom<Json>([], new Array(60).fill(value[0] ?? null));
  if (isObject(value)) return fc.constant({});
  return fc.constant(!value);
};

const ODD = [
  '😀', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'e\u0301\u0301\u0301', 'Z\u0351\u0352\u0353\u0354\u0355', '\u202eevil\u202c', 'שלום', 'مرحبا', 'a\u200bb', '\u200d', '\ufeffx', '\u2028\u2029', '\uffff', '\ufffe',
  '\ud800', '\udc00', 'x\ud83dy', 'tail\udbff', '\u0000', 'a\u0000b', '\u0007', '\u001b[31m', '\u007f', '\u0085', '९८७६', '１２３',
];
const oddText = fc.oneof(fc.constantFrom(...ODD), fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }));
// eslint-disable-next-line no-control-regex -- the edge's own rule, restated
const ILL_FORMED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The edge refuses ill-formed text and too-deep nesting as 400, whatever the operation. */
const refusedAs400 = (status: number) => (status === 400 ? undefined : `expected 400, got ${status}`);

// ---------------------------------------------------------------------------------------------- cases

function caseArbitrary(operation: Operation): fc.Arbitrary<Case> {
  const pathParams = operation.parameters.filter((p) => p.in !== 'header');
  const validParams = fc.tuple(...pathParams.map((p) => fromSchema(p.schema).map((v) => String(v)))).map((values) => Object.fromEntries(pathParams.map((p, i) => [p.name, values[i]])));
  const validBody: fc.Arbitrary<Json | undefined> = operation.body
    ? fc.tuple(fromSchema(operation.body), fc.boolean()).map(([body, useKnown]) => {
        if (operation.envelope && isObject(body) && isObject(body.requestHeader)) {
          body.requestHeader.requestId = PLACEHOLDER_ID;
          body.requestHeader.requestTimestamp = { epochMillis: PLACEHOLDER_MILLIS };
        }
        return useKnown ? useKnownIdentifiers(body) : body;
      })
    : fc.constant(undefined);
  const partnerId = fc.constantFrom(undefined, undefined, 'gpay');
  const knownReference = (params: Record<string, string>, useKnown: boolean) => ('reference' in params && useKnown ? { ...params, reference: known.gid } : params);
  const valid = fc.record({ params: validParams, json: validBody, partnerId, useKnown: fc.boolean() }).map(({ params, json, partnerId: partner, useKnown }) => ({ params: knownReference(params, useKnown), json, partnerId: partner }));

  const base = (kind: Kind, note: string, parts: Partial<Case>) => ({ operation, kind, note, params: {}, ...parts }) as Case;

  const validCase = valid.map((v) => base('valid', 'schema-valid', v));

  const mutationCase = fc
    .tuple(valid, fc.nat(), fc.constantFrom('remove', 'wrong type', 'out of range', 'unknown member'), fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, fc.nat())
    .chain(([v, index, mutation, name, extra, pick]) => {
      if (v.json === undefined) {
        // A body-less operation: mutate a parameter.
        const names = Object.keys(v.params);
        // (A JSON object may have a member named toString: it is sent as JSON text.)
        if (names.length === 0) return fc.constant(base('mutation', 'unknown query member', { ...v, params: { [name]: typeof extra === 'object' && extra !== null ? JSON.stringify(extra) : String(extra) } }));
        const target = names[pick % names.length];
        return outOfRange(v.params[target]).map((value) => base('mutation', `${mutation} ${target}`, { ...v, params: { ...v.params, [target]: String(value) } }));
      }
      const json = clone(v.json);
      const places = placesOf(json);
      const path = places[index % places.length];
      const label = `${mutation} at ${path.join('.') || '(body)'}`;
      switch (mutation) {
        case 'remove':
          return fc.constant(base('mutation', label, { ...v, json: path.length ? put(json, path, undefined) : {} }));
        case 'wrong type':
          return otherType(at(json, path)).map((other) => base('mutation', label, { ...v, json: put(clone(json), path, other) }));
        case 'out of range':
          return outOfRange(at(json, path)).map((other) => base('mutation', label, { ...v, json: put(clone(json), path, other) }));
        default: {
          const objects = places.filter((p) => isObject(at(json, p)));
          const owner = objects[pick % objects.length];
          (at(json, owner) as Record<string, Json>)[name] = extra;
          return fc.constant(base('mutation', `unknown member ${JSON.stringify(name)} at ${owner.join('.') || '(body)'}`, { ...v, json }));
        }
      }
    });

  const unicodeCase = fc.tuple(valid, oddText, fc.nat(), fc.constantFrom('value', 'member name', 'parameter')).map(([v, text, index, where]) => {
    const params = { ...v.params };
    let json = v.json === undefined ? undefined : clone(v.json);
    let note: string;
    if ((where === 'parameter' || json === undefined) && Object.keys(params).length) {
      const name = Object.keys(params)[index % Object.keys(params).length];
      params[name] = text;
      note = `odd text in parameter ${name}`;
    } else {
      json = json ?? {};
      const places = placesOf(json);
      const strings = places.filter((p) => typeof at(json!, p) === 'string');
      if (where === 'value' && strings.length) {
        const path = strings[index % strings.length];
        json = put(json, path, `${at(json, path)}${text}`);
        note = `odd text in ${path.join('.')}`;
      } else {
        const objects = places.filter((p) => isObject(at(json!, p)));
        const owner = objects[index % objects.length];
        (at(json, owner) as Record<string, Json>)[text] = 'x';
        note = `odd member name at ${owner.join('.') || '(body)'}`;
      }
    }
    const illFormed = ILL_FORMED.test(text);
    return base('unicode', `${note}: ${JSON.stringify(text)}`, { ...v, params, json, expect: illFormed ? refusedAs400 : undefined });
  });

  const deepCase = fc.tuple(valid, fc.constantFrom(1_000, 10_000, 30_000), fc.constantFrom('[', '{"a":'), fc.nat()).map(([v, depth, opener, index]) => {
    const closer = opener === '[' ? ']' : '}';
    const text = `${opener.repeat(depth)}1${closer.repeat(depth)}`;
    const json = clone(v.json ?? {}) as Json;
    const marker = `deep-${randomBytes(4).toString('hex')}`;
    const places = placesOf(json).filter((p) => p.length > 0);
    let note = 'as the whole body';
    if (places.length && index % 5 !== 0) {
      const path = places[index % places.length];
      put(json, path, marker);
      note = `at ${path.join('.')}`;
    } else if (index % 10 === 0) {
      return base('deep', `${depth} levels of ${opener} as the whole body`, { ...v, json: marker, splice: { marker, text }, contentType: 'application/json', expect: refusedAs400 });
    } else {
      (json as Record<string, Json>)[marker] = marker;
      note = 'as an unknown member';
    }
    return base('deep', `${depth} levels of ${opener} ${note}`, { ...v, json, splice: { marker, text }, contentType: 'application/json', expect: refusedAs400 });
  });

  const hugeCase = fc.tuple(valid, fc.integer({ min: -300, max: 300 }), fc.constantFrom('a', 'é', '€', '😀'), fc.nat()).map(([v, delta, unit, index]) => {
    const json = clone(v.json ?? {}) as Json;
    const marker = `huge-${randomBytes(4).toString('hex')}`;
    const strings = placesOf(json).filter((p) => typeof at(json, p) === 'string');
    let note = 'as an unknown member';
    if (strings.length && index % 2 === 0) {
      const path = strings[index % strings.length];
      put(json, path, marker);
      note = `in ${path.join('.')}`;
    } else if (isObject(json)) {
      json[marker] = marker;
    }
    const padTo = BODY_LIMIT + delta;
    return base('huge', `${padTo} bytes of ${unit} ${note}`, { ...v, json, splice: { marker, padTo, unit } });
  });

  const transportCase = fc.tuple(valid, fc.nat()).map(([v, index]) => {
    const text = JSON.stringify(v.json ?? {});
    const variants: Array<[string, Partial<Case>]> = [
      ['text/plain', { contentType: 'text/plain', raw: Buffer.from(text) }],
      ['form', { contentType: 'application/x-www-form-urlencoded', raw: Buffer.from('a=1&b=2') }],
      ['latin1 charset', { contentType: 'application/json; charset=latin1', raw: Buffer.from(text) }],
      ['no content type', { contentType: '', raw: Buffer.from(text) }],
      ['jose', { contentType: 'application/jose', raw: Buffer.from('eyJhbGciOiJub25lIn0.e30.') }],
      ['truncated JSON', { contentType: 'application/json', raw: Buffer.from(text.slice(0, Math.max(1, text.length >> 1))) }],
      ['invalid UTF-8', { contentType: 'application/json', raw: Buffer.concat([Buffer.from('{"data":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]) }],
      ['byte order mark', { contentType: 'application/json', raw: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]) }],
      ['JSON null', { contentType: 'application/json', raw: Buffer.from('null') }],
      ['JSON array', { contentType: 'application/json', raw: Buffer.from('[{"requestHeader":{}}]') }],
      ['JSON string', { contentType: 'application/json', raw: Buffer.from('"data"') }],
      ['duplicate members', { contentType: 'application/json', raw: Buffer.from(`{"data":1,${text.slice(1)}`) }],
      ['__proto__ member', { contentType: 'application/json', raw: Buffer.from(`{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},${text.slice(1)}`) }],
      ['unknown partner', { partnerId: 'nobody-at-all' }],
      ['partner of another protocol', { partnerId: 'ocen-test-agent' }],
    ];
    const [note, parts] = variants[index % variants.length];
    return base('transport', note, { ...v, ...parts });
  });

  const signedCase = fc.tuple(fc.oneof(validCase, mutationCase, unicodeCase), fc.nat(9)).map(([c, n]) =>
    ({
      ...c,
      kind: 'signed' as const,
      note: `${n === 0 ? 'tampered' : 'signed'} ${c.kind}: ${c.note}`,
      partnerId: SIGNED_PARTNER,
      signed: n === 0 ? ('tampered' as const) : ('intact' as const),
      expect: n === 0 ? (status: number) => (status === 401 ? undefined : `expected 401, got ${status}`) : c.expect,
    }),
  );

  return fc.oneof(
    ...(operation.envelope ? [{ arbitrary: signedCase, weight: 12 }] : []),
    { arbitrary: validCase, weight: 30 },
    { arbitrary: mutationCase, weight: 30 },
    { arbitrary: unicodeCase, weight: 20 },
    { arbitrary: deepCase, weight: 6 },
    { arbitrary: hugeCase, weight: 6 },
    { arbitrary: transportCase, weight: 8 },
  );
}

// ---------------------------------------------------------------------------------------------- sending and judging

type Request = { method: string; path: string; headers: Record<string, string>; body?: Buffer };

async function requestOf(c: Case): Promise<Request> {
  const path = c.operation.template.replace(/\{(\w+)\}/g, (_m, name: string) => percentEncode(c.params[name] ?? ''));
  const query = c.operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const extra = Object.keys(c.params).filter((name) => !c.operation.template.includes(`{${name}}`));
  const search = [...new Set([...query, ...extra])].filter((name) => c.params[name] !== undefined).map((name) => `${percentEncode(name)}=${percentEncode(c.params[name])}`).join('&');
  const headers: Record<string, string> = {};
  if (c.partnerId) headers['x-partner-id'] = c.partnerId;
  let body: Buffer | undefined = c.raw;
  if (!body && c.json !== undefined) {
    let text = JSON.stringify(c.json)
      .replace(`"${PLACEHOLDER_ID}"`, JSON.stringify(`fz-${counter++}-${randomBytes(4).toString('hex')}`))
      .replace(`"${PLACEHOLDER_MILLIS}"`, `"${t.clock.now().getTime()}"`);
    if (c.splice?.text !== undefined) text = text.replace(JSON.stringify(c.splice.marker), c.splice.text);
    if (c.splice?.padTo !== undefined) {
      const rest = Buffer.byteLength(text) - Buffer.byteLength(JSON.stringify(c.splice.marker)) + 2;
      const unitBytes = Buffer.byteLength(c.splice.unit!);
      const round = c.splice.padTo > BODY_LIMIT ? Math.ceil : Math.floor;
      text = text.replace(JSON.stringify(c.splice.marker), `"${c.splice.unit!.repeat(Math.max(0, round((c.splice.padTo - rest) / unitBytes)))}"`);
    }
    body = Buffer.from(text, 'utf8');
    if (c.signed) {
      const [protectedHeader, payload, signature] = (await sign(text, signingKey)).split('.');
      const sent = c.signed === 'tampered' ? Buffer.from(`${text} `, 'utf8').toString('base64url') : payload;
      body = Buffer.from(`${protectedHeader}.${sent}.${signature}`);
      headers['content-type'] = 'application/jose';
    }
  }
  if (body && c.contentType !== '' && !headers['content-type']) headers['content-type'] = c.contentType ?? 'application/json';
  return { method: c.operation.method.toUpperCase(), path: search ? `${path}?${search}` : path, headers, body };
}

/** Percent-encodes UTF-16 text byte by byte; a lone surrogate becomes its (ill-formed) three-byte form, as a hostile client would send it. */
function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(text[i]);
    }
  }
  return out;
}

let ajv: Ajv;
const validators = new Map<string, ValidateFunction>();

function validatorFor(operation: Operation, status: string): ValidateFunction | undefined {
  const key = `${operation.name} ${status}`;
  if (!validators.has(key)) {
    const schema = operation.doc.responses[status]?.content?.['application/json']?.schema;
    if (schema) validators.set(key, ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi.json#/components/'))));
  }
  return validators.get(key);
}

/** The JSON body as sent (of a signed request: its payload). */
function sentJson(request: Request): unknown {
  const text = request.body!.toString('utf8');
  return JSON.parse(request.headers['content-type'] === 'application/jose' ? Buffer.from(text.split('.')[1], 'base64url').toString('utf8') : text);
}

/** Statuses that only come after the body passed the server's validation (401, 403 and 429 come before it). */
const PASSED_VALIDATION = new Set([200, 404, 409, 412]);

function requestValidator(operation: Operation): ValidateFunction {
  const key = `${operation.name} request`;
  if (!validators.has(key)) validators.set(key, ajv.compile(JSON.parse(JSON.stringify(operation.doc.requestBody.content['application/json'].schema).replace(/"#\/components\//g, '"openapi.json#/components/'))));
  return validators.get(key)!;
}

/** What is wrong with this answer to this case, if anything. */
async function judge(c: Case, bytes: number, answer: Answer): Promise<string | undefined> {
  if (answer.status >= 500) return `${answer.status}: ${answer.text.slice(0, 300)}`;
  if ((bytes > BODY_LIMIT) !== (answer.status === 413)) return `${bytes} bytes answered ${answer.status}`;
  const declared = c.operation.doc.responses[String(answer.status)];
  if (!declared) return `status ${answer.status} is not declared (declared: ${Object.keys(c.operation.doc.responses).join(', ')}): ${answer.text.slice(0, 300)}`;
  const mediaType = answer.contentType.split(';')[0].trim();
  if (!declared.content?.[mediaType]) return `${answer.status} as ${mediaType} is not declared (declared: ${Object.keys(declared.content ?? {}).join(', ')})`;
  let text = answer.text;
  if (mediaType === 'application/jose') {
    try {
      text = new TextDecoder().decode((await compactVerify(answer.text, ourKeys, { algorithms: ['ES256'] })).payload);
    } catch (err) {
      return `${answer.status} application/jose answer does not verify: ${(err as Error).message}`;
    }
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  const validate = validatorFor(c.operation, String(answer.status));
  if (validate && !validate(body)) return `${answer.status} body does not match its declared schema: ${ajv.errorsText(validate.errors)}; ${answer.text.slice(0, 300)}`;
  return bytes > BODY_LIMIT ? undefined : c.expect?.(answer.status);
}

describe('fuzzing every operation of the OpenAPI document', () => {
  it('answers every generated request with a declared status and a body of its declared schema, never a 5xx, and stays healthy', async () => {
    const started = Date.now();
    await runJourney();
    const journeyMs = Date.now() - started;
    ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'openapi.json', components: spec.components });

    const operations = operationsOf(spec);
    // The twelve partner operations and the four sandbox ones, and any added later.
    expect(operations.length).toBeGreaterThanOrEqual(16);
    const cases = operations.flatMap((operation, i) => fc.sample(caseArbitrary(operation), { seed: SEED + i, numRuns: PER_OPERATION }));
    const generatedMs = Date.now() - started - journeyMs;
    // Made only now: a keep-alive socket left idle through the generation above may be closing when reused.
    agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

    const failures: string[] = [];
    const tally: Record<string, Record<string, number>> = {};
    let fiveHundreds = 0;
    const looser: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++];
        const request = await requestOf(c);
        let answer: Answer;
        try {
          answer = await send(request);
        } catch (err) {
          failures.push(`${c.operation.name} [${c.kind}: ${c.note.slice(0, 160)}] → ${(err as Error).message}`);
          continue;
        }
        if (answer.status >= 500) fiveHundreds++;
        const kindTally = (tally[c.kind] ??= {});
        const form = answer.contentType.startsWith('application/jose') ? `${answer.status} signed` : String(answer.status);
        kindTally[form] = (kindTally[form] ?? 0) + 1;
        const problem = await judge(c, request.body?.length ?? 0, answer);
        if (problem) failures.push(`${c.operation.name} [${c.kind}: ${c.note.slice(0, 160)}] → ${problem}`);
        if (PASSED_VALIDATION.has(answer.status) && c.operation.body && c.json !== undefined && !c.raw && !c.splice) {
          const validate = requestValidator(c.operation);
          if (!validate(sentJson(request))) looser.push(`${c.operation.name} [${c.kind}: ${c.note.slice(0, 120)}]: ${ajv.errorsText(validate.errors)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const health = await send({ method: 'GET', path: '/healthz' });
    const status = await send({
      method: 'POST',
      path: PATHS.getStatus,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ requestHeader: { requestId: `fz-after-${randomBytes(4).toString('hex')}`, requestTimestamp: { epochMillis: String(t.clock.now().getTime()) }, protocolVersion: { major: 1 } }, data: { googleApplicationId: known.gid } })),
    });
    const proof = await challenge(t, { countryCode: '91', nationalNumber: `8${String(Date.now()).slice(-9)}` }, 'userApprovalContext');

    console.log(
      `fuzz: seed ${SEED} (FUZZ_SEED=${SEED} generates the same requests), ${cases.length} requests over ${operations.length} operations, ${fiveHundreds} 5xx, ${failures.length} failures, ` +
        `journey ${journeyMs} ms, generation ${generatedMs} ms, ${Date.now() - started} ms in all; statuses by class: ${JSON.stringify(tally)}`,
    );
    expect(cases.length).toBeGreaterThanOrEqual(5000);
    expect(failures.slice(0, 25)).toEqual([]);
    // The server accepts nothing the document refuses: a body past validation (answered 200, 404, 409 or 412) is one the document allows.
    expect(looser.slice(0, 25)).toEqual([]);
    expect(fiveHundreds).toBe(0);
    expect(health.status).toBe(200);
    expect({ status: status.status, state: JSON.parse(status.text).data?.applicationState }).toEqual({ status: 200, state: 'DISBURSED' });
    expect(proof.otp).toMatch(/^[0-9]{6}$/);
    // Under a minute on an idle two-core machine; the margin is for a machine shared with other test runs.
  }, 240_000);
});

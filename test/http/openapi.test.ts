import { EXAMPLES } from '../../src/protocols/gpay/examples';
import { TestApp, newRequestId, productionEnv, startTestApp } from '../support/test-app';
import { PartnerKeyPair, partnerKeyPair, requestJson, sign } from '../support/signed-client';
import { PATHS } from '../support/journey';
import { exampleChecker, openApi30Problems } from '../support/openapi-check';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const ENDPOINTS = Object.values(PATHS);

describe('the published contract', () => {
  let spec: any;
  beforeAll(async () => {
    spec = (await t.http().get('/openapi.json').expect(200).expect('content-type', /json/)).body;
  });

  it('is OpenAPI 3 and documents all thirteen partner endpoints as POST (the twelve of the spec and keyFactStatement)', () => {
    expect(spec.openapi).toMatch(/^3\./);
    expect(openApi30Problems(spec)).toEqual([]);
    expect(ENDPOINTS).toHaveLength(13);
    for (const path of ENDPOINTS) expect(Object.keys(spec.paths[path] ?? {})).toEqual(['post']);
  });

  it.each(ENDPOINTS)('documents %s with a request schema, a response schema, error responses and examples of both', (path) => {
    const operation = spec.paths[path].post;
    expect(operation.summary ?? operation.description).toBeTruthy();
    const request = operation.requestBody.content['application/json'];
    expect(request.schema.$ref).toMatch(/^#\/components\/schemas\//);
    expect(request.example).toMatchObject({ requestHeader: expect.any(Object), data: expect.any(Object) });
    const ok = operation.responses['200'].content['application/json'];
    expect(ok.schema.$ref).toMatch(/^#\/components\/schemas\//);
    expect(ok.example).toMatchObject({ responseHeader: expect.any(Object) });
    expect(operation.responses['400']).toBeDefined();
    const requestSchema = spec.components.schemas[request.schema.$ref.split('/').pop()];
    expect(requestSchema.required).toEqual(expect.arrayContaining(['requestHeader', 'data']));
    expect(requestSchema.additionalProperties).toBeUndefined();
  });

  it.each(ENDPOINTS)('declares for %s the transport answers in the error envelope: 413, 415, 429 with Retry-After, 500, 503, and 409 and 412 for writes only', (path) => {
    const responses = spec.paths[path].post.responses;
    for (const status of ['413', '415', '429', '500', '503']) {
      expect(responses[status]?.content?.['application/json']?.schema?.$ref).toBe('#/components/schemas/ErrorEnvelope');
    }
    expect(responses['429'].headers['Retry-After']).toBeDefined();
    const reads = ['getApprovalStatus', 'fetch', 'downloadCKycRecord', 'getStatus', 'account/get'];
    const write = !reads.some((read) => path.endsWith(read));
    expect({ path, 409: responses['409'] !== undefined, 412: responses['412'] !== undefined }).toEqual({ path, 409: write, 412: write });
  });

  it.each(ENDPOINTS)('declares 404 INVALID_IDENTIFIER for %s exactly when it looks an identifier up', (path) => {
    expect({ path, declared: spec.paths[path].post.responses['404'] !== undefined }).toEqual({ path, declared: path !== PATHS.initiateChallenge });
  });

  it('allows unknown members everywhere, as the server accepts and drops them (and says so)', () => {
    expect(JSON.stringify(spec)).not.toContain('"additionalProperties":false');
    expect(spec.info.description).toMatch(/Unknown fields are dropped/);
  });

  it.each(ENDPOINTS)('declares for %s the X-Partner-Id header and the 401 (unknown partner) and 403 (suspended partner) answers in the error envelope', (path) => {
    const operation = spec.paths[path].post;
    const partnerHeader = (operation.parameters ?? []).filter((p: { name: string; in: string }) => p.in === 'header' && p.name.toLowerCase() === 'x-partner-id');
    expect(partnerHeader).toHaveLength(1);
    expect(partnerHeader[0]).toMatchObject({ required: false, schema: { type: 'string' } });
    expect(partnerHeader[0].description).toMatch(/sandbox/i);
    for (const status of ['401', '403']) {
      expect(operation.responses[status]?.content?.['application/json']?.schema?.$ref).toBe('#/components/schemas/ErrorEnvelope');
    }
  });

  it('describes the validation rules on the wire types (patterns, enums, int64 as string or number)', () => {
    const schemas = spec.components.schemas;
    expect(schemas.RequestHeader.properties.requestId.pattern).toBe('^[A-Za-z0-9:_-]{1,100}$');
    expect(JSON.stringify(schemas)).toContain('HOME_RENOVATION');
    expect(schemas.Int64.anyOf).toEqual([{ $ref: '#/components/schemas/Int64String' }, { $ref: '#/components/schemas/SafeInteger' }]);
    expect(schemas.Int64String).toMatchObject({ type: 'string', pattern: '^-?[0-9]{1,19}$' });
    expect(schemas.SafeInteger).toMatchObject({ type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER });
  });

  it('says what the server enforces beyond types: exactly one context, calendar dates, absolute URLs, identifiers, the version', () => {
    const schemas = spec.components.schemas;
    const exactlyOne = (schema: any) => ({ oneOf: Object.keys(schema.properties).map((member) => ({ required: [member] })) });
    expect(schemas.ChallengeContext).toMatchObject(exactlyOne(schemas.ChallengeContext));
    expect(schemas.ChallengeContext.oneOf).toHaveLength(5);
    expect(schemas.EmploymentType).toMatchObject(exactlyOne(schemas.EmploymentType));
    expect(schemas.CalendarDate).toMatchObject({ type: 'string', format: 'date', pattern: expect.any(String) });
    expect(schemas.ApplicantUser.properties.dateOfBirth.$ref).toBe('#/components/schemas/CalendarDate');
    expect(schemas.SearchCkycRecordRequest.properties.data.properties.dateOfBirth.$ref).toBe('#/components/schemas/CalendarDate');
    // The sandbox accepts http return URLs too; production only https (see "with the sandbox off").
    expect(schemas.GetAuthTokenRequest.properties.data.properties.redirectionUrl).toMatchObject({ format: 'uri', maxLength: 2000, pattern: expect.stringMatching(/^\^\[Hh\]\[Tt\]\[Tt\]\[Pp\]\[Ss\]\?/) });
    expect(schemas.GoogleApplicationId.pattern).toBe('^[A-Za-z0-9_:-]{1,100}$');
    expect(schemas.ProtocolVersion.properties.major).toMatchObject({ type: 'integer', minimum: 1, maximum: 1 });
    for (const path of Object.keys(spec.paths).filter((p) => p.includes('{reference}'))) {
      for (const operation of Object.values<any>(spec.paths[path])) {
        expect(operation.parameters.find((p: { name: string }) => p.name === 'reference').schema.pattern).toBe('^[A-Za-z0-9_:-]{1,100}$');
      }
    }
  });

  it.each(ENDPOINTS)('gives for %s a request and a response example that match the document\'s own schemas', (path) => {
    const check = exampleChecker(spec);
    const operation = spec.paths[path].post;
    expect({ request: check(operation.requestBody.content['application/json']), response: check(operation.responses['200'].content['application/json']) }).toEqual({ request: 'valid', response: 'valid' });
  });

  it.each(Object.entries(EXAMPLES))('accepts its own %s request example as schema-valid', async (path, example) => {
    expect(ENDPOINTS).toContain(path);
    const body = JSON.parse(JSON.stringify(example.request));
    body.requestHeader.requestId = newRequestId();
    body.requestHeader.requestTimestamp = { epochMillis: String(Date.now()) };
    const res = await t.http().post(path).send(body);
    // Identifiers in the examples do not exist on a fresh server, so 404 and precondition answers are fine;
    // a schema rejection is not.
    expect(['MISSING_REQUIRED_FIELD', 'INVALID_FIELD_VALUE', 'MALFORMED_REQUEST']).not.toContain(res.body.errorResponse?.paymentIntegratorErrorCode);
    expect(res.status).toBeLessThan(500);
  });

  it('serves Swagger UI at /docs', async () => {
    const page = await t.http().get('/docs/').expect(200);
    expect(page.text).toContain('swagger-ui');
    const init = await t.http().get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('requestInterceptor');
  });

  it('announces in the initiateChallenge example the messageRegex the sandbox partner really sends', async () => {
    const example = spec.paths[PATHS.initiateChallenge].post.responses['200'].content['application/json'].example;
    const live = await t.call(PATHS.initiateChallenge, spec.paths[PATHS.initiateChallenge].post.requestBody.content['application/json'].example.data);
    expect(live.status).toBe(200);
    expect(example.data.tokenMetadata.smsOtpMetadata.format).toEqual(live.body.data.tokenMetadata.smsOtpMetadata.format);
  });

  it('lists the sandbox endpoints, under /sandbox/applications/{reference}/... and /sandbox/repayments/{reference}, while the sandbox is on', () => {
    const sandboxPaths = Object.keys(spec.paths).filter((path) => path.startsWith('/sandbox/')).sort();
    expect(sandboxPaths).toEqual([
      '/sandbox/aa/consents/{consentHandle}',
      '/sandbox/aa/consents/{consentHandle}/decision',
      '/sandbox/applications/{reference}/income-verification/complete',
      '/sandbox/applications/{reference}/kyc/complete',
      '/sandbox/applications/{reference}/repayment-setup/complete',
      '/sandbox/clock',
      '/sandbox/clock/advance',
      '/sandbox/ocen/callbacks',
      '/sandbox/rail/calls',
      '/sandbox/repayments/{reference}',
      '/sandbox/repayments/{reference}/complete',
      '/sandbox/sms-outbox',
    ]);
    for (const path of sandboxPaths.filter((p) => p.includes('{reference}'))) {
      for (const operation of Object.values<any>(spec.paths[path])) {
        expect(operation.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'reference', in: 'path', required: true })]));
      }
    }
  });

  it('documents the sandbox errors as plain JSON {error: {code, message, fields?}}, not the partner envelope, with every status it can answer', () => {
    const schema = spec.components.schemas.SandboxError;
    expect(schema.required).toEqual(['error']);
    expect(schema.properties.error.required.sort()).toEqual(['code', 'message']);
    expect(Object.keys(schema.properties.error.properties).sort()).toEqual(['code', 'fields', 'message']);
    for (const [path, operations] of Object.entries<Record<string, any>>(spec.paths).filter(([p]) => p.startsWith('/sandbox/'))) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        // A POST about something named in the path, or a read of one, may find nothing (404); the clock's move names
        // nothing (no 404). The OCEN callbacks are read by loan application, before any partner is resolved (no 401, 403, 429).
        const expected = path === '/sandbox/ocen/callbacks'
          ? ['200', '400', '413', '415', '500', '503']
          : ['200', '400', '401', '403', '413', '415', '429', '500', '503', ...(method === 'post' ? (path === '/sandbox/clock/advance' ? ['409'] : ['404', '409']) : path.includes('{') ? ['404'] : [])].sort();
        expect({ path, statuses: Object.keys(operation.responses).sort() }).toEqual({ path, statuses: expected });
        for (const status of expected.filter((s) => s !== '200')) {
          expect({ path, status, ref: operation.responses[status]?.content?.['application/json']?.schema?.$ref }).toEqual({ path, status, ref: '#/components/schemas/SandboxError' });
        }
        expect(operation.parameters.filter((p: { name: string }) => p.name === 'X-Partner-Id')).toHaveLength(path === '/sandbox/ocen/callbacks' ? 0 : 1);
      }
    }
  });
});

describe('the sandbox endpoints answer as documented', () => {
  /** The body is `{error: {code, message, fields?}}` and nothing else: no responseHeader, no errorResponse. */
  function expectSandboxError(res: { status: number; body: any; headers: Record<string, string> }, status: number, code: string) {
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(typeof res.body.error.message).toBe('string');
    expect(Object.keys(res.body.error).every((key) => ['code', 'message', 'fields'].includes(key))).toBe(true);
  }

  it('when the sms-outbox phone is invalid, then it is 400 INVALID_FIELD_VALUE as plain JSON naming the field', async () => {
    const res = await t.http().get('/sandbox/sms-outbox?phone=not-a-phone');
    expectSandboxError(res, 400, 'INVALID_FIELD_VALUE');
    expect(res.body.error.fields).toEqual([expect.stringMatching(/phone/)]);
  });

  it('when the application reference is unknown, then kyc/complete is 404 NOT_FOUND as plain JSON', async () => {
    expectSandboxError(await t.http().post('/sandbox/applications/GAPP-unknown000/kyc/complete').send({}), 404, 'NOT_FOUND');
  });

  it('when the sandbox path does not exist, then it is 404 NO_SUCH_OPERATION as plain JSON', async () => {
    expectSandboxError(await t.http().get('/sandbox/nothing-here'), 404, 'NO_SUCH_OPERATION');
  });

  it('when a completion without X-Partner-Id names no application of the default partner, then the 404 names the header (the reference may be an OCEN loan agent\'s)', async () => {
    const res = await t.http().post('/sandbox/applications/some-loan-agent-app/kyc/complete').send({});
    expectSandboxError(res, 404, 'NOT_FOUND');
    expect(res.body.error.message).toMatch(/without the X-Partner-Id header the sandbox acts for gpay/);
    expect(res.body.error.fields).toContain('X-Partner-Id');
    const named = await t.http().post('/sandbox/applications/some-loan-agent-app/kyc/complete').set('X-Partner-Id', 'gpay').send({});
    expectSandboxError(named, 404, 'NOT_FOUND');
    expect(named.body.error.message).not.toMatch(/X-Partner-Id/);
  });

  it.each([
    ['/sandbox/applications/GAPP-any/kyc/complete', 'APPROVED, REJECTED'],
    ['/sandbox/applications/GAPP-any/repayment-setup/complete', 'APPROVED, REJECTED'],
    ['/sandbox/aa/consents/any-handle/decision', 'APPROVED, REJECTED, REVOKED'],
    ['/sandbox/repayments/RPY-any/complete', 'PAID, FAILED'],
  ])('when %s is sent an unknown outcome, then the 400 lists the allowed values', async (path, allowed) => {
    const res = await t.http().post(path).send({ outcome: 'MAYBE' });
    expectSandboxError(res, 400, 'INVALID_FIELD_VALUE');
    expect(res.body.error.message).toBe(`The request is invalid: outcome must be one of ${allowed} (got "MAYBE")`);
    expect(res.body.error.fields).toEqual(['outcome']);
  });

  it('when X-Partner-Id names an unknown partner, then a sandbox endpoint is 401 PARTNER_UNKNOWN as plain JSON', async () => {
    expectSandboxError(await t.http().get('/sandbox/sms-outbox?phone=919876543210').set('X-Partner-Id', 'nobody'), 401, 'PARTNER_UNKNOWN');
  });
});

describe('in production (no sandbox)', () => {
  const PRODUCTION_PARTNER = { id: 'bank-partner', displayName: 'Partner', protocol: 'GPAY' as const };
  let productionKey: PartnerKeyPair;
  let off: TestApp;
  beforeAll(async () => {
    productionKey = await partnerKeyPair('prod-es256', 'ES256');
    off = await startTestApp({ worker: false, env: productionEnv(), partners: [{ ...PRODUCTION_PARTNER, jwks: { keys: [productionKey.publicJwk] } }] });
  });
  afterAll(() => off.stop());

  it('documents return URLs as https only, as the server then refuses http', async () => {
    const spec = (await off.http().get('/openapi.json').expect(200)).body;
    const url = spec.components.schemas.GetAuthTokenRequest.properties.data.properties.redirectionUrl;
    expect(new RegExp(url.pattern).test('https://pay.example.com/back')).toBe(true);
    expect(new RegExp(url.pattern).test('http://pay.example.com/back')).toBe(false);
  });

  it('lists no sandbox endpoint and serves none', async () => {
    const spec = (await off.http().get('/openapi.json').expect(200)).body;
    expect(Object.keys(spec.paths).filter((path) => path.startsWith('/sandbox'))).toEqual([]);
    expect(Object.keys(spec.components.schemas)).not.toContain('SandboxError');
    for (const path of ENDPOINTS) expect(Object.keys(spec.paths[path] ?? {})).toEqual(['post']);
    const res = await off.http().get('/sandbox/sms-outbox?phone=919876543210');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NO_SUCH_OPERATION');
  });

  it('serves no Swagger UI (DOCS_ENABLED is off by default) and sends HSTS', async () => {
    expect((await off.http().get('/docs/')).status).toBe(404);
    const res = await off.http().get('/healthz');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it('has no front door (GET / is 404), and is ready with an adapter for every port (production starts with none missing: test/http/adapters-boot.test.ts)', async () => {
    const root = await off.http().get('/');
    expect({ status: root.status, code: root.body.error?.code }).toEqual({ status: 404, code: 'NO_SUCH_OPERATION' });
    const ready = await off.http().get('/readyz');
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up', migrations: 'current', adapters: 'loaded' } });
  });

  it('when a partner sends plain JSON, then it is refused 401 INVALID_PAYLOAD_SIGNATURE; signed, the same call is served', async () => {
    const plain = await off.call(PATHS.getStatus, { googleApplicationId: 'GAPP-1' }, { partnerId: PRODUCTION_PARTNER.id });
    expect({ status: plain.status, error: plain.body.errorResponse }).toMatchObject({ status: 401, error: { paymentIntegratorErrorCode: 'INVALID_PAYLOAD_SIGNATURE' } });
    const jws = await sign(requestJson(off, { googleApplicationId: 'GAPP-1' }), productionKey);
    const signed = await off.http().post(PATHS.getStatus).set({ 'x-partner-id': PRODUCTION_PARTNER.id, 'content-type': 'application/jose' }).send(jws);
    expect(signed.status).toBe(404);
    expect(signed.headers['content-type']).toMatch(/^application\/jose/);
  });

  it('attributes no request to a default partner: without X-Partner-Id the partner API is 401 UNAUTHENTICATED / PARTNER_UNKNOWN', async () => {
    const res = await off.call(PATHS.getStatus, { googleApplicationId: 'GAPP-1' });
    expect({ status: res.status, error: res.body.errorResponse }).toMatchObject({
      status: 401,
      error: { errorResponseCode: 'UNAUTHENTICATED', paymentIntegratorErrorCode: 'PARTNER_UNKNOWN' },
    });
  });
});

describe('health', () => {
  it('/healthz is 200 (alive: no dependency is asked)', async () => {
    const res = await t.http().get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('when PostgreSQL and Redis answer, the migrations are applied and every port has an adapter, then /readyz is 200 and names each check', async () => {
    const res = await t.http().get('/readyz').expect(200);
    expect(res.body).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up', migrations: 'current', adapters: 'loaded' } });
  });

  it('in the sandbox, GET / points to the documents: JSON links, or a page of them for a browser', async () => {
    const json = await t.http().get('/').expect(200);
    expect(json.body).toMatchObject({ service: 'credit-partner', environment: 'sandbox', links: { docs: '/docs', openapi: '/openapi.json', ocenDocs: '/ocen/docs', ocenOpenapi: '/ocen/openapi.json' } });
    for (const href of Object.values(json.body.links as Record<string, string>)) {
      expect({ href, status: (await t.http().get(href).redirects(1)).status }).toEqual({ href, status: 200 });
    }
    const page = await t.http().get('/').set('accept', 'text/html').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('href="/docs"');
  });
});

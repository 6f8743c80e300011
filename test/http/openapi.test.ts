import { EXAMPLES } from '../../src/protocols/gpay/examples';
import { TestApp, newRequestId, startTestApp } from '../support/test-app';
import { PATHS } from '../support/journey';

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

  it('is OpenAPI 3 and documents all twelve partner endpoints as POST', () => {
    expect(spec.openapi).toMatch(/^3\./);
    expect(ENDPOINTS).toHaveLength(12);
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
    expect(requestSchema.additionalProperties).toBe(false);
  });

  it('describes the validation rules on the wire types (patterns, enums, int64 as string or number)', () => {
    const header = spec.components.schemas.RequestHeader;
    expect(header.properties.requestId.pattern).toBe('^[A-Za-z0-9:_-]{1,100}$');
    expect(JSON.stringify(spec.components.schemas)).toContain('HOME_RENOVATION');
    expect(spec.components.schemas.Int64.anyOf.map((s: { type: string }) => s.type).sort()).toEqual(['number', 'string']);
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

  it('lists the sandbox endpoints only while the sandbox is on', () => {
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/sandbox/sms-outbox', '/sandbox/applications/{reference}/kyc/complete']));
  });
});

describe('health', () => {
  it('when PostgreSQL and Redis answer, then /healthz is 200', async () => {
    const res = await t.http().get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok', postgres: 'up', redis: 'up' });
  });
});

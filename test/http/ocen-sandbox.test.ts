/**
 * The OCEN surface in the sandbox without OCEN_* settings (the built-in test loan agent: unsigned calls, callbacks
 * kept and read at /sandbox/ocen/callbacks), its OpenAPI document and Swagger UI page, and that with the settings
 * present the same unsigned call is refused.
 */
import { randomUUID } from 'node:crypto';
import { OCEN_EXAMPLES, SANDBOX_JOURNEY } from '../../src/protocols/ocen/ocen-examples';
import { OcenOperation, validateIncoming } from '../../src/protocols/ocen/ocen-schemas';
import { FakeAuthService, FakeRegistry } from '../support/ocen-network';
import { ocenNetworkEnv } from '../support/ocen-lender-harness';
import { partnerKeyPair } from '../support/signed-client';
import { exampleChecker, openApi30Problems } from '../support/openapi-check';
import { TestApp, eventually, productionEnv, startTestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

/** An example request of /ocen/docs, as "Try it out" sends it (fresh requestId), about `loanApplicationId`. */
function example(operation: OcenOperation, loanApplicationId: string): Record<string, any> {
  const text = JSON.stringify(OCEN_EXAMPLES[operation]!.body).split(SANDBOX_JOURNEY.loanApplicationId).join(loanApplicationId);
  const body = JSON.parse(text);
  body.metadata.requestId = randomUUID();
  body.metadata.timestamp = new Date().toISOString();
  return body;
}

const post = (target: TestApp, operation: string, body: unknown, headers: Record<string, string> = {}) =>
  target.http().post(`/v4.0.0alpha/${operation}`).set({ 'content-type': 'application/json', ...headers }).send(JSON.stringify(body));

const callbacks = async (target: TestApp, loanApplicationId: string) =>
  (await target.http().get('/sandbox/ocen/callbacks').query({ loanApplicationId }).expect(200)).body.callbacks as Array<Record<string, any>>;

describe('the sandbox\'s built-in OCEN test loan agent (no OCEN_* settings)', () => {
  it('when an unsigned createLoan is sent, then it is acked and its callback is kept, marked delivered, readable at /sandbox/ocen/callbacks', async () => {
    const id = `sbx-${randomUUID()}`;
    const request = example('loanApplications/createLoanRequest', id);
    const ack = await post(app, 'loanApplications/createLoanRequest', request);
    expect({ status: ack.status, body: ack.body }).toEqual({ status: 200, body: { error: '0', traceId: request.metadata.traceId, timestamp: expect.any(String) } });

    const [created] = await eventually(() => callbacks(app, id), (list) => list.length === 1 && list[0].deliveredAt !== null);
    expect(created).toMatchObject({ operation: 'loanApplications/createLoanResponse', participantId: 'ocen-test-agent', requestId: request.metadata.requestId, attempts: 1, lastError: null });
    expect(created.body.metadata).toMatchObject({ originatorParticipantId: 'sandbox-lender', originatorOrgId: 'sandbox-lender-org', requestId: request.metadata.requestId });
    expect(created.body.loanApplications[0]).toMatchObject({ loanApplicationId: id, loanApplicationStatus: 'PROCESSING' });
  });

  it('when the journey goes on from the examples, then each answer is listed newest first, down to OFFER_ACCEPTED', async () => {
    const id = `sbx-${randomUUID()}`;
    expect((await post(app, 'loanApplications/createLoanRequest', example('loanApplications/createLoanRequest', id))).body.error).toBe('0');
    // Its answer first: both answers wait for the credit decision, and the list is in the order they were built.
    await eventually(() => callbacks(app, id), (list) => list.length === 1);
    expect((await post(app, 'offers/generateOffersRequest', example('offers/generateOffersRequest', id))).body.error).toBe('0');
    const offered = await eventually(() => callbacks(app, id), (list) => list.some((c) => c.operation === 'offers/generateOffersResponse'));
    const offer = offered[0].body.loanApplications[0].offers.find((o: any) => o.terms.tenure.duration === 12);
    expect(offer.terms).toMatchObject({ sanctionedAmount: 100000, interestRate: 16 });

    const choose = example('offers/setOffersRequest', id);
    choose.offer = offer;
    expect((await post(app, 'offers/setOffersRequest', choose)).body.error).toBe('0');
    const list = await eventually(() => callbacks(app, id), (all) => all.length === 3 && all.every((c) => c.deliveredAt !== null));
    expect(list.map((c) => c.operation)).toEqual(['offers/setOffersResponse', 'offers/generateOffersResponse', 'loanApplications/createLoanResponse']);
    expect(list[0].body).toMatchObject({ loanApplicationId: id, loanApplicationStatus: 'OFFER_ACCEPTED' });
    expect(list.map((c) => c.participantId)).toEqual(['ocen-test-agent', 'ocen-test-agent', 'ocen-test-agent']);
  });

  it('when x-ocen-participant-id names a second agent, then it is another loan agent: the first one\'s application is unknown to it', async () => {
    const id = `sbx-${randomUUID()}`;
    await post(app, 'loanApplications/createLoanRequest', example('loanApplications/createLoanRequest', id));
    const peek = await post(app, 'offers/generateOffersRequest', example('offers/generateOffersRequest', id), { 'x-ocen-participant-id': 'second-test-agent' });
    expect(peek.status).toBe(404);
    expect(peek.body.error).toMatch(/^UNKNOWN_LOAN_APPLICATION: /);

    const own = `sbx-${randomUUID()}`;
    expect((await post(app, 'loanApplications/createLoanRequest', example('loanApplications/createLoanRequest', own), { 'x-ocen-participant-id': 'second-test-agent' })).body.error).toBe('0');
    const [created] = await eventually(() => callbacks(app, own), (list) => list.length === 1);
    expect(created.participantId).toBe('second-test-agent');
    const theirs = await app.http().get('/sandbox/ocen/callbacks').query({ loanApplicationId: own, participantId: 'ocen-test-agent' });
    expect(theirs.body.callbacks).toEqual([]);
  });

  it('when x-ocen-participant-id is not a usable participant id, then it is refused 403 and nothing is recorded', async () => {
    const id = `sbx-${randomUUID()}`;
    const answer = await post(app, 'loanApplications/createLoanRequest', example('loanApplications/createLoanRequest', id), { 'x-ocen-participant-id': 'Not A Partner!' });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatch(/^PARTICIPANT_ID_UNSUPPORTED: /);
    expect(await app.services.db.query('SELECT 1 FROM application WHERE external_reference = $1', [id])).toHaveLength(0);
  });
});

describe('the OCEN OpenAPI document at /ocen/openapi.json', () => {
  let spec: any;
  beforeAll(async () => {
    spec = (await app.http().get('/ocen/openapi.json').expect(200).expect('content-type', /json/)).body;
  });

  it('is valid OpenAPI 3.0 and lists exactly the request paths the lender hosts, as POST', () => {
    expect(openApi30Problems(spec)).toEqual([]);
    const hosted = app.services.ocen!.operations.map((o) => `/v4.0.0alpha/${o.request}`).sort();
    expect(hosted.length).toBeGreaterThan(0);
    expect(Object.keys(spec.paths).sort()).toEqual(hosted);
    for (const path of hosted) expect(Object.keys(spec.paths[path])).toEqual(['post']);
  });

  it('(the structural check finds what would break a tool: a dangling $ref, a schema "examples", an undeclared scheme)', () => {
    const broken = JSON.parse(JSON.stringify(spec));
    delete broken.components.schemas.Ack;
    broken.components.schemas.MetaData.properties.version.examples = ['4.0.0alpha'];
    broken.security.push({ nobody: [] });
    const problems = openApi30Problems(broken).join('\n');
    expect(problems).toMatch(/\$ref #\/components\/schemas\/Ack does not resolve/);
    expect(problems).toMatch(/"examples" inside a schema/);
    expect(problems).toMatch(/undeclared scheme nobody/);
  });

  it('names the servers, and the bearer token and x-jws-signature schemes, optional for the built-in agent', () => {
    expect(spec.servers[0].url).toBe('/');
    expect(spec.components.securitySchemes.ocenBearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(spec.components.securitySchemes.ocenSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-jws-signature' });
    expect(spec.components.securitySchemes.ocenSignature.description).toMatch(/b64/);
    expect(spec.security).toEqual([{}, { ocenBearer: [], ocenSignature: [] }]);
    expect(spec.info.description).toMatch(/\/sandbox\/ocen\/callbacks/);
  });

  it('answers each request with the Ack: 200 and the Ack errors the router gives; names the callback each triggers', () => {
    for (const { request, response } of app.services.ocen!.operations) {
      const operation = spec.paths[`/v4.0.0alpha/${request}`].post;
      expect(Object.keys(operation.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413', '415', '422', '500', '503']);
      for (const answer of Object.values<any>(operation.responses)) expect(answer.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Ack' });
      expect(operation.description).toContain(response ? `/v4.0.0alpha/${response}` : 'Acknowledged only');
      expect(operation.parameters).toEqual([expect.objectContaining({ name: 'x-ocen-participant-id', in: 'header', required: false })]);
    }
  });

  it('gives each request an example that matches the document\'s own schema and the patched loan.json', () => {
    const check = exampleChecker(spec);
    for (const { request } of app.services.ocen!.operations) {
      const content = spec.paths[`/v4.0.0alpha/${request}`].post.requestBody.content['application/json'];
      expect({ request, document: check(content), loanJson: validateIncoming(request, content.example).valid }).toEqual({ request, document: 'valid', loanJson: true });
      const ok = spec.paths[`/v4.0.0alpha/${request}`].post.responses['200'].content['application/json'];
      expect(check(ok)).toBe('valid');
    }
  });

  it('when Swagger UI is asked, then /ocen/docs shows this document and /docs still the partner API, which links to it', async () => {
    const page = await app.http().get('/ocen/docs/').expect(200);
    expect(page.text).toContain('swagger-ui');
    const init = (await app.http().get('/ocen/docs/swagger-ui-init.js').expect(200)).text;
    expect(init).toContain('createLoanRequest');
    expect(init).toContain('requestInterceptor');
    expect(init).toContain('x-ocen-participant-id');
    const partnerInit = (await app.http().get('/docs/swagger-ui-init.js').expect(200)).text;
    expect(partnerInit).toContain('/v1/financialservices/credit/');
    expect(partnerInit).not.toContain('createLoanRequest');
    const partnerSpec = (await app.http().get('/openapi.json').expect(200)).body;
    expect(partnerSpec.info.description).toContain('/ocen/docs');
  });
});

describe('with the OCEN_* settings present (a network)', () => {
  let networked: TestApp;
  let auth: FakeAuthService;
  let registry: FakeRegistry;
  beforeAll(async () => {
    [auth, registry] = await Promise.all([FakeAuthService.start(), FakeRegistry.start()]);
    networked = await startTestApp({
      worker: false,
      env: ocenNetworkEnv(auth, registry),
    });
  });
  afterAll(async () => {
    await networked?.stop();
    await Promise.all([auth?.close(), registry?.close()]);
  });

  it('when the same unsigned createLoan is sent, then it is 401 and nothing is recorded, in the sandbox too', async () => {
    const id = `sbx-${randomUUID()}`;
    for (const headers of [{}, { 'x-ocen-participant-id': 'ocen-test-agent' }] as Array<Record<string, string>>) {
      const answer = await post(networked, 'loanApplications/createLoanRequest', example('loanApplications/createLoanRequest', id), headers);
      expect(answer.status).toBe(401);
      expect(answer.body.error).toMatch(/^TOKEN_MISSING: /);
    }
    expect(await networked.services.db.query('SELECT 1 FROM application WHERE external_reference = $1', [id])).toHaveLength(0);
  });

  it('documents the token and signature as required, and no participant header', async () => {
    const spec = (await networked.http().get('/ocen/openapi.json').expect(200)).body;
    expect(openApi30Problems(spec)).toEqual([]);
    expect(spec.security).toEqual([{ ocenBearer: [], ocenSignature: [] }]);
    expect(JSON.stringify(spec)).not.toContain('x-ocen-participant-id');
  });
});

describe('in production without OCEN settings', () => {
  it('serves no OCEN route and no OCEN document: there is no built-in test loan agent', async () => {
    const key = await partnerKeyPair('prod-es256', 'ES256');
    const partners = [{ id: 'bank-partner', displayName: 'Partner', protocol: 'GPAY' as const, jwks: { keys: [key.publicJwk] } }];
    const production = await startTestApp({ worker: false, env: { ...productionEnv(), OCEN_ENABLED: 'false' }, partners });
    try {
      expect(production.services.ocen).toBeUndefined();
      expect((await production.http().get('/ocen/openapi.json')).status).toBe(404);
      const answer = await post(production, 'loanApplications/createLoanRequest', example('loanApplications/createLoanRequest', `sbx-${randomUUID()}`));
      expect(answer.status).toBe(404);
    } finally {
      await production.stop();
    }
  });
});

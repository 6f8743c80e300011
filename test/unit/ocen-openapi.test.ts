/**
 * The OCEN OpenAPI document is derived from the operations the lender hosts (never a fixed list), and the
 * Swagger UI interceptor makes each "Try it out" call a new request.
 */
import { buildOcenOpenApi, freshOcenRequest } from '../../src/protocols/ocen/ocen-openapi';
import { OCEN_EXAMPLES } from '../../src/protocols/ocen/ocen-examples';
import { freshGpayRequest } from '../../src/protocols/gpay/gpay-openapi';
import { EXAMPLES } from '../../src/protocols/gpay/examples';
import { OcenOperation, ocenMessageSchema } from '../../src/protocols/ocen/ocen-schemas';
import { exampleChecker, openApi30Problems } from '../support/openapi-check';

const options = { basePath: '/bank', publicBaseUrl: 'https://bank.example', builtInAgent: false };

describe('buildOcenOpenApi', () => {
  it('when the lender hosts other operations, then the document lists exactly those, in journey order, with their callbacks', () => {
    const spec = buildOcenOpenApi([
      { request: 'loanDetails/getloanRequest', response: 'loanDetails/getloanResponse' },
      { request: 'kyc/triggerKycRequest', response: 'kyc/triggerKycResponse' },
      { request: 'consent/journeyNotify', response: null },
    ], options);
    expect(openApi30Problems(spec)).toEqual([]);
    expect(Object.keys(spec.paths)).toEqual(['/v4.0.0alpha/consent/journeyNotify', '/v4.0.0alpha/kyc/triggerKycRequest', '/v4.0.0alpha/loanDetails/getloanRequest']);
    expect(spec.tags.map((t) => t.name)).toEqual(['consent', 'kyc', 'loanDetails']);
    expect(spec.paths['/v4.0.0alpha/kyc/triggerKycRequest'].post.description).toContain('/v4.0.0alpha/kyc/triggerKycResponse');
    expect(spec.paths['/v4.0.0alpha/consent/journeyNotify'].post.description).toMatch(/^\*\*Acknowledged only/);
    expect(spec.paths['/v4.0.0alpha/kyc/triggerKycRequest'].post.requestBody.content['application/json'].example).toEqual(OCEN_EXAMPLES['kyc/triggerKycRequest']!.body);
    expect(Object.keys(spec.components.schemas)).toEqual(expect.arrayContaining(['Ack', 'MetaData', 'ProductData', 'KYCDetailsRequest', 'Address']));
    expect(Object.keys(spec.components.schemas)).not.toContain('LoanApplication');
  });

  it('names this server under BASE_PATH and the public address loan agents call', () => {
    const spec = buildOcenOpenApi([{ request: 'offers/generateOffersRequest', response: 'offers/generateOffersResponse' }], options);
    expect(spec.servers.map((s) => s.url)).toEqual(['/bank', 'https://bank.example/bank']);
  });
});

describe('the callbacks and the rules the lender enforces', () => {
  const hosted: Array<{ request: OcenOperation; response: OcenOperation | null }> = [
    { request: 'loanApplications/createLoanRequest', response: 'loanApplications/createLoanResponse' },
    { request: 'offers/generateOffersRequest', response: 'offers/generateOffersResponse' },
    { request: 'loanAcceptance/verifyLoanAcceptanceRequest', response: 'loanAcceptance/verifyLoanAcceptanceResponse' },
    { request: 'consent/journeyNotify', response: null },
  ];
  const spec = buildOcenOpenApi(hosted, options) as any;
  const post = (operation: string) => spec.paths[`/v4.0.0alpha/${operation}`].post;

  it('when a request is answered by a callback, then its operation lists that callback with the callback\'s schema from loan.json and the Ack it expects', () => {
    expect(openApi30Problems(spec)).toEqual([]);
    for (const { request, response } of hosted.filter((h) => h.response)) {
      const name = response!.split('/')[1];
      const callback = post(request).callbacks[name][`/v4.0.0alpha/${response}`].post;
      const schema = callback.requestBody.content['application/json'].schema;
      expect(Object.keys(schema.properties).sort()).toEqual(Object.keys((ocenMessageSchema(response!) as any).properties).sort());
      expect(callback.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Ack' });
      expect(callback.description).toMatch(/baseUrl/);
    }
    expect(post('consent/journeyNotify').callbacks).toBeUndefined();
    // What the callbacks refer to is in the document, so a generated client has every type it receives.
    expect(Object.keys(spec.components.schemas)).toEqual(expect.arrayContaining(['LoanApplication', 'Offer', 'LoanTerms']));
  });

  it('when the lender refuses what loan.json allows, then the request schema says so: 1 to 10 loanApplications, 1 to 50 ids, the OTP and its session key', () => {
    const create = post('loanApplications/createLoanRequest').requestBody.content['application/json'].schema;
    expect(create.required).toContain('loanApplications');
    expect(create.properties.loanApplications).toMatchObject({ minItems: 1, maxItems: 10, description: expect.stringMatching(/Enforced by this lender/) });
    expect(post('offers/generateOffersRequest').requestBody.content['application/json'].schema.properties.loanApplicationIds).toMatchObject({ minItems: 1, maxItems: 50 });
    const credBlock = post('loanAcceptance/verifyLoanAcceptanceRequest').requestBody.content['application/json'].schema.properties.credBlock;
    expect(credBlock.required).toContain('data');
    expect(credBlock.properties.data.required).toEqual(['otpSessionKey', 'otp']);
  });

  it('when loan.json\'s own examples do not fit its schemas, then the document gives them in the schema\'s type (or leaves them out), and a $ref keeps its description', () => {
    const terms = spec.components.schemas.LoanTerms.properties;
    expect(typeof terms.requestedAmount.example).toBe('number');
    const check = exampleChecker(spec);
    for (const [name, schema] of Object.entries<any>(spec.components.schemas)) {
      for (const [member, property] of Object.entries<any>(schema.properties ?? {})) {
        if (property.example !== undefined) expect({ at: `${name}.${member}`, fits: check({ schema: property, example: property.example }) }).toEqual({ at: `${name}.${member}`, fits: 'valid' });
      }
    }
    expect(JSON.stringify(spec)).not.toMatch(/"\$ref":"[^"]*","description"/);
  });

  it('each example request fits its operation\'s schema as the document states it', () => {
    const check = exampleChecker(spec);
    for (const { request } of hosted) expect({ request, fits: check(post(request).requestBody.content['application/json']) }).toEqual({ request, fits: 'valid' });
  });
});

describe('the Swagger UI request interceptor of /docs', () => {
  const example = EXAMPLES['/v1/financialservices/credit/offer/approveUser']!.request as { requestHeader: { requestId: string } };

  it('when the requestId is the example\'s, then each call gets a fresh one and a current timestamp', () => {
    const body = JSON.parse(freshGpayRequest({ body: JSON.stringify(example) }).body as string);
    expect(body.requestHeader.requestId).not.toBe(example.requestHeader.requestId);
    expect(Math.abs(Number(body.requestHeader.requestTimestamp.epochMillis) - Date.now())).toBeLessThan(5_000);
  });

  it('when the user typed a requestId, then it is sent as typed (so a second call shows the replay), with a current timestamp', () => {
    const typed = { ...example, requestHeader: { ...example.requestHeader, requestId: 'my-replay-1' } };
    const body = JSON.parse(freshGpayRequest({ body: JSON.stringify(typed) }).body as string);
    expect(body.requestHeader.requestId).toBe('my-replay-1');
    expect(Math.abs(Number(body.requestHeader.requestTimestamp.epochMillis) - Date.now())).toBeLessThan(5_000);
  });

  it('recognises every example\'s requestId as an example\'s', () => {
    for (const [path, { request }] of Object.entries(EXAMPLES)) {
      const sent = JSON.parse(freshGpayRequest({ body: JSON.stringify(request) }).body as string);
      expect({ path, fresh: sent.requestHeader.requestId !== (request as typeof example).requestHeader.requestId }).toEqual({ path, fresh: true });
    }
  });
});

describe('the Swagger UI request interceptor of /ocen/docs', () => {
  it('recognises every example\'s requestId and timestamp as an example\'s', () => {
    for (const [operation, example] of Object.entries(OCEN_EXAMPLES)) {
      const before = (example!.body as { metadata: { requestId: string; timestamp: string } }).metadata;
      const sent = JSON.parse(freshOcenRequest({ body: JSON.stringify(example!.body) }).body as string).metadata;
      expect({ operation, freshId: sent.requestId !== before.requestId, freshTime: sent.timestamp !== before.timestamp }).toEqual({ operation, freshId: true, freshTime: true });
    }
  });

  it('when the user typed a requestId, then it is kept, with the timestamp it was first sent with, so sending it again is the same body (a replay)', () => {
    const example = OCEN_EXAMPLES['offers/generateOffersRequest']!.body;
    const typed = JSON.stringify({ ...example, metadata: { ...example.metadata, requestId: 'my-own-request-1', traceId: 'my-trace' } });
    const first = freshOcenRequest({ body: typed }).body as string;
    const second = freshOcenRequest({ body: typed }).body as string;
    expect(second).toBe(first);
    const metadata = JSON.parse(first).metadata;
    expect(metadata).toMatchObject({ requestId: 'my-own-request-1', traceId: 'my-trace' });
    expect(Math.abs(Date.parse(metadata.timestamp) - Date.now())).toBeLessThan(5_000);
    const another = JSON.parse(freshOcenRequest({ body: typed.replace('my-own-request-1', 'my-own-request-2') }).body as string).metadata;
    expect(another.requestId).toBe('my-own-request-2');
  });

  it('when the user typed a timestamp, then it is sent as typed', () => {
    const example = OCEN_EXAMPLES['offers/generateOffersRequest']!.body;
    const typed = { ...example, metadata: { ...example.metadata, timestamp: '2020-01-01T00:00:00.000Z' } };
    expect(JSON.parse(freshOcenRequest({ body: JSON.stringify(typed) }).body as string).metadata.timestamp).toBe('2020-01-01T00:00:00.000Z');
  });

  it('gives an example a fresh requestId, traceId and timestamp, and the played loan agent as originator', () => {
    const example = OCEN_EXAMPLES['offers/generateOffersRequest']!.body;
    const sent = freshOcenRequest({ body: JSON.stringify(example), headers: { 'x-ocen-participant-id': 'second-test-agent' } });
    const body = JSON.parse(sent.body as string);
    expect(body.metadata.requestId).not.toBe(example.metadata.requestId);
    expect(body.metadata.traceId).toBe(`trace-${body.metadata.requestId}`);
    expect(Math.abs(Date.parse(body.metadata.timestamp) - Date.now())).toBeLessThan(5_000);
    expect(body.metadata.originatorParticipantId).toBe('second-test-agent');
    expect(body.loanApplicationIds).toEqual(['sandbox-la-0001']);
    const again = JSON.parse(freshOcenRequest({ body: JSON.stringify(example) }).body as string);
    expect(again.metadata.requestId).not.toBe(body.metadata.requestId);
    expect(again.metadata.originatorParticipantId).toBe('ocen-test-agent');
  });

  it('leaves a body without metadata, or not JSON, as typed', () => {
    expect(freshOcenRequest({ body: '{"metadata": oops' }).body).toBe('{"metadata": oops');
    expect(freshOcenRequest({ body: '{"a":1}' }).body).toBe('{"a":1}');
  });
});

/**
 * The OCEN OpenAPI document is derived from the operations the lender hosts (never a fixed list), and the
 * Swagger UI interceptor makes each "Try it out" call a new request.
 */
import { buildOcenOpenApi, freshOcenRequest } from '../../src/protocols/ocen/ocen-openapi';
import { OCEN_EXAMPLES } from '../../src/protocols/ocen/ocen-examples';
import { openApi30Problems } from '../support/openapi-check';

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

describe('the Swagger UI request interceptor of /ocen/docs', () => {
  it('gives an example a fresh requestId, traceId and timestamp, and the played loan agent as originator', () => {
    const example = OCEN_EXAMPLES['offers/generateOffersRequest']!.body as { metadata: Record<string, string> };
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

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/lib/config';
import { classifyAdapterError } from '../../src/lib/adapter-error';
import { AdapterSet } from '../../src/adapters/ports';
import { withTrace } from '../../src/lib/trace';
import { SIGNATURE_HEADER, answerSignature, parseSignatureHeader, requestSignature } from '../../src/adapters/http/signature';
import { adapterFailure, httpAdapters, signedHttpService } from '../support/signed-http-service';

/**
 * The generic HTTP bureau and rail on the wire, as docs/http-adapters.md specifies them: what they send, which
 * answers they take, and how they classify what goes wrong.
 */
const SECRET = 'unit-test-shared-secret-0123456789abcdef';

const service = signedHttpService(SECRET);
const { seen } = service;

function adapters(env: Record<string, string> = {}): AdapterSet {
  return httpAdapters({
    BUREAU_HTTP_URL: `${service.base}/v1/bureau/`, BUREAU_HTTP_SECRET: SECRET,
    RAIL_HTTP_URL: `${service.base}/v1/rail`, RAIL_HTTP_SECRET: SECRET, RAIL_HTTP_TIMEOUT_MS: '300',
    ...env,
  });
}

const order = { reference: 'DSB-GAPP-1', amountMicros: 10_000_500_000n, beneficiaryPanLast4: '1234', beneficiary: { type: 'VPA' as const, vpa: 'asha@okbank' } };

describe('the generic HTTP rail', () => {
  it('when it transfers, then it POSTs the documented JSON with the reference as Idempotency-Key, signed over t, method, path and body, and takes the signed answer', async () => {
    service.answer = () => ({ status: 200, body: { reference: 'DSB-GAPP-1', status: 'SUCCEEDED', utr: 'UTR0001' } });
    expect(await adapters().rail!.transfer(order)).toEqual({ status: 'SUCCEEDED', utr: 'UTR0001' });
    const [request] = seen;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/rail/transfers', headers: { 'content-type': 'application/json', 'idempotency-key': 'DSB-GAPP-1' } });
    expect(JSON.parse(request.body)).toEqual({ reference: 'DSB-GAPP-1', amount: '10000.50', currency: 'INR', beneficiaryPanLast4: '1234', beneficiary: { type: 'VPA', vpa: 'asha@okbank' } });
    const signed = parseSignatureHeader(request.headers[SIGNATURE_HEADER] as string)!;
    expect(Math.abs(signed.t - Date.now() / 1000)).toBeLessThan(5);
    expect(signed.v1).toBe(requestSignature(SECRET, signed.t, 'POST', '/v1/rail/transfers', request.body));
  });

  it('when the status of a reference is asked, then 404 means never taken (null) and 200 is the answer; the reference is escaped in the path', async () => {
    service.answer = () => ({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await adapters().rail!.status('DSB/odd ref')).toBeNull();
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1/rail/transfers/DSB%2Fodd%20ref', body: '' });
    service.answer = () => ({ status: 200, body: { reference: 'DSB-GAPP-1', status: 'FAILED', reason: 'beneficiary account is closed' } });
    expect(await adapters().rail!.status('DSB-GAPP-1')).toEqual({ status: 'FAILED', reason: 'beneficiary account is closed' });
  });

  it('when the rail took the transfer but has not settled it (202 PENDING), then the call fails retryable, so the job asks the status again later', async () => {
    service.answer = () => ({ status: 202, body: { reference: 'DSB-GAPP-1', status: 'PENDING' } });
    const err = await adapterFailure(adapters().rail!.transfer(order));
    expect({ message: err.message, retryable: err.retryable }).toEqual({ message: 'The disbursement rail took the transfer DSB-GAPP-1 but has not settled it yet', retryable: true });
  });

  it('when an answer is unsigned or signed with another key, then it is not taken (retryable: the transfer may have happened, the status will tell)', async () => {
    service.answer = () => ({ status: 200, body: { reference: 'DSB-GAPP-1', status: 'SUCCEEDED', utr: 'FORGED' }, secret: 'another-secret-another-secret-0000' });
    expect((await adapterFailure(adapters().rail!.transfer(order))).message).toBe("The disbursement rail's answer (HTTP 200) is signed with another key: not taken");
    service.answer = () => ({ status: 404, body: {}, secret: null });
    const unsigned = await adapterFailure(adapters().rail!.status('DSB-GAPP-1'));
    expect({ message: unsigned.message, retryable: unsigned.retryable }).toEqual({ message: "The disbursement rail's answer (HTTP 404) is not signed: not taken", retryable: true });
  });

  it('when the rail refuses the request (4xx), then the error is final and names its status and code; 5xx, 429 and 409 are retryable; an answer for another reference is not taken', async () => {
    service.answer = () => ({ status: 401, body: { error: { code: 'BAD_SIGNATURE', message: 'no' } } });
    const refused = await adapterFailure(adapters().rail!.transfer(order));
    expect({ message: refused.message, retryable: refused.retryable, status: refused.status }).toEqual({ message: 'The disbursement rail answered POST /v1/rail/transfers with HTTP 401 (BAD_SIGNATURE)', retryable: false, status: 401 });
    for (const status of [500, 503, 429, 409]) {
      service.answer = () => ({ status, body: {} });
      expect({ status, class: classifyAdapterError(await adapterFailure(adapters().rail!.transfer(order))) }).toEqual({ status, class: 'retry' });
    }
    service.answer = () => ({ status: 200, body: { reference: 'DSB-OTHER', status: 'SUCCEEDED', utr: 'U' } });
    expect((await adapterFailure(adapters().rail!.transfer(order))).message).toBe("The disbursement rail answered with another reference, which is not the contract's");
  });

  it('when the rail does not answer within RAIL_HTTP_TIMEOUT_MS, then the call gives up then, retryable; an amount that is not whole paise is never sent', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const err = await adapterFailure(adapters({ RAIL_HTTP_URL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` }).rail!.transfer(order));
      expect(Date.now() - started).toBeLessThan(2_000);
      expect({ message: err.message, retryable: err.retryable }).toEqual({ message: 'The disbursement rail did not answer POST /transfers within 300 ms', retryable: true });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
    const sub = await adapterFailure(adapters().rail!.transfer({ ...order, amountMicros: 1_000_001n }));
    expect({ retryable: sub.retryable, sent: seen.length }).toEqual({ retryable: false, sent: 0 });
  });
});

describe('the generic HTTP bureau', () => {
  it('when it checks an applicant, then it POSTs {reference, pan, dateOfBirth} with the reference as Idempotency-Key and the call\'s traceparent, and takes the verdict', async () => {
    service.answer = () => ({ status: 200, body: { reference: 'APP-1', verdict: 'THIN_FILE' } });
    expect(await adapters().bureau!.check({ reference: 'APP-1', pan: 'ABCDE1234F', dateOfBirth: '1990-01-01' })).toBe('THIN_FILE');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/bureau/inquiries', headers: { 'idempotency-key': 'APP-1' }, body: '{"reference":"APP-1","pan":"ABCDE1234F","dateOfBirth":"1990-01-01"}' });
    service.answer = () => ({ status: 200, body: { reference: 'APP-1', verdict: 'CLEAN' } });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await withTrace(traceId, () => adapters().bureau!.check({ reference: 'APP-1', pan: 'ABCDE1234F', dateOfBirth: '1990-01-01' }));
    expect(seen[1].headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
    service.answer = () => ({ status: 200, body: { reference: 'APP-1', verdict: 'MAYBE' } });
    expect((await adapterFailure(adapters().bureau!.check({ reference: 'APP-1', pan: 'ABCDE1234F', dateOfBirth: '1990-01-01' }))).retryable).toBe(true);
  });

  it('when only the bureau is configured, then the module supplies only the bureau; a secret shorter than 32 characters or without its URL is refused', () => {
    expect(Object.keys(httpAdapters({ BUREAU_HTTP_URL: `${service.base}/b`, BUREAU_HTTP_SECRET: SECRET }))).toEqual(['bureau']);
    expect(() => loadConfig({ BUREAU_HTTP_URL: `${service.base}/b`, BUREAU_HTTP_SECRET: 'short' })).toThrow(/BUREAU_HTTP_SECRET must be at least 32 characters \(a random key shared with the service\), got 5/);
    expect(() => loadConfig({ RAIL_HTTP_SECRET: SECRET })).toThrow(/RAIL_HTTP_SECRET is set but RAIL_HTTP_URL is not/);
    expect(() => loadConfig({ RAIL_HTTP_URL: `${service.base}/r` })).toThrow(/RAIL_HTTP_URL is set but RAIL_HTTP_SECRET is not/);
  });
});

describe('the signature, as docs/http-adapters.md shows it', () => {
  it('when the documented example is signed with its secret, then the request, answer and status look-up signatures are the ones printed', () => {
    const secret = 'example-secret-of-at-least-32-characters';
    const body = '{"reference":"DSBLN7Q2X9K4","amount":"98520.00","currency":"INR","beneficiaryPanLast4":"1234","beneficiary":{"type":"ACCOUNT","ifsc":"HDFC0001234","accountNumber":"50100123456789","holderName":"ASHA VERMA"}}';
    const request = requestSignature(secret, 1767225600, 'POST', '/v1/rail/transfers', body);
    expect(request).toBe('dc44322a1c3fd2d4df3600a41da74adf5a1320b57847cbd90d78c627907419b4');
    expect(answerSignature(secret, 1767225601, request, 200, '{"reference":"DSBLN7Q2X9K4","status":"SUCCEEDED","utr":"HDFCN52026010112345678"}')).toBe('5f00cddd268247cd07cd657d539059f506b48d4a803a99d03aecf343365d9abb');
    expect(requestSignature(secret, 1767225600, 'GET', '/v1/rail/transfers/DSBLN7Q2X9K4', '')).toBe('1c917cfb87908c73bba0ea75301fa912a554fe844a8638bc3dc7ff4cf422debb');
    const doc = readFileSync(path.resolve(__dirname, '../../docs/http-adapters.md'), 'utf8');
    for (const v1 of ['dc44322a1c3fd2d4df3600a41da74adf5a1320b57847cbd90d78c627907419b4', '5f00cddd268247cd07cd657d539059f506b48d4a803a99d03aecf343365d9abb', '1c917cfb87908c73bba0ea75301fa912a554fe844a8638bc3dc7ff4cf422debb']) expect(doc).toContain(v1);
  });
});

import { MandateRail } from '../../src/adapters/ports';
import { SIGNATURE_HEADER, parseSignatureHeader, requestSignature } from '../../src/adapters/http/signature';
import { adapterFailure, httpAdapters, signedHttpService } from '../support/signed-http-service';

/**
 * The generic HTTP mandate rail on the wire (docs/http-adapters.md, "Mandate rail"): what it sends for a debit, its
 * status and a cancellation, which answers it takes, and how it classifies what goes wrong.
 */
const SECRET = 'unit-test-mandate-rail-secret-0123456789';

const service = signedHttpService(SECRET);
const { seen } = service;

function mandateRail(): MandateRail {
  return httpAdapters({ MANDATE_RAIL_HTTP_URL: `${service.base}/v1/mandates`, MANDATE_RAIL_HTTP_SECRET: SECRET, MANDATE_RAIL_HTTP_TIMEOUT_MS: '2000' }).mandateRail!;
}

const order = { reference: 'COL-LN7-3-1', umrn: 'HDFC7000000012345678', amountMicros: 4_780_500_000n, debitDate: '2027-03-05', narration: 'EMI 3 LN7' };

describe('the generic HTTP mandate rail: debits', () => {
  it('when it debits, then it POSTs the documented JSON with the reference as Idempotency-Key, signed, and takes the signed DEBITED answer', async () => {
    service.answer = () => ({ status: 200, body: { reference: order.reference, outcome: 'DEBITED', railReference: 'HDFCN5202703051' } });
    expect(await mandateRail().debit(order)).toEqual({ outcome: 'DEBITED', railReference: 'HDFCN5202703051' });
    const [request] = seen;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/mandates/debits', headers: { 'content-type': 'application/json', 'idempotency-key': order.reference } });
    expect(JSON.parse(request.body)).toEqual({ reference: order.reference, umrn: order.umrn, amount: '4780.50', currency: 'INR', debitDate: '2027-03-05', narration: 'EMI 3 LN7' });
    const signed = parseSignatureHeader(request.headers[SIGNATURE_HEADER] as string)!;
    expect(signed.v1).toBe(requestSignature(SECRET, signed.t, 'POST', '/v1/mandates/debits', request.body));
  });

  it('when the debit bounces, then the answer is BOUNCED with its code and reason (an answer, not an error)', async () => {
    service.answer = () => ({ status: 200, body: { reference: order.reference, outcome: 'BOUNCED', code: 'INSUFFICIENT_FUNDS', reason: 'Insufficient funds' } });
    expect(await mandateRail().debit(order)).toEqual({ outcome: 'BOUNCED', code: 'INSUFFICIENT_FUNDS', reason: 'Insufficient funds' });
  });

  it('when the debit status is asked, then 404 is UNKNOWN (never taken) and 200 the answer; the reference is escaped in the path', async () => {
    service.answer = () => ({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await mandateRail().debitStatus('COL/odd ref')).toEqual({ outcome: 'UNKNOWN' });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1/mandates/debits/COL%2Fodd%20ref', body: '' });
    service.answer = () => ({ status: 200, body: { reference: order.reference, outcome: 'BOUNCED', code: 'ACCOUNT_CLOSED', reason: 'Account closed' } });
    expect(await mandateRail().debitStatus(order.reference)).toEqual({ outcome: 'BOUNCED', code: 'ACCOUNT_CLOSED', reason: 'Account closed' });
  });

  it('when the rail answers 202 PENDING, another reference, an unknown outcome, a bad code or no signature, then the error is retryable (the status is asked next)', async () => {
    const bodies: Array<{ status: number; body: unknown; secret?: string | null }> = [
      { status: 202, body: { reference: order.reference, status: 'PENDING' } },
      { status: 200, body: { reference: 'COL-OTHER', outcome: 'DEBITED', railReference: 'X' } },
      { status: 200, body: { reference: order.reference, outcome: 'MAYBE' } },
      { status: 200, body: { reference: order.reference, outcome: 'BOUNCED', code: 'insufficient funds!', reason: 'x' } },
      { status: 200, body: { reference: order.reference, outcome: 'DEBITED', railReference: 'X' }, secret: null },
      { status: 503, body: { error: { code: 'BUSY' } } },
    ];
    for (const next of bodies) {
      service.answer = () => next;
      expect(await adapterFailure(mandateRail().debit(order))).toMatchObject({ retryable: true });
    }
  });

  it('when the rail refuses the request (4xx), then the error is final; an amount not in whole paise is refused before any call', async () => {
    service.answer = () => ({ status: 422, body: { error: { code: 'IDEMPOTENCY_KEY_REUSED' } } });
    expect(await adapterFailure(mandateRail().debit(order))).toMatchObject({ retryable: false, status: 422 });
    seen.length = 0;
    expect(await adapterFailure(mandateRail().debit({ ...order, amountMicros: 1n }))).toMatchObject({ retryable: false });
    expect(seen).toHaveLength(0);
  });
});

describe('the generic HTTP mandate rail: cancellation, penny-drop and mandates', () => {
  it('when it cancels, then it POSTs {reference, umrn} to /cancellations and takes CANCELLED or NOT_FOUND', async () => {
    service.answer = (request) => ({ status: 200, body: { reference: 'CAN-1', outcome: JSON.parse(request.body).umrn === order.umrn ? 'CANCELLED' : 'NOT_FOUND' } });
    expect(await mandateRail().cancel({ reference: 'CAN-1', umrn: order.umrn })).toEqual({ outcome: 'CANCELLED' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/mandates/cancellations', headers: { 'idempotency-key': 'CAN-1' } });
    expect(JSON.parse(seen[0].body)).toEqual({ reference: 'CAN-1', umrn: order.umrn });
    expect(await mandateRail().cancel({ reference: 'CAN-1', umrn: 'OTHER' })).toEqual({ outcome: 'NOT_FOUND' });
  });

  it('when it authorises, then it POSTs the mandate (maxAmount in rupees) and its status is GET /mandates/{reference}, 404 being UNKNOWN', async () => {
    service.answer = () => ({ status: 200, body: { reference: 'MDA-1', outcome: 'AUTHORISED', umrn: order.umrn } });
    const mandate = { method: 'ENACH' as const, accountNumber: '50100012345678', ifsc: 'HDFC0001234', reference: 'MDA-1', maxAmountMicros: 9_560_000_000n, frequency: 'MONTHLY' as const, firstDebitDate: '2027-01-05', lastDebitDate: '2027-12-05' };
    expect(await mandateRail().authorise(mandate)).toEqual({ outcome: 'AUTHORISED', umrn: order.umrn });
    expect(JSON.parse(seen[0].body)).toEqual({ reference: 'MDA-1', method: 'ENACH', accountNumber: '50100012345678', ifsc: 'HDFC0001234', maxAmount: '9560.00', currency: 'INR', frequency: 'MONTHLY', firstDebitDate: '2027-01-05', lastDebitDate: '2027-12-05' });
    service.answer = () => ({ status: 404, body: {} });
    expect(await mandateRail().status('MDA-2')).toEqual({ outcome: 'UNKNOWN' });
    expect(seen[1]).toMatchObject({ method: 'GET', url: '/v1/mandates/mandates/MDA-2' });
  });

  it('when it penny-drops, then it POSTs the account to /account-checks and takes FOUND with the name, or NOT_FOUND', async () => {
    service.answer = () => ({ status: 200, body: { reference: 'PDV-1', outcome: 'FOUND', nameAtBank: 'ASHA RAO' } });
    expect(await mandateRail().verifyAccount({ reference: 'PDV-1', accountNumber: '50100012345678', ifsc: 'HDFC0001234' })).toEqual({ outcome: 'FOUND', nameAtBank: 'ASHA RAO' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/mandates/account-checks' });
    service.answer = () => ({ status: 200, body: { reference: 'PDV-2', outcome: 'NOT_FOUND' } });
    expect(await mandateRail().verifyAccount({ reference: 'PDV-2', accountNumber: '1', ifsc: 'HDFC0001234' })).toEqual({ outcome: 'NOT_FOUND' });
  });
});

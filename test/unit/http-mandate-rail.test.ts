import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { loadConfig } from '../../src/lib/config';
import { createLogger } from '../../src/lib/logger';
import { systemClock } from '../../src/lib/clock';
import { AdapterError } from '../../src/lib/adapter-error';
import { builtinAdapterModules, composeAdapters, createAdapterContext, loadAdapterModules } from '../../src/adapters/modules';
import { MandateRail } from '../../src/adapters/ports';
import { SIGNATURE_HEADER, answerSignature, parseSignatureHeader, requestSignature, signatureHeader } from '../../src/adapters/http/signature';
import { closeServer, listenOnLoopback } from '../support/loopback-server';

/**
 * The generic HTTP mandate rail on the wire (docs/http-adapters.md, "Mandate rail"): what it sends for a debit, its
 * status and a cancellation, which answers it takes, and how it classifies what goes wrong.
 */
const SECRET = 'unit-test-mandate-rail-secret-0123456789';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
/** What the service answers next: status, body, and whether it signs (null: not signed). */
let answer: (request: Seen) => { status: number; body: unknown; secret?: string | null } = () => ({ status: 500, body: {} });

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(request);
      const { status, body, secret } = answer(request);
      const text = body === undefined ? '' : JSON.stringify(body);
      const t = Math.floor(Date.now() / 1000);
      const v1 = parseSignatureHeader(req.headers[SIGNATURE_HEADER] as string)?.v1 ?? '';
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(secret === null ? {} : { [SIGNATURE_HEADER]: signatureHeader(t, answerSignature(secret ?? SECRET, t, v1, status, text)) }),
      });
      res.end(text);
    });
  });
  base = `http://127.0.0.1:${await listenOnLoopback(server)}`;
});
afterAll(() => closeServer(server));
beforeEach(() => {
  seen.length = 0;
});

function mandateRail(): MandateRail {
  const config = loadConfig({ MANDATE_RAIL_HTTP_URL: `${base}/v1/mandates`, MANDATE_RAIL_HTTP_SECRET: SECRET, MANDATE_RAIL_HTTP_TIMEOUT_MS: '2000' });
  const context = createAdapterContext(config, {
    logger: createLogger('silent'),
    clock: systemClock,
    redis: () => {
      throw new Error('the HTTP adapters need no Redis');
    },
    records: { nameBehindMandateReference: async () => null, panDigitsBehindUmrn: async () => null, nameBehindAadhaarReference: async () => null },
  });
  return composeAdapters(loadAdapterModules(['credit-partner/http'], builtinAdapterModules(config)), context).ports.mandateRail!;
}

const order = { reference: 'COL-LN7-3-1', umrn: 'HDFC7000000012345678', amountMicros: 4_780_500_000n, debitDate: '2027-03-05', narration: 'EMI 3 LN7' };

async function failure(promise: Promise<unknown>): Promise<AdapterError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AdapterError);
  return err as AdapterError;
}

describe('the generic HTTP mandate rail: debits', () => {
  it('when it debits, then it POSTs the documented JSON with the reference as Idempotency-Key, signed, and takes the signed DEBITED answer', async () => {
    answer = () => ({ status: 200, body: { reference: order.reference, outcome: 'DEBITED', railReference: 'HDFCN5202703051' } });
    expect(await mandateRail().debit(order)).toEqual({ outcome: 'DEBITED', railReference: 'HDFCN5202703051' });
    const [request] = seen;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/mandates/debits', headers: { 'content-type': 'application/json', 'idempotency-key': order.reference } });
    expect(JSON.parse(request.body)).toEqual({ reference: order.reference, umrn: order.umrn, amount: '4780.50', currency: 'INR', debitDate: '2027-03-05', narration: 'EMI 3 LN7' });
    const signed = parseSignatureHeader(request.headers[SIGNATURE_HEADER] as string)!;
    expect(signed.v1).toBe(requestSignature(SECRET, signed.t, 'POST', '/v1/mandates/debits', request.body));
  });

  it('when the debit bounces, then the answer is BOUNCED with its code and reason (an answer, not an error)', async () => {
    answer = () => ({ status: 200, body: { reference: order.reference, outcome: 'BOUNCED', code: 'INSUFFICIENT_FUNDS', reason: 'Insufficient funds' } });
    expect(await mandateRail().debit(order)).toEqual({ outcome: 'BOUNCED', code: 'INSUFFICIENT_FUNDS', reason: 'Insufficient funds' });
  });

  it('when the debit status is asked, then 404 is UNKNOWN (never taken) and 200 the answer; the reference is escaped in the path', async () => {
    answer = () => ({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await mandateRail().debitStatus('COL/odd ref')).toEqual({ outcome: 'UNKNOWN' });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1/mandates/debits/COL%2Fodd%20ref', body: '' });
    answer = () => ({ status: 200, body: { reference: order.reference, outcome: 'BOUNCED', code: 'ACCOUNT_CLOSED', reason: 'Account closed' } });
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
      answer = () => next;
      expect(await failure(mandateRail().debit(order))).toMatchObject({ retryable: true });
    }
  });

  it('when the rail refuses the request (4xx), then the error is final; an amount not in whole paise is refused before any call', async () => {
    answer = () => ({ status: 422, body: { error: { code: 'IDEMPOTENCY_KEY_REUSED' } } });
    expect(await failure(mandateRail().debit(order))).toMatchObject({ retryable: false, status: 422 });
    seen.length = 0;
    expect(await failure(mandateRail().debit({ ...order, amountMicros: 1n }))).toMatchObject({ retryable: false });
    expect(seen).toHaveLength(0);
  });
});

describe('the generic HTTP mandate rail: cancellation, penny-drop and mandates', () => {
  it('when it cancels, then it POSTs {reference, umrn} to /cancellations and takes CANCELLED or NOT_FOUND', async () => {
    answer = (request) => ({ status: 200, body: { reference: 'CAN-1', outcome: JSON.parse(request.body).umrn === order.umrn ? 'CANCELLED' : 'NOT_FOUND' } });
    expect(await mandateRail().cancel({ reference: 'CAN-1', umrn: order.umrn })).toEqual({ outcome: 'CANCELLED' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/mandates/cancellations', headers: { 'idempotency-key': 'CAN-1' } });
    expect(JSON.parse(seen[0].body)).toEqual({ reference: 'CAN-1', umrn: order.umrn });
    expect(await mandateRail().cancel({ reference: 'CAN-1', umrn: 'OTHER' })).toEqual({ outcome: 'NOT_FOUND' });
  });

  it('when it authorises, then it POSTs the mandate (maxAmount in rupees) and its status is GET /mandates/{reference}, 404 being UNKNOWN', async () => {
    answer = () => ({ status: 200, body: { reference: 'MDA-1', outcome: 'AUTHORISED', umrn: order.umrn } });
    const mandate = { method: 'ENACH' as const, accountNumber: '50100012345678', ifsc: 'HDFC0001234', reference: 'MDA-1', maxAmountMicros: 9_560_000_000n, frequency: 'MONTHLY' as const, firstDebitDate: '2027-01-05', lastDebitDate: '2027-12-05' };
    expect(await mandateRail().authorise(mandate)).toEqual({ outcome: 'AUTHORISED', umrn: order.umrn });
    expect(JSON.parse(seen[0].body)).toEqual({ reference: 'MDA-1', method: 'ENACH', accountNumber: '50100012345678', ifsc: 'HDFC0001234', maxAmount: '9560.00', currency: 'INR', frequency: 'MONTHLY', firstDebitDate: '2027-01-05', lastDebitDate: '2027-12-05' });
    answer = () => ({ status: 404, body: {} });
    expect(await mandateRail().status('MDA-2')).toEqual({ outcome: 'UNKNOWN' });
    expect(seen[1]).toMatchObject({ method: 'GET', url: '/v1/mandates/mandates/MDA-2' });
  });

  it('when it penny-drops, then it POSTs the account to /account-checks and takes FOUND with the name, or NOT_FOUND', async () => {
    answer = () => ({ status: 200, body: { reference: 'PDV-1', outcome: 'FOUND', nameAtBank: 'ASHA RAO' } });
    expect(await mandateRail().verifyAccount({ reference: 'PDV-1', accountNumber: '50100012345678', ifsc: 'HDFC0001234' })).toEqual({ outcome: 'FOUND', nameAtBank: 'ASHA RAO' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/mandates/account-checks' });
    answer = () => ({ status: 200, body: { reference: 'PDV-2', outcome: 'NOT_FOUND' } });
    expect(await mandateRail().verifyAccount({ reference: 'PDV-2', accountNumber: '1', ifsc: 'HDFC0001234' })).toEqual({ outcome: 'NOT_FOUND' });
  });
});

import { randomBytes } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { closeServer } from './loopback-server';
import {
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  answerSignature,
  parseSignatureHeader,
  requestSignature,
  sameSignature,
  signatureHeader,
} from '../../src/adapters/http/signature';

/**
 * A bank's credit bureau, disbursement rail and mandate rail as plain HTTP services, implementing the contract of
 * docs/http-adapters.md and nothing more: every request's signature checked (401 otherwise), every answer signed,
 * idempotent by `Idempotency-Key` (the first answer kept and given again; the same key with another body is 422),
 * `GET /rail/transfers/{reference}` answering 404 for a reference never taken. A UTR is random, so only the kept
 * answer makes a retry answer the same. The bureau answers by the PAN's digits like the sandbox (9001 adverse, 9002
 * thin file); the rail fails a beneficiary whose PAN or account ends in 9005. The mandate rail (under
 * `/mandate-rail`) finds every account (in the name `ACCOUNT HOLDER`), authorises every mandate (a random UMRN),
 * debits up to the mandate's ceiling (BOUNCED AMOUNT_EXCEEDS_MANDATE above it, MANDATE_NOT_ACTIVE for a UMRN it
 * never gave or cancelled) and cancels the UMRNs it gave (NOT_FOUND otherwise).
 */
export interface ReferenceServices {
  /** `BUREAU_HTTP_URL`, `RAIL_HTTP_URL`, `MANDATE_RAIL_HTTP_URL` for these services. */
  bureauUrl: string;
  railUrl: string;
  mandateRailUrl: string;
  /** Debits taken, by reference (a debit taken twice would count 2). */
  debits: Map<string, number>;
  /** Transfers paid, by reference (a transfer taken twice would count 2). */
  payments: Map<string, number>;
  /** Bureau inquiries made, by reference. */
  inquiries: Map<string, number>;
  /** Requests refused for their signature. */
  badSignatures: number;
  close(): Promise<void>;
}

export async function startReferenceServices(options: { secret: string; answerSecret?: string; answerDelayMs?: number }): Promise<ReferenceServices> {
  const kept = new Map<string, { body: string; status: number; answer: unknown }>();
  const transfers = new Map<string, unknown>();
  const state = { payments: new Map<string, number>(), inquiries: new Map<string, number>(), debits: new Map<string, number>(), badSignatures: 0 };
  /** The mandate rail's answers by path and reference (`mandates/<ref>`, `debits/<ref>`), and its mandates by UMRN. */
  const mandateAnswers = new Map<string, unknown>();
  const umrns = new Map<string, { maxAmount: string; cancelled: boolean }>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await read(req);
    const pathAndQuery = req.url ?? '/';
    const signed = parseSignatureHeader(req.headers[SIGNATURE_HEADER] as string | undefined);
    const expected = signed ? requestSignature(options.secret, signed.t, req.method ?? '', pathAndQuery, body) : '';
    const send = (status: number, answer: unknown) => {
      const text = JSON.stringify(answer);
      const t = Math.floor(Date.now() / 1000);
      const v1 = answerSignature(options.answerSecret ?? options.secret, t, signed?.v1 ?? '', status, text);
      res.writeHead(status, { 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader(t, v1) });
      res.end(text);
    };
    if (!signed || Math.abs(Date.now() / 1000 - signed.t) > SIGNATURE_TOLERANCE_SECONDS || !sameSignature(signed.v1, expected)) {
      state.badSignatures++;
      return send(401, { error: { code: 'BAD_SIGNATURE', message: 'the request is not signed with the shared secret' } });
    }
    if (options.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, options.answerDelayMs));

    const status = /^\/rail\/transfers\/([^/?]+)$/.exec(pathAndQuery);
    if (req.method === 'GET' && status) {
      const reference = decodeURIComponent(status[1]);
      const answer = transfers.get(reference);
      return answer ? send(200, answer) : send(404, { error: { code: 'NOT_FOUND', message: 'no transfer with this reference was taken' } });
    }
    const lookup = /^\/mandate-rail\/(mandates|debits)\/([^/?]+)$/.exec(pathAndQuery);
    if (req.method === 'GET' && lookup) {
      const answer = mandateAnswers.get(`${lookup[1]}/${decodeURIComponent(lookup[2])}`);
      return answer ? send(200, answer) : send(404, { error: { code: 'NOT_FOUND', message: 'nothing was taken with this reference' } });
    }
    const ROUTES: Record<string, string> = {
      '/bureau/inquiries': 'bureau',
      '/rail/transfers': 'rail',
      '/mandate-rail/account-checks': 'account-checks',
      '/mandate-rail/mandates': 'mandates',
      '/mandate-rail/debits': 'debits',
      '/mandate-rail/cancellations': 'cancellations',
    };
    const route = req.method === 'POST' && ROUTES[pathAndQuery];
    if (!route) return send(404, { error: { code: 'NO_SUCH_ENDPOINT', message: 'no such endpoint' } });

    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return send(400, { error: { code: 'INVALID_REQUEST', message: 'the body is not JSON' } });
    }
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key !== request.reference) return send(400, { error: { code: 'INVALID_REQUEST', message: 'Idempotency-Key must be the reference' } });
    const earlier = kept.get(`${route}:${key}`);
    if (earlier) return earlier.body === body ? send(earlier.status, earlier.answer) : send(422, { error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'this key was sent with another request' } });

    let answer: unknown;
    if (route === 'bureau') {
      if (typeof request.pan !== 'string' || !/^[A-Z]{5}[0-9]{4}[A-Z]$/.test(request.pan) || typeof request.dateOfBirth !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(request.dateOfBirth)) {
        return send(400, { error: { code: 'INVALID_REQUEST', message: 'pan and dateOfBirth are required' } });
      }
      const digits = request.pan.slice(5, 9);
      answer = { reference: key, verdict: digits === '9001' ? 'ADVERSE_RECORD' : digits === '9002' ? 'THIN_FILE' : 'CLEAN' };
      state.inquiries.set(key, (state.inquiries.get(key) ?? 0) + 1);
    } else if (route !== 'rail') {
      const mandateAnswer = mandateRailAnswer(route, key, request);
      if (!mandateAnswer) return send(400, { error: { code: 'INVALID_REQUEST', message: 'the request is not the contract\'s' } });
      answer = mandateAnswer;
    } else {
      if (typeof request.amount !== 'string' || !/^\d+\.\d{2}$/.test(request.amount) || request.currency !== 'INR' || typeof request.beneficiaryPanLast4 !== 'string') {
        return send(400, { error: { code: 'INVALID_REQUEST', message: 'amount (rupees, two decimals), currency INR and beneficiaryPanLast4 are required' } });
      }
      const beneficiary = request.beneficiary as { type?: string; accountNumber?: string; vpa?: string } | undefined;
      const account = beneficiary?.type === 'ACCOUNT' ? beneficiary.accountNumber : beneficiary?.vpa?.split('@')[0];
      answer = request.beneficiaryPanLast4 === '9005' || account?.endsWith('9005')
        ? { reference: key, status: 'FAILED', reason: 'beneficiary account is closed' }
        : { reference: key, status: 'SUCCEEDED', utr: randomBytes(6).toString('hex').toUpperCase() };
      state.payments.set(key, (state.payments.get(key) ?? 0) + 1);
      transfers.set(key, answer);
    }
    kept.set(`${route}:${key}`, { body, status: 200, answer });
    return send(200, answer);
  };

  /** The mandate rail's answer to a request taken for the first time; null for a request that is not the contract's. */
  const mandateRailAnswer = (route: string, reference: string, request: Record<string, unknown>): unknown => {
    const rupees = (text: unknown) => (typeof text === 'string' && /^\d+\.\d{2}$/.test(text) ? BigInt(text.replace('.', '')) : null);
    if (route === 'account-checks') {
      return typeof request.accountNumber === 'string' && typeof request.ifsc === 'string' ? { reference, outcome: 'FOUND', nameAtBank: 'ACCOUNT HOLDER' } : null;
    }
    if (route === 'mandates') {
      if (rupees(request.maxAmount) === null || request.currency !== 'INR' || (request.method !== 'UPI_AUTOPAY' && request.method !== 'ENACH')) return null;
      const umrn = `REFB${randomBytes(8).toString('hex').toUpperCase()}`;
      umrns.set(umrn, { maxAmount: request.maxAmount as string, cancelled: false });
      const answer = { reference, outcome: 'AUTHORISED', umrn };
      mandateAnswers.set(`mandates/${reference}`, answer);
      return answer;
    }
    if (route === 'debits') {
      const amount = rupees(request.amount);
      if (amount === null || request.currency !== 'INR' || typeof request.umrn !== 'string' || typeof request.debitDate !== 'string') return null;
      const mandate = umrns.get(request.umrn);
      const answer = !mandate || mandate.cancelled
        ? { reference, outcome: 'BOUNCED', code: 'MANDATE_NOT_ACTIVE', reason: 'the mandate is not active' }
        : amount > rupees(mandate.maxAmount)!
          ? { reference, outcome: 'BOUNCED', code: 'AMOUNT_EXCEEDS_MANDATE', reason: 'the amount is above the mandate\'s maximum' }
          : { reference, outcome: 'DEBITED', railReference: randomBytes(6).toString('hex').toUpperCase() };
      state.debits.set(reference, (state.debits.get(reference) ?? 0) + 1);
      mandateAnswers.set(`debits/${reference}`, answer);
      return answer;
    }
    if (typeof request.umrn !== 'string') return null;
    const mandate = umrns.get(request.umrn);
    if (mandate) mandate.cancelled = true;
    return { reference, outcome: mandate ? 'CANCELLED' : 'NOT_FOUND' };
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    bureauUrl: `${base}/bureau`,
    railUrl: `${base}/rail`,
    mandateRailUrl: `${base}/mandate-rail`,
    payments: state.payments,
    debits: state.debits,
    inquiries: state.inquiries,
    get badSignatures() {
      return state.badSignatures;
    },
    close: () => closeServer(server),
  };
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

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
 * A bank's credit bureau and disbursement rail as plain HTTP services, implementing the contract of
 * docs/http-adapters.md and nothing more: every request's signature checked (401 otherwise), every answer signed,
 * idempotent by `Idempotency-Key` (the first answer kept and given again; the same key with another body is 422),
 * `GET /rail/transfers/{reference}` answering 404 for a reference never taken. A UTR is random, so only the kept
 * answer makes a retry answer the same. The bureau answers by the PAN's digits like the sandbox (9001 adverse, 9002
 * thin file); the rail fails a beneficiary whose PAN or account ends in 9005.
 */
export interface ReferenceServices {
  /** `BUREAU_HTTP_URL`, `RAIL_HTTP_URL` for these services. */
  bureauUrl: string;
  railUrl: string;
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
  const state = { payments: new Map<string, number>(), inquiries: new Map<string, number>(), badSignatures: 0 };

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
    const route = req.method === 'POST' && (pathAndQuery === '/bureau/inquiries' ? 'bureau' : pathAndQuery === '/rail/transfers' ? 'rail' : undefined);
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
    payments: state.payments,
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

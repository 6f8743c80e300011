import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { builtinAdapterModules, composeAdapters, createAdapterContext, loadAdapterModules } from '../../src/adapters/modules';
import type { AdapterSet } from '../../src/adapters/ports';
import { SIGNATURE_HEADER, answerSignature, parseSignatureHeader, signatureHeader } from '../../src/adapters/http/signature';
import { AdapterError } from '../../src/lib/adapter-error';
import { systemClock } from '../../src/lib/clock';
import { loadConfig } from '../../src/lib/config';
import { createLogger } from '../../src/lib/logger';
import { closeServer, listenOnLoopback } from './loopback-server';

/** A request the service got, its body as text. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * What the service answers: the status and the JSON body (undefined: no body), signed over the request's signature
 * with `secret` (absent: the service's own secret; null: not signed).
 */
export interface ServiceAnswer {
  status: number;
  body: unknown;
  secret?: string | null;
}

/** A stand-in for a service behind the generic HTTP adapters; see {@link signedHttpService}. */
export interface SignedHttpService {
  /** `http://127.0.0.1:<port>`, once the server listens (from `beforeAll`). */
  base: string;
  /** The requests of the running test, oldest first. */
  readonly seen: SeenRequest[];
  /** What the service answers next; until a test sets it, HTTP 500 `{}`. */
  answer: (request: SeenRequest) => ServiceAnswer;
}

/**
 * A loopback service that speaks the wire of docs/http-adapters.md to the generic HTTP adapters in a test file: it
 * keeps every request and answers what the test sets, signed with `secret` like the real service. Call it at the top
 * of the file: it listens before all the tests, stops after them, and forgets the requests before each test.
 */
export function signedHttpService(secret: string): SignedHttpService {
  const service: SignedHttpService = { base: '', seen: [], answer: () => ({ status: 500, body: {} }) };
  let server: Server;
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        service.seen.push(request);
        const { status, body, secret: signingSecret } = service.answer(request);
        const text = body === undefined ? '' : JSON.stringify(body);
        const t = Math.floor(Date.now() / 1000);
        const v1 = parseSignatureHeader(req.headers[SIGNATURE_HEADER] as string)?.v1 ?? '';
        res.writeHead(status, {
          'content-type': 'application/json',
          ...(signingSecret === null ? {} : { [SIGNATURE_HEADER]: signatureHeader(t, answerSignature(signingSecret ?? secret, t, v1, status, text)) }),
        });
        res.end(text);
      });
    });
    service.base = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  });
  afterAll(() => closeServer(server));
  beforeEach(() => {
    service.seen.length = 0;
  });
  return service;
}

/**
 * The ports the `credit-partner/http` adapter module supplies when configured by `env` (the HTTP_* settings), with a
 * silent logger, the system clock, no Redis and records that know no one.
 */
export function httpAdapters(env: Record<string, string>): AdapterSet {
  const config = loadConfig(env);
  const context = createAdapterContext(config, {
    logger: createLogger('silent'),
    clock: systemClock,
    redis: () => {
      throw new Error('the HTTP adapters need no Redis');
    },
    records: { nameBehindMandateReference: async () => null, panDigitsBehindUmrn: async () => null, nameBehindAadhaarReference: async () => null },
  });
  return composeAdapters(loadAdapterModules(['credit-partner/http'], builtinAdapterModules(config)), context).ports;
}

/** The {@link AdapterError} `promise` fails with (the test fails if it succeeds or fails otherwise). */
export async function adapterFailure(promise: Promise<unknown>): Promise<AdapterError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AdapterError);
  return err as AdapterError;
}

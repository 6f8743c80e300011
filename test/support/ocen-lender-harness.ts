/**
 * The real server (PostgreSQL, Redis, worker) on a fake OCEN network (auth service, registry, optionally analytics;
 * test/support/ocen-network.ts) with loan agents that sign their requests and receive our callbacks on their own
 * HTTP servers, for the OCEN tests: `startOcenLender()`, then `post(agent, operation, body)` as an agent sends it,
 * or `ask(agent, operation, members)` for a request and the callback answering it. Each callback received is
 * checked against the patched loan.json and its detached signature verified with our key from /.well-known/jwks.json.
 */
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback-server';
import { randomUUID } from 'node:crypto';
import { importParticipantKey, verifyDetached } from '../../src/protocols/ocen/detached-jws';
import { validateOutgoing } from '../../src/protocols/ocen/ocen-schemas';
import { FakeAnalytics, FakeAuthService, FakeRegistry, LoanAgent } from './ocen-network';
import { TestApp, eventually, startTestApp } from './test-app';

export interface ReceivedCallback {
  path: string;
  bytes: Buffer;
  body: Record<string, any>;
  signatureValid: boolean;
  /** Whether the body matches the patched loan.json schema of its operation. */
  schemaValid: boolean;
  /** The request's headers (e.g. its `traceparent`). */
  headers: IncomingMessage['headers'];
}

export type Received = ReceivedCallback;

/** A loan agent's callback endpoint on loopback (its port is kept, so it can go down and come back). */
export class AgentEndpoint {
  received: ReceivedCallback[] = [];
  private server: http.Server | undefined;
  port = 0;

  constructor(private readonly verifyKey: () => Promise<Parameters<typeof verifyDetached>[2]>) {}

  async up(): Promise<void> {
    const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const bytes = Buffer.concat(chunks);
        const body = JSON.parse(bytes.toString('utf8'));
        let signatureValid = true;
        try {
          verifyDetached(String(req.headers['x-jws-signature']), bytes, await this.verifyKey());
        } catch {
          signatureValid = false;
        }
        const operation = (req.url ?? '').replace('/ocen/v4.0.0alpha/', '') as Parameters<typeof validateOutgoing>[0];
        this.received.push({ path: req.url ?? '', bytes, body, signatureValid, schemaValid: validateOutgoing(operation, body).valid, headers: req.headers });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: '0', traceId: body.metadata?.traceId ?? 'x', timestamp: new Date().toISOString() }));
      });
    });
    this.port = await listenOnLoopback(server, this.port);
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServer(server);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/ocen`;
  }

  /** Callbacks (of `operation`, a path suffix, when given) whose body mentions `text` (a loan application id, a loan id). */
  about(text: string, operation?: string): ReceivedCallback[] {
    return this.received.filter((r) => (!operation || r.path.endsWith(operation)) && JSON.stringify(r.body).includes(text));
  }

  /** The callbacks answering one request (by its requestId), of `operation` (a path suffix) when given. */
  answering(requestId: string, operation?: string): ReceivedCallback[] {
    return this.received.filter((r) => (!operation || r.path.endsWith(operation)) && r.body.metadata?.requestId === requestId);
  }

  /**
   * Waits for the `count`-th callback of `operation` about `text` (up to `timeoutMs`: an answer that waits for the
   * worker, e.g. a payout, is retried with the queue's back-off).
   */
  async callbackAbout(text: string, operation: string, count = 1, timeoutMs = 15_000): Promise<ReceivedCallback> {
    const received = await eventually(async () => this.about(text, operation), (r) => r.length >= count, timeoutMs);
    return received[count - 1];
  }
}

export interface OcenLenderHarness {
  app: TestApp;
  auth: FakeAuthService;
  registry: FakeRegistry;
  analytics?: FakeAnalytics;
  /** A registered, approved loan agent and its callback endpoint. */
  agent(participantId: string): { agent: LoanAgent; endpoint: AgentEndpoint };
  /** The callback endpoint of a registered loan agent. */
  endpoint(agent: LoanAgent | string): AgentEndpoint;
  /** POSTs a body as a loan agent does: bearer token of the auth service, detached JWS of the exact bytes (each bendable). */
  post(from: LoanAgent, operation: string, body: unknown, options?: PostOptions): Promise<import('supertest').Response>;
  /**
   * Sends `members` with a fresh envelope of `from` to `operation`, which must be acked with error "0" (it throws
   * otherwise), and waits for the callback answering it at `from`'s endpoint (of `options.response`, a path
   * suffix, when given).
   */
  ask(from: LoanAgent, operation: string, members: Record<string, unknown>, options?: AskOptions): Promise<ReceivedCallback>;
  stop(): Promise<void>;
}

export interface PostOptions {
  /** The signature header's value for the bytes signed ('' sends none). */
  sign?: (bytes: Buffer) => string;
  /** The bytes sent, from the bytes signed. */
  tamper?: (bytes: Buffer) => Buffer;
  /** The bearer token (null: no Authorization header). */
  token?: string | null;
  /** More headers (e.g. a `traceparent`). */
  headers?: Record<string, string>;
}

export interface AskOptions {
  /** Only a callback whose path ends so answers (e.g. the response operation). */
  response?: string;
  timeoutMs?: number;
}

/**
 * Starts the server on a fake network with `agents` registered (each with its endpoint up); an agent given by its
 * participant id signs with the key `<participantId>-key`.
 */
export async function startOcenLender(
  agents: Array<string | LoanAgent>,
  options: { analytics?: boolean; env?: Record<string, string>; worker?: boolean } = {},
): Promise<OcenLenderHarness> {
  const [auth, registry, analytics] = await Promise.all([FakeAuthService.start(), FakeRegistry.start(), options.analytics ? FakeAnalytics.start() : Promise.resolve(undefined)]);
  const ref: { app?: TestApp } = {};
  const lenderKey = async () => {
    const jwks = (await ref.app!.http().get('/.well-known/jwks.json')).body as { keys: Array<{ kid: string; alg: string }> };
    return importParticipantKey(jwks.keys.find((k) => k.alg === 'RS256'));
  };
  const registered = new Map<string, { agent: LoanAgent; endpoint: AgentEndpoint }>();
  for (const given of agents) {
    const agent = typeof given === 'string' ? new LoanAgent(given, { kid: `${given}-key` }) : given;
    const endpoint = new AgentEndpoint(lenderKey);
    await endpoint.up();
    registry.register(agent, { baseUrl: endpoint.baseUrl });
    registered.set(agent.participantId, { agent, endpoint });
  }
  const app = (ref.app = await startTestApp({
    worker: options.worker,
    env: {
      ...ocenNetworkEnv(auth, registry),
      ...(analytics ? { OCEN_ANALYTICS_URL: analytics.url } : {}),
      ...options.env,
    },
  }));
  const harness: OcenLenderHarness = {
    app,
    auth,
    registry,
    analytics,
    agent(participantId) {
      const found = registered.get(participantId);
      if (!found) throw new Error(`no agent ${participantId}`);
      return found;
    },
    endpoint(agent) {
      return harness.agent(typeof agent === 'string' ? agent : agent.participantId).endpoint;
    },
    async post(from, operation, body, postOptions = {}) {
      const bytes = Buffer.from(JSON.stringify(body));
      const signature = postOptions.sign ? postOptions.sign(bytes) : from.sign(bytes);
      const sent = postOptions.tamper ? postOptions.tamper(bytes) : bytes;
      const request = app.http().post(`/v4.0.0alpha/${operation}`).set('content-type', 'application/json');
      if (postOptions.token !== null) request.set('authorization', `Bearer ${postOptions.token ?? (await auth.tokenFor(from.participantId))}`);
      if (signature) request.set('x-jws-signature', signature);
      if (postOptions.headers) request.set(postOptions.headers);
      return request.send(sent.toString('utf8'));
    },
    async ask(from, operation, members, askOptions = {}) {
      const request = { ...ocenEnvelope(from.participantId), ...members };
      const ack = await harness.post(from, operation, request);
      if (ack.status !== 200 || ack.body.error !== '0') throw new Error(`${operation} was refused: HTTP ${ack.status} ${JSON.stringify(ack.body)}`);
      const endpoint = harness.endpoint(from);
      const [callback] = await eventually(async () => endpoint.answering(request.metadata.requestId, askOptions.response), (r) => r.length > 0, askOptions.timeoutMs);
      return callback;
    },
    async stop() {
      await app.stop();
      await Promise.all([auth.close(), registry.close(), analytics?.close(), ...[...registered.values()].map((r) => r.endpoint.down())]);
    },
  };
  return harness;
}

/** The server's OCEN settings for a fake network: it is lender `lender-1` of `org-bank`. */
export const ocenNetworkEnv = (auth: FakeAuthService, registry: FakeRegistry): Record<string, string> => ({
  OCEN_REGISTRY_URL: registry.url,
  OCEN_AUTH_JWKS_URL: auth.jwksUrl,
  OCEN_AUTH_ISSUER: auth.issuer,
  OCEN_AUTH_TOKEN_URL: auth.tokenUrl,
  OCEN_CLIENT_ID: 'lender-client',
  OCEN_CLIENT_SECRET: 's3cret',
  OCEN_PARTICIPANT_ID: 'lender-1',
  OCEN_ORG_ID: 'org-bank',
});

/** An OCEN envelope from `originator` (its participant id), timestamped now unless told, with a fresh requestId unless told. */
export const ocenEnvelope = (originator: string, overrides: { requestId?: string; timestamp?: string | number } = {}) => {
  const requestId = overrides.requestId ?? randomUUID();
  return {
    metadata: { version: '4.0.0alpha', originatorOrgId: 'org-la', originatorParticipantId: originator, timestamp: overrides.timestamp ?? new Date().toISOString(), traceId: `trace-${requestId}`, requestId },
    productData: { productId: 'pl-1', productNetworkId: 'net-1' },
  };
};

/**
 * A loan application as a loan agent sends it in createLoanRequest: PAN digits pick the sandbox persona (or
 * `borrower.pan` gives the whole PAN), the phone is 9876543210 and the amount asked ₹1,00,000 unless told.
 */
export function ocenLoanApplication(id: string, panDigits = '1234', borrower: { pan?: string; phone?: string; requestedAmount?: number } = {}) {
  return {
    loanApplicationId: id,
    createdDate: new Date().toISOString(),
    loanApplicationStatus: 'CREATED',
    borrower: {
      primaryId: borrower.pan ?? `ABCDE${panDigits}F`,
      primaryIdType: 'PAN',
      category: 'INDIVIDUAL',
      name: 'Asha Rao',
      contactDetails: [{ type: 'PRIMARY', phone: borrower.phone ?? '9876543210', email: 'asha@example.com' }],
      extensibleData: { dateOfBirth: '1990-04-01', monthlyIncome: 50000, employmentType: 'SALARIED' },
    },
    pledgedDocuments: [],
    guarantors: [],
    applicants: [],
    terms: { requestedAmount: borrower.requestedAmount ?? 100000, currency: 'INR' },
  };
}

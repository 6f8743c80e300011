/**
 * The OCEN lender on the real server (PostgreSQL, Redis, worker) and a fake network, for HTTP tests: the auth
 * service and registry of ocen-network.ts, and loan agents that sign their requests and receive our callbacks on
 * their own HTTP servers, where each callback is checked against the patched loan.json and its detached signature
 * verified with our key from /.well-known/jwks.json.
 */
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { importParticipantKey, verifyDetached } from '../../src/protocols/ocen/detached-jws';
import { validateOutgoing } from '../../src/protocols/ocen/ocen-schemas';
import { FakeAuthService, FakeRegistry, LoanAgent } from './ocen-network';
import { TestApp, eventually, startTestApp } from './test-app';

export interface Received {
  path: string;
  bytes: Buffer;
  body: Record<string, any>;
  signatureValid: boolean;
  schemaValid: boolean;
}

/** A loan agent's callback endpoint on a fixed loopback port (so it can go down and come back). */
export class AgentEndpoint {
  received: Received[] = [];
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
        this.received.push({ path: req.url ?? '', bytes, body, signatureValid, schemaValid: validateOutgoing(operation, body).valid });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: '0', traceId: body.metadata?.traceId ?? 'x', timestamp: new Date().toISOString() }));
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/ocen`;
  }

  about(loanApplicationId: string, operation: string): Received[] {
    return this.received.filter((r) => r.path.endsWith(operation) && JSON.stringify(r.body).includes(loanApplicationId));
  }

  /** The callbacks answering one request (by its requestId). */
  answering(requestId: string): Received[] {
    return this.received.filter((r) => r.body.metadata?.requestId === requestId);
  }
}

export interface PostOptions {
  sign?: (bytes: Buffer) => string;
  tamper?: (bytes: Buffer) => Buffer;
  token?: string | null;
}

/** The lender under test with its fake network and one callback endpoint per loan agent. */
export class OcenLenderHarness {
  readonly endpoints = new Map<string, AgentEndpoint>();

  private constructor(readonly app: TestApp, readonly auth: FakeAuthService, readonly registry: FakeRegistry) {}

  /** Starts the network, one endpoint per agent (registered with its baseUrl), and the server configured for OCEN. */
  static async start(agents: LoanAgent[]): Promise<OcenLenderHarness> {
    const [auth, registry] = await Promise.all([FakeAuthService.start(), FakeRegistry.start()]);
    const started: { app?: TestApp } = {};
    const lenderKey = async () => {
      const jwks = (await started.app!.http().get('/.well-known/jwks.json')).body as { keys: Array<{ kid: string; alg: string }> };
      return importParticipantKey(jwks.keys.find((k) => k.alg === 'RS256'));
    };
    const endpoints = agents.map((agent) => [agent, new AgentEndpoint(lenderKey)] as const);
    await Promise.all(endpoints.map(([, endpoint]) => endpoint.up()));
    for (const [agent, endpoint] of endpoints) registry.register(agent, { baseUrl: endpoint.baseUrl });
    const app = await startTestApp({
      env: {
        OCEN_REGISTRY_URL: registry.url,
        OCEN_AUTH_JWKS_URL: auth.jwksUrl,
        OCEN_AUTH_ISSUER: auth.issuer,
        OCEN_AUTH_TOKEN_URL: auth.tokenUrl,
        OCEN_CLIENT_ID: 'lender-client',
        OCEN_CLIENT_SECRET: 's3cret',
        OCEN_PARTICIPANT_ID: 'lender-1',
        OCEN_ORG_ID: 'org-bank',
      },
    });
    started.app = app;
    const harness = new OcenLenderHarness(app, auth, registry);
    for (const [agent, endpoint] of endpoints) harness.endpoints.set(agent.participantId, endpoint);
    return harness;
  }

  async stop(): Promise<void> {
    await this.app?.stop();
    await Promise.all([this.auth.close(), this.registry.close(), ...[...this.endpoints.values()].map((e) => e.down())]);
  }

  endpoint(agent: LoanAgent): AgentEndpoint {
    return this.endpoints.get(agent.participantId)!;
  }

  /** POSTs a body as a loan agent does: bearer token of the auth service, detached JWS of the exact bytes. */
  async post(from: LoanAgent, operation: string, body: unknown, options: PostOptions = {}) {
    const bytes = Buffer.from(JSON.stringify(body));
    const signature = options.sign ? options.sign(bytes) : from.sign(bytes);
    const sent = options.tamper ? options.tamper(bytes) : bytes;
    const request = this.app.http().post(`/v4.0.0alpha/${operation}`).set('content-type', 'application/json');
    if (options.token !== null) request.set('authorization', `Bearer ${options.token ?? (await this.auth.tokenFor(from.participantId))}`);
    if (signature) request.set('x-jws-signature', signature);
    return request.send(sent.toString('utf8'));
  }

  /**
   * Sends a request (with a fresh envelope of `from`) that must be acked with error "0", and waits for its callback
   * at `from`'s endpoint; answers the callback and the request sent.
   */
  async exchange(from: LoanAgent, operation: string, members: Record<string, unknown>, timeoutMs?: number): Promise<{ callback: Received; request: Record<string, any> }> {
    const request = { ...envelope(from.participantId), ...members };
    const ack = await this.post(from, operation, request);
    if (ack.status !== 200 || ack.body.error !== '0') throw new Error(`${operation} was refused: HTTP ${ack.status} ${JSON.stringify(ack.body)}`);
    const [callback] = await eventually(async () => this.endpoint(from).answering(request.metadata.requestId), (r) => r.length > 0, timeoutMs);
    return { callback, request };
  }
}

/** A request envelope of the current form. */
export const envelope = (participantId = 'la-one', requestId: string = randomUUID()) => ({
  metadata: { version: '4.0.0alpha', originatorOrgId: 'org-la', originatorParticipantId: participantId, timestamp: new Date().toISOString(), traceId: `trace-${requestId}`, requestId },
  productData: { productId: 'pl-1', productNetworkId: 'net-1' },
});

/** A createLoanRequest's LoanApplication; the PAN's digits pick the sandbox persona (1234: approved). */
export function loanApplication(id: string, panDigits = '1234', phone = '9876543210') {
  return {
    loanApplicationId: id,
    createdDate: new Date().toISOString(),
    loanApplicationStatus: 'CREATED',
    borrower: {
      primaryId: `ABCDE${panDigits}F`,
      primaryIdType: 'PAN',
      category: 'INDIVIDUAL',
      name: 'Asha Rao',
      contactDetails: [{ type: 'PRIMARY', phone, email: 'asha@example.com' }],
      extensibleData: { dateOfBirth: '1990-04-01', monthlyIncome: 50000, employmentType: 'SALARIED' },
    },
    pledgedDocuments: [],
    guarantors: [],
    applicants: [],
    terms: { requestedAmount: 100000, currency: 'INR' },
  };
}

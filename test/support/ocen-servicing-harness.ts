import http, { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { importParticipantKey, verifyDetached } from '../../src/protocols/ocen/detached-jws';
import { validateOutgoing } from '../../src/protocols/ocen/ocen-schemas';
import { FakeAuthService, FakeRegistry, LoanAgent } from './ocen-network';
import { TestApp, eventually, startTestApp } from './test-app';

/**
 * The OCEN lender over HTTP on a fake network, for tests: the real server (PostgreSQL, Redis, worker), the fake
 * auth service and registry of ocen-network.ts, and loan agents that sign their requests and receive our
 * callbacks on their own HTTP servers (AgentEndpoint), where each callback is checked against the patched
 * loan.json and its detached signature verified with our key from /.well-known/jwks.json.
 */

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

  /** Callbacks of `operation` (a path suffix) whose body mentions `text` (a loan application id, a loan id). */
  about(text: string, operation: string): Received[] {
    return this.received.filter((r) => r.path.endsWith(operation) && JSON.stringify(r.body).includes(text));
  }

  /** The callback answering the request with this requestId. */
  answerTo(requestId: string): Received | undefined {
    return this.received.find((r) => r.body.metadata?.requestId === requestId);
  }
}

/** The lender's RS256 public key as its JWKS publishes it. */
export async function lenderKey(app: TestApp) {
  const jwks = (await app.http().get('/.well-known/jwks.json')).body as { keys: Array<{ kid: string; alg: string }> };
  return importParticipantKey(jwks.keys.find((k) => k.alg === 'RS256'));
}

/** The server's OCEN settings against the fake network. */
export const ocenEnv = (auth: FakeAuthService, registry: FakeRegistry) => ({
  OCEN_REGISTRY_URL: registry.url,
  OCEN_AUTH_JWKS_URL: auth.jwksUrl,
  OCEN_AUTH_ISSUER: auth.issuer,
  OCEN_AUTH_TOKEN_URL: auth.tokenUrl,
  OCEN_CLIENT_ID: 'lender-client',
  OCEN_CLIENT_SECRET: 's3cret',
  OCEN_PARTICIPANT_ID: 'lender-1',
  OCEN_ORG_ID: 'org-bank',
});

/** The lender on a fake network with the given loan agents, each with its callback endpoint up and registered. */
export class OcenHarness {
  private constructor(
    readonly app: TestApp,
    readonly auth: FakeAuthService,
    readonly registry: FakeRegistry,
    readonly endpoints: Map<string, AgentEndpoint>,
  ) {}

  static async start(agents: LoanAgent[]): Promise<OcenHarness> {
    const [auth, registry] = await Promise.all([FakeAuthService.start(), FakeRegistry.start()]);
    const holder: { app?: TestApp } = {};
    const endpoints = new Map(agents.map((agent) => [agent.participantId, new AgentEndpoint(() => lenderKey(holder.app!))]));
    await Promise.all([...endpoints.values()].map((e) => e.up()));
    for (const agent of agents) registry.register(agent, { baseUrl: endpoints.get(agent.participantId)!.baseUrl });
    holder.app = await startTestApp({ env: ocenEnv(auth, registry) });
    return new OcenHarness(holder.app, auth, registry, endpoints);
  }

  async stop(): Promise<void> {
    await this.app?.stop();
    await Promise.all([this.auth.close(), this.registry.close(), ...[...this.endpoints.values()].map((e) => e.down())]);
  }

  endpoint(agent: LoanAgent): AgentEndpoint {
    return this.endpoints.get(agent.participantId)!;
  }

  /** The current envelope from `agent`: metadata (a fresh requestId unless given) and productData. */
  envelope(agent: LoanAgent, requestId: string = randomUUID()) {
    return {
      metadata: { version: '4.0.0alpha', originatorOrgId: 'org-la', originatorParticipantId: agent.participantId, timestamp: new Date().toISOString(), traceId: `trace-${requestId}`, requestId },
      productData: { productId: 'pl-1', productNetworkId: 'net-1' },
    };
  }

  /** POSTs a body as a loan agent does: bearer token of the auth service, detached JWS of the exact bytes. */
  async post(from: LoanAgent, operation: string, body: unknown) {
    const bytes = Buffer.from(JSON.stringify(body));
    return this.app.http().post(`/v4.0.0alpha/${operation}`).set('content-type', 'application/json')
      .set('authorization', `Bearer ${await this.auth.tokenFor(from.participantId)}`)
      .set('x-jws-signature', from.sign(bytes))
      .send(bytes.toString('utf8'));
  }

  /**
   * Sends `members` (with a fresh envelope) to `operation` as `from`, expects the ack `error: "0"`, and waits for
   * the callback answering it on the agent's endpoint.
   */
  async ask(from: LoanAgent, operation: string, members: Record<string, unknown>): Promise<Received> {
    const body = { ...this.envelope(from), ...members };
    const ack = await this.post(from, operation, body);
    if (ack.status !== 200 || ack.body.error !== '0') throw new Error(`${operation} was refused: ${ack.status} ${JSON.stringify(ack.body)}`);
    const endpoint = this.endpoint(from);
    return eventually(async () => endpoint.answerTo(body.metadata.requestId), (r) => r !== undefined) as Promise<Received>;
  }
}

/** A createLoanRequest's LoanApplication for a borrower with this PAN (its digits pick the sandbox persona). */
export function ocenLoanApplication(id: string, pan: string, requestedAmount = 100000) {
  return {
    loanApplicationId: id,
    createdDate: new Date().toISOString(),
    loanApplicationStatus: 'CREATED',
    borrower: {
      primaryId: pan,
      primaryIdType: 'PAN',
      category: 'INDIVIDUAL',
      name: 'Asha Rao',
      contactDetails: [{ type: 'PRIMARY', phone: '9876543210', email: 'asha@example.com' }],
      extensibleData: { dateOfBirth: '1990-04-01', monthlyIncome: 50000, employmentType: 'SALARIED' },
    },
    pledgedDocuments: [],
    guarantors: [],
    applicants: [],
    terms: { requestedAmount, currency: 'INR' },
  };
}

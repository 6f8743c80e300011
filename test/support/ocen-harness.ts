/**
 * The OCEN lender on the real server (PostgreSQL, Redis, worker) in a fake network: the auth service and registry
 * of ocen-network.ts, and loan agents that sign their requests and receive our callbacks on their own HTTP
 * servers, where each callback is checked against the patched loan.json and its detached signature verified with
 * our key from /.well-known/jwks.json.
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
}

/** The server, the network and the loan agents with their callback endpoints. */
export interface OcenWorld {
  app: TestApp;
  auth: FakeAuthService;
  registry: FakeRegistry;
  endpoints: Map<string, AgentEndpoint>;
  stop(): Promise<void>;
}

/** Starts the network, one callback endpoint per agent (registered with its baseUrl) and the server as lender `lender-1`. */
export async function startOcenWorld(agents: LoanAgent[]): Promise<OcenWorld> {
  const [auth, registry] = await Promise.all([FakeAuthService.start(), FakeRegistry.start()]);
  const world = { auth, registry, endpoints: new Map<string, AgentEndpoint>() } as OcenWorld;
  const lenderKey = async () => {
    const jwks = (await world.app.http().get('/.well-known/jwks.json')).body as { keys: Array<{ kid: string; alg: string }> };
    return importParticipantKey(jwks.keys.find((k) => k.alg === 'RS256'));
  };
  for (const agent of agents) {
    const endpoint = new AgentEndpoint(lenderKey);
    await endpoint.up();
    registry.register(agent, { baseUrl: endpoint.baseUrl });
    world.endpoints.set(agent.participantId, endpoint);
  }
  world.app = await startTestApp({
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
  world.stop = async () => {
    await world.app?.stop();
    await Promise.all([auth.close(), registry.close(), ...[...world.endpoints.values()].map((e) => e.down())]);
  };
  return world;
}

/** The envelope of a loan agent's request (a fresh requestId unless given). */
export const ocenEnvelope = (requestId = randomUUID(), participantId = 'la-one') => ({
  metadata: { version: '4.0.0alpha', originatorOrgId: 'org-la', originatorParticipantId: participantId, timestamp: new Date().toISOString(), traceId: `trace-${requestId}`, requestId },
  productData: { productId: 'pl-1', productNetworkId: 'net-1' },
});

/** A createLoanRequest LoanApplication; the PAN's four digits pick the sandbox persona. */
export function ocenLoanApplication(id: string, panDigits = '1234') {
  return {
    loanApplicationId: id,
    createdDate: new Date().toISOString(),
    loanApplicationStatus: 'CREATED',
    borrower: {
      primaryId: `ABCDE${panDigits}F`,
      primaryIdType: 'PAN',
      category: 'INDIVIDUAL',
      name: 'Asha Rao',
      contactDetails: [{ type: 'PRIMARY', phone: '9876543210', email: 'asha@example.com' }],
      extensibleData: { dateOfBirth: '1990-04-01', monthlyIncome: 50000, employmentType: 'SALARIED' },
    },
    pledgedDocuments: [],
    guarantors: [],
    applicants: [],
    terms: { requestedAmount: 100000, currency: 'INR' },
  };
}

/** POSTs a body as a loan agent does: bearer token of the auth service, detached JWS of the exact bytes. */
export async function postOcen(
  world: Pick<OcenWorld, 'app' | 'auth'>,
  from: LoanAgent,
  operation: string,
  body: unknown,
  options: { sign?: (bytes: Buffer) => string; tamper?: (bytes: Buffer) => Buffer; token?: string | null } = {},
) {
  const bytes = Buffer.from(JSON.stringify(body));
  const signature = options.sign ? options.sign(bytes) : from.sign(bytes);
  const sent = options.tamper ? options.tamper(bytes) : bytes;
  const request = world.app.http().post(`/v4.0.0alpha/${operation}`).set('content-type', 'application/json');
  if (options.token !== null) request.set('authorization', `Bearer ${options.token ?? (await world.auth.tokenFor(from.participantId))}`);
  if (signature) request.set('x-jws-signature', signature);
  return request.send(sent.toString('utf8'));
}

/**
 * The `count`-th callback of `operation` about a loan application that reaches the agent (waited for up to
 * `timeoutMs`: an answer that waits for the worker, e.g. a payout, is retried with the queue's back-off).
 */
export async function callbackAbout(endpoint: AgentEndpoint, loanApplicationId: string, operation: string, count = 1, timeoutMs = 15_000): Promise<Received> {
  const received = await eventually(async () => endpoint.about(loanApplicationId, operation), (r) => r.length >= count, timeoutMs);
  return received[count - 1];
}

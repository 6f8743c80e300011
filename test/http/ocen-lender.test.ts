/**
 * The OCEN 4.0 lender surface over HTTP, on the real server (PostgreSQL, Redis, worker) and a fake network: the
 * auth service and registry of test/support/ocen-network.ts, and loan agents that sign their requests and receive
 * our callbacks on their own HTTP servers, where each callback is checked against the patched loan.json and its
 * detached signature verified with our key from /.well-known/jwks.json.
 */
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { importParticipantKey, verifyDetached } from '../../src/protocols/ocen/detached-jws';
import { validateOutgoing } from '../../src/protocols/ocen/ocen-schemas';
import { FakeAuthService, FakeRegistry, LoanAgent } from '../support/ocen-network';
import { TestApp, eventually, startTestApp } from '../support/test-app';

interface Received {
  path: string;
  bytes: Buffer;
  body: Record<string, any>;
  signatureValid: boolean;
  schemaValid: boolean;
}

/** A loan agent's callback endpoint on a fixed loopback port (so it can go down and come back). */
class AgentEndpoint {
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

let app: TestApp;
let auth: FakeAuthService;
let registry: FakeRegistry;
const agent = new LoanAgent('la-one', { kid: 'la-one-key' });
const other = new LoanAgent('la-two');
let endpoint: AgentEndpoint;
let otherEndpoint: AgentEndpoint;

async function lenderKey() {
  const jwks = (await app.http().get('/.well-known/jwks.json')).body as { keys: Array<{ kid: string; alg: string }> };
  const jwk = jwks.keys.find((k) => k.alg === 'RS256');
  return importParticipantKey(jwk);
}

beforeAll(async () => {
  [auth, registry] = await Promise.all([FakeAuthService.start(), FakeRegistry.start()]);
  endpoint = new AgentEndpoint(lenderKey);
  otherEndpoint = new AgentEndpoint(lenderKey);
  await Promise.all([endpoint.up(), otherEndpoint.up()]);
  registry.register(agent, { baseUrl: endpoint.baseUrl });
  registry.register(other, { baseUrl: otherEndpoint.baseUrl });
  app = await startTestApp({
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
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([auth.close(), registry.close(), endpoint.down(), otherEndpoint.down()]);
});

const envelope = (requestId = randomUUID()) => ({
  metadata: { version: '4.0.0alpha', originatorOrgId: 'org-la', originatorParticipantId: 'la-one', timestamp: new Date().toISOString(), traceId: `trace-${requestId}`, requestId },
  productData: { productId: 'pl-1', productNetworkId: 'net-1' },
});

function loanApplication(id: string, panDigits = '1234') {
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
async function post(from: LoanAgent, operation: string, body: unknown, options: { sign?: (bytes: Buffer) => string; tamper?: (bytes: Buffer) => Buffer; token?: string | null } = {}) {
  const bytes = Buffer.from(JSON.stringify(body));
  const signature = options.sign ? options.sign(bytes) : from.sign(bytes);
  const sent = options.tamper ? options.tamper(bytes) : bytes;
  const request = app.http().post(`/v4.0.0alpha/${operation}`).set('content-type', 'application/json');
  if (options.token !== null) request.set('authorization', `Bearer ${options.token ?? (await auth.tokenFor(from.participantId))}`);
  if (signature) request.set('x-jws-signature', signature);
  return request.send(sent.toString("utf8"));
}

async function createLoan(id: string, panDigits = '1234') {
  const answer = await post(agent, 'loanApplications/createLoanRequest', { ...envelope(), loanApplications: [loanApplication(id, panDigits)] });
  expect(answer.status).toBe(200);
  return eventually(async () => endpoint.about(id, 'createLoanResponse'), (r) => r.length > 0);
}

describe('the OCEN lender slice: createLoan → generateOffers → setOffers', () => {
  it('answers each request with an ack at once and each callback later, schema-valid, signed, with the request\'s requestId', async () => {
    const id = `app-${randomUUID()}`;
    const createRequest = { ...envelope(), loanApplications: [loanApplication(id)] };
    const ack = await post(agent, 'loanApplications/createLoanRequest', createRequest);
    expect(ack.status).toBe(200);
    expect(ack.body).toEqual({ error: '0', traceId: createRequest.metadata.traceId, timestamp: expect.any(String) });

    const [created] = await eventually(async () => endpoint.about(id, 'createLoanResponse'), (r) => r.length > 0);
    expect(created).toMatchObject({ signatureValid: true, schemaValid: true });
    expect(created.body.metadata).toMatchObject({ requestId: createRequest.metadata.requestId, originatorParticipantId: 'lender-1', originatorOrgId: 'org-bank' });
    expect(created.body.loanApplications[0]).toMatchObject({ loanApplicationId: id, loanApplicationStatus: 'PROCESSING' });

    const generate = { ...envelope(), loanApplicationIds: [id] };
    expect((await post(agent, 'offers/generateOffersRequest', generate)).body.error).toBe('0');
    const [offered] = await eventually(async () => endpoint.about(id, 'generateOffersResponse'), (r) => r.length > 0);
    expect(offered).toMatchObject({ signatureValid: true, schemaValid: true });
    expect(offered.body.metadata.requestId).toBe(generate.metadata.requestId);
    const application = offered.body.loanApplications[0];
    expect(application.loanApplicationStatus).toBe('OFFERED');
    expect(application.offers.length).toBeGreaterThan(0);
    const offer = application.offers.find((o: any) => o.terms.tenure.duration === 12);
    expect(offer.terms).toMatchObject({ sanctionedAmount: 100000, currency: 'INR', interestRate: 16, tenure: { duration: 12, unit: 'MONTH' } });
    expect(offer.terms.annualPercentageRate).toBeGreaterThan(16);
    expect(offer.repayment.plans[0]).toMatchObject({ noOfInstallment: 12, frequency: 'MONTHLY' });

    const set = { ...envelope(), loanApplicationId: id, offer };
    expect((await post(agent, 'offers/setOffersRequest', set)).body.error).toBe('0');
    const [accepted] = await eventually(async () => endpoint.about(id, 'setOffersResponse'), (r) => r.length > 0);
    expect(accepted).toMatchObject({ signatureValid: true, schemaValid: true });
    expect(accepted.body).toMatchObject({ loanApplicationId: id, loanApplicationStatus: 'OFFER_ACCEPTED', response: { status: 'SUCCESS' } });

    const readBack = await app.http().get('/sandbox/ocen/callbacks').query({ loanApplicationId: id });
    expect(readBack.body.callbacks.map((c: any) => c.operation)).toEqual(['offers/setOffersResponse', 'offers/generateOffersResponse', 'loanApplications/createLoanResponse']);
    expect(JSON.stringify(readBack.body.callbacks[0].body)).toBe(accepted.bytes.toString('utf8'));
  });

  it('answers REJECTED for a persona the bureau rejects, in createLoan and in generateOffers', async () => {
    const id = `app-${randomUUID()}`;
    const [created] = await createLoan(id, '9001');
    expect(created.body.loanApplications[0].loanApplicationStatus).toBe('REJECTED');
    await post(agent, 'offers/generateOffersRequest', { ...envelope(), loanApplicationIds: [id] });
    const [offers] = await eventually(async () => endpoint.about(id, 'generateOffersResponse'), (r) => r.length > 0);
    expect(offers.schemaValid).toBe(true);
    expect(offers.body.loanApplications[0]).toMatchObject({ loanApplicationStatus: 'REJECTED', offers: [], rejectionDetails: [{ reason: 'LOW_CREDIT_SCORE' }] });
  });

  it('refuses an offer that is not one of ours, and records nothing', async () => {
    const id = `app-${randomUUID()}`;
    await createLoan(id);
    const forged = { id: 'OFRFORGED-12M', validTill: '2030-01-01', terms: { requestedAmount: 500000, currency: 'INR' }, disbursement: { plans: [] }, repayment: { plans: [] } };
    const answer = await post(agent, 'offers/setOffersRequest', { ...envelope(), loanApplicationId: id, offer: forged });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatch(/^OFFER_UNKNOWN: /);
  });

  it('treats a duplicate request as the same request: the same ack, one application', async () => {
    const id = `app-${randomUUID()}`;
    const request = { ...envelope(), loanApplications: [loanApplication(id)] };
    const first = await post(agent, 'loanApplications/createLoanRequest', request);
    const second = await post(agent, 'loanApplications/createLoanRequest', request);
    expect(second.body).toEqual(first.body);
    const changed = await post(agent, 'loanApplications/createLoanRequest', { ...request, loanApplications: [loanApplication(`${id}-b`)] });
    expect(changed.status).toBe(409);
    expect(changed.body.error).toMatch(/^REQUEST_ID_REUSED: /);
    await eventually(async () => endpoint.about(id, 'createLoanResponse'), (r) => r.length > 0);
    const rows = await app.services.db.query<{ n: string }>(`SELECT count(*) AS n FROM application WHERE external_reference = $1`, [id]);
    expect(Number(rows[0].n)).toBe(1);
  });
});

// Refusals (401) and isolation between loan agents: test/http/ocen-rejections.test.ts.

describe('OCEN callback delivery', () => {
  it('retries a callback to a loan agent that is down and delivers the same bytes once it is up', async () => {
    await endpoint.down();
    const id = `app-${randomUUID()}`;
    const ack = await post(agent, 'loanApplications/createLoanRequest', { ...envelope(), loanApplications: [loanApplication(id)] });
    expect(ack.body.error).toBe('0');
    const failed = await eventually(
      async () => (await app.http().get('/sandbox/ocen/callbacks').query({ loanApplicationId: id })).body.callbacks,
      (callbacks: any[]) => callbacks.length === 1 && callbacks[0].attempts >= 1 && callbacks[0].deliveredAt === null,
    );
    const stored = JSON.stringify(failed[0].body);
    await endpoint.up();
    const [delivered] = await eventually(async () => endpoint.about(id, 'createLoanResponse'), (r) => r.length > 0, 30_000);
    expect(delivered.bytes.toString('utf8')).toBe(stored);
    expect(delivered).toMatchObject({ signatureValid: true, schemaValid: true });
  });
});

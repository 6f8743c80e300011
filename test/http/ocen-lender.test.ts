/**
 * The OCEN 4.0 lender surface over HTTP, on the real server (PostgreSQL, Redis, worker) and a fake network: the
 * auth service and registry of test/support/ocen-network.ts, and loan agents that sign their requests and receive
 * our callbacks on their own HTTP servers, where each callback is checked against the patched loan.json and its
 * detached signature verified with our key from /.well-known/jwks.json.
 */
import { randomUUID } from 'node:crypto';
import { LoanAgent } from '../support/ocen-network';
import { AgentEndpoint, OcenLenderHarness, PostOptions, ocenEnvelope, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { TestApp, eventually } from '../support/test-app';

let world: OcenLenderHarness;
let app: TestApp;
const agent = new LoanAgent('la-one', { kid: 'la-one-key' });
const other = new LoanAgent('la-two');
let endpoint: AgentEndpoint;

beforeAll(async () => {
  world = await startOcenLender([agent, other]);
  app = world.app;
  endpoint = world.endpoint(agent);
});

afterAll(async () => {
  await world?.stop();
});

const envelope = () => ocenEnvelope(agent.participantId);
const loanApplication = ocenLoanApplication;
const post = (from: LoanAgent, operation: string, body: unknown, options: PostOptions = {}) => world.post(from, operation, body, options);

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

  it('when a createLoanRequest comes twice, then there is one application, the same ack, and the same callback body is sent twice', async () => {
    const id = `app-${randomUUID()}`;
    const request = { ...envelope(), loanApplications: [loanApplication(id)] };
    const first = await post(agent, 'loanApplications/createLoanRequest', request);
    const second = await post(agent, 'loanApplications/createLoanRequest', request);
    expect(second.body).toEqual(first.body);
    const changed = await post(agent, 'loanApplications/createLoanRequest', { ...request, loanApplications: [loanApplication(`${id}-b`)] });
    expect(changed.status).toBe(409);
    expect(changed.body.error).toMatch(/^REQUEST_ID_REUSED: /);
    const callbacks = await eventually(async () => endpoint.about(id, 'createLoanResponse'), (r) => r.length >= 2);
    expect(callbacks).toHaveLength(2);
    expect(callbacks[1].bytes.equals(callbacks[0].bytes)).toBe(true);
    expect(callbacks[0]).toMatchObject({ signatureValid: true, schemaValid: true });
    expect(callbacks[0].body.metadata.requestId).toBe(request.metadata.requestId);
    const rows = await app.services.db.query<{ n: string }>(`SELECT count(*) AS n FROM application WHERE external_reference = $1`, [id]);
    expect(Number(rows[0].n)).toBe(1);
    const owed = await app.services.db.query<{ n: string }>(`SELECT count(*) AS n FROM partner_callback WHERE request_id = $1`, [request.metadata.requestId]);
    expect(Number(owed[0].n)).toBe(1);
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

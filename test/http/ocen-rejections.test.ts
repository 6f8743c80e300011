/**
 * What the OCEN lender surface refuses, through the real server on a fake network (test/support/ocen-lender-harness.ts):
 * every request that is not a loan agent speaking for itself, signed, fresh, is answered 401 with an Ack naming
 * the reason, and nothing of it is processed (no application, no callback). A loan agent asking about another's
 * loan application gets an error ack, never the data.
 */
import { randomUUID } from 'node:crypto';
import { LoanAgent } from '../support/ocen-network';
import { OcenLenderHarness, PostOptions, ocenEnvelope, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { eventually } from '../support/test-app';

let lender: OcenLenderHarness;
let agent: LoanAgent;
let other: LoanAgent;
const unknown = new LoanAgent('la-unknown', { kid: 'la-unknown-key' });
const unapproved = new LoanAgent('la-unapproved', { kid: 'la-unapproved-key' });
const notAnAgent = new LoanAgent('lender-elsewhere', { kid: 'lender-elsewhere-key' });
const impostor = new LoanAgent('la-one'); // la-one's id, another key

beforeAll(async () => {
  lender = await startOcenLender(['la-one', 'la-two'], { analytics: true });
  agent = lender.agent('la-one').agent;
  other = lender.agent('la-two').agent;
  lender.registry.register(unapproved, { isApproved: false, participantRoleStatus: 'UNDER_REVIEW' });
  lender.registry.register(notAnAgent, { participantRole: 'LENDER' });
});

afterAll(async () => {
  await lender?.stop();
});

const createLoan = (id: string, envelope = ocenEnvelope('la-one')) => ({ ...envelope, loanApplications: [ocenLoanApplication(id)] });

async function processed(id: string): Promise<{ applications: number; callbacks: number; delivered: number }> {
  const [applications] = await lender.app.services.db.query<{ n: string }>(`SELECT count(*) AS n FROM application WHERE external_reference = $1`, [id]);
  const [callbacks] = await lender.app.services.db.query<{ n: string }>(`SELECT count(*) AS n FROM partner_callback WHERE $1 = ANY(subjects)`, [id]);
  const delivered = [lender.agent('la-one'), lender.agent('la-two')].flatMap((r) => r.endpoint.about(id)).length;
  return { applications: Number(applications.n), callbacks: Number(callbacks.n), delivered };
}

type Case = [what: string, reason: string, send: (id: string) => Promise<{ from: LoanAgent; body: unknown; options?: PostOptions }>];

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

const cases: Case[] = [
  ['no bearer token', 'TOKEN_MISSING', async (id) => ({ from: agent, body: createLoan(id), options: { token: null } })],
  ['an expired token', 'TOKEN_EXPIRED', async (id) => ({ from: agent, body: createLoan(id), options: { token: await lender.auth.tokenFor('la-one', { expiresInSec: -120 }) } })],
  ['a token from another issuer', 'TOKEN_WRONG_ISSUER', async (id) => ({ from: agent, body: createLoan(id), options: { token: await lender.auth.tokenFor('la-one', { issuer: 'https://auth.elsewhere.example/realms/dev' }) } })],
  ['a participant the registry does not know', 'PARTICIPANT_UNKNOWN', async (id) => ({ from: unknown, body: createLoan(id, ocenEnvelope('la-unknown')) })],
  ['a participant the registry has not approved', 'PARTICIPANT_NOT_APPROVED', async (id) => ({ from: unapproved, body: createLoan(id, ocenEnvelope('la-unapproved')) })],
  ['a participant registered in another role than LOAN_AGENT', 'PARTICIPANT_WRONG_ROLE', async (id) => ({ from: notAnAgent, body: createLoan(id, ocenEnvelope('lender-elsewhere')) })],
  ['no detached signature', 'SIGNATURE_MISSING', async (id) => ({ from: agent, body: createLoan(id), options: { sign: () => '' } })],
  ['a signature that is not a detached JWS', 'SIGNATURE_MALFORMED', async (id) => ({ from: agent, body: createLoan(id), options: { sign: () => 'not-a-jws' } })],
  ['a signature made with another key than the registered one', 'SIGNATURE_INVALID', async (id) => ({ from: agent, body: createLoan(id), options: { sign: (bytes) => impostor.sign(bytes) } })],
  ['a signature naming another participant\'s key', 'SIGNATURE_KEY_MISMATCH', async (id) => ({ from: agent, body: createLoan(id), options: { sign: (bytes) => other.sign(bytes) } })],
  ['a body changed after it was signed', 'SIGNATURE_INVALID', async (id) => ({ from: agent, body: createLoan(id), options: { tamper: (bytes) => Buffer.from(bytes.toString().replace('100000', '500000')) } })],
  ['an originator that is another loan agent', 'ORIGINATOR_MISMATCH', async (id) => ({ from: agent, body: createLoan(id, ocenEnvelope('la-two')) })],
  ['a legacy envelope (metadata.participantId) naming another loan agent', 'ORIGINATOR_MISMATCH', async (id) => {
    const { metadata, productData } = ocenEnvelope('la-one');
    const { originatorParticipantId: _, ...rest } = metadata;
    return { from: agent, body: { metadata: { ...rest, participantId: 'la-two' }, productData, loanApplications: [ocenLoanApplication(id)] } };
  }],
  ['a timestamp ten minutes old', 'TIMESTAMP_OUT_OF_WINDOW', async (id) => ({ from: agent, body: createLoan(id, ocenEnvelope('la-one', { timestamp: minutesAgo(10).toISOString() })) })],
  ['a timestamp ten minutes ahead, in epoch milliseconds', 'TIMESTAMP_OUT_OF_WINDOW', async (id) => ({ from: agent, body: createLoan(id, ocenEnvelope('la-one', { timestamp: String(minutesAgo(-10).getTime()) })) })],
  ['a timestamp that is not a time', 'TIMESTAMP_UNREADABLE', async (id) => ({ from: agent, body: createLoan(id, ocenEnvelope('la-one', { timestamp: 'just now' })) })],
];

describe('refusals: 401, the reason in the ack, nothing processed', () => {
  it.each(cases)('when a createLoanRequest comes with %s, then it is refused with 401 %s', async (_what, reason, send) => {
    const id = `app-${randomUUID()}`;
    const { from, body, options } = await send(id);
    const answer = await lender.post(from, 'loanApplications/createLoanRequest', body, options);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: expect.stringMatching(new RegExp(`^${reason}: .+`)), traceId: expect.any(String), timestamp: expect.any(String) });
    expect(await processed(id)).toEqual({ applications: 0, callbacks: 0, delivered: 0 });
  });

  it('when the same request comes signed, fresh and from its originator, then it is accepted (the cases above differ from it in one thing only)', async () => {
    const id = `app-${randomUUID()}`;
    const answer = await lender.post(agent, 'loanApplications/createLoanRequest', createLoan(id));
    expect(answer.status).toBe(200);
    expect(answer.body.error).toBe('0');
    await eventually(() => processed(id), (p) => p.delivered === 1);
  });

  it('when the timestamp is absent, then the replay window lets it through and the schema (which requires it) answers 400; zoneless within the window is accepted', async () => {
    const absent = `app-${randomUUID()}`;
    const { timestamp: _, ...metadata } = ocenEnvelope('la-one').metadata;
    const missing = await lender.post(agent, 'loanApplications/createLoanRequest', { ...ocenEnvelope('la-one'), metadata, loanApplications: [ocenLoanApplication(absent)] });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/^INVALID_REQUEST: .*timestamp/);
    const zoneless = `app-${randomUUID()}`;
    const local = new Date().toISOString().replace('Z', '');
    expect((await lender.post(agent, 'loanApplications/createLoanRequest', createLoan(zoneless, ocenEnvelope('la-one', { timestamp: local })))).status).toBe(200);
  });
});

describe('isolation between loan agents', () => {
  let id: string;

  beforeAll(async () => {
    id = `app-${randomUUID()}`;
    expect((await lender.post(agent, 'loanApplications/createLoanRequest', createLoan(id))).status).toBe(200);
    await eventually(async () => lender.agent('la-one').endpoint.about(id, 'createLoanResponse'), (r) => r.length > 0);
  });

  it.each([
    ['generateOffersRequest', 'offers/generateOffersRequest', (loanApplicationId: string) => ({ loanApplicationIds: [loanApplicationId] })],
    ['setOffersRequest', 'offers/setOffersRequest', (loanApplicationId: string) => ({
      loanApplicationId,
      offer: { id: 'OFR-X-12M', validTill: '2030-01-01', terms: { requestedAmount: 1, currency: 'INR' }, disbursement: { plans: [] }, repayment: { plans: [] } },
    })],
  ])('when another loan agent sends %s about this agent\'s loan application, then it gets the error ack of an unknown one, and no data', async (_name, operation, members) => {
    const peek = await lender.post(other, operation, { ...ocenEnvelope('la-two'), ...members(id) });
    const unknownOne = await lender.post(other, operation, { ...ocenEnvelope('la-two'), ...members(`app-${randomUUID()}`) });
    expect(peek.status).toBe(404);
    expect(peek.body.error).toMatch(/^UNKNOWN_LOAN_APPLICATION: /);
    expect(peek.body.error.replace(id, '?')).toBe(unknownOne.body.error.replace(/app-[0-9a-f-]+/, '?'));
    const [callbacks] = await lender.app.services.db.query<{ n: string }>(`SELECT count(*) AS n FROM partner_callback WHERE partner_id = 'la-two' AND $1 = ANY(subjects)`, [id]);
    expect(Number(callbacks.n)).toBe(0);
    expect(lender.agent('la-two').endpoint.about(id)).toHaveLength(0);
  });

  it('when another loan agent reads the sandbox callbacks with its own participant id, then this agent\'s are not among them', async () => {
    const theirs = await lender.app.http().get('/sandbox/ocen/callbacks').query({ loanApplicationId: id, participantId: 'la-two' });
    expect(theirs.body.callbacks).toEqual([]);
  });
});

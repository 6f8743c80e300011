/**
 * Heartbeats through the real server (OCEN_ANALYTICS_URL set, a fake analytics service): a request and its
 * callback each produce their pair of events; an analytics service that hangs or fails costs the loan agent nothing.
 */
import { randomUUID } from 'node:crypto';
import { OcenLenderHarness, ocenEnvelope, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { eventually } from '../support/test-app';

let lender: OcenLenderHarness;

beforeAll(async () => {
  lender = await startOcenLender(['la-one'], { analytics: true });
});

afterAll(async () => {
  await lender?.stop();
});

const eventsAbout = (id: string) => lender.analytics!.events.filter((e) => e.loanMetaData.loanApplicationId === id);

describe('heartbeats of the lender surface', () => {
  it('when a loan agent sends createLoanRequest, then the request, its ack, the response and the agent\'s ack each send a heartbeat with our token', async () => {
    lender.analytics!.mode = 'ok';
    const id = `app-${randomUUID()}`;
    const { agent } = lender.agent('la-one');
    const answer = await lender.post(agent, 'loanApplications/createLoanRequest', { ...ocenEnvelope('la-one'), loanApplications: [ocenLoanApplication(id)] });
    expect(answer.body.error).toBe('0');
    const events = await eventually(async () => eventsAbout(id), (e) => e.length >= 4);
    expect(events.map((e) => e.eventType).sort()).toEqual([
      'CREATE_LOAN_APPLICATIONS_RESPONSE', 'CREATE_LOAN_APPLICATIONS_RESPONSE_ACK', 'CREATE_LOAN_APPLICATION_REQUEST', 'CREATE_LOAN_APPLICATION_REQUEST_ACK',
    ]);
    const byType = Object.fromEntries(events.map((e) => [e.eventType, e]));
    expect(byType.CREATE_LOAN_APPLICATION_REQUEST_ACK.recipients).toEqual([{ roleId: 'la-one', responseCode: 200, responseMessage: 'Success' }]);
    expect(byType.CREATE_LOAN_APPLICATIONS_RESPONSE.recipients).toEqual([{ roleId: 'la-one', responseCode: 200, responseMessage: 'Success' }]);
    expect(byType.CREATE_LOAN_APPLICATIONS_RESPONSE.loanMetaData.productData).toEqual({ productId: 'pl-1', productNetworkId: 'net-1' });
    const posts = lender.analytics!.received.filter((r) => r.path === '/ocen/v4/event' && r.body.event.loanMetaData.loanApplicationId === id);
    for (const post of posts) expect(post.authorization).toMatch(/^Bearer ey/);
  });

  it('when a request is refused after authentication (a stale timestamp), then its heartbeats carry the 401 and its reason', async () => {
    const id = `app-${randomUUID()}`;
    const { agent } = lender.agent('la-one');
    const stale = new Date(Date.now() - 3_600_000).toISOString();
    expect((await lender.post(agent, 'loanApplications/createLoanRequest', { ...ocenEnvelope('la-one', { timestamp: stale }), loanApplications: [ocenLoanApplication(id)] })).status).toBe(401);
    const [ack] = await eventually(async () => eventsAbout(id).filter((e) => e.eventType === 'CREATE_LOAN_APPLICATION_REQUEST_ACK'), (e) => e.length > 0);
    expect(ack.recipients[0]).toMatchObject({ roleId: 'la-one', responseCode: 401, responseMessage: expect.stringMatching(/^TIMESTAMP_OUT_OF_WINDOW: /) });
  });

  it.each(['hang', 'fail'] as const)('when the analytics service does %s, then requests are still acked and callbacks still delivered', async (mode) => {
    lender.analytics!.mode = mode;
    lender.analytics!.hanging = 0;
    const { agent, endpoint } = lender.agent('la-one');
    const ids = [`app-${randomUUID()}`, `app-${randomUUID()}`, `app-${randomUUID()}`];
    for (const id of ids) {
      const answer = await lender.post(agent, 'loanApplications/createLoanRequest', { ...ocenEnvelope('la-one'), loanApplications: [ocenLoanApplication(id)] });
      expect(answer.status).toBe(200);
      expect(answer.body.error).toBe('0');
    }
    for (const id of ids) await eventually(async () => endpoint.about(id, 'createLoanResponse'), (r) => r.length > 0);
    if (mode === 'hang') expect(lender.analytics!.hanging).toBeGreaterThan(0); // the acks and callbacks came while heartbeats hung
    lender.analytics!.mode = 'ok';
  });
});

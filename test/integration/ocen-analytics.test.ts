/**
 * The network's heartbeat and analytics service, fed fire-and-forget: against a fake service over real HTTP, each
 * heartbeat and metric is what hb.json (the official spec, verbatim in src/protocols/ocen/spec/hb.official.json)
 * describes, carries our bearer token, and a service that is down, slow or swamped costs the caller nothing.
 */
import Ajv from 'ajv';
import pino from 'pino';
import hb from '../../src/protocols/ocen/spec/hb.official.json';
import { createOcenAnalytics, OCEN_EVENT_TYPES, OcenNetworkAnalytics } from '../../src/protocols/ocen/ocen-analytics';
import { createTokenSource } from '../../src/protocols/ocen/ocen-token';
import { FakeAnalytics, FakeAuthService } from '../support/ocen-network';
import { eventually } from '../support/test-app';

let auth: FakeAuthService;
let service: FakeAnalytics;
const logger = pino({ level: 'silent' });

const ajv = new Ajv({ strict: false, validateFormats: false });
ajv.addSchema(hb, 'hb');
const validHeartbeat = ajv.getSchema('hb#/components/schemas/HeartbeatEventRequest')!;
const validMetric = ajv.getSchema('hb#/components/schemas/LoanDisbursementAnalytics')!;
const eventTypes = new Set<string>((hb as any).components.schemas.Event.properties.eventType.enum);

beforeAll(async () => {
  [auth, service] = await Promise.all([FakeAuthService.start(), FakeAnalytics.start()]);
});

afterAll(async () => {
  await Promise.all([auth.close(), service.close()]);
});

beforeEach(() => {
  service.received = [];
  service.mode = 'ok';
});

const analytics = (options: { maxQueued?: number; concurrency?: number; timeoutMs?: number } = {}): OcenNetworkAnalytics => createOcenAnalytics({
  url: service.url,
  tokens: createTokenSource({ tokenUrl: auth.tokenUrl, clientId: 'lender-client', clientSecret: 's3cret' }),
  participantId: 'lender-1',
  logger,
  ...options,
});

const createLoanRequest = {
  metadata: { version: '4.0.0alpha', originatorParticipantId: 'la-1', timestamp: new Date().toISOString(), traceId: 't', requestId: 'r-1' },
  productData: { productId: 'pl-1', productNetworkId: 'net-1' },
  loanApplications: [{ loanApplicationId: 'app-1' }, { loanApplicationId: 'app-2' }],
};

describe('heartbeats', () => {
  it('when a request is answered, then XXX_REQUEST and XXX_REQUEST_ACK go out per loan application, schema-valid, each with a fresh requestId and our token', async () => {
    const client = analytics();
    client.requestAnswered('la-1', 'loanApplications/createLoanRequest', createLoanRequest, 200, { error: '0', traceId: 't', timestamp: 'x' });
    await client.idle();
    const events = service.events;
    expect(events.map((e) => `${e.eventType} ${e.loanMetaData.loanApplicationId}`).sort()).toEqual([
      'CREATE_LOAN_APPLICATION_REQUEST app-1', 'CREATE_LOAN_APPLICATION_REQUEST app-2',
      'CREATE_LOAN_APPLICATION_REQUEST_ACK app-1', 'CREATE_LOAN_APPLICATION_REQUEST_ACK app-2',
    ]);
    for (const posted of service.received) {
      expect(validHeartbeat(posted.body)).toBe(true);
      const [, token] = posted.authorization!.split(' ');
      expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())).toMatchObject({ participantId: 'lender-1' });
    }
    expect(new Set(events.map((e) => e.requestId)).size).toBe(4);
    const ack = events.find((e) => e.eventType.endsWith('_ACK'))!;
    expect(ack).toMatchObject({ loanMetaData: { loanId: '', productData: { productId: 'pl-1', productNetworkId: 'net-1' } }, recipients: [{ roleId: 'la-1', responseCode: 200, responseMessage: 'Success' }] });
    expect(Math.abs(ack.timestamp - Date.now())).toBeLessThan(60_000);
  });

  it('when a response is sent and acked with an error, then XXX_RESPONSE and XXX_RESPONSE_ACK say so; when it could not be delivered, then only XXX_RESPONSE, with why', async () => {
    const client = analytics();
    const grant = { ...createLoanRequest, loanApplications: undefined, loanDetails: { loanId: 'LN-1', loanApplicationId: 'app-1' } };
    client.responseSent('la-1', 'grantLoan/grantLoanResponse', grant, 200, { error: 'BAD: no' }, undefined);
    client.responseSent('la-1', 'offers/setOffersResponse', { ...createLoanRequest, loanApplications: undefined, loanApplicationId: 'app-2' }, undefined, undefined, 'fetch failed');
    await client.idle();
    expect(service.events.map((e) => [e.eventType, e.loanMetaData.loanApplicationId, e.loanMetaData.loanId, e.recipients[0]])).toEqual(expect.arrayContaining([
      ['GRANT_LOAN_RESPONSE', 'app-1', 'LN-1', { roleId: 'la-1', responseCode: 200, responseMessage: 'BAD: no' }],
      ['GRANT_LOAN_RESPONSE_ACK', 'app-1', 'LN-1', { roleId: 'lender-1', responseCode: 200, responseMessage: 'BAD: no' }],
      ['SET_OFFERS_RESPONSE', 'app-2', '', { roleId: 'la-1', responseCode: 0, responseMessage: 'fetch failed' }],
    ]));
    expect(service.events).toHaveLength(3);
  });

  it('when the event types are listed, then every one is in the spec\'s enum, with its _ACK', () => {
    const named = Object.values(OCEN_EVENT_TYPES).map((t) => t.event);
    expect(named.length).toBeGreaterThan(40);
    for (const name of named) {
      expect(eventTypes.has(name)).toBe(true);
      expect(eventTypes.has(`${name}_ACK`)).toBe(true);
    }
  });

  it.each([
    ['consent/journeyNotify', 'CONSENT_JOURNEY_NOTIFY_REQUEST'],
    ['disbursement/setRepaymentPlanStatusRequest', 'SET_REPAYMENT_PLAN_STATUS_REQUEST'],
  ])('when %s (a message hb.json has no event type for) is answered, then no heartbeat is sent, and no %s is made up', async (operation) => {
    const client = analytics();
    client.requestAnswered('la-1', operation, createLoanRequest, 200, { error: '0' });
    client.responseSent('la-1', 'disbursement/setRepaymentPlanStatusResponse', createLoanRequest, 200, { error: '0' }, undefined);
    await client.idle();
    expect(service.events).toEqual([]);
    expect(client.stats).toMatchObject({ queued: 0, invalid: 0 });
  });

  it('when a heartbeat would not match hb.json (a non-numeric status), then it is not sent and is counted invalid', async () => {
    const client = analytics();
    client.requestAnswered('la-1', 'loanApplications/createLoanRequest', { ...createLoanRequest, loanApplications: [{ loanApplicationId: 'app-1' }] }, 'x' as unknown as number, { error: '0' });
    await client.idle();
    expect(service.events).toEqual([]);
    expect(client.stats).toMatchObject({ queued: 0, invalid: 2 });
  });
});

describe('the disbursement metric', () => {
  it('when a loan is disbursed, then loanDisbursementMetric carries the amount, tenure in days and rate, schema-valid', async () => {
    const client = analytics();
    client.loanDisbursed({ productData: { productId: 'pl-1', productNetworkId: 'net-1' }, loanId: 'LN-1', loanApplicationId: 'app-1', amount: 100000, tenureDays: 365, interestRate: 16 });
    await client.idle();
    const [posted] = service.received;
    expect(posted.path).toBe('/ocen/v4/metrics/lender/loanDisbursementMetric');
    expect(validMetric(posted.body)).toBe(true);
    expect(posted.body).toEqual({ productData: { productId: 'pl-1', productNetworkId: 'net-1' }, loanId: 'LN-1', loanApplicationId: 'app-1', metrics: [{ amount: 100000, tenure: { days: 365 }, interestRate: 16 }] });
  });
});

describe('fire-and-forget', () => {
  it('when the service hangs, then calls return at once, at most `concurrency` POSTs are open, the queue stays bounded and what overflows is counted as dropped', async () => {
    service.mode = 'hang';
    service.hanging = 0;
    const client = analytics({ maxQueued: 3, concurrency: 1, timeoutMs: 60_000 });
    for (let i = 0; i < 10; i++) {
      const returned = client.requestAnswered('la-1', 'offers/generateOffersRequest', { ...createLoanRequest, loanApplications: undefined, loanApplicationIds: [`app-${i}`] }, 200, undefined);
      expect(returned).toBeUndefined();
    }
    // 20 heartbeats: one in flight, three waiting, sixteen dropped.
    await eventually(async () => service.hanging, (n) => n === 1);
    expect(client.stats).toMatchObject({ dropped: 16, sent: 0 });
  });

  it('when the service is down or answers slower than the time limit, then each POST fails within it, is counted, and nothing is thrown', async () => {
    service.mode = 'fail';
    const down = analytics();
    down.loanDisbursed({ productData: {}, loanId: 'LN-1', loanApplicationId: 'app-1', amount: 1, tenureDays: 1, interestRate: 1 });
    await down.idle();
    expect(down.stats).toMatchObject({ failed: 1, sent: 0 });

    service.mode = 'hang';
    const slow = analytics({ timeoutMs: 300 });
    slow.requestAnswered('la-1', 'grantLoan/grantLoanRequest', { loanApplicationId: 'app-1' }, 200, undefined);
    await slow.idle();
    expect(slow.stats).toMatchObject({ failed: 2, sent: 0 });

    const unreachable = createOcenAnalytics({ url: 'http://127.0.0.1:1', tokens: { token: async () => 't', invalidate: () => undefined }, participantId: 'lender-1', logger });
    unreachable.requestAnswered('la-1', 'unknown/operation', {}, 200, undefined);
    unreachable.requestAnswered('la-1', 'grantLoan/grantLoanRequest', { loanApplicationId: 'app-1' }, 200, undefined);
    await unreachable.idle();
    expect(unreachable.stats).toMatchObject({ queued: 2, failed: 2 });
  });
});

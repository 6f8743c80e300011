import { monitorEventLoopDelay } from 'node:perf_hooks';
import request from 'supertest';
import { TestApp, eventually, newRequestId, startTestApp } from '../support/test-app';
import { TcpProxy } from '../support/tcp-proxy';
import { ADMIN_URL } from '../support/databases';
import { expectError } from '../support/expect-error';
import {
  PATHS, Phone, applicationStatus, approvalStatus, approveUserData, challenge, completeKyc, completeMandate, newApplicationId, newPhone, railCalls,
  keyFactStatement, readyToSubmit, submitReady,
} from '../support/journey';
import { loadConfig } from '../../src/lib/config';

jest.setTimeout(180_000);

/** The bound the API promises while a dependency is down; the timeouts behind it are 500 ms (the defaults). */
const PROMPT_MS = 1_000;

let postgres: TcpProxy;
let redis: TcpProxy;
let t: TestApp;
beforeAll(async () => {
  // PostgreSQL and Redis are shared with other test files: this server reaches them through proxies, which are cut instead.
  postgres = await TcpProxy.forUrl(ADMIN_URL, 5432);
  redis = await TcpProxy.forUrl(loadConfig({}).redisUrl, 6379);
  // The production defaults, whose promise this file measures (other test files wait longer: TEST_TIMEOUTS).
  const defaults = { DATABASE_CONNECT_TIMEOUT_MS: '500', DATABASE_QUERY_TIMEOUT_MS: '500', REDIS_COMMAND_TIMEOUT_MS: '500' };
  t = await startTestApp({ through: { postgres, redis }, env: defaults });
  await t.services.partners.add({ id: 'limited-app', displayName: 'A payment app with a rate limit', protocol: 'GPAY', rateLimitPerMinute: 1_000 });
});
afterEach(() => {
  postgres.restore();
  redis.restore();
});
afterAll(async () => {
  const sorted = [...latencies].sort((a, b) => a - b);
  process.stdout.write(`answers during outages: ${sorted.length}, median ${sorted[Math.floor(sorted.length / 2)]} ms, slowest ${sorted[sorted.length - 1]} ms\n`);
  await t.stop();
  await Promise.all([postgres.close(), redis.close()]);
});

/** How long each answer took while a dependency was down (reported at the end). */
const latencies: number[] = [];

interface Timed {
  res: request.Response;
  ms: number;
  /**
   * The longest this process's event loop stood still during the call: time in which the machine (shared,
   * two cores) did not run this process at all. A server waiting on a dead dependency never stalls the loop,
   * so this is not time the server spent waiting; it is left out of the bound.
   */
  stalledMs: number;
}

/** Runs a call and measures how long its answer took. */
async function timed(call: () => request.Test): Promise<Timed> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = Date.now();
  const res = await call();
  const ms = Date.now() - started;
  loop.disable();
  latencies.push(ms);
  return { res, ms, stalledMs: Math.max(0, loop.max / 1e6 - 10) };
}

/** The answer came within the promised bound (less any time the machine did not run this process). */
function expectPrompt(answer: Timed) {
  expect(answer.ms - answer.stalledMs).toBeLessThan(PROMPT_MS);
}

/** The answer is the partner API's 503 envelope (UNAVAILABLE), within the promised bound. */
function expectPrompt503(answer: Timed) {
  expectError(answer.res, 503, 'UNAVAILABLE', 'SERVICE_UNAVAILABLE');
  expectPrompt(answer);
}

/** The answer is the sandbox's plain 503 error, within the promised bound. */
function expectPlainPrompt503(answer: Timed) {
  expect({ status: answer.res.status, code: answer.res.body.error?.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  expectPrompt(answer);
}

/** Waits for `probe` to pass once the dependency is back, and answers how long that took. */
async function recovered<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<number> {
  const started = Date.now();
  await eventually(() => probe().catch(() => undefined as T), (value) => value !== undefined && done(value), 30_000, 100);
  return Date.now() - started;
}

/** The rest of a journey whose credit decision was asked for: decided, KYC, mandate, submitted, paid out once. */
async function finishJourney(gid: string, phone: Phone) {
  const decision = await eventually(() => approvalStatus(t, gid), (d) => d.applicationState !== 'IN_PROCESS', 30_000);
  expect(decision.applicationState).toBe('APPROVED');
  const offerId = decision.approvedStateContext.offerId as string;
  await completeKyc(t, gid, offerId);
  await completeMandate(t, gid);
  const offer = (await t.call(PATHS.fetchOffer, { offerId }).expect(200)).body.data.offer;
  const rateE5 = Number(offer.termCreditOfferDetails.interestStructure.fixed.interestCharge.percentageValueE5);
  const kfs = await keyFactStatement(t, gid, offerId, 100_000, 12);
  const reference = await submitReady(t, { gid, offerId, phone, rateE5, kfsId: kfs.kfsId });
  const status = await eventually(() => applicationStatus(t, gid), (s) => s.applicationState === 'DISBURSED', 30_000);
  await t.call(PATHS.getAccount, { accountToken: status.accountToken }).expect(200);
  expect(await railCalls(t, reference)).toBe(1);
  expect(await t.services.db.prisma.disbursement.count({ where: { application: { externalReference: gid } } })).toBe(1);
  expect(await t.services.db.prisma.loanAccount.count({ where: { application: { externalReference: gid } } })).toBe(1);
}

/** An application whose approveUser was answered 200; its credit decision is left to the worker. */
async function applied(): Promise<{ gid: string; phone: Phone }> {
  const phone = newPhone();
  const gid = newApplicationId();
  const proof = await challenge(t, phone, 'userApprovalContext');
  await t.call(PATHS.approveUser, approveUserData(gid, phone, proof)).expect(200);
  return { gid, phone };
}

describe('outages of PostgreSQL and Redis', () => {
  it('when PostgreSQL stops answering (its packets dropped), then partner calls answer 503 in the error envelope within a second, health says so, and once it is back the pending decision and the whole journey complete', async () => {
    const existing = await readyToSubmit(t);
    const pendingProof = await challenge(t, newPhone(), 'userApprovalContext');
    const retriedPhone = newPhone();
    const retriedProof = await challenge(t, retriedPhone, 'userApprovalContext');
    const pending = await applied();

    postgres.blackhole();
    expectPrompt503(await timed(() => t.call(PATHS.getStatus, { googleApplicationId: existing.gid })));
    expectPrompt503(await timed(() => t.call(PATHS.fetchOffer, { offerId: existing.offerId })));
    expectPrompt503(await timed(() => t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: newPhone() }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } })));
    const retriedGid = newApplicationId();
    const retriedRequestId = newRequestId();
    expectPrompt503(await timed(() => t.call(PATHS.approveUser, approveUserData(retriedGid, retriedPhone, retriedProof), { requestId: retriedRequestId })));
    expectPrompt503(await timed(() => t.call(PATHS.approveUser, approveUserData(newApplicationId(), newPhone(), pendingProof))));
    expectPlainPrompt503(await timed(() => t.http().post(`/sandbox/applications/${existing.gid}/kyc/complete`).send({})));
    const health = await timed(() => t.http().get('/readyz'));
    expect({ status: health.res.status, body: health.res.body }).toMatchObject({ status: 503, body: { status: 'not ready', checks: { postgres: 'down', redis: 'up' } } });
    expect((await t.http().get('/healthz')).status).toBe(200);
    expectPrompt(health);

    postgres.restore();
    const healthyAfterMs = await recovered(() => t.http().get('/readyz').then((res) => res.status), (status) => status === 200);
    // A call that failed with 503 left nothing behind: its retry with the same requestId is processed afresh.
    await t.call(PATHS.approveUser, approveUserData(retriedGid, retriedPhone, retriedProof), { requestId: retriedRequestId }).expect(200);
    const decidedAfterMs = await recovered(() => approvalStatus(t, pending.gid), (d) => d.applicationState !== 'IN_PROCESS');
    process.stdout.write(`PostgreSQL back: healthy after ${healthyAfterMs} ms, the pending decision made after ${decidedAfterMs} ms\n`);
    await finishJourney(pending.gid, pending.phone);
    await finishJourney(retriedGid, retriedPhone);
  });

  it('when Redis refuses connections, then the calls that need it answer 503 within a second (a new OTP challenge, whose per-phone limit fails closed; the sandbox phone), the others go on (their work waits in the outbox), and once it is back every pending step completes', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const existing = await applied();

    redis.refuse();
    const health = await timed(() => t.http().get('/readyz'));
    expect({ status: health.res.status, body: health.res.body }).toMatchObject({ status: 503, body: { status: 'not ready', checks: { postgres: 'up', redis: 'down' } } });
    expect((await t.http().get('/healthz')).status).toBe(200);
    expectPrompt(health);
    expectPrompt503(await timed(() => t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: newPhone() }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } })));
    expectPlainPrompt503(await timed(() => t.http().get(`/sandbox/sms-outbox?phone=${phone.countryCode}${phone.nationalNumber}`)));
    // A partner's request limit only shapes traffic: it fails open (see Limits), so the call is answered as usual
    // (this application is another partner's: 404).
    const limited = await timed(() => t.call(PATHS.getStatus, { googleApplicationId: existing.gid }, { partnerId: 'limited-app' }));
    expect(limited.res.status).toBe(404);
    expectPrompt(limited);
    // Without Redis the API still takes applications: the credit decision waits in the outbox (PostgreSQL).
    const gid = newApplicationId();
    const accepted = await timed(() => t.call(PATHS.approveUser, approveUserData(gid, phone, proof)));
    expect(accepted.res.status).toBe(200);
    expectPrompt(accepted);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await approvalStatus(t, gid)).applicationState).toBe('IN_PROCESS');

    redis.restore();
    const decidedAfterMs = await recovered(() => approvalStatus(t, gid), (d) => d.applicationState !== 'IN_PROCESS');
    process.stdout.write(`Redis back: the decision staged during the outage made after ${decidedAfterMs} ms\n`);
    await finishJourney(gid, phone);
    await finishJourney(existing.gid, existing.phone);
  });

  it('when both are cut at once (PostgreSQL refusing, Redis silent), then calls still answer 503 within a second, and once both are back the journey completes with one payout per loan', async () => {
    const pending = await applied();
    const ready = await readyToSubmit(t);

    postgres.refuse();
    redis.blackhole();
    expectPrompt503(await timed(() => t.call(PATHS.getStatus, { googleApplicationId: ready.gid })));
    expectPrompt503(await timed(() => t.call(PATHS.getStatus, { googleApplicationId: ready.gid }, { partnerId: 'limited-app' })));
    expectPlainPrompt503(await timed(() => t.http().get(`/sandbox/sms-outbox?phone=${ready.phone.countryCode}${ready.phone.nationalNumber}`)));
    const health = await timed(() => t.http().get('/readyz'));
    expect({ status: health.res.status, body: health.res.body }).toMatchObject({ status: 503, body: { status: 'not ready', checks: { postgres: 'down', redis: 'down' } } });
    expect((await t.http().get('/healthz')).status).toBe(200);
    expectPrompt(health);

    postgres.restore();
    redis.restore();
    const healthyAfterMs = await recovered(() => t.http().get('/readyz').then((res) => res.status), (status) => status === 200);
    process.stdout.write(`both back: healthy after ${healthyAfterMs} ms\n`);
    await finishJourney(pending.gid, pending.phone);
    const reference = await submitReady(t, ready);
    await eventually(() => applicationStatus(t, ready.gid), (s) => s.applicationState === 'DISBURSED', 30_000);
    expect(await railCalls(t, reference)).toBe(1);
  });
});

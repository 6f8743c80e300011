import request from 'supertest';
import { TestApp, startTestApp } from '../support/test-app';
import { PATHS, newApplicationId, newPhone, Phone } from '../support/journey';
import { expectError } from '../support/expect-error';
import { loadConfig } from '../../src/lib/config';
import { createLogger } from '../../src/lib/logger';
import { ManualClock } from '../../src/lib/clock';
import { Services, buildServices } from '../../src/container';
import { createApp } from '../../src/app';

/** Two API processes of one deployment: one database, one Redis prefix, each with its own connections, caches and limiters. */
let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp({ sharing: a, worker: false });
});
afterAll(async () => {
  await b.stop();
  await a.stop();
});

const initiate = (t: TestApp, phone: Phone, partnerId?: string) =>
  t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, { partnerId });

describe('limits hold across API processes', () => {
  it('when a phone is sent 5 OTPs through process A and 5 through process B, then the 11th is refused by either with 429 CHALLENGE_RATE_LIMITED and Retry-After', async () => {
    const phone = newPhone();
    for (let i = 0; i < 5; i++) expect((await initiate(a, phone)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await initiate(b, phone)).status).toBe(200);
    for (const t of [a, b]) {
      const refused = await initiate(t, phone);
      expectError(refused, 429, 'RESOURCE_EXHAUSTED', 'CHALLENGE_RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(800);
      expect(refused.headers['retry-after']).toBe(String(refused.body.errorResponse.retryAfterSeconds));
    }
    expect(await a.services.db.prisma.otpChallenge.count()).toBe(10);
  });

  it('when a partner allowed 4 requests a minute sends 2 through each process, then the 5th is refused by either with 429 PARTNER_RATE_LIMITED and Retry-After', async () => {
    await a.services.partners.add({ id: 'metered-app', displayName: 'Metered app', protocol: 'GPAY', rateLimitPerMinute: 4 });
    const status = (t: TestApp) => t.call(PATHS.getStatus, { googleApplicationId: newApplicationId() }, { partnerId: 'metered-app' });
    for (const t of [a, b, a, b]) expectError(await status(t), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
    for (const t of [a, b]) {
      const refused = await status(t);
      expectError(refused, 429, 'RESOURCE_EXHAUSTED', 'PARTNER_RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    for (const t of [a, b]) {
      const scrape = await t.services.metrics.registry.metrics();
      expect(scrape).toMatch(/credit_partner_http_requests_total\{[^}]*partner="metered-app"[^}]*status="429"[^}]*\} 1\n/);
    }
  });
});

describe('when Redis cannot be reached', () => {
  let down: Services;
  beforeAll(() => {
    const config = loadConfig({
      APP_ENV: 'sandbox',
      DATABASE_URL: a.services.config.databaseUrl,
      QUEUE_PREFIX: a.services.config.queuePrefix,
      KEYS_DIR: a.services.config.keysDir,
      REDIS_URL: 'redis://127.0.0.1:1',
      LOG_LEVEL: 'silent',
    });
    down = buildServices(config, createLogger(config.logLevel), new ManualClock());
  });
  afterAll(async () => {
    // A connection attempt in flight is cut within ioredis's 2 s disconnect timeout; between attempts there is none.
    const ended = new Promise((resolve) => down.redis.once('end', resolve));
    down.redis.disconnect();
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2_500).unref())]);
    await down.db.close();
  });

  const call = (path: string, data: unknown, partnerId: string) =>
    request(createApp(down))
      .post(path)
      .set('x-partner-id', partnerId)
      .send({ requestHeader: { requestId: `down-${Math.random().toString(36).slice(2)}`, requestTimestamp: { epochMillis: String(Date.now()) }, protocolVersion: { major: 1 } }, data });

  it('then initiateChallenge answers 503 UNAVAILABLE in the error shape within a second and issues nothing: the per-phone limit fails closed', async () => {
    const before = await a.services.db.prisma.otpChallenge.count();
    const started = Date.now();
    const res = await call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: newPhone() }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, 'gpay');
    expect(Date.now() - started).toBeLessThan(1_000);
    expectError(res, 503, 'UNAVAILABLE', 'SERVICE_UNAVAILABLE');
    expect(await a.services.db.prisma.otpChallenge.count()).toBe(before);
  });

  it('then a rate-limited partner is still served, and limited by this process on its own: the per-partner limit fails open', async () => {
    await a.services.partners.add({ id: 'metered-in-outage', displayName: 'Metered in an outage', protocol: 'GPAY', rateLimitPerMinute: 2 });
    const status = () => call(PATHS.getStatus, { googleApplicationId: newApplicationId() }, 'metered-in-outage');
    const started = Date.now();
    expectError(await status(), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
    expectError(await status(), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
    expectError(await status(), 429, 'RESOURCE_EXHAUSTED', 'PARTNER_RATE_LIMITED');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

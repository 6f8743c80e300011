import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Express } from 'express';
import type { DestinationStream } from 'pino';
import { loadConfig } from '../../src/lib/config';
import { createLogger } from '../../src/lib/logger';
import { ManualClock } from '../../src/lib/clock';
import { Background, Services, buildServices, prepare } from '../../src/container';
import { createApp } from '../../src/app';
import { createTestDatabase } from './databases';
import { generateKeySet } from '../../src/lib/keys';
import { BootRefusal, partnerProblems, productionProblems } from '../../src/boot-guard';
import { NewPartner } from '../../src/core/partner/partner';

export interface TestApp {
  app: Express;
  services: Services;
  clock: ManualClock;
  /** POSTs `{requestHeader, data}` to a partner-API path. */
  call(path: string, data: unknown, options?: { requestId?: string; epochMillis?: string | number; major?: number; partnerId?: string }): request.Test;
  http(): ReturnType<typeof request>;
  /** An idempotency_record answer, opened as the server opens it for a replay (sealed to its partner and requestId). */
  openStoredAnswer(partnerId: string, requestId: string, ciphertext: string): string;
  stop(): Promise<void>;
}

let counter = 0;
export const newRequestId = () => `t-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}-${counter++}`;

/**
 * What APP_ENV=production needs to start (see src/boot-guard.ts): a production key set (generated once per test
 * process), an https SMS gateway and public URL. The partner guard also needs an active partner with keys.
 */
export function productionEnv(): Record<string, string> {
  const keysDir = path.join(os.tmpdir(), `credit-partner-test-production-keys-${process.pid}`);
  if (!fs.existsSync(path.join(keysDir, 'keyset.json'))) generateKeySet(keysDir, 'production');
  return { APP_ENV: 'production', KEYS_DIR: keysDir, SMS_GATEWAY_URL: 'https://sms-gateway.invalid/send', PUBLIC_BASE_URL: 'https://bank.invalid' };
}

/**
 * A whole server (API + relay + worker) on its own database and Redis key prefix, as `npm start` runs it,
 * through the same guards (`boot-guard.ts`): `partners` are created before the partner guard runs.
 * `sharing` makes a second API process of another test app instead: the same database and Redis prefix, its own
 * pools, Redis connection, caches and limiters (the other app, which owns them, drops them when it stops).
 */
export async function startTestApp(
  options: { worker?: boolean; env?: Record<string, string>; partners?: NewPartner[]; logDestination?: DestinationStream; sharing?: TestApp } = {},
): Promise<TestApp> {
  const shared = options.sharing?.services.config;
  const database = shared ? undefined : await createTestDatabase();
  const prefix = shared?.queuePrefix ?? `cpt-${randomBytes(5).toString('hex')}`;
  const config = loadConfig({
    APP_ENV: 'sandbox',
    DATABASE_URL: shared?.databaseUrl ?? database!.url,
    QUEUE_PREFIX: prefix,
    KEYS_DIR: path.join(os.tmpdir(), 'credit-partner-test-keys'),
    OUTBOX_POLL_MS: '50',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const refused = productionProblems(config);
  if (refused.length) {
    await database?.drop();
    throw new BootRefusal(refused);
  }
  const clock = new ManualClock();
  const services = buildServices(config, createLogger(config.logLevel, options.logDestination), clock);
  await prepare(services);
  if (options.partners) await services.partners.ensure(options.partners);
  const late = partnerProblems(config, await services.partners.list());
  if (late.length) {
    await Promise.all([services.redis.quit(), services.db.close()]);
    await database?.drop();
    throw new BootRefusal(late);
  }
  const background = new Background(services, options.worker ?? true);
  background.start();
  const app = createApp(services);
  return {
    app,
    services,
    clock,
    http: () => request(app),
    openStoredAnswer: (partnerId, requestId, ciphertext) => services.sealer.open(ciphertext, `idempotency:${partnerId}:${requestId}`),
    call: (urlPath, data, callOptions = {}) =>
      request(app)
        .post(`${config.basePath}${urlPath}`)
        .set(callOptions.partnerId ? { 'x-partner-id': callOptions.partnerId } : {})
        .send({
          requestHeader: {
            requestId: callOptions.requestId ?? newRequestId(),
            requestTimestamp: { epochMillis: String(callOptions.epochMillis ?? clock.now().getTime()) },
            protocolVersion: { major: callOptions.major ?? 1 },
          },
          data,
        }),
    stop: async () => {
      await background.stop();
      if (database) {
        const keys = await services.redis.keys(`${prefix}:*`);
        if (keys.length) await services.redis.del(...keys);
      }
      await services.redis.quit();
      await services.db.close();
      await database?.drop();
    },
  };
}

/** Polls `probe` until `done` holds (or fails after `timeoutMs`); the worker is asynchronous. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

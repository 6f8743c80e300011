import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { Express } from 'express';
import type { DestinationStream } from 'pino';
import { loadConfig } from '../../src/lib/config';
import { createLogger } from '../../src/lib/logger';
import { ManualClock } from '../../src/lib/clock';
import { Background, Services, buildServices, closeRedis } from '../../src/container';
import { createApp } from '../../src/app';
import { createHttpServer } from '../../src/lib/http-server';
import { createTestDatabase } from './databases';
import { TcpProxy } from './tcp-proxy';
import { generateKeySet } from '../../src/lib/keys';
import { guardedAdapters, prepareGuarded } from '../../src/boot';
import { NewPartner } from '../../src/core/partner/partner';

export interface TestApp {
  app: Express;
  services: Services;
  clock: ManualClock;
  /** POSTs `{requestHeader, data}` to a partner-API path. */
  call(path: string, data: unknown, options?: { requestId?: string; epochMillis?: string | number; major?: number; partnerId?: string }): request.Test;
  http(): ReturnType<typeof request>;
  /** The app on a real HTTP server on 127.0.0.1, made as `npm start` makes it (createHttpServer: its timeouts and caps). */
  listen(): Promise<{ server: Server; port: number; close(): Promise<void> }>;
  /** An idempotency_record answer, opened as the server opens it for a replay (sealed to its partner and requestId). */
  openStoredAnswer(partnerId: string, requestId: string, ciphertext: string): string;
  /** The environment of a server process (ServerProcess) on this app's database, Redis prefix and keys, reaching PostgreSQL and Redis directly. */
  processEnv(): Record<string, string>;
  stop(): Promise<void>;
}

let counter = 0;
export const newRequestId = () => `t-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}-${counter++}`;

const KEYS_DIR = path.join(os.tmpdir(), 'credit-partner-test-keys');
const REDIS_URL = loadConfig({}).redisUrl;

/**
 * The waits on PostgreSQL and Redis in tests. A timeout is a timer: when the event loop stands still longer
 * than it (this machine is two cores shared by parallel test runs), it fires before the answer that arrived
 * meanwhile is read. 2 s keeps those false alarms out of tests about something else; the outage tests set
 * the production defaults (500 ms) and measure them.
 */
export const TEST_TIMEOUTS = { DATABASE_CONNECT_TIMEOUT_MS: '2000', DATABASE_QUERY_TIMEOUT_MS: '2000', REDIS_COMMAND_TIMEOUT_MS: '2000' };

/** A test adapter module supplying every port (plain CommonJS, as a bank would write one). */
export const EVERY_PORT_MODULE = path.resolve(__dirname, '../fixtures/adapters/every-port.js');

/**
 * What APP_ENV=production needs to start (see src/boot-guard.ts): a production key set (generated once per test
 * process), an adapter for every port (EVERY_PORT_MODULE), an https public URL, and the OCEN surface turned off
 * (OCEN_ENABLED=false; an OCEN test gives the OCEN_* settings instead). The partner guard also needs an active
 * partner with keys.
 */
export function productionEnv(): Record<string, string> {
  const keysDir = path.join(os.tmpdir(), `credit-partner-test-production-keys-${process.pid}`);
  if (!fs.existsSync(path.join(keysDir, 'keyset.json'))) generateKeySet(keysDir, 'production');
  return { APP_ENV: 'production', KEYS_DIR: keysDir, ADAPTERS_MODULE: EVERY_PORT_MODULE, PUBLIC_BASE_URL: 'https://bank.invalid', OCEN_ENABLED: 'false' };
}

/**
 * A whole server (API + relay + worker) on its own database and Redis key prefix, as `npm start` runs it,
 * through the same guards (`boot-guard.ts`): `partners` are created before the partner guard runs.
 * `sharing` makes a second API process of another test app instead: the same database and Redis prefix, its own
 * pools, Redis connection, caches and limiters (the other app, which owns them, drops them when it stops).
 * `through` puts TCP proxies between it and PostgreSQL or Redis, so that a test can cut them off.
 */
export async function startTestApp(
  options: {
    worker?: boolean;
    env?: Record<string, string>;
    partners?: NewPartner[];
    logDestination?: DestinationStream;
    sharing?: TestApp;
    through?: { postgres?: TcpProxy; redis?: TcpProxy };
  } = {},
): Promise<TestApp> {
  const shared = options.sharing?.services.config;
  const database = shared ? undefined : await createTestDatabase();
  const prefix = shared?.queuePrefix ?? `cpt-${randomBytes(5).toString('hex')}`;
  const databaseUrl = shared?.databaseUrl ?? database!.url;
  const config = loadConfig({
    APP_ENV: 'sandbox',
    DATABASE_URL: options.through?.postgres?.route(databaseUrl) ?? databaseUrl,
    REDIS_URL: options.through?.redis?.route(REDIS_URL) ?? REDIS_URL,
    QUEUE_PREFIX: prefix,
    KEYS_DIR,
    OUTBOX_POLL_MS: '50',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...TEST_TIMEOUTS,
    ...options.env,
  });
  const clock = new ManualClock();
  let services: Services;
  try {
    const logger = createLogger(config.logLevel, options.logDestination);
    services = buildServices(config, logger, clock, guardedAdapters(config, logger, clock));
    await prepareGuarded(services, async () => {
      if (options.partners) await services.partners.ensure(options.partners);
    });
  } catch (err) {
    await database?.drop();
    throw err;
  }
  const background = new Background(services, options.worker ?? true);
  background.start();
  const app = createApp(services);
  return {
    app,
    services,
    clock,
    http: () => request(app),
    listen: async () => {
      const server = createHttpServer(app, config.http);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return {
        server,
        port: (server.address() as AddressInfo).port,
        close: () => {
          server.closeAllConnections();
          return new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    },
    openStoredAnswer: (partnerId, requestId, ciphertext) => services.sealer.open(ciphertext, `idempotency:${partnerId}:${requestId}`),
    processEnv: () => ({ APP_ENV: 'sandbox', DATABASE_URL: databaseUrl, REDIS_URL, QUEUE_PREFIX: prefix, KEYS_DIR, OUTBOX_POLL_MS: '50', ...TEST_TIMEOUTS }),
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
      await closeRedis(services.redis);
      await services.db.close();
      services.keys.close();
      await database?.drop();
    },
  };
}

/** Polls `probe` every `everyMs` until `done` holds (or fails after `timeoutMs`); the worker is asynchronous. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

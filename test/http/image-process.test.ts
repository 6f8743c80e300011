import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import { get } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { TestApp, startTestApp } from '../support/test-app';
import { ServerProcess } from '../support/server-process';
import { TcpProxy } from '../support/tcp-proxy';
import { builtCode } from '../support/built-code';
import { createQueue } from '../../src/lib/jobs/queue';
import { freePort } from '../support/free-port';

/**
 * The image's entry points run on this machine as the image runs them: `credit-partner <command>`
 * (scripts/docker-entrypoint.sh) from the project folder, on the compiled code in dist/ (built here once, as the
 * Dockerfile's build stage does after generating), with nothing compiled at start.
 */
jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../..');
const ENTRYPOINT = ['sh', 'scripts/docker-entrypoint.sh'];

let t: TestApp;
let postgres: TcpProxy;
let redis: TcpProxy;
let api: ServerProcess | undefined;

beforeAll(async () => {
  // `npm run build` is `npm run generate && tsc -p tsconfig.build.json`; the generated sources are already there (pretest).
  await builtCode();
  t = await startTestApp({ worker: false });
  postgres = await TcpProxy.forUrl(t.processEnv().DATABASE_URL, 5432);
  redis = await TcpProxy.forUrl(t.processEnv().REDIS_URL, 6379);
});
afterAll(async () => {
  await api?.stop();
  await postgres?.close();
  await redis?.close();
  await t?.stop();
});


function getJson(port: number, urlPath: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: urlPath, headers: { accept: 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown> }));
    }).on('error', reject);
  });
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const oneShot = (args: string[], env: Record<string, string> = {}) => {
  const result = spawnSync(ENTRYPOINT[0], [...ENTRYPOINT.slice(1), ...args], { cwd: ROOT, env: { ...process.env, ...t.processEnv(), ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe('the image entry points, run from the built files', () => {
  it('migrate, keys ensure and the adapters conformance kit run as one-shots with their exit codes', () => {
    expect(oneShot(['migrate'])).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cp-image-keys-')), 'keys');
    const first = oneShot(['keys', 'ensure'], { KEYS_DIR: dir });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ generated: dir, environment: 'production' });
    const again = oneShot(['keys', 'ensure'], { KEYS_DIR: dir });
    expect(JSON.parse(again.stdout)).toMatchObject({ existing: dir, publicKeys: JSON.parse(first.stdout).publicKeys });
    // The sandbox's module (ADAPTERS_MODULE's default in the sandbox) passes the kit; a module that cannot be loaded exits 2.
    const verified = oneShot(['adapters', 'verify']);
    expect({ code: verified.code, stderr: verified.stderr }).toEqual({ code: 0, stderr: '' });
    expect(verified.stdout).toMatch(/^Adapter conformance: credit-partner\/sandbox \(every call within 15000 ms\)\n[^]*\n\d+ passed, 0 failed, \d+ not applicable: conforms\n$/);
    expect(oneShot(['adapters', 'verify', '@bank/credit-partner-adapters'])).toMatchObject({ code: 2, stderr: expect.stringContaining('@bank/credit-partner-adapters: no such package') });
    expect(oneShot(['rebuild'])).toMatchObject({ code: 64, stderr: expect.stringContaining('unknown command "rebuild"') });
    expect(oneShot(['partners', 'list']).code).toBe(0);
  });

  it('the API alone (RUN_WORKER=false, no worker on its queue until the worker entry point runs): /healthz 200, /readyz 200; /readyz 503 naming the check while Redis or PostgreSQL is cut off or a migration is pending or edited (a newer one keeps it ready), /healthz 200 throughout', async () => {
    const port = await freePort();
    const env = t.processEnv();
    api = ServerProcess.command([...ENTRYPOINT, 'api'], {
      ...env,
      PORT: String(port),
      RUN_WORKER: 'false',
      DATABASE_URL: postgres.route(env.DATABASE_URL),
      REDIS_URL: redis.route(env.REDIS_URL),
    });
    await api.logged(/listening/);

    expect(await getJson(port, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await getJson(port, '/readyz')).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: 'up', redis: 'up', migrations: 'current', adapters: 'loaded' } } });
    expect(oneShot(['healthcheck'], { PORT: String(port) }).code).toBe(0);
    expect((await getJson(port, '/')).body).toMatchObject({ links: { docs: '/docs', ocenDocs: '/ocen/docs', openapi: '/openapi.json' } });

    redis.refuse();
    expect(await getJson(port, '/readyz')).toMatchObject({ status: 503, body: { status: 'not ready', checks: { postgres: 'up', redis: 'down', migrations: 'current' } } });
    expect((await getJson(port, '/healthz')).status).toBe(200);
    redis.restore();
    expect((await until(() => getJson(port, '/readyz'), (r) => r.status === 200)).status).toBe(200);

    postgres.refuse();
    expect(await getJson(port, '/readyz')).toMatchObject({ status: 503, body: { status: 'not ready', checks: { postgres: 'down', redis: 'up', migrations: 'unknown' } } });
    expect((await getJson(port, '/healthz')).status).toBe(200);
    expect(oneShot(['healthcheck'], { PORT: String(port) }).code).toBe(0);
    postgres.restore();
    expect((await until(() => getJson(port, '/readyz'), (r) => r.status === 200)).status).toBe(200);

    // A migration the code ships that the database has not applied (as when new code starts before `migrate`).
    const db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT * FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1');
      const last = rows[0] as { id: string; migration_name: string };
      await db.query('DELETE FROM "_prisma_migrations" WHERE id = $1', [last.id]);
      try {
        expect(await getJson(port, '/readyz')).toEqual({
          status: 503,
          body: { status: 'not ready', checks: { postgres: 'up', redis: 'up', migrations: 'pending', adapters: 'loaded' }, pendingMigrations: [last.migration_name] },
        });
      } finally {
        const columns = Object.keys(last);
        await db.query(`INSERT INTO "_prisma_migrations" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(last));
      }
      expect((await getJson(port, '/readyz')).status).toBe(200);
      // Edited after it was applied: not ready (migrate refuses it too).
      await db.query('UPDATE "_prisma_migrations" SET checksum = $1 WHERE id = $2', ['0'.repeat(64), last.id]);
      try {
        expect(await getJson(port, '/readyz')).toMatchObject({ status: 503, body: { checks: { migrations: 'edited' }, editedMigrations: [last.migration_name] } });
      } finally {
        await db.query('UPDATE "_prisma_migrations" SET checksum = $1 WHERE id = $2', [(last as unknown as { checksum: string }).checksum, last.id]);
      }
      // Newer than this code (the next release migrated first, in a rolling deploy): still ready, and listed.
      const newer = '29991231000000_next_release';
      await db.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count) VALUES (gen_random_uuid()::text, $1, $2, now(), 1)`, ['1'.repeat(64), newer]);
      try {
        expect(await getJson(port, '/readyz')).toEqual({
          status: 200,
          body: { status: 'ready', checks: { postgres: 'up', redis: 'up', migrations: 'current', adapters: 'loaded' }, newerMigrations: [newer] },
        });
      } finally {
        await db.query('DELETE FROM "_prisma_migrations" WHERE migration_name = $1', [newer]);
      }
    } finally {
      await db.end();
    }
    expect((await getJson(port, '/readyz')).status).toBe(200);

    // No worker in this process: none is registered on its queue, until the `worker` entry point starts one.
    const queue = createQueue({ url: env.REDIS_URL, prefix: env.QUEUE_PREFIX });
    const worker = ServerProcess.command([...ENTRYPOINT, 'worker'], env);
    try {
      expect(await queue.getWorkersCount()).toBe(0);
      await worker.logged(/worker running/);
      expect(await until(() => queue.getWorkersCount(), (count) => count > 0)).toBe(1);
      worker.signal('SIGTERM');
      expect(await worker.exited).toEqual({ code: 0, signal: null });
    } finally {
      await worker.stop();
      await queue.close();
    }

    api.signal('SIGTERM');
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(oneShot(['healthcheck'], { PORT: String(port) }).code).toBe(1);
  });

  it('the built code needs only the production dependencies (what `npm ci --omit=dev` installs in the image)', () => {
    const dependencies = new Set(Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies));
    const builtins = new Set(builtinModules);
    const outside = new Map<string, string>();
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.name.endsWith('.js')) {
          for (const [, specifier] of fs.readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
            if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier.split('/')[0])) continue;
            const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
            if (!dependencies.has(name)) outside.set(name, path.relative(ROOT, file));
          }
        }
      }
    };
    walk(path.join(ROOT, 'dist/src'));
    expect(Object.fromEntries(outside)).toEqual({});
  });
});

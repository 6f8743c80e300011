/**
 * PostgreSQL with only two connections left for the server's role: requests that need a connection wait for one
 * of the process's own (up to the pool wait) instead of failing at once with "too many connections".
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TestApp, startTestApp } from '../support/test-app';
import { ADMIN_URL } from '../support/databases';
import { PATHS, newPhone } from '../support/journey';

jest.setTimeout(120_000);

const role = `cp_near_${randomBytes(4).toString('hex')}`;
let owner: TestApp;
let t: TestApp;

async function admin<R extends Record<string, unknown>>(sql: string, database?: string): Promise<R[]> {
  const url = new URL(ADMIN_URL);
  if (database) url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  owner = await startTestApp({ worker: false });
  const url = new URL(owner.services.config.databaseUrl);
  const database = url.pathname.slice(1);
  await admin(`CREATE ROLE ${role} LOGIN; GRANT CONNECT ON DATABASE "${database}" TO ${role}; GRANT pg_read_all_data, pg_write_all_data TO ${role}`);
  await admin(`GRANT USAGE ON SCHEMA public TO ${role}`, database);
  url.username = role;
  t = await startTestApp({ sharing: owner, worker: false, env: { DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: '20' } });
});

afterAll(async () => {
  await t?.stop();
  await owner?.stop();
  await admin(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
});

describe('PostgreSQL nearly full', () => {
  it('with two connections left, 30 concurrent initiateChallenge calls all succeed (they wait for a connection), none 503', async () => {
    // Warm: the partner is cached and the process holds the connections it opens at once.
    await t.call(PATHS.getStatus, { googleApplicationId: 'GAPP-warm' });
    const [{ held }] = await admin<{ held: string }>(`SELECT count(*)::text AS held FROM pg_stat_activity WHERE usename = '${role}'`);
    await admin(`ALTER ROLE ${role} CONNECTION LIMIT ${Number(held) + 2}`);
    const calls = await Promise.all(Array.from({ length: 30 }, () => t.call(PATHS.initiateChallenge, {
      userIdentifier: { phoneNumber: newPhone() },
      challengeMechanism: [{ type: 'SMS_OTP' }],
      challengeContext: { userApprovalContext: {} },
    })));
    const statuses = calls.map((c) => c.status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});

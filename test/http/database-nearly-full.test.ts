/**
 * PostgreSQL with only two connections left for the server's role: requests that need a connection wait for one
 * of the process's own (up to the pool wait) instead of failing at once with "too many connections".
 */
import { TestApp, startTestApp } from '../support/test-app';
import { createLimitedRole } from '../support/databases';
import { PATHS, newPhone } from '../support/journey';

jest.setTimeout(120_000);

let owner: TestApp;
let t: TestApp;
let role: Awaited<ReturnType<typeof createLimitedRole>>;


beforeAll(async () => {
  owner = await startTestApp({ worker: false });
  role = await createLimitedRole(owner.services.config.databaseUrl, 'cp_near');
  t = await startTestApp({ sharing: owner, worker: false, env: { DATABASE_URL: role.url, DATABASE_POOL_SIZE: '20' } });
});

afterAll(async () => {
  await t?.stop();
  await owner?.stop();
  await role?.drop();
});

describe('PostgreSQL nearly full', () => {
  it('with two connections left, 30 concurrent initiateChallenge calls all succeed (they wait for a connection), none 503', async () => {
    // Warm: the partner is cached and the process holds the connections it opens at once.
    await t.call(PATHS.getStatus, { googleApplicationId: 'GAPP-warm' });
    await role.limitConnections((await role.connectionsHeld()) + 2);
    const calls = await Promise.all(Array.from({ length: 30 }, () => t.call(PATHS.initiateChallenge, {
      userIdentifier: { phoneNumber: newPhone() },
      challengeMechanism: [{ type: 'SMS_OTP' }],
      challengeContext: { userApprovalContext: {} },
    })));
    const statuses = calls.map((c) => c.status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});

/**
 * PostgreSQL out of connections (a role at its CONNECTION LIMIT, as a server at max_connections refuses too):
 * Prisma raises P2037 with the driver's error in `meta.driverAdapterError`, raw statements 53300. Every surface
 * answers 503, none 500: the Google Pay-style API (its partner look-up is a Prisma read), the sandbox and OCEN.
 */
import { randomBytes } from 'node:crypto';
import { TestApp, startTestApp } from '../support/test-app';
import { createLimitedRole } from '../support/databases';
import { LoanAgent } from '../support/ocen-network';
import { OcenLenderHarness, ocenEnvelope, ocenNetworkEnv, startOcenLender } from '../support/ocen-lender-harness';
import { PATHS, newApplicationId } from '../support/journey';

jest.setTimeout(120_000);

const agent = new LoanAgent('la-full-db');
let h: OcenLenderHarness;
let full: TestApp;
let role: Awaited<ReturnType<typeof createLimitedRole>>;


beforeAll(async () => {
  h = await startOcenLender([agent]);
  role = await createLimitedRole(h.app.services.config.databaseUrl, 'cp_full');
  // A second API process of the same server whose database role can be filled up.
  full = await startTestApp({ sharing: h.app, worker: false, env: { ...ocenNetworkEnv(h.auth, h.registry), DATABASE_URL: role.url } });
  // Full: no new connection for the role, and the ones it holds are gone.
  await role.limitConnections(0, { terminate: true });
});

afterAll(async () => {
  await full?.stop();
  await h?.stop();
  await role?.drop();
});

describe('PostgreSQL out of connections', () => {
  it('answers 503 (never 500) on the Google Pay-style API, the sandbox and OCEN', async () => {
    const gpay = await full.call(PATHS.getStatus, { applicationId: newApplicationId() });
    expect(gpay.status).toBe(503);

    const sandbox = await full.http().get('/sandbox/sms-outbox');
    expect(sandbox.status).toBe(503);

    const body = { ...ocenEnvelope(agent.participantId), loanId: `PA${randomBytes(4).toString('hex').toUpperCase()}` };
    const bytes = Buffer.from(JSON.stringify(body));
    const ocen = await full.http().post('/v4.0.0alpha/loanDetails/getloanRequest')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${await h.auth.tokenFor(agent.participantId)}`)
      .set('x-jws-signature', agent.sign(bytes)!)
      .send(bytes.toString('utf8'));
    expect({ status: ocen.status, error: ocen.body.error }).toMatchObject({ status: 503, error: expect.stringMatching(/^SERVICE_UNAVAILABLE/) });
    expect(ocen.headers['retry-after']).toBeDefined();
  });
});

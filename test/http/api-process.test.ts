import { Agent } from 'node:http';
import { TestApp, startTestApp } from '../support/test-app';
import { ServerProcess } from '../support/server-process';
import { rawPost } from '../support/raw-post';
import { PATHS, approveUserData, challenge, newApplicationId, newPhone } from '../support/journey';
import { freePort } from '../support/free-port';

jest.setTimeout(120_000);

let t: TestApp;
let api: ServerProcess | undefined;
beforeAll(async () => {
  // This in-process app prepares the database, the partners and the OTPs; the server under test is `npm start` as a process.
  t = await startTestApp({ worker: false });
});
afterAll(async () => {
  await api?.stop();
  await t.stop();
});


const post = (port: number, agent: Agent, path: string, data: unknown) => rawPost(port, agent, path, data, Date.now());

describe('the API process (npm start)', () => {
  it('when it gets SIGTERM under load, then every request it took is answered without a 5xx, new connections are refused, and it exits 0', async () => {
    const port = await freePort();
    api = ServerProcess.start('api', { ...t.processEnv(), PORT: String(port) });
    await api.logged(/listening/);
    const proofs = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const phone = newPhone();
        return { phone, proof: await challenge(t, phone, 'userApprovalContext') };
      }),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    const inFlight = [
      ...proofs.map(({ phone, proof }) => post(port, agent, PATHS.approveUser, approveUserData(newApplicationId(), phone, proof))),
      ...Array.from({ length: 200 }, () => post(port, agent, PATHS.getStatus, { googleApplicationId: newApplicationId() })),
    ];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopping = Date.now();
    api.signal('SIGTERM');
    const answers = await Promise.all(inFlight);
    const exit = await api.exited;
    agent.destroy();

    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopping).toBeLessThan(20_000);
    expect(answers.filter((a) => typeof a === 'number' && a >= 500)).toEqual([]);
    expect(answers.every((a) => a === 200 || a === 404 || a === 'ECONNREFUSED' || a === 'ECONNRESET')).toBe(true);
    expect(answers.filter((a) => a === 200 || a === 404).length).toBeGreaterThan(0);
    expect(await post(port, new Agent(), PATHS.getStatus, { googleApplicationId: newApplicationId() })).toBe('ECONNREFUSED');
  });
});

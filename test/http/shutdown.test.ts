import { Agent } from 'node:http';
import { AddressInfo } from 'node:net';
import { TestApp, startTestApp } from '../support/test-app';
import { GracefulServer } from '../../src/graceful-server';
import { createHttpServer } from '../../src/lib/http-server';
import { rawPost } from '../support/raw-post';
import { PATHS, approveUserData, challenge, newApplicationId, newPhone } from '../support/journey';

let t: TestApp;
let stopped = false;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  if (!stopped) await t.stop();
});

const post = (port: number, agent: Agent, path: string, data: unknown) => rawPost(port, agent, path, data, t.clock.now().getTime());

describe('graceful shutdown', () => {
  it('when the server is closed under load, then every request already sent is answered without a 5xx, new connections are refused, and it ends in time', async () => {
    const server = createHttpServer(t.app, t.services.config.http);
    const graceful = new GracefulServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });

    const proofs = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const phone = newPhone();
        return { phone, proof: await challenge(t, phone, 'userApprovalContext') };
      }),
    );
    const inFlight = [
      ...proofs.map(({ phone, proof }) => post(port, agent, PATHS.approveUser, approveUserData(newApplicationId(), phone, proof))),
      ...Array.from({ length: 300 }, () => post(port, agent, PATHS.getStatus, { googleApplicationId: newApplicationId() })),
    ];
    let received = 0;
    let answered = 0;
    server.on('request', (_req, res) => {
      received++;
      res.on('finish', () => answered++);
    });
    while (received < 30) await new Promise((resolve) => setTimeout(resolve, 1));
    const started = Date.now();
    const { forced } = await graceful.close(10_000);
    // Every request the server received was answered before close() resolved.
    expect(answered).toBe(received);
    // As main does next: the worker, Redis and the pools stop. Had close() resolved early, requests would now fail.
    await t.stop();
    stopped = true;
    const answers = await Promise.all(inFlight);

    expect(forced).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
    const serverErrors = answers.filter((a) => typeof a === 'number' && a >= 500);
    expect(serverErrors).toEqual([]);
    // Answered requests are the protocol's own outcomes; a request that had not reached the server is refused or reset, never half done.
    expect(answers.every((a) => a === 200 || a === 404 || a === 'ECONNREFUSED' || a === 'ECONNRESET')).toBe(true);
    expect(answers.filter((a) => a === 200).length).toBeGreaterThan(0);
    expect(await post(port, new Agent(), PATHS.getStatus, { googleApplicationId: newApplicationId() })).toBe('ECONNREFUSED');
    agent.destroy();
  });
});

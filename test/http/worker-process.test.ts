import { TestApp, eventually, startTestApp } from '../support/test-app';
import { ServerProcess } from '../support/server-process';
import { PATHS, applicationStatus, railCalls, readyToSubmit, submitReady } from '../support/journey';

jest.setTimeout(180_000);

/** How long the sandbox rail takes to answer a transfer it has taken: the window in which the worker is stopped. */
const RAIL_ANSWER_MS = 5_000;

let t: TestApp;
const workers: ServerProcess[] = [];
beforeAll(async () => {
  // This process serves the API and relays the outbox; the workers are processes of their own, to be killed and stopped.
  t = await startTestApp({ worker: false });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
});
afterAll(() => t.stop());

async function startWorker(env: Record<string, string> = {}): Promise<ServerProcess> {
  const worker = ServerProcess.start('worker', { ...t.processEnv(), SANDBOX_RAIL_DELAY_MS: String(RAIL_ANSWER_MS), ...env });
  workers.push(worker);
  await worker.logged(/worker running/);
  return worker;
}

/** A journey up to SubmitApplication, then waits until the rail has taken the payout (and not answered yet). */
async function payoutInFlight(): Promise<{ gid: string; reference: string }> {
  const ready = await readyToSubmit(t);
  const reference = await submitReady(t, ready);
  await eventually(() => railCalls(t, reference), (calls) => calls === 1);
  expect((await applicationStatus(t, ready.gid)).applicationState).toBe('SUBMITTED');
  return { gid: ready.gid, reference };
}

/** The loan is paid out and open, with one payout row and one loan account, and the rail was sent one transfer. */
async function paidOutOnce(gid: string, reference: string) {
  const status = await applicationStatus(t, gid);
  expect(status.applicationState).toBe('DISBURSED');
  await t.call(PATHS.getAccount, { accountToken: status.accountToken }).expect(200);
  const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid }, include: { disbursement: true, loan: true } });
  expect(application.disbursement).toMatchObject({ state: 'SUCCEEDED', reference: `DSB${reference}` });
  expect(application.loan).toMatchObject({ state: 'ACTIVE' });
  expect(await railCalls(t, reference)).toBe(1);
}

describe('a worker process that dies or is stopped', () => {
  it('when the worker is killed (kill -9) while the rail has taken a payout and not answered yet, then a restarted worker completes it within 10 s of its restart, and the rail was sent one transfer for the reference', async () => {
    const worker = await startWorker();
    const { gid, reference } = await payoutInFlight();

    worker.signal('SIGKILL');
    expect((await worker.exited).signal).toBe('SIGKILL');

    const restarted = Date.now();
    workers.push(ServerProcess.start('worker', { ...t.processEnv(), SANDBOX_RAIL_DELAY_MS: String(RAIL_ANSWER_MS) }));
    // Polled gently: the restarted worker needs the CPU more than this test does.
    await eventually(() => applicationStatus(t, gid), (s) => s.applicationState === 'DISBURSED', 20_000, 250);
    const recoveryMs = Date.now() - restarted;
    process.stdout.write(`payout completed ${recoveryMs} ms after the worker's restart\n`);
    expect(recoveryMs).toBeLessThan(10_000);
    await paidOutOnce(gid, reference);
  });

  it('when the worker gets SIGTERM while a payout is in flight, then it finishes the payout, closes its pools and exits 0', async () => {
    const worker = await startWorker();
    const { gid, reference } = await payoutInFlight();

    const stopping = Date.now();
    worker.signal('SIGTERM');
    const exit = await worker.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopping).toBeLessThan(RAIL_ANSWER_MS + 10_000);
    await paidOutOnce(gid, reference);
    expect(worker.log.some((line) => /left to other workers|not closed in time/.test(String(line.msg)))).toBe(false);
  });

  it('when a payout outlasts the shutdown grace, then the worker still exits at its deadline, and the next worker completes the payout without a second transfer', async () => {
    const slowRailMs = 15_000;
    const worker = await startWorker({ WORKER_SHUTDOWN_GRACE_MS: '1000', SANDBOX_RAIL_DELAY_MS: String(slowRailMs) });
    const { gid, reference } = await payoutInFlight();

    const stopping = Date.now();
    worker.signal('SIGTERM');
    const exit = await worker.exited;
    expect(exit.code).toBe(1);
    // Within the grace (1 s) and the bound on closing (2 s), well before the rail answers.
    expect(Date.now() - stopping).toBeLessThan(slowRailMs / 2);
    expect(worker.log.some((line) => /left to other workers/.test(String(line.msg)))).toBe(true);

    await startWorker();
    await eventually(() => applicationStatus(t, gid), (s) => s.applicationState === 'DISBURSED', 20_000, 250);
    await paidOutOnce(gid, reference);
  });
});

/**
 * Partner callbacks the queue gave up on are not lost: the reconciler's sweep stages each again once nothing has
 * tried it for CALLBACK_REDRIVE_AFTER_MS, a bounded number of times, a bounded number per sweep; against a real
 * database, and end to end with an OCEN callback whose job was lost.
 */
import { randomUUID } from 'node:crypto';
import { Background } from '../../src/container';
import { CallbackRedrive } from '../../src/lib/callbacks/callback-redrive';
import { PartnerCallbackRepository } from '../../src/lib/callbacks/partner-callback.repository';
import { ManualClock } from '../../src/lib/clock';
import { OcenLenderHarness, ocenEnvelope, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { eventually } from '../support/test-app';

let lender: OcenLenderHarness;

beforeAll(async () => {
  lender = await startOcenLender(['la-one'], { worker: false, env: { CALLBACK_REDRIVE_AFTER_MS: '60000' } });
});

afterAll(async () => {
  await lender?.stop();
});

/** Drops every queued and staged job: what a queue that used up its attempts (or a lost Redis) leaves behind. */
async function loseAllJobs(): Promise<void> {
  const { createQueue } = await import('../../src/lib/jobs/queue');
  const { config } = lender.app.services;
  const queue = createQueue({ url: config.redisUrl, prefix: config.queuePrefix });
  try {
    await eventually(() => lender.app.services.db.prisma.outboxMessage.count({ where: { publishedAt: null } }), (n) => n === 0);
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}

describe('callback re-drive', () => {
  it('when an OCEN callback\'s job is gone and nothing tried it for the threshold, then the sweep stages it again and it is delivered', async () => {
    const id = `app-${randomUUID()}`;
    const { agent, endpoint } = lender.agent('la-one');
    expect((await lender.post(agent, 'loanApplications/createLoanRequest', { ...ocenEnvelope('la-one'), loanApplications: [ocenLoanApplication(id)] })).body.error).toBe('0');
    await loseAllJobs();
    const redrive = lender.app.services.callbackRedrive!;

    expect((await redrive.sweep()).redriven).toEqual([]);
    lender.app.clock.advance(61_000);
    const report = await redrive.sweep();
    const [row] = await lender.app.services.db.query<{ id: string; redrives: number }>(`SELECT id, redrives FROM partner_callback WHERE $1 = ANY(subjects)`, [id]);
    expect(report).toEqual({ redriven: [row.id], lastRedrive: [] });
    expect(row.redrives).toBe(1);
    expect((await redrive.sweep()).redriven).toEqual([]); // re-driven just now: the queue has it again

    const worker = new Background(lender.app.services, true);
    worker.start();
    try {
      const [delivered] = await eventually(async () => endpoint.about(id, 'createLoanResponse'), (r) => r.length > 0);
      expect(delivered.signatureValid).toBe(true);
    } finally {
      await worker.stop();
    }
    lender.app.clock.advance(61_000);
    expect((await redrive.sweep()).redriven).not.toContain(row.id); // delivered: never again
  });

  it('when many callbacks stall, then each sweep stages at most a batch, oldest first, each callback at most maxRedrives times, and never one delivered or recently tried', async () => {
    const { db } = lender.app.services;
    const callbacks = new PartnerCallbackRepository(db);
    await db.query(`UPDATE partner_callback SET delivered_at = now() WHERE delivered_at IS NULL`); // the previous test's leftovers
    const ids: Record<string, string> = {};
    for (const [name, ageMin] of [['delivered', 50], ['b', 40], ['c', 30], ['d', 20], ['recentlyTried', 10]] as const) {
      ids[name] = randomUUID();
      await callbacks.create({ id: ids[name], partnerId: 'la-one', operation: 'loanApplications/createLoanResponse', requestId: randomUUID(), subjects: [name], contextCiphertext: 'x' });
      await db.query(`UPDATE partner_callback SET created_at = now() - make_interval(mins => $2) WHERE id = $1`, [ids[name], ageMin]);
    }
    await callbacks.recordAttempt(ids.delivered, undefined);
    await callbacks.recordAttempt(ids.recentlyTried, 'HTTP 500');

    const staged: string[] = [];
    const clock = new ManualClock();
    const redrive = new CallbackRedrive(db, callbacks, async (callback) => void staged.push(callback.id), clock, { afterMs: 5 * 60_000, maxRedrives: 2, batchSize: 2 });
    const name = (id: string) => Object.keys(ids).find((k) => ids[k] === id);

    expect((await redrive.sweep()).redriven.map(name)).toEqual(['b', 'c']);
    expect((await redrive.sweep()).redriven.map(name)).toEqual(['d']);
    expect((await redrive.sweep()).redriven).toEqual([]);
    clock.advance(6 * 60_000);
    const third = await redrive.sweep();
    expect(third.redriven.map(name)).toEqual(['b', 'c']);
    expect(third.lastRedrive.map(name)).toEqual(['b', 'c']);
    expect((await redrive.sweep()).redriven.map(name)).toEqual(['d', 'recentlyTried']);
    clock.advance(6 * 60_000);
    expect((await redrive.sweep()).redriven.map(name)).toEqual(['recentlyTried']);
    expect((await redrive.sweep()).redriven).toEqual([]);
    expect(staged.map(name)).toEqual(['b', 'c', 'd', 'b', 'c', 'd', 'recentlyTried', 'recentlyTried']);
  });
});

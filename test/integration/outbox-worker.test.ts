import { createLogger } from '../../src/lib/logger';
import { JobWorker, OutboxRelay, createQueue } from '../../src/lib/jobs/queue';
import { TestApp, eventually, startTestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: false });
});
afterAll(() => t.stop());

const logger = createLogger('silent');

function recordingHandlers(seen: string[]) {
  return {
    'test.effect': async (payload: Record<string, unknown>) => {
      seen.push(String(payload.n));
      await t.services.db.client.stateTransition.create({ data: { aggregate: 'test', entityId: String(payload.n), toState: 'DONE' } });
    },
    'test.fails': async () => {
      throw new Error('boom');
    },
  };
}

describe('the transactional outbox and the idempotent worker', () => {
  it('when the transaction that staged work rolls back, then no outbox row and no job exist', async () => {
    await expect(
      t.services.db.transaction(async () => {
        await t.services.outbox.stage('test.effect', { n: 'rolled-back' });
        throw new Error('business failure');
      }),
    ).rejects.toThrow('business failure');
    expect(await t.services.db.prisma.outboxMessage.count({ where: { topic: 'test.effect' } })).toBe(0);
  });

  it('when a row is relayed twice (two relays, or a crash before marking it), then the queue holds one job for it', async () => {
    const { queuePrefix, redisUrl } = t.services.config;
    const queue = createQueue({ url: redisUrl, prefix: queuePrefix });
    try {
      const id = await t.services.db.transaction(() => t.services.outbox.stage('test.effect', { n: 'dup' }));
      const relay = new OutboxRelay(t.services.db, queue, logger, 60_000);
      await eventually(async () => (await relay.drain(), t.services.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id } })), (row) => row.publishedAt !== null);
      await t.services.db.prisma.outboxMessage.update({ where: { id }, data: { publishedAt: null } });
      await eventually(async () => (await relay.drain(), t.services.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id } })), (row) => row.publishedAt !== null);
      const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
      expect(jobs.filter((job) => job.id === id)).toHaveLength(1);
    } finally {
      await queue.close();
    }
  });

  it('when the same job is delivered twice, then its effect is committed once', async () => {
    const seen: string[] = [];
    const worker = new JobWorker(t.services.db, recordingHandlers(seen), logger);
    const job = { id: 'msg-once', name: 'test.effect', data: { n: 'once' }, attemptsMade: 0 };
    await worker.process(job);
    await worker.process({ ...job, attemptsMade: 1 });
    expect(seen).toEqual(['once']);
    expect(await t.services.db.prisma.stateTransition.count({ where: { aggregate: 'test', entityId: 'once' } })).toBe(1);
    expect(await t.services.db.prisma.processedMessage.count({ where: { messageId: 'msg-once' } })).toBe(1);
  });

  it('when a handler fails, then neither its effect nor its processed mark is kept, so the retry runs it again', async () => {
    const worker = new JobWorker(t.services.db, recordingHandlers([]), logger);
    await expect(worker.process({ id: 'msg-fail', name: 'test.fails', data: {}, attemptsMade: 0 })).rejects.toThrow('boom');
    expect(await t.services.db.prisma.processedMessage.count({ where: { messageId: 'msg-fail' } })).toBe(0);
  });

  it('when a job has no handler, then it fails instead of being silently dropped', async () => {
    const worker = new JobWorker(t.services.db, {}, logger);
    await expect(worker.process({ id: 'msg-x', name: 'no.such.topic', data: {}, attemptsMade: 0 })).rejects.toThrow(/No handler/);
  });

  it('when staged work is committed while no worker runs, then it waits in the queue and runs once a worker starts', async () => {
    const { queuePrefix, redisUrl } = t.services.config;
    const queue = createQueue({ url: redisUrl, prefix: queuePrefix });
    const seen: string[] = [];
    const worker = new JobWorker(t.services.db, recordingHandlers(seen), logger);
    try {
      const id = await t.services.db.transaction(() => t.services.outbox.stage('test.effect', { n: 'late' }));
      const job = await eventually(() => queue.getJob(id), (found) => found !== undefined);
      expect(await job!.getState()).toBe('waiting');
      expect(seen).toEqual([]);
      worker.start({ url: redisUrl, prefix: queuePrefix }, 2);
      await eventually(async () => seen, (s) => s.includes('late'));
      await eventually(async () => (await queue.getJob(id))!.getState(), (state) => state === 'completed');
      expect(seen.filter((n) => n === 'late')).toHaveLength(1);
    } finally {
      await worker.stop();
      await queue.close();
    }
  });
});

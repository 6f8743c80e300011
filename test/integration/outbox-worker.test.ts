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

describe('housekeeping', () => {
  it('when bookkeeping rows are past their retention, then they are deleted and younger ones kept', async () => {
    const { pruneExpired } = await import('../../src/lib/jobs/housekeeping');
    const db = t.services.db.prisma;
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
    await db.idempotencyRecord.createMany({
      data: [
        { aggregatorId: 'gpay', requestId: 'hk-old', operation: 'x', fingerprint: 'f', httpStatus: 200, responseBody: '{}', createdAt: daysAgo(31) },
        { aggregatorId: 'gpay', requestId: 'hk-young', operation: 'x', fingerprint: 'f', httpStatus: 200, responseBody: '{}', createdAt: daysAgo(29) },
      ],
    });
    await db.processedMessage.createMany({ data: [{ handler: 'h', messageId: 'hk-old', processedAt: daysAgo(31) }, { handler: 'h', messageId: 'hk-young' }] });
    await db.outboxMessage.createMany({
      data: [
        { id: 'hk-published-old', topic: 't', payload: {}, publishedAt: daysAgo(8) },
        { id: 'hk-unpublished-old', topic: 't', payload: {}, availableAt: daysAgo(-365), createdAt: daysAgo(8) },
      ],
    });
    const deleted = await pruneExpired(t.services.db);
    expect(deleted).toEqual({ idempotency: 1, processed: 1, outbox: 1 });
    expect((await db.idempotencyRecord.findMany({ where: { requestId: { startsWith: 'hk-' } } })).map((r) => r.requestId)).toEqual(['hk-young']);
    expect((await db.processedMessage.findMany({ where: { messageId: { startsWith: 'hk-' } } })).map((r) => r.messageId)).toEqual(['hk-young']);
    expect((await db.outboxMessage.findMany({ where: { id: { startsWith: 'hk-' } } })).map((r) => r.id)).toEqual(['hk-unpublished-old']);
  });
});

import { z } from 'zod';
import { createLogger } from '../../src/lib/logger';
import { defineJob } from '../../src/lib/jobs/job';
import { JobRegistry, JobWorker, OutboxRelay, createQueue } from '../../src/lib/jobs/queue';
import { currentTraceId, withTrace } from '../../src/lib/trace';
import { TestApp, eventually, startTestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: false });
});
afterAll(() => t.stop());

const logger = createLogger('silent');

/** A transactional test job: records the payload and writes one row, in the job's transaction. */
const effectJob = defineJob({
  name: 'test.effect',
  version: 2,
  schema: z.object({ n: z.string() }),
  transactional: true,
  handle: async (seen: Array<{ n: string; traceId?: string }>, payload) => {
    seen.push({ n: payload.n, traceId: currentTraceId() });
    await t.services.db.client.stateTransition.create({ data: { aggregate: 'test', entityId: payload.n, toState: 'DONE' } });
  },
});

const failingJob = defineJob({
  name: 'test.fails',
  version: 1,
  schema: z.object({}),
  transactional: true,
  handle: async () => {
    await t.services.db.client.stateTransition.create({ data: { aggregate: 'test', entityId: 'fails', toState: 'DONE' } });
    throw new Error('boom');
  },
});

function recordingWorker(seen: Array<{ n: string; traceId?: string }>) {
  const registry = new JobRegistry().register(effectJob, seen).register(failingJob, undefined);
  return new JobWorker(t.services.db, t.services.jobStore, registry, logger);
}

const seenNames = (seen: Array<{ n: string }>) => seen.map((s) => s.n);

describe('the transactional outbox and the idempotent worker', () => {
  it('when the transaction that staged work rolls back, then no outbox row and no job exist', async () => {
    await expect(
      t.services.db.transaction(async () => {
        await t.services.outbox.stage(effectJob, { n: 'rolled-back' });
        throw new Error('business failure');
      }),
    ).rejects.toThrow('business failure');
    expect(await t.services.db.prisma.outboxMessage.count({ where: { topic: 'test.effect' } })).toBe(0);
  });

  it('when a row is relayed twice (two relays, or a crash before marking it), then the queue holds one job for it', async () => {
    const { queuePrefix, redisUrl } = t.services.config;
    const queue = createQueue({ url: redisUrl, prefix: queuePrefix });
    try {
      const id = await t.services.db.transaction(() => t.services.outbox.stage(effectJob, { n: 'dup' }));
      const relay = new OutboxRelay(t.services.jobStore, queue, logger, 60_000);
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
    const seen: Array<{ n: string }> = [];
    const worker = recordingWorker(seen);
    const job = { id: 'msg-once', name: 'test.effect', data: { v: 2, data: { n: 'once' } }, attemptsMade: 0 };
    await worker.process(job);
    await worker.process({ ...job, attemptsMade: 1 });
    expect(seenNames(seen)).toEqual(['once']);
    expect(await t.services.db.prisma.stateTransition.count({ where: { aggregate: 'test', entityId: 'once' } })).toBe(1);
    expect(await t.services.db.prisma.processedMessage.count({ where: { messageId: 'msg-once' } })).toBe(1);
  });

  it('when a handler fails, then neither its effect nor its processed mark is kept, so the retry runs it again', async () => {
    const worker = recordingWorker([]);
    await expect(worker.process({ id: 'msg-fail', name: 'test.fails', data: { v: 1, data: {} }, attemptsMade: 0 })).rejects.toThrow('boom');
    expect(await t.services.db.prisma.processedMessage.count({ where: { messageId: 'msg-fail' } })).toBe(0);
    expect(await t.services.db.prisma.stateTransition.count({ where: { aggregate: 'test', entityId: 'fails' } })).toBe(0);
  });

  it('when a job has no handler, then it fails instead of being silently dropped', async () => {
    const worker = recordingWorker([]);
    await expect(worker.process({ id: 'msg-x', name: 'no.such.topic', data: { v: 1, data: {} }, attemptsMade: 0 })).rejects.toThrow(/No handler/);
  });

  it('when a message has another payload version, or a payload its schema refuses, then it fails without running and is not retried', async () => {
    const seen: Array<{ n: string }> = [];
    const worker = recordingWorker(seen);
    await expect(worker.process({ id: 'msg-v1', name: 'test.effect', data: { v: 1, data: { n: 'old' } }, attemptsMade: 0 })).rejects.toMatchObject({
      name: 'UnrecoverableError',
      message: expect.stringMatching(/version 1.*version 2/),
    });
    await expect(worker.process({ id: 'msg-bad', name: 'test.effect', data: { v: 2, data: { n: 7 } }, attemptsMade: 0 })).rejects.toMatchObject({
      name: 'UnrecoverableError',
      message: expect.stringMatching(/invalid payload/),
    });
    expect(seen).toEqual([]);
    expect(await t.services.db.prisma.processedMessage.count({ where: { messageId: { in: ['msg-v1', 'msg-bad'] } } })).toBe(0);
  });

  it('when work is staged with a payload its schema refuses, then the staging transaction fails and nothing is written', async () => {
    await expect(t.services.db.transaction(() => t.services.outbox.stage(effectJob, { n: 42 } as unknown as { n: string }))).rejects.toThrow();
    expect(await t.services.db.prisma.outboxMessage.count({ where: { topic: 'test.effect', payload: { path: ['data', 'n'], equals: 42 } } })).toBe(0);
  });

  it('when staged work is committed while no worker runs, then it waits in the queue and runs once a worker starts, under the trace id of the request that staged it', async () => {
    const { queuePrefix, redisUrl } = t.services.config;
    const queue = createQueue({ url: redisUrl, prefix: queuePrefix });
    // A W3C trace id (32 lowercase hex digits), as every request now has.
    const requestTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const seen: Array<{ n: string; traceId?: string }> = [];
    const worker = recordingWorker(seen);
    try {
      const id = await withTrace(requestTraceId, () => t.services.db.transaction(() => t.services.outbox.stage(effectJob, { n: 'late' })));
      const job = await eventually(() => queue.getJob(id), (found) => found !== undefined);
      expect(await job!.getState()).toBe('waiting');
      expect(seen).toEqual([]);
      worker.start({ url: redisUrl, prefix: queuePrefix }, 2);
      await eventually(async () => seenNames(seen), (s) => s.includes('late'));
      await eventually(async () => (await queue.getJob(id))!.getState(), (state) => state === 'completed');
      expect(seen.filter((s) => s.n === 'late')).toEqual([{ n: 'late', traceId: requestTraceId }]);
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
        { partnerId: 'gpay', requestId: 'hk-old', operation: 'x', fingerprint: 'f', httpStatus: 200, responseCiphertext: 'sealed', createdAt: daysAgo(31) },
        { partnerId: 'gpay', requestId: 'hk-young', operation: 'x', fingerprint: 'f', httpStatus: 200, responseCiphertext: 'sealed', createdAt: daysAgo(29) },
      ],
    });
    await db.processedMessage.createMany({ data: [{ handler: 'h', messageId: 'hk-old', processedAt: daysAgo(31) }, { handler: 'h', messageId: 'hk-young' }] });
    await db.outboxMessage.createMany({
      data: [
        { id: 'hk-published-old', topic: 't', payload: {}, publishedAt: daysAgo(8) },
        { id: 'hk-unpublished-old', topic: 't', payload: {}, availableAt: daysAgo(-365), createdAt: daysAgo(8) },
      ],
    });
    const deleted = await pruneExpired(t.services.jobStore);
    expect(deleted).toEqual({ idempotency: 1, processed: 1, outbox: 1 });
    expect((await db.idempotencyRecord.findMany({ where: { requestId: { startsWith: 'hk-' } } })).map((r) => r.requestId)).toEqual(['hk-young']);
    expect((await db.processedMessage.findMany({ where: { messageId: { startsWith: 'hk-' } } })).map((r) => r.messageId)).toEqual(['hk-young']);
    expect((await db.outboxMessage.findMany({ where: { id: { startsWith: 'hk-' } } })).map((r) => r.id)).toEqual(['hk-unpublished-old']);
  });
});

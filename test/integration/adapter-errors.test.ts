import { z } from 'zod';
import { createLogger } from '../../src/lib/logger';
import { defineJob } from '../../src/lib/jobs/job';
import { JobRegistry, JobWorker, createQueue } from '../../src/lib/jobs/queue';
import { AdapterError } from '../../src/lib/adapter-error';
import { TestApp, eventually, startTestApp } from '../support/test-app';

/**
 * The core honours an adapter's classification: a job whose outside call failed final is not tried again (sending
 * the same call would fail the same way); a retryable failure uses an attempt and is tried again with backoff.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: false });
});
afterAll(() => t.stop());

const runs = { final: 0, retryable: 0 };
const callsOutside = (kind: 'final' | 'retryable') =>
  defineJob({
    name: `test.adapter-${kind}`,
    version: 1,
    schema: z.object({}),
    transactional: false,
    handle: async () => {
      runs[kind]++;
      if (kind === 'final') throw new AdapterError('The rail answered HTTP 400 (INVALID_ACCOUNT)', { retryable: false, status: 400 });
      if (runs.retryable === 1) throw new AdapterError('The rail answered HTTP 503', { retryable: true, status: 503 });
    },
  });

describe('jobs and adapter errors', () => {
  it('when an outside call fails final, then its job fails at once; when it fails retryable, then the job is tried again and succeeds', async () => {
    const { queuePrefix, redisUrl } = t.services.config;
    const queue = createQueue({ url: redisUrl, prefix: queuePrefix });
    const worker = new JobWorker(t.services.db, t.services.jobStore, new JobRegistry().register(callsOutside('final'), undefined).register(callsOutside('retryable'), undefined), createLogger('silent'));
    try {
      await queue.add('test.adapter-final', { v: 1, data: {} }, { jobId: 'final-1' });
      await queue.add('test.adapter-retryable', { v: 1, data: {} }, { jobId: 'retryable-1' });
      worker.start({ url: redisUrl, prefix: queuePrefix }, 2);
      await eventually(async () => (await queue.getJob('retryable-1'))!.getState(), (state) => state === 'completed');
      await eventually(async () => (await queue.getJob('final-1'))!.getState(), (state) => state === 'failed');
      const failed = (await queue.getJob('final-1'))!;
      expect({ attemptsMade: failed.attemptsMade, reason: failed.failedReason, runs: runs.final }).toEqual({ attemptsMade: 1, reason: 'The rail answered HTTP 400 (INVALID_ACCOUNT) (final: not retried)', runs: 1 });
      expect({ attemptsMade: (await queue.getJob('retryable-1'))!.attemptsMade, runs: runs.retryable }).toEqual({ attemptsMade: 2, runs: 2 });
    } finally {
      await worker.stop();
      await queue.close();
    }
  });
});

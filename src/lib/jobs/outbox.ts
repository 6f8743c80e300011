import { randomUUID } from 'node:crypto';
import { UnitOfWork } from '../db/database';
import { currentTrace, traceToStore } from '../trace';
import { JobDefinition, JobEnvelope } from './job';
import { JobStoreRepository } from './job-store.repository';

/**
 * Stages work for the worker in the caller's transaction (transactional outbox). The payload is checked
 * against the job's schema here, so a bad payload fails the business transaction, not a later job. The relay
 * publishes committed rows to the queue; `onStaged` lets it do so at once after commit. The trace context of the
 * staging work (its `traceparent`, with `tracestate`) is stored with the message, and the worker continues it.
 */
export class Outbox {
  private listener: (() => void) | undefined;

  constructor(private readonly uow: UnitOfWork, private readonly store: JobStoreRepository) {}

  onStaged(listener: () => void): void {
    this.listener = listener;
  }

  async stage<P>(job: JobDefinition<P, never>, payload: P, options: { delayMs?: number } = {}): Promise<string> {
    const id = randomUUID();
    const envelope: JobEnvelope = { v: job.version, traceId: currentTrace()?.traceId, data: job.schema.parse(payload) };
    // The relay compares with the database's clock, so delays are from the real now.
    const availableAt = new Date(Date.now() + (options.delayMs ?? 0));
    await this.store.stage({ id, topic: job.name, payload: envelope, availableAt, trace: traceToStore() });
    this.uow.onCommit(() => this.listener?.());
    return id;
  }
}

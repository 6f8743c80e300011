import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client';
import { Database } from '../db/database';

/**
 * Stages work for the worker in the caller's transaction (transactional outbox). The relay publishes
 * committed rows to the queue; `onStaged` lets it do so at once after commit instead of at its next poll.
 */
export class Outbox {
  private listener: (() => void) | undefined;

  constructor(private readonly db: Database) {}

  onStaged(listener: () => void): void {
    this.listener = listener;
  }

  async stage(topic: string, payload: Prisma.InputJsonObject, options: { delayMs?: number } = {}): Promise<string> {
    const id = randomUUID();
    const availableAt = new Date(Date.now() + (options.delayMs ?? 0));
    await this.db.client.outboxMessage.create({ data: { id, topic, payload, availableAt } });
    this.db.onCommit(() => this.listener?.());
    return id;
  }
}

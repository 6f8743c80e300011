import { AsyncLocalStorage } from 'node:async_hooks';
import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

export type Tx = Prisma.TransactionClient;

/**
 * The Prisma client plus an ambient transaction. `transaction(fn)` opens one (or joins the one already open
 * on this async path), and `client` is whatever the current code should write through, so repositories
 * take part in the caller's unit of work without passing a handle around.
 */
export class Database {
  readonly prisma: PrismaClient;
  /**
   * A separate small pool for writes that must commit whatever the caller's transaction does. Taking them
   * from the main pool would starve it: every request can hold a main connection in its transaction while
   * it waits for a second one.
   */
  private readonly detachedPrisma: PrismaClient;
  private readonly ambient = new AsyncLocalStorage<{ tx: Tx; afterCommit: Array<() => void> }>();

  constructor(databaseUrl: string, poolSize = 10, detachedPoolSize = 4) {
    this.prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) });
    this.detachedPrisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: detachedPoolSize }) });
  }

  /** The open transaction on this async path, else the root client. */
  get client(): Tx {
    return this.ambient.getStore()?.tx ?? this.prisma;
  }

  get inTransaction(): boolean {
    return this.ambient.getStore() !== undefined;
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.ambient.getStore()) return fn();
    const afterCommit: Array<() => void> = [];
    const result = await this.prisma.$transaction((tx) => this.ambient.run({ tx, afterCommit }, fn), {
      maxWait: 10_000,
      timeout: 20_000,
    });
    for (const hook of afterCommit) hook();
    return result;
  }

  /** Runs `fn` outside any ambient transaction, on its own pool: a write that must survive the caller's rollback. */
  detached<T>(fn: (client: PrismaClient) => Promise<T>): Promise<T> {
    return this.ambient.exit(() => fn(this.detachedPrisma));
  }

  /** Runs `hook` once the current transaction commits (at once when there is none). */
  onCommit(hook: () => void): void {
    const store = this.ambient.getStore();
    if (store) store.afterCommit.push(hook);
    else hook();
  }

  async ping(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }

  async close(): Promise<void> {
    await Promise.all([this.prisma.$disconnect(), this.detachedPrisma.$disconnect()]);
  }
}

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

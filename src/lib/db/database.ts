import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Pool, QueryResultRow } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

export type Tx = Prisma.TransactionClient;
export type { PrismaClient };

/**
 * What a domain service needs of the database: a unit of work. Services never see the Prisma client;
 * repositories take part in the caller's transaction through the ambient context.
 */
export interface UnitOfWork {
  /** Runs `fn` in one transaction (or inside the one already open on this async path). */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `hook` once the current transaction commits (at once when there is none). */
  onCommit(hook: () => void): void;
  readonly inTransaction: boolean;
}

interface Ambient {
  tx: Tx;
  afterCommit: Array<() => void>;
}

/** One per process: whether the current async path is inside a transaction, whichever Database opened it. */
const ambient = new AsyncLocalStorage<Ambient>();

/** True while a database transaction is open on this async path. Outside-world adapters refuse to run then. */
export function isInTransaction(): boolean {
  return ambient.getStore() !== undefined;
}

/** Thrown when an outside-world call is attempted inside a database transaction (a programming error). */
export class OutsideCallInTransactionError extends Error {
  constructor(what: string) {
    super(`${what} was called inside a database transaction; record the intent, commit, then call`);
    this.name = 'OutsideCallInTransactionError';
  }
}

export function assertOutsideTransaction(what: string): void {
  if (isInTransaction()) throw new OutsideCallInTransactionError(what);
}

/** Prepared statements, named by the SQL's hash, so PostgreSQL plans each query shape once per connection. */
const statementName = (sql: string) => `s_${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`;

/**
 * The Prisma client on one pg pool, plus an ambient transaction. `transaction(fn)` opens one (or joins the
 * one already open on this async path), and `client` is whatever the current code should write through.
 */
export class Database implements UnitOfWork {
  readonly prisma: PrismaClient;
  private readonly pool: Pool;
  /**
   * A separate small pool for writes that must commit whatever the caller's transaction does. Taking them
   * from the main pool would starve it: every request can hold a main connection in its transaction while
   * it waits for a second one.
   */
  private readonly detachedPool: Pool;
  private readonly detachedPrisma: PrismaClient;

  constructor(databaseUrl: string, poolSize = 10, detachedPoolSize = 4) {
    this.pool = new Pool({ connectionString: databaseUrl, max: poolSize });
    this.detachedPool = new Pool({ connectionString: databaseUrl, max: detachedPoolSize });
    const options = { statementNameGenerator: (query: { sql: string }) => statementName(query.sql) };
    this.prisma = new PrismaClient({ adapter: new PrismaPg(this.pool, options) });
    this.detachedPrisma = new PrismaClient({ adapter: new PrismaPg(this.detachedPool, options) });
  }

  /** The open transaction on this async path, else the root client. For repositories only. */
  get client(): Tx {
    return ambient.getStore()?.tx ?? this.prisma;
  }

  get inTransaction(): boolean {
    return isInTransaction();
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (ambient.getStore()) return fn();
    const afterCommit: Array<() => void> = [];
    const result = await this.prisma.$transaction((tx) => ambient.run({ tx, afterCommit }, fn), { maxWait: 10_000, timeout: 20_000 });
    for (const hook of afterCommit) hook();
    return result;
  }

  /** Runs `fn` outside any ambient transaction, on its own pool: a write that must survive the caller's rollback. */
  detached<T>(fn: (client: PrismaClient) => Promise<T>): Promise<T> {
    return ambient.exit(() => fn(this.detachedPrisma));
  }

  onCommit(hook: () => void): void {
    const store = ambient.getStore();
    if (store) store.afterCommit.push(hook);
    else hook();
  }

  /**
   * One hand-written read as a named prepared statement, straight on the pool (outside any transaction):
   * for hot paths such as status polls, where one round trip answers the request.
   */
  async read<R extends QueryResultRow>(sql: string, values: unknown[]): Promise<R[]> {
    const result = await this.pool.query<R>({ name: statementName(sql), text: sql, values });
    return result.rows;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await Promise.all([this.prisma.$disconnect(), this.detachedPrisma.$disconnect()]);
    // end() resolves before the idle connections have closed, and $disconnect removed Prisma's error listener:
    // an error on one of them now (the server ending it) must not become an unhandled 'error' event.
    for (const pool of [this.pool, this.detachedPool]) pool.on('error', () => undefined);
    await Promise.all([this.pool.end(), this.detachedPool.end()]);
  }
}

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { DatabaseError, Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow, types as pgTypes } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

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
  connection: PoolClient;
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
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `s_${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`;
    if (statementNames.size < 10_000) statementNames.set(sql, name);
  }
  return name;
}

const INT8_OID = 20;
/** Hand-written queries read `bigint` columns (money in micros, ids) as JS bigint, never as a float or a string. */
const queryTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (value: string) => BigInt(value) : pgTypes.getTypeParser(oid, format as 'text')) as typeof pgTypes.getTypeParser,
};

/** pg's own pool methods, bypassing AmbientPool's routing. */
const poolQuery = Pool.prototype.query as unknown as <R extends QueryResultRow>(this: Pool, config: QueryConfig) => Promise<QueryResult<R>>;
const poolConnect = Pool.prototype.connect as unknown as (this: Pool) => Promise<PoolClient>;

/**
 * The pool the Prisma client runs on. Inside a unit of work its statements go to the transaction's
 * connection, so Prisma calls and hand-written statements in one transaction share it. Prisma never opens
 * a transaction of its own inside one (that would escape it): the repository must use one statement instead.
 */
class AmbientPool extends Pool {
  override query(...args: unknown[]): never {
    const connection = ambient.getStore()?.connection;
    const query = (connection ? connection.query : Pool.prototype.query) as (...a: unknown[]) => never;
    return query.apply(connection ?? this, args);
  }

  override connect(...args: unknown[]): never {
    if (ambient.getStore()) {
      throw new Error('A Prisma operation tried to open its own transaction inside a unit of work; write it as one statement');
    }
    return (Pool.prototype.connect as (...a: unknown[]) => unknown).apply(this, args) as never;
  }
}

/**
 * The database: a pg pool, the Prisma client on it, and the ambient unit of work. `transaction(fn)` opens a
 * transaction on one pooled connection (or joins the one already open on this async path); inside it, both
 * the Prisma client (`client`) and hand-written statements (`query`) run on that connection.
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

  constructor(databaseUrl: string, poolSize = 10, detachedPoolSize = 4) {
    const options = {
      connectionString: databaseUrl,
      connectionTimeoutMillis: 10_000,
      // A transaction left open by a stuck process must not hold its row locks for ever.
      idle_in_transaction_session_timeout: 30_000,
    };
    this.pool = new AmbientPool({ ...options, max: poolSize });
    this.detachedPool = new Pool({ ...options, max: detachedPoolSize });
    this.prisma = new PrismaClient({ adapter: new PrismaPg(this.pool, { statementNameGenerator: (query: { sql: string }) => statementName(query.sql) }) });
  }

  /** The Prisma client; inside a unit of work it writes through the transaction's connection. For repositories only. */
  get client(): PrismaClient {
    return this.prisma;
  }

  get inTransaction(): boolean {
    return isInTransaction();
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (ambient.getStore()) return fn();
    return this.run(this.pool, fn);
  }

  /**
   * Runs `fn` in a transaction of its own on the detached pool, outside any ambient transaction: writes that
   * must commit whatever the caller's transaction does (a wrong OTP guess is never rolled back).
   */
  independentTransaction<T>(fn: () => Promise<T>): Promise<T> {
    return ambient.exit(() => this.run(this.detachedPool, fn));
  }

  /** One statement committed on its own on the detached pool, whatever the caller's transaction does. */
  independentQuery<R extends QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    return ambient.exit(() => this.runQuery<R>(this.detachedPool, sql, values));
  }

  onCommit(hook: () => void): void {
    const store = ambient.getStore();
    if (store) store.afterCommit.push(hook);
    else hook();
  }

  /**
   * One hand-written statement as a named prepared statement: on the current transaction's connection, else
   * straight on the pool. For hot paths, where Prisma's per-call work would cost more than the round trip.
   * `bigint` columns come back as bigint, `timestamptz` as Date; parameters are bound as text.
   */
  query<R extends QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    return this.runQuery<R>(ambient.getStore()?.connection ?? this.pool, sql, values);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect();
    // end() resolves before the idle connections have closed, and $disconnect removed Prisma's error listener:
    // an error on one of them now (the server ending it) must not become an unhandled 'error' event.
    for (const pool of [this.pool, this.detachedPool]) pool.on('error', () => undefined);
    await Promise.all([this.pool.end(), this.detachedPool.end()]);
  }

  private async runQuery<R extends QueryResultRow>(on: Pool | PoolClient, sql: string, values: unknown[]): Promise<R[]> {
    const config = { name: statementName(sql), text: sql, values: values.map(toParameter), types: queryTypes };
    const result = on instanceof Pool ? await poolQuery.call<Pool, [QueryConfig], Promise<QueryResult<R>>>(on, config) : await on.query<R>(config);
    return result.rows;
  }

  private async run<T>(pool: Pool, fn: () => Promise<T>): Promise<T> {
    const connection = await poolConnect.call(pool);
    const afterCommit: Array<() => void> = [];
    let result: T;
    try {
      await connection.query('BEGIN');
      result = await ambient.run({ connection, afterCommit }, fn);
      await connection.query('COMMIT');
    } catch (err) {
      // A connection that cannot even roll back is broken: it is destroyed, not returned to the pool.
      const broken = await connection.query('ROLLBACK').then(() => undefined, (rollbackError: Error) => rollbackError);
      connection.release(broken);
      throw err;
    }
    connection.release();
    for (const hook of afterCommit) hook();
    return result;
  }
}

/** Dates go out as ISO instants (timestamptz columns), so the server's time zone never matters. */
function toParameter(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** A unique-key violation, whether the statement was Prisma's (P2002) or hand-written (SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientKnownRequestError) return err.code === 'P2002';
  return err instanceof DatabaseError && err.code === '23505';
}

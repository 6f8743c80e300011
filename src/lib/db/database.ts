import { AsyncLocalStorage } from 'node:async_hooks';
import { Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { Client, ClientConfig, DatabaseError, Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow, types as pgTypes } from 'pg';
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
  /** Runs `hook` once the current transaction has rolled back (never when there is none). */
  onRollback(hook: () => void): void;
  /**
   * Runs `fn` unless another process (or another path of this one) is running under the same `key`; then it
   * does not run `fn` and answers `{acquired: false}`. The claim lasts while `fn` runs and dies with its holder:
   * a process that is killed leaves nothing to wait for. For work that calls the outside world and must not be
   * done twice at once (a payout). Not a transaction: `fn` opens its own.
   */
  exclusively<T>(key: string, fn: () => Promise<T>): Promise<Exclusive<T>>;
  readonly inTransaction: boolean;
}

export type Exclusive<T> = { acquired: true; value: T } | { acquired: false };

/** How the database waits: bounds that turn an unreachable or silent PostgreSQL into a prompt error. */
export interface DatabaseOptions {
  /** Connections of the transaction pool. */
  poolSize?: number;
  /** Opening a connection fails after this long (an unreachable or silent PostgreSQL). */
  connectTimeoutMs?: number;
  /**
   * Waiting for a pooled connection while all are busy fails after this long. Longer than the connect bound:
   * a full pool under load is normal and must not turn into 503s.
   */
  poolWaitMs?: number;
  /**
   * A statement unanswered for this long fails, and its connection is dropped (the next use opens a new one).
   * Unset: statements wait as long as the network does.
   */
  queryTimeoutMs?: number;
  /** Connections that hold `exclusively` claims (one each, for as long as the claim lasts). */
  claimConnections?: number;
  /** Told each time a connection had to be waited for (every one of `pool` busy), with the wait in seconds. */
  onPoolWait?: (pool: 'transactions' | 'claims', seconds: number) => void;
}

/** A pool's clients right now: open, idle, and callers waiting for one. */
export interface PoolStats {
  pool: 'transactions' | 'claims';
  total: number;
  idle: number;
  waiting: number;
}

/**
 * A transaction open on one connection, in pg's pipeline mode: statements are sent without waiting for the
 * answers before them, and those sent in one turn of the event loop leave in one write (the socket is corked
 * until the turn ends). Writes whose answer the caller does not need (`write`) are not waited for at all;
 * the first failure among them fails the transaction when it ends (PostgreSQL then turns COMMIT into
 * ROLLBACK), and any later statement reports that failure rather than "transaction aborted".
 */
class OpenTransaction {
  readonly afterCommit: Array<() => void> = [];
  readonly afterRollback: Array<() => void> = [];
  private readonly pending: Array<Promise<void>> = [];
  private failure: unknown;
  /** Set by a long statement (Database.longQuery) in the transaction: its COMMIT (deferred checks included) may take as long. */
  commitTimeoutMs: number | undefined;

  constructor(readonly connection: PoolClient) {}

  send<R extends QueryResultRow>(statement: QueryConfig | string): Promise<QueryResult<R>> {
    corkForThisTurn(this.connection);
    return this.connection.query<R>(statement as QueryConfig);
  }

  async query<R extends QueryResultRow>(statement: QueryConfig | string): Promise<QueryResult<R>> {
    try {
      return await this.send<R>(statement);
    } catch (err) {
      throw this.failure ?? err;
    }
  }

  write(statement: QueryConfig | string, translate: ErrorTranslator = (err) => err): void {
    this.pending.push(
      this.send(statement).then(
        () => undefined,
        (err: unknown) => {
          this.failure ??= translate(err);
        },
      ),
    );
  }

  /** BEGIN leaves in the same write as the transaction's first statement; were it to fail, so does the transaction. */
  begin(): void {
    this.write('BEGIN');
  }

  /** COMMIT goes out right behind the pending writes; it commits only if every one of them succeeded. */
  async commit(): Promise<void> {
    const commit = this.send(this.commitTimeoutMs ? ({ text: 'COMMIT', query_timeout: this.commitTimeoutMs } as QueryConfig) : 'COMMIT');
    await Promise.all(this.pending);
    const result = await commit;
    if (this.failure) throw this.failure;
    if (result.command !== 'COMMIT') throw new Error(`The transaction ended with ${result.command}, not COMMIT`);
  }
}

/** Maps a failed write's database error to what the caller should see (a domain error, say). */
export type ErrorTranslator = (err: unknown) => unknown;

const corkedThisTurn = new WeakSet<Socket>();

/** Statements sent on this connection until the event loop's turn ends leave in one write. */
function corkForThisTurn(client: Client): void {
  const stream = (client as unknown as { connection?: { stream?: Socket } }).connection?.stream;
  if (!stream || corkedThisTurn.has(stream)) return;
  corkedThisTurn.add(stream);
  stream.cork();
  setImmediate(() => {
    corkedThisTurn.delete(stream);
    stream.uncork();
  });
}

/**
 * One connection in pipeline mode shared by concurrent callers, for single statements that commit on their
 * own: no pool round trip per statement, and the statements of many requests leave in one write. Reconnects
 * after an error.
 */
class SharedConnection {
  private client: Promise<Client> | undefined;

  constructor(private readonly config: ClientConfig) {}

  async query<R extends QueryResultRow>(statement: QueryConfig): Promise<QueryResult<R>> {
    const client = await (this.client ??= this.open());
    corkForThisTurn(client);
    return client.query<R>(statement);
  }

  async close(): Promise<void> {
    const client = await this.client?.catch(() => undefined);
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private open(): Promise<Client> {
    const client = new Client(this.config);
    const opened = client.connect().then(() => client);
    const forget = () => {
      if (this.client === opened) this.client = undefined;
    };
    client.on('error', forget);
    client.on('end', forget);
    opened.catch(forget);
    return opened;
  }
}

/** A few shared connections, used in turn. */
class SharedConnections {
  private readonly connections: SharedConnection[];
  private next = 0;

  constructor(count: number, config: ClientConfig) {
    this.connections = Array.from({ length: count }, () => new SharedConnection(config));
  }

  async rows<R extends QueryResultRow>(statement: QueryConfig): Promise<R[]> {
    return (await this.connections[this.next++ % this.connections.length].query<R>(statement)).rows;
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((connection) => connection.close()));
  }
}

/** One per process: the transaction open on the current async path, whichever Database opened it. */
const ambient = new AsyncLocalStorage<OpenTransaction>();

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

/** What runs as one outside-world call: its name (a port's method, e.g. `rail.transfer`) and the transactions it was refused. */
export interface OutsideCall {
  call: string;
  transactionsRefused: number;
}

/** One per process: the outside-world call running on this async path. */
const outsideCalls = new AsyncLocalStorage<OutsideCall>();

/** Thrown when a database transaction is opened during an outside-world call: it would hold a connection, and its locks, across the call. */
export class TransactionInOutsideCallError extends Error {
  constructor(readonly call: string) {
    super(`A database transaction was opened during the outside call ${call}; an adapter must not use the server's database`);
    this.name = 'TransactionInOutsideCallError';
  }
}

/**
 * Runs `fn`, the outside-world call `what`: refused when a transaction is open on this path
 * (OutsideCallInTransactionError, before `fn` runs), and while it runs no transaction may be opened on its path
 * (TransactionInOutsideCallError), counted in `record`. The composition root runs every port's calls through it.
 */
export function asOutsideCall<T>(what: string, fn: () => T, record: OutsideCall = { call: what, transactionsRefused: 0 }): T {
  assertOutsideTransaction(what);
  return outsideCalls.run(record, fn);
}

/**
 * For the adapter conformance kit, which has no database: runs `fn` as if a transaction were open on this path
 * (`isInTransaction()` is true), so that it can show a port's call being refused there. Nothing may query in it.
 */
export function asIfInTransaction<T>(fn: () => T): T {
  return ambient.run(Object.create(OpenTransaction.prototype) as OpenTransaction, fn);
}

const TRY_CLAIM = 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS acquired';
const END_CLAIM = 'SELECT pg_advisory_unlock(hashtextextended($1, 0))';

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
    const transaction = ambient.getStore();
    if (transaction && args.length === 1) return transaction.query(args[0] as QueryConfig) as never;
    const query = (transaction ? transaction.connection.query : Pool.prototype.query) as (...a: unknown[]) => never;
    return query.apply(transaction?.connection ?? this, args);
  }

  /** How long a connection is waited for while PostgreSQL refuses new ones as too many (0: not at all). */
  fullWaitMs = 0;

  override connect(...args: unknown[]): never {
    if (ambient.getStore()) {
      throw new Error('A Prisma operation tried to open its own transaction inside a unit of work; write it as one statement');
    }
    if (args.length > 0) return (Pool.prototype.connect as (...a: unknown[]) => unknown).apply(this, args) as never;
    return this.connectWhenRoom() as never;
  }

  /**
   * A connection, waiting while PostgreSQL is out of connections (53300: the role's CONNECTION LIMIT or the
   * server's max_connections): pg-pool fails a request as soon as the new connection it opens for it is refused,
   * though one of its own may come back a moment later. Here the request waits for one to come back (or tries
   * again every 100 ms), up to `fullWaitMs`; then the refusal stands (503).
   */
  async connectWhenRoom(): Promise<PoolClient> {
    const deadline = Date.now() + this.fullWaitMs;
    for (;;) {
      try {
        return await poolConnect.call(this);
      } catch (err) {
        const remaining = deadline - Date.now();
        if ((err as { code?: unknown })?.code !== '53300' || remaining <= 0) throw err;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.off('release', done);
            resolve();
          };
          const timer = setTimeout(done, Math.min(100, remaining));
          this.once('release', done);
        });
      }
    }
  }
}

/**
 * The database: a pg pool, the Prisma client on it, and the ambient unit of work. `transaction(fn)` opens a
 * transaction on one pooled connection (or joins the one already open on this async path); inside it, both
 * the Prisma client (`client`) and hand-written statements (`query`) run on that connection.
 */
export class Database implements UnitOfWork {
  readonly prisma: PrismaClient;
  private readonly pool: AmbientPool;
  /**
   * Where single statements that commit on their own go (`independentQuery`). Outside the transaction pool,
   * so a request holding a pooled connection never waits for a second one; several, because a connection
   * commits one statement at a time and each commit waits for its WAL flush (those of several are grouped).
   */
  private readonly independent: SharedConnections;
  /** Where lock-free reads outside any transaction go (`read`). */
  private readonly readers: SharedConnections;
  /** Connections that hold `exclusively` claims: session advisory locks, released when a connection closes. */
  private readonly claims: Pool;
  private readonly onPoolWait: NonNullable<DatabaseOptions['onPoolWait']>;

  constructor(databaseUrl: string, options: DatabaseOptions | number = {}) {
    const { poolSize = 10, connectTimeoutMs = 10_000, poolWaitMs = Math.max(connectTimeoutMs, 5_000), queryTimeoutMs, claimConnections = 10, onPoolWait = () => undefined } =
      typeof options === 'number' ? { poolSize: options } : options;
    this.onPoolWait = onPoolWait;
    // pg-pool bounds both the wait for a free connection and the opening of a new one by connectionTimeoutMillis;
    // its clients are made to give up opening sooner, on their own bound.
    class BoundedConnectClient extends Client {
      constructor(config?: ClientConfig) {
        super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
      }
    }
    const connection = {
      connectionString: databaseUrl,
      connectionTimeoutMillis: connectTimeoutMs,
      query_timeout: queryTimeoutMs,
      // A peer that vanished without closing (a host lost, a network cut) is noticed by the OS, not only by a timeout.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      // A transaction left open by a stuck process must not hold its row locks for ever.
      idle_in_transaction_session_timeout: 30_000,
    };
    // pg's pipeline mode: a transaction's statements need not wait for each other's answers (see OpenTransaction).
    // A statement that times out there drops its connection, so the statements behind it fail at once too.
    const pipelined = { ...connection, pipeline: true };
    const pooled = { connectionTimeoutMillis: poolWaitMs, Client: BoundedConnectClient };
    const pool = new AmbientPool({ ...pipelined, ...pooled, max: poolSize });
    pool.fullWaitMs = poolWaitMs;
    // Every request waiting for room while PostgreSQL is out of connections listens for a release (connectWhenRoom).
    pool.setMaxListeners(0);
    this.pool = pool;
    // An idle connection that fails (the server restarts, the network drops) is removed by the pool; the
    // process must not end over it, whether Prisma has attached its own listener yet or not.
    this.pool.on('error', () => undefined);
    this.independent = new SharedConnections(2, pipelined);
    this.readers = new SharedConnections(2, pipelined);
    this.claims = new Pool({ ...connection, ...pooled, max: claimConnections });
    this.claims.on('error', () => undefined);
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
    const call = outsideCalls.getStore();
    if (call) {
      call.transactionsRefused++;
      return Promise.reject(new TransactionInOutsideCallError(call.call));
    }
    return this.run(fn);
  }

  /**
   * One statement that commits on its own, whatever the caller's transaction does, on a connection shared in
   * pipeline mode. Only for short statements that wait on no lock a transaction could hold for long.
   */
  independentQuery<R extends QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    return this.independent.rows<R>(statementOf(sql, values));
  }

  onCommit(hook: () => void): void {
    const store = ambient.getStore();
    if (store) store.afterCommit.push(hook);
    else hook();
  }

  onRollback(hook: () => void): void {
    ambient.getStore()?.afterRollback.push(hook);
  }

  /**
   * One hand-written statement as a named prepared statement: on the current transaction's connection, else
   * straight on the pool. For hot paths, where Prisma's per-call work would cost more than the round trip.
   * `bigint` columns come back as bigint, `timestamptz` as Date; parameters are bound as text.
   */
  query<R extends QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    return this.runQuery<R>(ambient.getStore() ?? this.pool, sql, values);
  }

  /**
   * `query` for a batch statement that may run long (the close of business over every loan): it waits up to
   * `timeoutMs` instead of the pool's query timeout (DATABASE_QUERY_TIMEOUT_MS, sized for requests).
   */
  longQuery<R extends QueryResultRow>(sql: string, values: unknown[], timeoutMs: number): Promise<R[]> {
    const transaction = ambient.getStore();
    if (transaction) transaction.commitTimeoutMs = Math.max(transaction.commitTimeoutMs ?? 0, timeoutMs);
    return this.runQuery<R>(transaction ?? this.pool, sql, values, timeoutMs);
  }

  /**
   * A read that takes no lock, outside any transaction (a status poll, say), on connections shared in
   * pipeline mode: the reads of many concurrent requests leave in one write and need no pool round trip.
   * Inside a transaction it is an ordinary `query` on the transaction's connection.
   */
  read<R extends QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    const transaction = ambient.getStore();
    return transaction ? this.runQuery<R>(transaction, sql, values) : this.readers.rows<R>(statementOf(sql, values));
  }

  /**
   * A write whose answer the caller does not need (an insert of a new row, an update by primary key, a
   * conditional write that raises through `require_row`). Inside a transaction it is pipelined and not waited
   * for: if it fails, the transaction fails when it ends, with the error `translate` makes of the database's.
   * Outside one it runs (and fails) at once.
   */
  async write(sql: string, values: unknown[] = [], translate: ErrorTranslator = (err) => err): Promise<void> {
    const transaction = ambient.getStore();
    if (transaction) {
      transaction.write(statementOf(sql, values), translate);
      return;
    }
    try {
      await this.runQuery(this.pool, sql, values);
    } catch (err) {
      throw translate(err);
    }
  }

  async exclusively<T>(key: string, fn: () => Promise<T>): Promise<Exclusive<T>> {
    const connection = await this.connectTo(this.claims, 'claims');
    // A claim's connection may die while `fn` runs (the server restarts): that ends the claim, not the process.
    const ignore = () => undefined;
    connection.on('error', ignore);
    let broken: Error | undefined;
    try {
      const { rows } = await connection.query<{ acquired: boolean }>(TRY_CLAIM, [key]).catch((err: Error) => {
        broken = err;
        throw err;
      });
      if (!rows[0].acquired) return { acquired: false };
      try {
        return { acquired: true, value: await fn() };
      } finally {
        // Should the release fail, the connection is dropped, which ends the claim all the same.
        await connection.query(END_CLAIM, [key]).catch((err: Error) => (broken = err));
      }
    } finally {
      connection.off('error', ignore);
      connection.release(broken);
    }
  }

  /** The pools' clients right now (for the metrics read at each scrape). */
  poolStats(): PoolStats[] {
    return ([['transactions', this.pool], ['claims', this.claims]] as const).map(([pool, p]) => ({ pool, total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount }));
  }

  /** A pooled connection; a wait for it (every connection busy) is reported to `onPoolWait`. */
  private async connectTo(pool: Pool, name: 'transactions' | 'claims'): Promise<PoolClient> {
    const connect = () => (pool instanceof AmbientPool ? pool.connectWhenRoom() : poolConnect.call(pool));
    const full = pool.idleCount === 0 && pool.totalCount >= (pool.options.max ?? 10);
    if (!full) return connect();
    const started = process.hrtime.bigint();
    try {
      return await connect();
    } finally {
      this.onPoolWait(name, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect();
    await Promise.all([this.pool.end(), this.independent.close(), this.readers.close(), this.claims.end()]);
  }

  private async runQuery<R extends QueryResultRow>(on: Pool | OpenTransaction, sql: string, values: unknown[], timeoutMs?: number): Promise<R[]> {
    const statement: QueryConfig & { query_timeout?: number } = { ...statementOf(sql, values), ...(timeoutMs ? { query_timeout: timeoutMs } : {}) };
    const result = on instanceof Pool ? await poolQuery.call<Pool, [QueryConfig], Promise<QueryResult<R>>>(on, statement) : await on.query<R>(statement);
    return result.rows;
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    const transaction = new OpenTransaction(await this.connectTo(this.pool, 'transactions'));
    // The connection's failure reaches the statements in flight; as an event it must not end the process.
    const ignore = () => undefined;
    transaction.connection.on('error', ignore);
    let result: T;
    try {
      transaction.begin();
      result = await ambient.run(transaction, fn);
      await transaction.commit();
    } catch (err) {
      // A connection that cannot even roll back is broken: it is destroyed, not returned to the pool.
      const broken = await transaction.connection.query('ROLLBACK').then(() => undefined, (rollbackError: Error) => rollbackError);
      transaction.connection.off('error', ignore);
      transaction.connection.release(broken);
      for (const hook of transaction.afterRollback) hook();
      throw err;
    }
    transaction.connection.off('error', ignore);
    transaction.connection.release();
    for (const hook of transaction.afterCommit) hook();
    return result;
  }
}

function statementOf(sql: string, values: unknown[]): QueryConfig {
  return { name: statementName(sql), text: sql, values: values.map(toParameter), types: queryTypes };
}

/** Dates go out as ISO instants (timestamptz columns), so the server's time zone never matters. */
function toParameter(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** The SQLSTATE of a failed hand-written statement (`require_row` raises codes of class CP), else undefined. */
export function sqlStateOf(err: unknown): string | undefined {
  return err instanceof DatabaseError ? err.code : undefined;
}

/** A unique-key violation, whether the statement was Prisma's (P2002) or hand-written (SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientKnownRequestError) return err.code === 'P2002';
  return err instanceof DatabaseError && err.code === '23505';
}

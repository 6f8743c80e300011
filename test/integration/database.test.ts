import net from 'node:net';
import { Database } from '../../src/lib/db/database';
import { createTestDatabase } from '../support/databases';

describe('the database unit of work', () => {
  let created: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  beforeAll(async () => {
    created = await createTestDatabase();
    db = new Database(created.url, 3);
  });
  afterAll(async () => {
    await db.close();
    await created.drop();
  });

  it('when every pooled connection is held by a transaction that needs an independent write, then all of them still complete', async () => {
    const work = Array.from({ length: 8 }, (_, i) =>
      db.transaction(async () => {
        await db.query(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('pool', $1, 'A')`, [`tx-${i}`]);
        await db.independentQuery(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('pool', $1, 'B')`, [`detached-${i}`]);
      }),
    );
    const results = await Promise.allSettled(work);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await db.prisma.stateTransition.count({ where: { aggregate: 'pool' } })).toBe(16);
  });

  it('when the transaction rolls back, then its writes (Prisma and hand-written alike) are gone but its independent writes stay', async () => {
    await expect(
      db.transaction(async () => {
        await db.client.stateTransition.create({ data: { aggregate: 'rollback', entityId: 'inside', toState: 'A' } });
        await db.independentQuery(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('rollback', 'detached', 'B')`);
        throw new Error('business failure');
      }),
    ).rejects.toThrow('business failure');
    const rows = await db.prisma.stateTransition.findMany({ where: { aggregate: 'rollback' } });
    expect(rows.map((r) => r.entityId)).toEqual(['detached']);
  });

  it('when transactions nest, then the inner one joins the outer and after-commit hooks run once, after the commit', async () => {
    const seen: string[] = [];
    await db.transaction(async () => {
      await db.transaction(async () => {
        db.onCommit(() => seen.push('hook'));
        seen.push('inner');
      });
      seen.push('outer');
    });
    expect(seen).toEqual(['inner', 'outer', 'hook']);
    const failed: string[] = [];
    await db.transaction(async () => {
      db.onCommit(() => failed.push('hook'));
      throw new Error('no');
    }).catch(() => undefined);
    expect(failed).toEqual([]);
  });

  it('when a pipelined write fails, then the transaction fails with its translated error, and nothing of it is committed', async () => {
    class Refused extends Error {}
    await expect(
      db.transaction(async () => {
        await db.write(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('pipelined', 'before', 'A')`);
        await db.write(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('pipelined', NULL, 'A')`, [], (err) =>
          (err as { code?: string }).code === '23502' ? new Refused('entity id missing') : err,
        );
        await db.write(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('pipelined', 'after', 'A')`);
      }),
    ).rejects.toThrow(Refused);
    expect(await db.query(`SELECT 1 FROM state_transition WHERE aggregate = 'pipelined'`)).toEqual([]);
  });

  it('when a statement follows a failed pipelined write, then it reports that failure, not "transaction aborted"', async () => {
    const failure = db.transaction(async () => {
      await db.write(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('masked', NULL, 'A')`);
      await db.query(`SELECT 1`);
    });
    await expect(failure).rejects.toMatchObject({ code: '23502' });
  });

  it('when require_row finds no row, then it raises its own SQLSTATE, which fails the transaction', async () => {
    await expect(
      db.transaction(() => db.write(`SELECT require_row(EXISTS (SELECT 1 FROM state_transition WHERE aggregate = 'nowhere'), 'CP002', 'no such row')`)),
    ).rejects.toMatchObject({ code: 'CP002' });
    await expect(db.transaction(() => db.write(`SELECT require_row(true, 'CP002', 'never raised')`))).resolves.toBeUndefined();
  });

  it('when Prisma and hand-written statements share a transaction, then both see each other and commit together', async () => {
    await db.transaction(async () => {
      await db.client.stateTransition.create({ data: { aggregate: 'shared', entityId: 'prisma', toState: 'A' } });
      await db.write(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('shared', 'sql', 'A')`);
      const seen = await db.client.stateTransition.count({ where: { aggregate: 'shared' } });
      expect(seen).toBe(2);
    });
    expect(await db.query(`SELECT entity_id AS "entityId" FROM state_transition WHERE aggregate = 'shared' ORDER BY entity_id`)).toEqual([{ entityId: 'prisma' }, { entityId: 'sql' }]);
  });

  it('when a Prisma call would open a transaction of its own inside a unit of work, then it is refused instead of escaping it', async () => {
    await expect(db.transaction(() => db.client.$transaction(async () => undefined))).rejects.toThrow(/own transaction inside a unit of work/);
  });

  it('when the transaction rolls back, then an independent statement made inside it stays, and reads see committed rows only', async () => {
    await db
      .transaction(async () => {
        await db.write(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('independent', 'inside', 'A')`);
        await db.independentQuery(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('independent', 'outside', 'B')`);
        throw new Error('business failure');
      })
      .catch(() => undefined);
    expect(await db.read(`SELECT entity_id AS "entityId" FROM state_transition WHERE aggregate = 'independent'`)).toEqual([{ entityId: 'outside' }]);
  });

  it('reads bigint columns as bigint, and a Date parameter comes back as the same instant', async () => {
    const [row] = await db.read<{ big: bigint; at: Date }>(`SELECT 9007199254740993::bigint AS big, '2026-01-02T03:04:05.678Z'::timestamptz AS at`);
    expect(row.big).toBe(9007199254740993n);
    expect(row.at.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    const [echoed] = await db.query<{ at: Date }>(`SELECT $1::timestamptz AS at`, [new Date('2026-05-06T07:08:09.010Z')]);
    expect(echoed.at.toISOString()).toBe('2026-05-06T07:08:09.010Z');
  });

  it('when many transactions run at once, then each one\'s pipelined statements stay in it (no cross-talk through corked sockets)', async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        db
          .transaction(async () => {
            await db.write(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('many', $1, 'A')`, [`tx-${i}`]);
            await db.write(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('many', $1, 'B')`, [`tx-${i}`]);
            if (i % 3 === 0) throw new Error('roll back');
          })
          .catch(() => undefined),
      ),
    );
    const rows = await db.query<{ entityId: string; n: bigint }>(`SELECT entity_id AS "entityId", count(*) AS n FROM state_transition WHERE aggregate = 'many' GROUP BY entity_id`);
    expect(rows).toHaveLength(20);
    expect(rows.every((row) => row.n === 2n && Number(row.entityId.slice(3)) % 3 !== 0)).toBe(true);
  });

  it('when every pooled connection is busy for longer than the connect bound, then a transaction waits for one instead of failing', async () => {
    const bounded = new Database(created.url, { poolSize: 1, connectTimeoutMs: 100, poolWaitMs: 5_000 });
    try {
      const holder = bounded.transaction(async () => {
        await bounded.query('SELECT pg_sleep(0.4)');
        return 'held';
      });
      const waiter = bounded.transaction(async () => (await bounded.query<{ one: number }>('SELECT 1 AS one'))[0].one);
      await expect(Promise.all([holder, waiter])).resolves.toEqual(['held', 1]);
    } finally {
      await bounded.close();
    }
  });

  it('when PostgreSQL cannot be reached, then opening a connection fails within the connect bound, not the pool wait', async () => {
    // A server that accepts connections and never says a word: a PostgreSQL that hangs.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const unreachable = new Database(`postgresql://postgres@127.0.0.1:${port}/none`, { poolSize: 1, connectTimeoutMs: 300, poolWaitMs: 10_000 });
    const started = Date.now();
    try {
      await expect(unreachable.transaction(async () => unreachable.query('SELECT 1'))).rejects.toThrow(/timeout/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await unreachable.close();
      silent.close();
    }
  });
});

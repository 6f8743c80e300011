import { Database } from '../../src/lib/db/database';
import { createTestDatabase } from '../support/databases';

describe('the database unit of work', () => {
  let created: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  beforeAll(async () => {
    created = await createTestDatabase();
    db = new Database(created.url, 3, 2);
  });
  afterAll(async () => {
    await db.close();
    await created.drop();
  });

  it('when every pooled connection is held by a transaction that needs an independent write, then all of them still complete', async () => {
    const work = Array.from({ length: 8 }, (_, i) =>
      db.transaction(async () => {
        await db.query(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('pool', $1, 'A')`, [`tx-${i}`]);
        await db.independentTransaction(() => db.query(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('pool', $1, 'B')`, [`detached-${i}`]));
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
        await db.independentTransaction(() => db.query(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('rollback', 'detached', 'B')`));
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
});

import { Client } from 'pg';
import { MigrationError, ensureDatabase, migrate, readMigrations } from '../../src/lib/db/migrate';
import { databaseUrl, dropDatabase } from '../support/databases';
import { randomBytes } from 'node:crypto';

const created: string[] = [];
const freshName = () => {
  const name = `cp_t_${randomBytes(6).toString('hex')}`;
  created.push(name);
  return name;
};
afterAll(async () => {
  for (const name of created) await dropDatabase(name);
});

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the migration runner', () => {
  it('when the database does not exist, then ensureDatabase creates it and migrate applies every migration once, recorded like Prisma does', async () => {
    const url = databaseUrl(freshName());
    await ensureDatabase(url);
    await ensureDatabase(url);
    const applied = await migrate(url);
    expect(applied).toEqual(readMigrations().map((m) => m.name));
    expect(await migrate(url)).toEqual([]);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(url, 'SELECT migration_name, checksum, finished_at FROM _prisma_migrations');
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(readMigrations().map((m) => [m.name, m.checksum]));
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    const products = await query<{ id: string }>(url, 'SELECT id FROM product');
    expect(products.map((p) => p.id)).toEqual(['PERSONAL_LOAN']);
  });

  it('when three processes migrate at once, then each migration is applied exactly once', async () => {
    const url = databaseUrl(freshName());
    await ensureDatabase(url);
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    expect(results.flat()).toEqual(readMigrations().map((m) => m.name));
  });

  it('when an applied migration was edited, then migrate refuses to run', async () => {
    const url = databaseUrl(freshName());
    await ensureDatabase(url);
    await migrate(url);
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m));
    await expect(migrate(url, edited)).rejects.toThrow(MigrationError);
    await expect(migrate(url, edited)).rejects.toThrow(/edited after it was applied/);
  });

  it('when an applied migration is missing on disk, then migrate refuses to run', async () => {
    const url = databaseUrl(freshName());
    await ensureDatabase(url);
    await migrate(url);
    await expect(migrate(url, [])).rejects.toThrow(/missing on disk/);
  });

  it('when a migration fails half-way, then none of it is applied and it is not recorded', async () => {
    const url = databaseUrl(freshName());
    await ensureDatabase(url);
    await migrate(url);
    const broken = { name: '29990101000000_broken', sql: 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table;', checksum: 'x'.repeat(64) };
    await expect(migrate(url, [...readMigrations(), broken])).rejects.toThrow(/29990101000000_broken failed/);
    expect(await query(url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'")).toHaveLength(0);
    expect(await query(url, "SELECT 1 FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'")).toHaveLength(0);
  });
});

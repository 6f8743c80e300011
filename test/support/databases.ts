import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { readMigrations } from '../../src/lib/db/migrate';

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The migrated template every test database is copied from; its name changes when the migrations do. */
export function templateName(): string {
  const digest = createHash('sha256');
  for (const m of readMigrations()) digest.update(m.name).update(m.checksum);
  return `cp_tpl_${digest.digest('hex').slice(0, 12)}`;
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database for one test file, copied from the migrated template. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `cp_t_${randomBytes(6).toString('hex')}`;
  const template = templateName();
  await admin(async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (err) {
        // 55006: the template is briefly in use by another CREATE DATABASE; try again.
        if ((err as { code?: string }).code !== '55006' || attempt > 50) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  });
  return {
    name,
    url: databaseUrl(name),
    drop: () => admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}

export async function dropDatabase(name: string): Promise<void> {
  await admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
}

/** Runs one statement on the database at `url` over a connection of its own (for tests that stand beside the app). */
export async function queryDatabase<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A login role of its own on the database at `url` (read and write on every table), so that a test can fill its
 * connections up: `url` is the database's URL as that role; `connectionsHeld` counts its open connections;
 * `limitConnections(n)` sets its CONNECTION LIMIT (with `terminate`, its open connections are cut too).
 */
export async function createLimitedRole(url: string, prefix: string): Promise<{
  url: string;
  connectionsHeld(): Promise<number>;
  limitConnections(limit: number, options?: { terminate: boolean }): Promise<void>;
  drop(): Promise<void>;
}> {
  const role = `${prefix}_${randomBytes(4).toString('hex')}`;
  const asRole = new URL(url);
  const database = asRole.pathname.slice(1);
  await queryDatabase(ADMIN_URL, `CREATE ROLE ${role} LOGIN; GRANT CONNECT ON DATABASE "${database}" TO ${role}; GRANT pg_read_all_data, pg_write_all_data TO ${role}`);
  await queryDatabase(databaseUrl(database), `GRANT USAGE ON SCHEMA public TO ${role}`);
  asRole.username = role;
  return {
    url: asRole.toString(),
    connectionsHeld: async () => {
      const [{ held }] = await queryDatabase<{ held: string }>(ADMIN_URL, `SELECT count(*)::text AS held FROM pg_stat_activity WHERE usename = '${role}'`);
      return Number(held);
    },
    limitConnections: async (limit, options) => {
      const terminate = options?.terminate ? `; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'` : '';
      await queryDatabase(ADMIN_URL, `ALTER ROLE ${role} CONNECTION LIMIT ${limit}${terminate}`);
    },
    drop: () => queryDatabase(ADMIN_URL, `DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`).then(() => undefined, () => undefined),
  };
}

/** Every column of every table, each value cast to text: `table.column → values`. */
export async function everyColumn(databaseUrl: string): Promise<Map<string, string[]>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: columns } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position`,
    );
    const found = new Map<string, string[]>();
    for (const { table_name, column_name, data_type } of columns) {
      const asText = data_type === 'bytea' ? `encode("${column_name}", 'escape')` : `"${column_name}"::text`;
      const { rows } = await client.query<{ v: string | null }>(`SELECT ${asText} AS v FROM "${table_name}"`);
      found.set(`${table_name}.${column_name}`, rows.map((row) => row.v).filter((v): v is string => v !== null));
    }
    return found;
  } finally {
    await client.end();
  }
}

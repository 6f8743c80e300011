import { Client } from 'pg';
import { ensureDatabase, migrate } from '../../src/lib/db/migrate';
import { ADMIN_URL, databaseUrl, templateName } from './databases';

/** Once per run: build the migrated template database (with the project's own migration runner). */
export default async function globalSetup(): Promise<void> {
  const name = templateName();
  const url = databaseUrl(name);
  await ensureDatabase(url);
  await migrate(url);
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    // Old templates and test databases left by killed runs (older than an hour) are removed.
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE (datname LIKE 'cp_tpl_%' AND datname <> $1)
         OR (datname LIKE 'cp_t_%' AND (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 hour')`,
      [name],
    ).catch(() => ({ rows: [] as Array<{ datname: string }> }));
    for (const row of rows) await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`).catch(() => undefined);
  } finally {
    await client.end();
  }
}

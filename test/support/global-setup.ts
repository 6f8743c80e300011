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
    // Templates and test databases left by other or killed runs, once older than an hour, are removed (a younger
    // template may belong to a run going on beside this one, in another checkout with other migrations).
    const { rows } = await client.query<{ datname: string }>(
      // In LIKE, `_` matches any character: escaped, so that `cp_t_%` cannot match the current template `cp_tpl_…`.
      `SELECT datname FROM pg_database WHERE datname <> $1 AND (datname LIKE 'cp\\_tpl\\_%' OR datname LIKE 'cp\\_t\\_%')
         AND (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 hour'`,
      [name],
    ).catch(() => ({ rows: [] as Array<{ datname: string }> }));
    for (const row of rows) await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`).catch(() => undefined);
  } finally {
    await client.end();
  }
}

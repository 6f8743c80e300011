import { randomBytes } from 'node:crypto';
import { ensureDatabase, migrate, readMigrations } from '../../src/lib/db/migrate';
import { databaseUrl, dropDatabase, queryDatabase } from '../support/databases';

/**
 * The partner protocol migration on a database that already has partners: every OCEN partner spoke OCEN 4.0 and
 * reads OCEN_4 afterwards, GPAY partners are untouched, and OCEN_3 can be stored; OCEN is no longer a value.
 */

const MIGRATION = '20261208000000_partner_protocol_versions';
let url: string;
const name = `cp_t_${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  url = databaseUrl(name);
  await ensureDatabase(url);
  const all = readMigrations();
  const mine = all.findIndex((m) => m.name === MIGRATION);
  expect(mine).toBeGreaterThan(0);
  await migrate(url, all.slice(0, mine));
  await queryDatabase(url, `
    INSERT INTO partner (id, display_name, protocol, updated_at) VALUES ('agent-1', 'Agent', 'OCEN', now()), ('pay-1', 'Pay', 'GPAY', now());
  `);
  await migrate(url, all);
});

afterAll(() => dropDatabase(name));

it('when migrated, then OCEN partners are OCEN_4 and GPAY partners unchanged', async () => {
  const rows = await queryDatabase<{ id: string; protocol: string }>(url, 'SELECT id, protocol::text AS protocol FROM partner ORDER BY id');
  expect(rows).toEqual([{ id: 'agent-1', protocol: 'OCEN_4' }, { id: 'pay-1', protocol: 'GPAY' }]);
});

it('when an OCEN v3 partner is stored, then OCEN_3 is accepted and OCEN is not a value any more', async () => {
  await queryDatabase(url, `INSERT INTO partner (id, display_name, protocol, updated_at) VALUES ('lsp-1', 'LSP', 'OCEN_3', now())`);
  await expect(queryDatabase(url, `INSERT INTO partner (id, display_name, protocol, updated_at) VALUES ('old-1', 'Old', 'OCEN', now())`)).rejects.toThrow(/invalid input value for enum/);
});

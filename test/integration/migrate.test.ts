import { MigrationError, ensureDatabase, migrate, readMigrations } from '../../src/lib/db/migrate';
import { databaseUrl, dropDatabase, queryDatabase } from '../support/databases';
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

const query = queryDatabase;

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

  it('when the database holds clear secrets from before no_secrets_at_rest, then that migration applies and none is left: answers deleted, loans and consent records kept', async () => {
    const url = databaseUrl(freshName());
    await ensureDatabase(url);
    const all = readMigrations();
    const at = all.findIndex((m) => m.name.endsWith('_no_secrets_at_rest'));
    expect(at).toBeGreaterThan(0);
    await migrate(url, all.slice(0, at));
    await query(
      url,
      `INSERT INTO partner (id, display_name, protocol, updated_at) VALUES ('gpay', 'gpay', 'GPAY', now());
       INSERT INTO application (id, partner_id, external_reference, lender_reference, product_id, phone_hash, pan_hash, pan_last4, applicant_ciphertext,
         loan_purpose, requested_amount_micros, ckyc_id, approval_state, application_state, updated_at)
       VALUES ('app-1', 'gpay', 'GAPP-1', 'PA1', 'PERSONAL_LOAN', 'h', 'h', '1234', 'sealed', 'MEDICAL', 1, '50123456789012', 'APPROVED', 'DISBURSED', now());
       INSERT INTO loan_account (id, account_token, application_id, state, sanctioned_micros, disbursed_micros, interest_rate_e5, tenure_months, emi_micros,
         outstanding_principal_micros, disbursement_reference, disbursed_at, updated_at)
       VALUES ('loan-1', 'acct_clear_token', 'app-1', 'ACTIVE', 1, 1, 1, 1, 1, 1, 'DSB1', now(), now());
       INSERT INTO ckyc_search (id, partner_id, external_reference, pan_hash, ckyc_id, consent_version) VALUES ('search-1', 'gpay', 'GAPP-1', 'h', '50123456789012', 'v1');
       INSERT INTO idempotency_record (partner_id, request_id, operation, fingerprint, http_status, response_body)
       VALUES ('gpay', 'r-1', 'initiateRepaymentSetup', 'f', 200, '{"data":{"urlToken":"clear-url-token","authCode":"clear-auth-code"}}');`,
    );

    expect(await migrate(url)).toEqual(all.slice(at).map((m) => m.name));

    const dump = JSON.stringify(
      await Promise.all(['application', 'loan_account', 'ckyc_search', 'idempotency_record'].map((table) => query(url, `SELECT * FROM ${table}`))),
    );
    for (const secret of ['50123456789012', 'acct_clear_token', 'clear-url-token', 'clear-auth-code']) expect(dump).not.toContain(secret);
    expect(await query(url, 'SELECT count(*)::int AS n FROM idempotency_record')).toEqual([{ n: 0 }]);
    expect(await query(url, 'SELECT id, account_token_hash, account_token_ciphertext FROM loan_account')).toEqual([
      { id: 'loan-1', account_token_hash: null, account_token_ciphertext: null },
    ]);
    expect(await query(url, 'SELECT id, consent_version, ckyc_id_hash FROM ckyc_search')).toEqual([{ id: 'search-1', consent_version: 'v1', ckyc_id_hash: null }]);
    expect(await query(url, 'SELECT id, ckyc_id_hash FROM application')).toEqual([{ id: 'app-1', ckyc_id_hash: null }]);
  });
});

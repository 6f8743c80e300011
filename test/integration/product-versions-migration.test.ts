import { randomBytes } from 'node:crypto';
import { ensureDatabase, migrate, readMigrations } from '../../src/lib/db/migrate';
import { databaseUrl, dropDatabase, queryDatabase } from '../support/databases';

/**
 * The product-versions migration on a database that already has products, an offer and a loan: every product's
 * terms become its version 1 (with the documented defaults), the offer and the loan pin version 1, and no fee
 * already quoted changes (the fee maximum is never below the fee at the product's maximum amount).
 */

const MIGRATION = '20261209000000_product_versions';
const name = `cp_t_${randomBytes(6).toString('hex')}`;
const url = databaseUrl(name);
const run = <T extends Record<string, unknown>>(sql: string) => queryDatabase<T>(url, sql);

beforeAll(async () => {
  await ensureDatabase(url);
  const all = readMigrations();
  const mine = all.findIndex((m) => m.name === MIGRATION);
  expect(mine).toBeGreaterThan(0);
  await migrate(url, all.slice(0, mine));
  // BIG: 3% of up to ₹10,00,000, a fee of up to ₹30,000, above the default maximum of ₹10,000.
  await run(`
    INSERT INTO product (id, name, min_amount_micros, max_amount_micros, amount_step_micros, min_tenure_months, max_tenure_months,
      tenure_step_months, processing_fee_rate_e5, processing_fee_min_micros, gst_rate_e5, offer_validity_hours)
      VALUES ('BIG', 'Big loan', 10000000000, 1000000000000, 5000000000, 12, 60, 12, 300000, 1000000000, 1800000, 48);
    INSERT INTO partner (id, display_name, protocol, updated_at) VALUES ('p1', 'P1', 'OCEN_4', now());
    INSERT INTO application (id, partner_id, external_reference, lender_reference, product_id, phone_hash, pan_hash, pan_last4, applicant_ciphertext,
      loan_purpose, requested_amount_micros, approval_state, application_state, updated_at) VALUES
      ('a1', 'p1', 'ext-1', 'PA1', 'PERSONAL_LOAN', 'h', 'h', '1234', 'x', 'OTHER', 100000000000, 'APPROVED', 'DISBURSED', now()),
      ('a2', 'p1', 'ext-2', 'PA2', 'BIG', 'h', 'h', '1234', 'x', 'OTHER', 100000000000, 'APPROVED', 'DISBURSED', now()),
      ('a3', 'p1', 'ext-3', 'PA3', 'BIG', 'h', 'h', '1234', 'x', 'OTHER', 100000000000, 'APPROVED', 'DISBURSED', now());
    INSERT INTO offer (id, application_id, product_id, min_amount_micros, max_amount_micros, amount_step_micros, min_tenure_months,
      max_tenure_months, tenure_step_months, interest_rate_e5, processing_fee_rate_e5, processing_fee_min_micros, gst_rate_e5, risk_band, starts_at, ends_at)
      VALUES ('o2', 'a2', 'BIG', 10000000000, 1000000000000, 5000000000, 12, 60, 12, 1600000, 300000, 1000000000, 1800000, 'B', now(), now() + interval '2 days');
    UPDATE application SET current_offer_id = 'o2' WHERE id = 'a2';
    INSERT INTO loan_account (id, application_id, state, sanctioned_micros, disbursed_micros, interest_rate_e5, tenure_months, emi_micros,
      outstanding_principal_micros, disbursement_reference, disbursed_at, updated_at)
      VALUES ('l1', 'a1', 'ACTIVE', 100000000000, 97640000000, 1600000, 12, 9073090000, 100000000000, 'DSB1', now(), now());
  `);
  await migrate(url, all);
});
afterAll(() => dropDatabase(name));

it('when migrated, then every product has version 1: its own terms, the documented defaults, and a fee maximum no fee already quoted exceeds', async () => {
  const versions = await run(`
    SELECT product_id, version, name, max_amount_micros::text, processing_fee_rate_e5, processing_fee_min_micros::text, processing_fee_max_micros::text,
      gst_rate_e5, rate_type::text, bounce_charge_micros::text, penal_charge_micros::text, foreclosure_charge_rate_e5, cooling_off_days, grace_days,
      pre_debit_notice_days, collection_retry_days, offer_validity_hours, risk_bands
    FROM product_version ORDER BY product_id, version`);
  const defaults = {
    version: 1, gst_rate_e5: 1_800_000, rate_type: 'FIXED', bounce_charge_micros: '500000000', penal_charge_micros: '500000000', foreclosure_charge_rate_e5: 200_000,
    cooling_off_days: 3, grace_days: 3, pre_debit_notice_days: 2, collection_retry_days: [7],
    risk_bands: [
      { band: 'A', min_monthly_income_micros: '100000000000', interest_rate_e5: 1_200_000 },
      { band: 'B', min_monthly_income_micros: '40000000000', interest_rate_e5: 1_600_000 },
      { band: 'C', min_monthly_income_micros: '0', interest_rate_e5: 2_200_000 },
    ],
  };
  expect(versions).toEqual([
    { ...defaults, product_id: 'BIG', name: 'Big loan', max_amount_micros: '1000000000000', processing_fee_rate_e5: 300_000, processing_fee_min_micros: '1000000000', processing_fee_max_micros: '30000000000', offer_validity_hours: 48 },
    { ...defaults, product_id: 'PERSONAL_LOAN', name: 'Personal loan', max_amount_micros: '500000000000', processing_fee_rate_e5: 200_000, processing_fee_min_micros: '500000000', processing_fee_max_micros: '10000000000', offer_validity_hours: 72 },
  ]);
  expect(await run(`SELECT id, current_version FROM product ORDER BY id`)).toEqual([{ id: 'BIG', current_version: 1 }, { id: 'PERSONAL_LOAN', current_version: 1 }]);
});

it('when migrated, then an existing offer pins version 1 and carries its fee maximum, and an existing loan pins its application\'s product, version 1', async () => {
  expect(await run(`SELECT id, product_version, processing_fee_max_micros::text FROM offer`)).toEqual([{ id: 'o2', product_version: 1, processing_fee_max_micros: '30000000000' }]);
  expect(await run(`SELECT id, product_id, product_version FROM loan_account`)).toEqual([{ id: 'l1', product_id: 'PERSONAL_LOAN', product_version: 1 }]);
});

it('when a loan account is written without its product, then it takes its application\'s product and the version of its current offer', async () => {
  await run(`INSERT INTO loan_account (id, application_id, state, sanctioned_micros, disbursed_micros, interest_rate_e5, tenure_months, emi_micros,
      outstanding_principal_micros, disbursement_reference, disbursed_at, updated_at)
      VALUES ('l2', 'a2', 'ACTIVE', 100000000000, 97640000000, 1600000, 12, 9073090000, 100000000000, 'DSB2', now(), now())`);
  expect(await run(`SELECT product_id, product_version FROM loan_account WHERE id = 'l2'`)).toEqual([{ product_id: 'BIG', product_version: 1 }]);
});

it('when a version is updated, deleted or truncated, then the database refuses it (CP012)', async () => {
  await expect(run(`UPDATE product_version SET grace_days = 5 WHERE product_id = 'BIG'`)).rejects.toMatchObject({ code: 'CP012' });
  await expect(run(`DELETE FROM product_version WHERE product_id = 'BIG'`)).rejects.toMatchObject({ code: 'CP012' });
  await expect(run(`TRUNCATE product_version CASCADE`)).rejects.toMatchObject({ code: 'CP012' });
});

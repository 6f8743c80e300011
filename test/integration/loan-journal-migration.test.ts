import { randomBytes } from 'node:crypto';
import { ensureDatabase, migrate, readMigrations } from '../../src/lib/db/migrate';
import { databaseUrl, dropDatabase, queryDatabase } from '../support/databases';

/** The loan-repayments migration on a database that already holds a disbursed loan (a journal backfilled from its submission). */

const name = `cp_t_${randomBytes(6).toString('hex')}`;
const url = databaseUrl(name);
afterAll(() => dropDatabase(name));

const run = <T extends Record<string, unknown>>(sql: string) => queryDatabase<T>(url, sql);

it('when a loan was disbursed before the journal existed, then the migration opens its journal: the net payout, the fee and the GST, ending at the sanctioned principal, dated on the Indian calendar', async () => {
  await ensureDatabase(url);
  const all = readMigrations();
  const mine = all.findIndex((m) => m.name === '20261203040000_loan_repayments');
  expect(mine).toBeGreaterThan(0);
  await migrate(url, all.slice(0, mine));
  await run(`
    INSERT INTO partner (id, display_name, protocol, updated_at) VALUES ('p1', 'P1', 'OCEN', now());
    INSERT INTO application (id, partner_id, external_reference, lender_reference, product_id, phone_hash, pan_hash, pan_last4, applicant_ciphertext,
      loan_purpose, requested_amount_micros, approval_state, application_state, updated_at)
      VALUES ('a1', 'p1', 'ext-1', 'PA1', 'PERSONAL_LOAN', 'h', 'h', '1234', 'x', 'OTHER', 100000000000, 'APPROVED', 'DISBURSED', now());
    INSERT INTO loan_submission (id, application_id, loan_amount_micros, tenure_months, interest_rate_e5, emi_micros, processing_fee_micros,
      processing_fee_gst_micros, net_disbursal_micros, tnc_acceptances)
      VALUES ('s1', 'a1', 100000000000, 12, 1600000, 9073090000, 2000000000, 360000000, 97640000000, '[]');
    INSERT INTO disbursement (id, application_id, submission_id, reference, amount_micros, state, requested_at)
      VALUES ('d1', 'a1', 's1', 'DSBPA1', 97640000000, 'SUCCEEDED', now());
    INSERT INTO loan_account (id, application_id, state, sanctioned_micros, disbursed_micros, interest_rate_e5, tenure_months, emi_micros,
      outstanding_principal_micros, disbursement_reference, disbursed_at, updated_at)
      VALUES ('l1', 'a1', 'ACTIVE', 100000000000, 97640000000, 1600000, 12, 9073090000, 100000000000, 'DSBPA1:UTR1', '2026-11-30T20:00:00Z', now());
  `);
  await migrate(url);
  const rows = await run<{ kind: string; direction: string; amount_micros: string; balance_after_micros: string; value_date: string; reference: string }>(
    `SELECT kind, direction, amount_micros, balance_after_micros, value_date::text, reference FROM loan_journal_entry WHERE loan_id = 'l1' ORDER BY id`,
  );
  expect(rows).toEqual([
    { kind: 'DISBURSEMENT', direction: 'DEBIT', amount_micros: '97640000000', balance_after_micros: '97640000000', value_date: '2026-12-01', reference: 'DSBPA1:UTR1' },
    { kind: 'PROCESSING_FEE', direction: 'DEBIT', amount_micros: '2000000000', balance_after_micros: '99640000000', value_date: '2026-12-01', reference: 'DSBPA1:UTR1' },
    { kind: 'PROCESSING_FEE_GST', direction: 'DEBIT', amount_micros: '360000000', balance_after_micros: '100000000000', value_date: '2026-12-01', reference: 'DSBPA1:UTR1' },
  ]);
});

import { randomBytes } from 'node:crypto';
import { Ledger } from '../../src/core/ledger/ledger';
import { LedgerRepository } from '../../src/core/ledger/ledger.repository';
import { Database } from '../../src/lib/db/database';
import { ensureDatabase, migrate, readMigrations } from '../../src/lib/db/migrate';
import { databaseUrl, dropDatabase, queryDatabase } from '../support/databases';

/**
 * The double-entry ledger migration on databases that already hold loans with a single-entry journal: each
 * journal row becomes a balanced entry against the right contra account, and the statement read from the ledger
 * is the old journal, row for row.
 */

const MIGRATION = '20261207100000_double_entry_ledger';
const names: string[] = [];
afterAll(() => Promise.all(names.map(dropDatabase)));

/** A database migrated up to the one before the ledger, with `sql` run on it. */
async function beforeTheLedger(sql: string): Promise<string> {
  const name = `cp_t_${randomBytes(6).toString('hex')}`;
  names.push(name);
  const url = databaseUrl(name);
  await ensureDatabase(url);
  const all = readMigrations();
  const mine = all.findIndex((m) => m.name === MIGRATION);
  expect(mine).toBeGreaterThan(0);
  await migrate(url, all.slice(0, mine));
  await queryDatabase(url, sql);
  return url;
}

const LOANS = `
  INSERT INTO partner (id, display_name, protocol, updated_at) VALUES ('p1', 'P1', 'OCEN', now());
  INSERT INTO application (id, partner_id, external_reference, lender_reference, product_id, phone_hash, pan_hash, pan_last4, applicant_ciphertext,
    loan_purpose, requested_amount_micros, approval_state, application_state, updated_at)
    SELECT 'a' || n, 'p1', 'ext-' || n, 'PA' || n, 'PERSONAL_LOAN', 'h', 'h', '1234', 'x', 'OTHER', 100000000000, 'APPROVED', 'DISBURSED', now() FROM generate_series(1, 2) n;
  INSERT INTO loan_account (id, application_id, state, sanctioned_micros, disbursed_micros, interest_rate_e5, tenure_months, emi_micros,
    outstanding_principal_micros, disbursement_reference, disbursed_at, updated_at) VALUES
    ('l1', 'a1', 'ACTIVE', 100000000000, 97640000000, 1600000, 12, 9073090000, 82260243000, 'DSBPA1:UTR1', '2026-11-30T20:00:00Z', now()),
    ('l2', 'a2', 'ACTIVE', 50000000000, 50000000000, 1600000, 12, 4536550000, 50000000000, 'DSBPA2:UTR2', '2026-12-01T05:00:00Z', now());
  -- Loan 1: the first EMI paid (interest 1,333.33 + principal 7,739.57), then 10,000.00 of which 9,999.90 principal and 0.10 excess.
  INSERT INTO loan_repayment (id, loan_id, reference, amount_micros, method, state, principal_micros, interest_micros, penalty_micros, excess_micros, requested_at, completed_at, updated_at) VALUES
    ('r1', 'l1', 'RPY1', 9073090000, 'UPI', 'SUCCEEDED', 7739760000, 1333330000, 0, 0, '2026-12-30T05:00:00Z', '2026-12-30T05:01:00Z', now()),
    ('r2', 'l1', 'RPY2', 10000000000, 'UPI', 'SUCCEEDED', 9999900000, 0, 0, 100000, '2027-01-02T05:00:00Z', '2027-01-02T05:01:00Z', now());
  INSERT INTO loan_journal_entry (loan_id, kind, direction, amount_micros, balance_after_micros, value_date, reference, narration, repayment_id) VALUES
    ('l1', 'DISBURSEMENT', 'DEBIT', 97640000000, 97640000000, '2026-12-01', 'DSBPA1:UTR1', 'Loan disbursed', NULL),
    ('l1', 'PROCESSING_FEE', 'DEBIT', 2000000000, 99640000000, '2026-12-01', 'DSBPA1:UTR1', 'Processing fee', NULL),
    ('l1', 'PROCESSING_FEE_GST', 'DEBIT', 360000000, 100000000000, '2026-12-01', 'DSBPA1:UTR1', 'GST on the processing fee', NULL),
    ('l2', 'DISBURSEMENT', 'DEBIT', 50000000000, 50000000000, '2026-12-01', 'DSBPA2:UTR2', 'Loan disbursed', NULL),
    ('l2', 'PROCESSING_FEE', 'DEBIT', 0, 50000000000, '2026-12-01', 'DSBPA2:UTR2', 'Processing fee', NULL),
    ('l2', 'PROCESSING_FEE_GST', 'DEBIT', 0, 50000000000, '2026-12-01', 'DSBPA2:UTR2', 'GST on the processing fee', NULL),
    ('l1', 'INTEREST', 'DEBIT', 1333330000, 101333330000, '2026-12-30', 'RPY1', 'Interest (instalment 1)', 'r1'),
    ('l1', 'REPAYMENT', 'CREDIT', 9073090000, 92260240000, '2026-12-30', 'RPY1', 'Repayment by UPI (instalment 1)', 'r1'),
    ('l1', 'REPAYMENT', 'CREDIT', 9999900000, 82260340000, '2027-01-02', 'RPY2', 'Repayment by UPI (instalments 2-3)', 'r2'),
    ('l1', 'EXCESS_PAYMENT', 'CREDIT', 100000, 82260240000, '2027-01-02', 'RPY2', 'Paid beyond what was due: to be refunded', 'r2');
`;

describe('the double-entry ledger migration', () => {
  it('when loans have a journal, then each journal row with an amount becomes one balanced entry against its contra account, in the same order, zero rows left out', async () => {
    const url = await beforeTheLedger(LOANS);
    await migrate(url);
    const postings = await queryDatabase<{ key: string; kind: string; lines: string }>(url, `
      SELECT e.idempotency_key AS key, e.kind::text, string_agg(p.account || ' ' || p.amount_micros || ' ' || p.loan_id, ', ' ORDER BY p.id) AS lines
      FROM ledger_entry e JOIN ledger_posting p ON p.entry_id = e.id GROUP BY e.id ORDER BY e.id`);
    const journal = await queryDatabase<{ id: string }>(url, `SELECT id::text AS id FROM loan_journal_entry j ORDER BY j.id`);
    const key = (row: number) => `journal:${journal[row - 1].id}`;
    expect(postings).toEqual([
      { key: key(1), kind: 'DISBURSEMENT', lines: 'LOAN_PRINCIPAL 97640000000 l1, DISBURSEMENT_CLEARING -97640000000 l1' },
      { key: key(2), kind: 'DISBURSEMENT', lines: 'LOAN_PRINCIPAL 2000000000 l1, FEE_INCOME -2000000000 l1' },
      { key: key(3), kind: 'DISBURSEMENT', lines: 'LOAN_PRINCIPAL 360000000 l1, GST_PAYABLE -360000000 l1' },
      { key: key(4), kind: 'DISBURSEMENT', lines: 'LOAN_PRINCIPAL 50000000000 l2, DISBURSEMENT_CLEARING -50000000000 l2' },
      { key: key(7), kind: 'INTEREST', lines: 'INTEREST_RECEIVABLE 1333330000 l1, INTEREST_INCOME -1333330000 l1' },
      { key: key(8), kind: 'REPAYMENT', lines: 'COLLECTION_CLEARING 9073090000 l1, INTEREST_RECEIVABLE -1333330000 l1, LOAN_PRINCIPAL -7739760000 l1' },
      { key: key(9), kind: 'REPAYMENT', lines: 'COLLECTION_CLEARING 9999900000 l1, LOAN_PRINCIPAL -9999900000 l1' },
      { key: key(10), kind: 'REPAYMENT', lines: 'COLLECTION_CLEARING 100000 l1, BORROWER_EXCESS -100000 l1' },
    ]);
  });

  it('when the history is moved, then the trial balance is 0, each loan\'s balances are its journal\'s, and its statement read from the ledger is the old journal row for row', async () => {
    const url = await beforeTheLedger(LOANS);
    const old = await queryDatabase<{ loan_id: string; direction: string; amount: string; balance: string; value_date: string; reference: string; narration: string }>(url,
      `SELECT loan_id, direction::text, amount_micros::text AS amount, balance_after_micros::text AS balance, value_date::text, reference, narration FROM loan_journal_entry WHERE amount_micros <> 0 ORDER BY loan_id, value_date, id`);
    await migrate(url);
    const db = new Database(url, 2);
    try {
      const ledger = new Ledger(db, new LedgerRepository(db));
      expect((await ledger.trialBalance()).totalMicros).toBe(0n);
      for (const loanId of ['l1', 'l2']) expect((await ledger.trialBalance({ loanId })).totalMicros).toBe(0n);
      expect(await ledger.loanBalances('l1')).toEqual({
        principalOutstandingMicros: 82_260_340_000n,
        interestReceivableMicros: 0n,
        chargesReceivableMicros: 0n,
        excessMicros: 100_000n,
        owedMicros: 82_260_240_000n,
        principalRepaidMicros: 17_739_660_000n,
        interestRepaidMicros: 1_333_330_000n,
        chargesRepaidMicros: 0n,
        collectedMicros: 19_073_090_000n,
      });
      expect((await ledger.loanBalances('l2')).principalOutstandingMicros).toBe(50_000_000_000n);
      const statements = [...(await ledger.statement('l1')), ...(await ledger.statement('l2'))];
      expect(statements.map((line, i) => ({
        loan_id: i < 7 ? 'l1' : 'l2',
        direction: line.direction,
        amount: line.amountMicros.toString(),
        balance: line.balanceAfterMicros.toString(),
        value_date: line.valueDate,
        reference: line.reference,
        narration: line.narration,
      }))).toEqual(old);
    } finally {
      await db.close();
    }
  });

  it('when a repayment row of the journal does not match its repayment\'s allocation, then the migration stops and changes nothing (no amount is guessed)', async () => {
    const url = await beforeTheLedger(`${LOANS}
      UPDATE loan_repayment SET interest_micros = 1333320000 WHERE id = 'r1';`);
    await expect(migrate(url)).rejects.toThrow(/loan_journal_entry \d+ \(REPAYMENT\) has no repayment whose principal \+ interest \+ penalty equals its amount/);
    const tables = await queryDatabase<{ n: number }>(url, `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('ledger_entry', 'ledger_posting')`);
    expect(tables[0].n).toBe(0);
  });
});

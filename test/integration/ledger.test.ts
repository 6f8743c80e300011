import { Client } from 'pg';
import { AppErrorCode } from '../../src/core/errors';
import { Ledger } from '../../src/core/ledger/ledger';
import { LedgerRepository } from '../../src/core/ledger/ledger.repository';
import { JournalEntry } from '../../src/core/ledger/journal';
import { chargeEntry, disbursementEntry, interestEntry, ledgerKeys } from '../../src/core/ledger/entries';
import { Database, sqlStateOf } from '../../src/lib/db/database';
import { createTestDatabase } from '../support/databases';

/**
 * The ledger's guarantees held by the database itself, whatever the code does (raw SQL), and by Ledger.post:
 * an unbalanced entry never commits, postings are immutable, one entry per idempotency key.
 */

const RUPEE = 1_000_000n;
const PAISA_ = 10_000n;
let created: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Database;
let ledger: Ledger;
let raw: Client;

beforeAll(async () => {
  created = await createTestDatabase();
  db = new Database(created.url, 4);
  ledger = new Ledger(db, new LedgerRepository(db));
  raw = new Client({ connectionString: created.url });
  await raw.connect();
  await raw.query(`
    INSERT INTO partner (id, display_name, protocol, updated_at) VALUES ('p1', 'P1', 'OCEN_4', now());
    INSERT INTO application (id, partner_id, external_reference, lender_reference, product_id, phone_hash, pan_hash, pan_last4, applicant_ciphertext,
      loan_purpose, requested_amount_micros, approval_state, application_state, updated_at)
      SELECT 'a' || n, 'p1', 'ext-' || n, 'PA' || n, 'PERSONAL_LOAN', 'h', 'h', '1234', 'x', 'OTHER', 100000000000, 'APPROVED', 'DISBURSED', now() FROM generate_series(1, 2) n;
    INSERT INTO loan_account (id, application_id, state, sanctioned_micros, disbursed_micros, interest_rate_e5, tenure_months, emi_micros,
      outstanding_principal_micros, disbursement_reference, disbursed_at, updated_at)
      SELECT 'l' || n, 'a' || n, 'ACTIVE', 100000000000, 97640000000, 1600000, 12, 9073090000, 100000000000, 'DSB' || n, now(), now() FROM generate_series(1, 2) n;
  `);
});
afterAll(async () => {
  await raw?.end();
  await db?.close();
  await created?.drop();
});

/** Runs the statements in one transaction on a connection of its own; the error at COMMIT (or before), if any. */
async function inOneTransaction(sql: string[]): Promise<{ failedAt: 'statement' | 'commit' | null; code?: string; message?: string }> {
  await raw.query('BEGIN');
  for (const statement of sql) {
    try {
      await raw.query(statement);
    } catch (err) {
      await raw.query('ROLLBACK');
      return { failedAt: 'statement', code: sqlStateOf(err), message: (err as Error).message };
    }
  }
  try {
    await raw.query('COMMIT');
    return { failedAt: null };
  } catch (err) {
    return { failedAt: 'commit', code: sqlStateOf(err), message: (err as Error).message };
  }
}

const entryCount = async (key: string) => Number((await raw.query(`SELECT count(*) AS n FROM ledger_entry WHERE idempotency_key = $1`, [key])).rows[0].n);
const newEntry = (key: string, loan = 'NULL') => `INSERT INTO ledger_entry (idempotency_key, loan_id, value_date, kind, reference, narration) VALUES ('${key}', ${loan}, '2026-12-07', 'CHARGE', 'r', 'n')`;
const posting = (key: string, account: string, amount: bigint, loan = 'NULL') =>
  `INSERT INTO ledger_posting (entry_id, account, loan_id, amount_micros) SELECT id, '${account}', ${loan}, ${amount} FROM ledger_entry WHERE idempotency_key = '${key}'`;

describe('the database refuses what the ledger must never hold', () => {
  it('when an entry does not balance, then each statement is accepted but the database refuses the entry at commit, and nothing of it stays', async () => {
    const outcome = await inOneTransaction([newEntry('raw-unbalanced'), posting('raw-unbalanced', 'CHARGES_RECEIVABLE', 100n * RUPEE), posting('raw-unbalanced', 'CHARGES_INCOME', -99n * RUPEE)]);
    expect(outcome).toMatchObject({ failedAt: 'commit', code: 'CP010' });
    expect(outcome.message).toMatch(/does not balance: its postings sum to 1000000 micros/);
    expect(await entryCount('raw-unbalanced')).toBe(0);
  });

  it('when a balanced entry is written posting by posting, then it commits (the check is deferred to the end of the transaction)', async () => {
    const outcome = await inOneTransaction([newEntry('raw-balanced'), posting('raw-balanced', 'CHARGES_RECEIVABLE', 118n * RUPEE), posting('raw-balanced', 'CHARGES_INCOME', -100n * RUPEE), posting('raw-balanced', 'GST_PAYABLE', -18n * RUPEE)]);
    expect(outcome).toEqual({ failedAt: null });
    expect(await entryCount('raw-balanced')).toBe(1);
  });

  it('when an entry has no posting or a single one, or a posting of another loan than its entry, then it is refused at commit', async () => {
    expect(await inOneTransaction([newEntry('raw-empty')])).toMatchObject({ failedAt: 'commit', code: 'CP010', message: expect.stringMatching(/has 0 posting/) });
    expect(await inOneTransaction([newEntry('raw-single'), posting('raw-single', 'CHARGES_RECEIVABLE', RUPEE)])).toMatchObject({ failedAt: 'commit', code: 'CP010', message: expect.stringMatching(/has 1 posting/) });
    expect(await inOneTransaction([newEntry('raw-other-loan', "'l1'"), posting('raw-other-loan', 'CHARGES_RECEIVABLE', RUPEE, "'l1'"), posting('raw-other-loan', 'CHARGES_INCOME', -RUPEE, "'l2'")]))
      .toMatchObject({ failedAt: 'commit', code: 'CP010', message: expect.stringMatching(/another loan/) });
    expect(await entryCount('raw-empty') + await entryCount('raw-single') + await entryCount('raw-other-loan')).toBe(0);
  });

  it('when a posting is added to an entry a transaction committed before, then it is refused at once, even when it would balance it again', async () => {
    expect(await inOneTransaction([posting('raw-balanced', 'CHARGES_RECEIVABLE', RUPEE), posting('raw-balanced', 'CHARGES_INCOME', -RUPEE)]))
      .toMatchObject({ failedAt: 'statement', code: 'CP010', message: expect.stringMatching(/written by another transaction/) });
  });

  it('when a posting is zero, then it is refused at once (CHECK)', async () => {
    expect(await inOneTransaction([newEntry('raw-zero'), posting('raw-zero', 'CHARGES_RECEIVABLE', 0n)])).toMatchObject({ failedAt: 'statement', code: '23514' });
  });

  it('when a committed posting or entry is updated, deleted or truncated, then the database refuses it and it stays as it was', async () => {
    const attempts = [
      `UPDATE ledger_posting SET amount_micros = amount_micros * 2 WHERE entry_id = (SELECT id FROM ledger_entry WHERE idempotency_key = 'raw-balanced')`,
      `DELETE FROM ledger_posting WHERE entry_id = (SELECT id FROM ledger_entry WHERE idempotency_key = 'raw-balanced')`,
      `UPDATE ledger_entry SET value_date = '2020-01-01' WHERE idempotency_key = 'raw-balanced'`,
      `DELETE FROM ledger_entry WHERE idempotency_key = 'raw-balanced'`,
      'TRUNCATE ledger_posting, ledger_entry',
    ];
    for (const attempt of attempts) expect(await inOneTransaction([attempt])).toMatchObject({ failedAt: 'statement', code: 'CP011' });
    const { rows } = await raw.query(`SELECT sum(p.amount_micros)::text AS total, count(*)::int AS n FROM ledger_posting p JOIN ledger_entry e ON e.id = p.entry_id WHERE e.idempotency_key = 'raw-balanced'`);
    expect(rows[0]).toEqual({ total: '0', n: 3 });
  });
});

const bounce = (key: string, amountMicros = 500n * RUPEE): JournalEntry =>
  chargeEntry({ idempotencyKey: key, loanId: 'l1', valueDate: '2026-12-07', reference: 'BOUNCE-1', chargeMicros: amountMicros, gstMicros: (amountMicros * 18n) / 100n, narration: 'Bounce charge' });

describe('Ledger.post', () => {
  it('when the same idempotency key is posted twice, even by two transactions at once, then it is posted once and both get the same entry', async () => {
    const first = await db.transaction(() => ledger.post(bounce('post-twice')));
    const again = await db.transaction(() => ledger.post({ ...bounce('post-twice'), narration: 'said differently' }));
    expect(again.id).toBe(first.id);
    const raced = await Promise.all([1, 2].map(() => db.transaction(() => ledger.post(bounce('post-raced')))));
    expect(raced[0].id).toBe(raced[1].id);
    expect(await entryCount('post-twice')).toBe(1);
    expect(await entryCount('post-raced')).toBe(1);
    expect((await ledger.loanBalances('l1')).chargesReceivableMicros).toBe(2n * 590n * RUPEE);
  });

  it('when a key already posted comes with other money, then it is refused and the transaction commits nothing', async () => {
    await db.transaction(() => ledger.post(bounce('post-other-body')));
    const attempt = db.transaction(async () => {
      await db.query(`INSERT INTO state_transition (aggregate, entity_id, to_state) VALUES ('ledger-test', 'other-body', 'X')`);
      await ledger.post(bounce('post-other-body', 600n * RUPEE));
    });
    await expect(attempt).rejects.toMatchObject({ code: AppErrorCode.LEDGER_ENTRY_REFUSED, message: expect.stringMatching(/another body/) });
    expect((await raw.query(`SELECT count(*)::int AS n FROM state_transition WHERE entity_id = 'other-body'`)).rows[0].n).toBe(0);
  });

  it('when it is called outside a transaction, or with an entry that does not balance, then it is refused before anything is written', async () => {
    await expect(ledger.post(bounce('post-outside'))).rejects.toMatchObject({ code: AppErrorCode.LEDGER_ENTRY_REFUSED, message: expect.stringMatching(/transaction/) });
    const unbalanced = { ...bounce('post-unbalanced'), postings: [{ account: 'CHARGES_RECEIVABLE' as const, amountMicros: RUPEE }, { account: 'CHARGES_INCOME' as const, amountMicros: -2n * RUPEE }] };
    await expect(db.transaction(() => ledger.post(unbalanced))).rejects.toMatchObject({ code: AppErrorCode.LEDGER_ENTRY_REFUSED, message: expect.stringMatching(/sum to/) });
    expect(await entryCount('post-outside') + await entryCount('post-unbalanced')).toBe(0);
  });

  it('when a job posts many accrual entries at once (a thousand days of a loan), then they are one batch, posting it again writes nothing, and a batch that changes a posted amount is refused whole', async () => {
    const days = Array.from({ length: 1000 }, (_, i) => new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10));
    const accruals = (amount: bigint) => days.map((day) =>
      interestEntry({ idempotencyKey: ledgerKeys.accrual('l1', day), loanId: 'l1', valueDate: day, reference: `COB ${day}`, amountMicros: amount, narration: 'Interest accrued' }));
    expect(await db.transaction(() => ledger.postMany(accruals(440_000n)))).toEqual({ written: 1000, existing: 0 });
    expect(await db.transaction(() => ledger.postMany(accruals(440_000n)))).toEqual({ written: 0, existing: 1000 });
    const changed = [...accruals(440_000n).slice(0, 10), interestEntry({ idempotencyKey: ledgerKeys.accrual('l1', '2031-01-01'), loanId: 'l1', valueDate: '2031-01-01', reference: 'COB', amountMicros: PAISA_, narration: 'new' }), { ...accruals(450_000n)[10] }];
    await expect(db.transaction(() => ledger.postMany(changed))).rejects.toMatchObject({ code: AppErrorCode.LEDGER_ENTRY_REFUSED });
    expect(await entryCount(ledgerKeys.accrual('l1', '2031-01-01'))).toBe(0);
    expect(await ledger.balance('INTEREST_RECEIVABLE', 'l1')).toBe(1000n * 440_000n);
    expect(await ledger.balance('INTEREST_RECEIVABLE', 'l1', '2027-01-10')).toBe(10n * 440_000n);
    expect((await ledger.trialBalance()).totalMicros).toBe(0n);
  });

  it('when a loan is disbursed and charged, then its balances, statement and trial balance are read from the postings, as of any date', async () => {
    await db.transaction(() => ledger.post(disbursementEntry({ loanId: 'l2', valueDate: '2026-12-01', reference: 'DSB2:UTR', principalMicros: 100_000n * RUPEE, netPayoutMicros: 97_640n * RUPEE, processingFeeMicros: 2_000n * RUPEE, processingFeeGstMicros: 360n * RUPEE })));
    await db.transaction(() => ledger.post({ ...bounce('l2-bounce'), loanId: 'l2' }));
    expect(await ledger.loanBalances('l2')).toMatchObject({ principalOutstandingMicros: 100_000n * RUPEE, chargesReceivableMicros: 590n * RUPEE, owedMicros: 100_590n * RUPEE });
    expect(await ledger.loanBalances('l2', '2026-12-06')).toMatchObject({ chargesReceivableMicros: 0n, owedMicros: 100_000n * RUPEE });
    expect(await ledger.balance('FEE_INCOME', 'l2')).toBe(-2_000n * RUPEE);
    const statement = await ledger.statement('l2');
    expect(statement.map((l) => [l.account, l.direction, l.amountMicros, l.balanceAfterMicros])).toEqual([
      ['DISBURSEMENT_CLEARING', 'DEBIT', 97_640n * RUPEE, 97_640n * RUPEE],
      ['FEE_INCOME', 'DEBIT', 2_000n * RUPEE, 99_640n * RUPEE],
      ['GST_PAYABLE', 'DEBIT', 360n * RUPEE, 100_000n * RUPEE],
      ['CHARGES_INCOME', 'DEBIT', 500n * RUPEE, 100_500n * RUPEE],
      ['GST_PAYABLE', 'DEBIT', 90n * RUPEE, 100_590n * RUPEE],
    ]);
    expect((await ledger.statement('l2', '2026-12-07')).map((l) => l.balanceAfterMicros)).toEqual([100_500n * RUPEE, 100_590n * RUPEE]);
    const book = await ledger.trialBalance();
    expect(book.totalMicros).toBe(0n);
    const loan = await ledger.trialBalance({ loanId: 'l2' });
    expect(loan.totalMicros).toBe(0n);
    expect(loan.lines.find((l) => l.account === 'GST_PAYABLE')).toEqual({ account: 'GST_PAYABLE', debitMicros: 0n, creditMicros: 450n * RUPEE, balanceMicros: -450n * RUPEE });
  });
});

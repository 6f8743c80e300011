import { performance } from 'node:perf_hooks';
import { loadConfig } from './lib/config';
import { createLogger } from './lib/logger';
import { Database } from './lib/db/database';
import { Sealer } from './lib/crypto';
import { boot } from './boot';
import { closeRedis } from './container';
import { buildSchedule } from './core/money/emi';
import { percentOf } from './core/money/money';
import { SANDBOX_GPAY_PARTNER_ID } from './core/partner/sandbox-partners';
import { CloseOfBusiness } from './core/servicing/close-of-business';
import { CLOSE_OF_BUSINESS_STEPS, CloseOfBusinessRepository, CloseOfBusinessStep } from './core/servicing/close-of-business.repository';
import { WorkingDayCalendar } from './core/kfs/working-days';
import { CollectionRepository } from './core/servicing/collection.repository';
import { CollectionOutcome, CollectionService } from './core/servicing/collection.service';

/**
 * `npm run bench -- --servicing N` (scripts/bench.js runs this file on a fresh database of its own): N active
 * loans written straight into the database by a few set-based statements, then ONE business day of servicing:
 * the close of business (every step of close-of-business.ts) and the day's collections (the debits presented to
 * the mandate rail and the pre-debit notices sent, what CollectionService.runDay does, with bounded concurrency).
 * Prints each step's time, the rows written per table, and the ledger's trial balance.
 */

/** The book the bench writes: every loan the same terms, spread over the month by its disbursement date. */
/** The bench's own set-up statements write every loan at once: they wait as long as the close of business's do. */
const seedQuery = (db: { longQuery(sql: string, values: unknown[], timeoutMs: number): Promise<unknown[]> }, sql: string, values: unknown[] = []) => db.longQuery(sql, values, 600_000);

export const BENCH_TERMS = { principalMicros: 100_000_000_000n, annualRateE5: 1_600_000n, tenureMonths: 12 } as const;
/** One loan in OVERDUE_EVERY is in arrears (5 %): nothing paid since its first instalment, 1 to 120 days ago. */
export const OVERDUE_EVERY = 20;
const PRODUCT_ID = 'PERSONAL_LOAN';
const PRODUCT_VERSION = 1;
const MANDATE_CEILING_MICROS = 200_000_000_000n;

/** x × num / den rounded half up to the paisa, as the close of business's accrual rounds (SQL text). */
const roundToPaisa = (num: string, den: string) => `(((${num}) * 2 + (${den}) * 10000) / ((${den}) * 20000)) * 10000`;

export interface SeedReport {
  loans: number;
  overdue: number;
  /** Loans whose instalment is due on the business date (their debit is presented that day). */
  dueToday: number;
}

/**
 * Writes `count` loans as the servicing of earlier days would have left them at the start of `businessDate`
 * (YYYY-MM-DD), in one transaction of set-based statements (generate_series; the sealed phones by unnest):
 *
 * - each loan: an application of the sandbox Google Pay partner (a sealed phone for the notice SMS), an ACTIVE
 *   mandate with an AUTHORISED authorisation (a sandbox UMRN), the loan pinned to version 1 of PERSONAL_LOAN,
 *   12 instalments of BENCH_TERMS (buildSchedule's amounts), its disbursement entry, and the interest accrued
 *   through the day before (one accrual entry);
 * - current loans (19 in 20): the first instalment due from the business date to 27 days later (loan i: i mod 28
 *   days), disbursed a month before it; those due on the business date and the day after already have their debit
 *   scheduled and their notice delivered (by the runs of the two days before);
 * - loans in arrears (1 in 20): the first instalment due 1 to 120 days before the business date and every
 *   instalment due since unpaid, OVERDUE from the day after its due date, the penal charge levied on those past
 *   the grace days, DPD, asset class and state as of the day before, and each unpaid instalment's debit bounced
 *   with its retry (no retry left).
 */
export async function seedServicingBench(db: Database, sealer: Sealer, count: number, businessDate: string): Promise<SeedReport> {
  const schedule = buildSchedule(BENCH_TERMS, '2027-01-01');
  const principal = schedule.map((line) => line.principalMicros.toString());
  const interest = schedule.map((line) => line.interestMicros.toString());
  const emi = schedule[0].emiMicros.toString();
  const fee = 2_000_000_000n;
  const gst = percentOf(fee, 1_800_000);
  const net = BENCH_TERMS.principalMicros - fee - gst;
  // The phone of every application, sealed as the journey seals it (the notice SMS opens it); the only per-loan work in JS.
  const phones: string[] = [];
  for (let i = 1; i <= count; i++) {
    phones.push(sealer.seal(JSON.stringify({ countryCode: '91', nationalNumber: `9${String(i).padStart(9, '0')}` }), `application-phone:${applicationId(i)}`));
  }
  const d = `$1::date`;
  await db.transaction(async () => {
    await seedQuery(db,
      `CREATE TEMP TABLE bench_loan ON COMMIT DROP AS
       SELECT i, 'bench-loan-' || lpad(i::text, 8, '0') AS loan_id, 'bench-app-' || lpad(i::text, 8, '0') AS app_id,
         'bench-mandate-' || lpad(i::text, 8, '0') AS mandate_id, 'SBOX' || lpad(i::text, 16, '0') AS umrn,
         overdue, first_due, (first_due - interval '1 month')::date AS disbursed_on
       FROM (
         SELECT i, i % ${OVERDUE_EVERY} = 0 AS overdue,
           CASE WHEN i % ${OVERDUE_EVERY} = 0 THEN ${d} - (1 + (i / ${OVERDUE_EVERY}) % 120) ELSE ${d} + i % 28 END AS first_due
         FROM generate_series(1, $2::int) AS i
       ) g`,
      [businessDate, count],
    );
    await seedQuery(db,
      `INSERT INTO application (id, partner_id, external_reference, lender_reference, product_id, phone_hash, pan_hash, pan_last4,
         applicant_ciphertext, loan_purpose, requested_amount_micros, approval_state, application_state, updated_at, phone_ciphertext)
       SELECT b.app_id, $1, 'BENCH-' || b.i, 'BENCHREF' || lpad(b.i::text, 8, '0'), $2, md5('phone' || b.i), md5('pan' || b.i), '1234',
         'bench', 'PERSONAL', $3::bigint, 'APPROVED', 'DISBURSED', now(), p.phone
       FROM bench_loan b JOIN unnest($4::text[]) WITH ORDINALITY AS p(phone, n) ON p.n = b.i`,
      [SANDBOX_GPAY_PARTNER_ID, PRODUCT_ID, BENCH_TERMS.principalMicros.toString(), phones],
    );
    await seedQuery(db,
      `INSERT INTO repayment_mandate (id, application_id, state, url_token_hash, auth_code_hash, link_expires_at, mandate_reference, updated_at)
       SELECT mandate_id, app_id, 'ACTIVE', md5('url' || i), md5('code' || i), now(), 'BENCHMDT' || i, now() FROM bench_loan`,
    );
    await seedQuery(db,
      `INSERT INTO mandate_authorisation (id, mandate_id, reference, method, masked_payer, payer_hash, payer_ciphertext, max_amount_micros,
         frequency, first_debit_date, last_debit_date, outcome, umrn, requested_at, last_called_at, answered_at)
       SELECT 'bench-auth-' || i, mandate_id, 'BENCHAUTH' || i, 'UPI_AUTOPAY', 'b***@okbank', md5('payer' || i), 'bench', $1::bigint,
         'AS_PRESENTED', first_due, (first_due + interval '11 months')::date, 'AUTHORISED', umrn, now(), now(), now()
       FROM bench_loan`,
      [MANDATE_CEILING_MICROS.toString()],
    );
    await seedQuery(db, `UPDATE application a SET current_mandate_id = b.mandate_id FROM bench_loan b WHERE a.id = b.app_id`);
    await seedQuery(db,
      `INSERT INTO loan_account (id, application_id, state, sanctioned_micros, disbursed_micros, interest_rate_e5, tenure_months, emi_micros,
         outstanding_principal_micros, disbursement_reference, disbursed_at, updated_at, product_id, product_version, disbursed_on)
       SELECT loan_id, app_id, 'ACTIVE', $1::bigint, $2::bigint, $3::int, $4::int, $5::bigint, $1::bigint, 'BENCHPAY' || i,
         disbursed_on::timestamp AT TIME ZONE 'Asia/Kolkata', now(), $6, $7::int, disbursed_on
       FROM bench_loan`,
      [BENCH_TERMS.principalMicros.toString(), net.toString(), Number(BENCH_TERMS.annualRateE5), BENCH_TERMS.tenureMonths, emi, PRODUCT_ID, PRODUCT_VERSION],
    );
    // The day before: what was accrued through it, and which instalments its close of business found overdue.
    const yesterday = `(${d} - 1)`;
    await seedQuery(db,
      `INSERT INTO loan_instalment (loan_id, sequence, due_date, emi_micros, principal_micros, interest_micros, status, accrues_from, interest_accrued_micros)
       SELECT b.loan_id, s.k, s.due_date, s.principal + s.interest, s.principal, s.interest,
         (CASE WHEN s.due_date < ${yesterday} THEN 'OVERDUE' ELSE 'DUE' END)::"InstalmentStatus", s.accrues_from,
         CASE WHEN ${yesterday} >= s.due_date THEN s.interest WHEN ${yesterday} <= s.accrues_from THEN 0
              ELSE ${roundToPaisa(`s.interest * (${yesterday} - s.accrues_from)`, '(s.due_date - s.accrues_from)')} END
       FROM bench_loan b
       CROSS JOIN LATERAL (
         SELECT k, principal::bigint, interest::bigint,
           (b.first_due + (k - 1) * interval '1 month')::date AS due_date,
           CASE WHEN k = 1 THEN b.disbursed_on ELSE (b.first_due + (k - 2) * interval '1 month')::date END AS accrues_from
         FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(principal, interest, k)
       ) s`,
      [businessDate, principal, interest],
    );
    await seedQuery(db,
      `UPDATE loan_account l SET days_past_due = f.dpd, state = CASE WHEN f.dpd > 0 THEN 'DELINQUENT' ELSE 'ACTIVE' END::"LoanState",
         asset_class = (CASE WHEN f.dpd > 90 THEN 'NPA' WHEN f.dpd > 60 THEN 'SMA_2' WHEN f.dpd > 30 THEN 'SMA_1' ELSE 'SMA_0' END)::"AssetClass",
         npa_since = CASE WHEN f.dpd > 90 THEN f.oldest + 91 END
       FROM (SELECT loan_id, MIN(due_date) AS oldest, ${yesterday} - MIN(due_date) AS dpd FROM loan_instalment WHERE status = 'OVERDUE' GROUP BY loan_id) f
       WHERE l.id = f.loan_id`,
      [businessDate],
    );
    await seedQuery(db,
      `UPDATE loan_instalment i SET penal_charged_on = i.due_date + pv.grace_days + 1
       FROM product_version pv
       WHERE pv.product_id = $2 AND pv.version = $3::int AND i.status = 'OVERDUE' AND ${yesterday} - i.due_date > pv.grace_days`,
      [businessDate, PRODUCT_ID, PRODUCT_VERSION],
    );
    await seedQuery(db,
      `INSERT INTO loan_charge (id, loan_id, kind, instalment_sequence, levied_on, charge_micros, gst_micros, reference)
       SELECT 'penal:' || i.loan_id || ':' || i.sequence, i.loan_id, 'PENAL', i.sequence, i.penal_charged_on, pv.penal_charge_micros, 0,
         'PENAL-' || i.sequence || '-' || i.penal_charged_on
       FROM loan_instalment i JOIN product_version pv ON pv.product_id = $1 AND pv.version = $2::int
       WHERE i.penal_charged_on IS NOT NULL`,
      [PRODUCT_ID, PRODUCT_VERSION],
    );
    // The ledger: each movement one balanced entry, its postings written with it (the deferred check runs at commit).
    await seedQuery(db,
      `WITH entry AS (
         INSERT INTO ledger_entry (idempotency_key, loan_id, value_date, kind, reference, narration)
         SELECT 'disbursement:' || loan_id, loan_id, disbursed_on, 'DISBURSEMENT', 'BENCHPAY' || i, 'Loan disbursed' FROM bench_loan
         RETURNING id, loan_id
       )
       INSERT INTO ledger_posting (entry_id, account, loan_id, amount_micros, memo)
       SELECT e.id, side.account, e.loan_id, side.amount, side.memo
       FROM entry e CROSS JOIN (VALUES ('LOAN_PRINCIPAL'::"LedgerAccount", $1::bigint, NULL::text), ('DISBURSEMENT_CLEARING', -$2::bigint, 'Loan disbursed'),
         ('FEE_INCOME', -$3::bigint, 'Processing fee'), ('GST_PAYABLE', -$4::bigint, 'GST on the processing fee')) AS side(account, amount, memo)`,
      [BENCH_TERMS.principalMicros.toString(), net.toString(), fee.toString(), gst.toString()],
    );
    await seedQuery(db,
      `WITH accrued AS (
         SELECT loan_id, SUM(interest_accrued_micros) AS amount FROM loan_instalment GROUP BY loan_id HAVING SUM(interest_accrued_micros) > 0
       ), entry AS (
         INSERT INTO ledger_entry (idempotency_key, loan_id, value_date, kind, reference, narration)
         SELECT 'accrual:' || loan_id || ':' || (${yesterday})::text, loan_id, ${yesterday}, 'INTEREST', 'ACCRUAL-' || (${yesterday})::text, 'Interest accrued'
         FROM accrued
         RETURNING id, loan_id
       )
       INSERT INTO ledger_posting (entry_id, account, loan_id, amount_micros, memo)
       SELECT e.id, side.account, e.loan_id, side.sign * a.amount, side.memo
       FROM entry e JOIN accrued a ON a.loan_id = e.loan_id
       CROSS JOIN (VALUES ('INTEREST_RECEIVABLE'::"LedgerAccount", 1, NULL::text), ('INTEREST_INCOME', -1, 'Interest accrued')) AS side(account, sign, memo)`,
      [businessDate],
    );
    await seedQuery(db,
      `WITH entry AS (
         INSERT INTO ledger_entry (idempotency_key, loan_id, value_date, kind, reference, narration)
         SELECT 'charge:' || id, loan_id, levied_on, 'CHARGE', reference, 'Penal charge: instalment ' || instalment_sequence || ' overdue'
         FROM loan_charge
         RETURNING id, loan_id, idempotency_key
       )
       INSERT INTO ledger_posting (entry_id, account, loan_id, amount_micros, memo)
       SELECT e.id, side.account, e.loan_id, side.sign * c.charge_micros, side.memo
       FROM entry e JOIN loan_charge c ON 'charge:' || c.id = e.idempotency_key
       CROSS JOIN (VALUES ('CHARGES_RECEIVABLE'::"LedgerAccount", 1, NULL::text), ('CHARGES_INCOME', -1, 'Penal charge')) AS side(account, sign, memo)`,
    );
    // Collections left by earlier days: debits of today and tomorrow noticed; every unpaid overdue instalment bounced twice.
    await seedQuery(db,
      `INSERT INTO mandate_collection (id, loan_id, instalment_sequence, attempt, reference, umrn, amount_micros, debit_date, notice_sent_on,
         notice_delivered_at, state)
       SELECT 'bench-col-' || b.i || '-1-1', b.loan_id, 1, 1, 'COLBENCH' || b.i || 'S1A1', b.umrn, $2::bigint, b.first_due, b.first_due - 2, now(), 'SCHEDULED'::"CollectionState"
       FROM bench_loan b WHERE NOT b.overdue AND b.first_due <= ${d} + 1
       UNION ALL
       SELECT 'bench-col-' || b.i || '-' || i.sequence || '-' || a.attempt, b.loan_id, i.sequence, a.attempt,
         'COLBENCH' || b.i || 'S' || i.sequence || 'A' || a.attempt, b.umrn, i.emi_micros, i.due_date + (a.attempt - 1) * 7, i.due_date - 2, now(), 'BOUNCED'::"CollectionState"
       FROM bench_loan b JOIN loan_instalment i ON i.loan_id = b.loan_id AND i.due_date < ${d}
       CROSS JOIN generate_series(1, 2) AS a(attempt)
       WHERE b.overdue`,
      [businessDate, emi],
    );
  });
  const rows = await db.read<{ overdue: number; dueToday: number }>(
    `SELECT COUNT(DISTINCT loan_id) FILTER (WHERE status = 'OVERDUE' OR due_date < $1::date)::int AS overdue,
       COUNT(*) FILTER (WHERE due_date = $1::date)::int AS "dueToday"
     FROM loan_instalment WHERE status <> 'PAID'`,
    [businessDate],
  );
  // As a live book would be after autovacuum: hint bits set, statistics current.
  await seedQuery(db, `VACUUM (ANALYZE)`);
  return { loans: count, overdue: rows[0].overdue, dueToday: rows[0].dueToday };
}

const applicationId = (i: number) => `bench-app-${String(i).padStart(8, '0')}`;

/** The tables a servicing day writes, and how their rows are counted (rows written or updated on the day). */
const WRITTEN = {
  ledger_entry: `SELECT COUNT(*)::int AS n FROM ledger_entry`,
  ledger_posting: `SELECT COUNT(*)::int AS n FROM ledger_posting`,
  loan_charge: `SELECT COUNT(*)::int AS n FROM loan_charge`,
  mandate_collection: `SELECT COUNT(*)::int AS n FROM mandate_collection`,
  outbox_message: `SELECT COUNT(*)::int AS n FROM outbox_message`,
  state_transition: `SELECT COUNT(*)::int AS n FROM state_transition`,
  loan_repayment: `SELECT COUNT(*)::int AS n FROM loan_repayment`,
} as const;
export type WrittenTable = keyof typeof WRITTEN | 'loan_instalment (updated)' | 'mandate_collection (answered)';

async function tableCounts(db: Database): Promise<Record<keyof typeof WRITTEN, number>> {
  const out = {} as Record<keyof typeof WRITTEN, number>;
  for (const [table, sql] of Object.entries(WRITTEN) as [keyof typeof WRITTEN, string][]) out[table] = (await db.read<{ n: number }>(sql))[0].n;
  return out;
}

/** The state of the rows the day updates in place (instalments and collections), to count what it changed. */
async function snapshotUpdated(db: Database): Promise<void> {
  await seedQuery(db, `DROP TABLE IF EXISTS bench_before`);
  await seedQuery(db,
    `CREATE UNLOGGED TABLE bench_before AS
     SELECT id, status, interest_accrued_micros, principal_paid_micros, interest_paid_micros, penal_charged_on FROM loan_instalment`,
  );
}

async function countUpdated(db: Database): Promise<number> {
  const rows = await db.read<{ n: number }>(
    `SELECT COUNT(*)::int AS n FROM loan_instalment i JOIN bench_before b ON b.id = i.id
     WHERE (i.status, i.interest_accrued_micros, i.principal_paid_micros, i.interest_paid_micros, i.penal_charged_on)
       IS DISTINCT FROM (b.status, b.interest_accrued_micros, b.principal_paid_micros, b.interest_paid_micros, b.penal_charged_on)`,
  );
  await seedQuery(db, `DROP TABLE bench_before`);
  return rows[0].n;
}

export interface ServicingDayTimings {
  /** Milliseconds per close-of-business step, then per collections phase. */
  steps: Array<{ name: string; ms: number; rows: number }>;
  /** The close of business alone (its six steps), then the day's collections, then both. */
  closeOfBusinessMs: number;
  collectionsMs: number;
  totalMs: number;
}

export interface ServicingBenchReport extends ServicingDayTimings {
  businessDate: string;
  counts: Record<string, number>;
  written: Record<WrittenTable, number>;
  outcomes: Record<CollectionOutcome, number>;
  notices: number;
  trialBalanceMicros: bigint;
  /** Open loans with interest left to accrue through the business date, and the accrual entries the day wrote. */
  loansToAccrue: number;
  accrualEntries: number;
  concurrency: number;
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function mapConcurrent<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * The close of business's own repository, timing each step: a step runs from its transaction's first statement
 * (lockDay) to the next step's, so its time includes its commit (where the ledger's deferred balance check runs).
 */
class TimedCloseOfBusinessRepository extends CloseOfBusinessRepository {
  private pending: { step: CloseOfBusinessStep; rows: number } | null = null;

  constructor(db: Database, private readonly onStep: (step: CloseOfBusinessStep, rows: number) => void) {
    super(db);
  }

  override async lockDay(date: string): Promise<string[]> {
    this.flush();
    return super.lockDay(date);
  }

  override async markDone(date: string, step: CloseOfBusinessStep, count: number): Promise<void> {
    await super.markDone(date, step, count);
    this.pending = { step, rows: count };
  }

  override async finish(date: string): Promise<void> {
    this.flush();
    return super.finish(date);
  }

  /** Reports the step whose mark was written last, once it has committed. */
  flush(): void {
    if (this.pending) this.onStep(this.pending.step, this.pending.rows);
    this.pending = null;
  }
}

/**
 * One business day: the close of business of `businessDate` (CloseOfBusiness.run on a repository that times each
 * step, commit included), then the day's collections as CollectionService.runDay does them (the debits due, then
 * the notices to send), `concurrency` at a time. Counts the rows the day wrote per table, the trial balance after
 * it, and the accrual entries against the open loans that had interest to accrue.
 */
export async function runServicingDay(
  deps: { db: Database; collections: CollectionService; calendar: WorkingDayCalendar },
  businessDate: string,
  concurrency: number,
): Promise<ServicingBenchReport> {
  const { db } = deps;
  const repository = new CollectionRepository(db);
  const before = await tableCounts(db);
  await snapshotUpdated(db);
  const loansToAccrue = (await db.read<{ n: number }>(
    `SELECT COUNT(DISTINCT i.loan_id)::int AS n FROM loan_instalment i JOIN loan_account l ON l.id = i.loan_id
     WHERE l.state IN ('ACTIVE', 'DELINQUENT') AND i.status <> 'CANCELLED' AND i.accrues_from < $1::date AND i.interest_accrued_micros < i.interest_micros`,
    [businessDate],
  ))[0].n;

  const steps: ServicingDayTimings['steps'] = [];
  const started = performance.now();
  let mark = started;
  const timed = new TimedCloseOfBusinessRepository(db, (step, rows) => {
    const now = performance.now();
    steps.push({ name: step, ms: now - mark, rows });
    mark = now;
  });
  const report = await new CloseOfBusiness(db, timed, deps.calendar, repository).run(businessDate);
  timed.flush();
  const closeOfBusinessMs = performance.now() - started;

  const due = await repository.dueForPresentation(businessDate);
  const outcomes = await mapConcurrent(due, concurrency, (id) => deps.collections.present(id));
  let now = performance.now();
  steps.push({ name: 'collections: present', ms: now - mark, rows: outcomes.length });
  mark = now;
  const notices = await repository.noticesToSend(businessDate);
  await mapConcurrent(notices, concurrency, (id) => deps.collections.sendNotice(id));
  now = performance.now();
  steps.push({ name: 'collections: notices', ms: now - mark, rows: notices.length });
  const totalMs = now - started;

  const trialBalanceMicros = BigInt((await db.read<{ total: string }>(`SELECT COALESCE(SUM(amount_micros), 0)::text AS total FROM ledger_posting`))[0].total);
  const after = await tableCounts(db);
  const written = {} as Record<WrittenTable, number>;
  for (const table of Object.keys(WRITTEN) as (keyof typeof WRITTEN)[]) written[table] = after[table] - before[table];
  written['loan_instalment (updated)'] = await countUpdated(db);
  written['mandate_collection (answered)'] = (await db.read<{ n: number }>(
    `SELECT COUNT(*)::int AS n FROM mandate_collection WHERE answered_at IS NOT NULL AND state IN ('DEBITED', 'BOUNCED') AND presented_at IS NOT NULL`,
  ))[0].n;
  const accrualEntries = (await db.read<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ledger_entry WHERE idempotency_key LIKE 'accrual:%:' || $1`, [businessDate]))[0].n;
  const tally = { DEBITED: 0, BOUNCED: 0, CANCELLED: 0, ALREADY_ANSWERED: 0, NOT_NOTIFIED: 0 } as Record<CollectionOutcome, number>;
  for (const outcome of outcomes) tally[outcome]++;
  return {
    businessDate, steps, closeOfBusinessMs, collectionsMs: totalMs - closeOfBusinessMs, totalMs, counts: report.counts as Record<string, number>, written, outcomes: tally, notices: notices.length,
    trialBalanceMicros, loansToAccrue, accrualEntries, concurrency,
  };
}

function print(seed: SeedReport, seedMs: number, report: ServicingBenchReport): void {
  const lines: string[] = [];
  lines.push(`servicing bench: ${seed.loans} loans (${seed.overdue} in arrears, ${seed.dueToday} due on ${report.businessDate}), written in ${(seedMs / 1000).toFixed(1)} s`);
  lines.push(`one business day, ${report.businessDate}:`);
  for (const step of report.steps) lines.push(`  ${step.name.padEnd(24)} ${(step.ms / 1000).toFixed(2).padStart(8)} s  ${String(step.rows).padStart(8)} rows`);
  lines.push(`  ${'close of business'.padEnd(24)} ${(report.closeOfBusinessMs / 1000).toFixed(2).padStart(8)} s  (the six steps)`);
  lines.push(`  ${'collections'.padEnd(24)} ${(report.collectionsMs / 1000).toFixed(2).padStart(8)} s  (${report.outcomes.DEBITED + report.outcomes.BOUNCED} debits, ${report.notices} notices, ${report.concurrency} at a time)`);
  lines.push(`  ${'total'.padEnd(24)} ${(report.totalMs / 1000).toFixed(2).padStart(8)} s`);
  lines.push('rows written:');
  for (const [table, n] of Object.entries(report.written)) lines.push(`  ${table.padEnd(30)} ${String(n).padStart(8)}`);
  lines.push(`collections: ${Object.entries(report.outcomes).filter(([, n]) => n > 0).map(([o, n]) => `${n} ${o}`).join(', ') || 'none'}; notices: ${report.notices}`);
  lines.push(`accrual entries: ${report.accrualEntries} (open loans with interest to accrue: ${report.loansToAccrue})`);
  lines.push(`trial balance: ${report.trialBalanceMicros} micros`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The bench's own run: DATABASE_URL names a fresh database (scripts/bench.js creates it); boot migrates it. */
async function main(): Promise<void> {
  const count = Number(process.env.BENCH_SERVICING_LOANS ?? '1000');
  const businessDate = process.env.BENCH_SERVICING_DATE ?? '2027-03-15';
  const concurrency = Number(process.env.BENCH_SERVICING_CONCURRENCY ?? '8');
  if (!Number.isInteger(count) || count < 1) throw new Error(`BENCH_SERVICING_LOANS must be a positive integer, got ${count}`);
  const config = loadConfig();
  const services = await boot(config, createLogger('warn'));
  try {
    const seedStarted = performance.now();
    const seed = await seedServicingBench(services.db, services.sealer, count, businessDate);
    const seedMs = performance.now() - seedStarted;
    // BENCH_SERVICING_SEED_ONLY=true leaves the book as it was before the day (to EXPLAIN a step's statements on it).
    if (process.env.BENCH_SERVICING_SEED_ONLY === 'true') {
      process.stdout.write(`seeded ${seed.loans} loans in ${(seedMs / 1000).toFixed(1)} s; the day is not run\n`);
      return;
    }
    const calendar = new WorkingDayCalendar(config.kfs.holidayCalendar);
    const report = await runServicingDay({ db: services.db, collections: services.collections, calendar }, businessDate, concurrency);
    print(seed, seedMs, report);
    const problems: string[] = [];
    if (report.trialBalanceMicros !== 0n) problems.push(`the trial balance is ${report.trialBalanceMicros} micros, not 0`);
    if (report.accrualEntries !== report.loansToAccrue) problems.push(`${report.accrualEntries} accrual entries for ${report.loansToAccrue} loans with interest to accrue`);
    if (problems.length) throw new Error(problems.join('; '));
  } finally {
    await services.db.close();
    await closeRedis(services.redis);
  }
}

/** The phases the report times, in order. */
export const SERVICING_BENCH_STEPS = [...CLOSE_OF_BUSINESS_STEPS, 'collections: present', 'collections: notices'] as const;

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`servicing bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

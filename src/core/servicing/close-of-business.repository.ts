import { Database } from '../../lib/db/database';

/** Loans the close of business works on: disbursed and not closed. */
const OPEN = `l.state IN ('ACTIVE', 'DELINQUENT')`;

/** x × num / den rounded HALF_UP to the paisa (10,000 micros), for non-negative bigints: the SQL twin of roundHalfUpDiv. */
const roundToPaisa = (num: string, den: string) => `(((${num}) * 2 + (${den}) * 10000) / ((${den}) * 20000)) * 10000`;

/** The day's steps, in order. Each commits together with its name in servicing_day.steps_done. */
export const CLOSE_OF_BUSINESS_STEPS = ['accrue', 'overdue', 'classify', 'penal', 'present', 'notify'] as const;
export type CloseOfBusinessStep = (typeof CLOSE_OF_BUSINESS_STEPS)[number];

/** For each calendar day of a window, the first working day on or after it (holidays come from the calendar in code). */
export interface WorkingDayMap {
  days: string[];
  workingDays: string[];
}

/**
 * The close of business in set-based SQL: every step is a handful of statements over all open loans at once,
 * whatever their number (no loop of per-loan round trips). Each method runs in the caller's transaction and
 * answers how many rows it wrote.
 */
/** How long one statement of the close of business may run (every open loan at once: seconds at 100,000 loans). */
export const CLOSE_OF_BUSINESS_STATEMENT_TIMEOUT_MS = 600_000;

export class CloseOfBusinessRepository {
  constructor(private readonly db: Database, private readonly timeoutMs = CLOSE_OF_BUSINESS_STATEMENT_TIMEOUT_MS) {}

  /** The run of `date`, created if new; its steps done so far. */
  async begin(date: string): Promise<{ stepsDone: string[]; finished: boolean }> {
    const rows = await this.db.query<{ stepsDone: string[]; finished: boolean }>(
      `INSERT INTO servicing_day (business_date) VALUES ($1::date)
       ON CONFLICT (business_date) DO UPDATE SET business_date = EXCLUDED.business_date
       RETURNING steps_done AS "stepsDone", finished_at IS NOT NULL AS finished`,
      [date],
    );
    return rows[0];
  }

  /** Locks the day's run for the rest of the transaction (one step of one day at a time, across processes). */
  async lockDay(date: string): Promise<string[]> {
    // Each step is a few statements run once a day: compiling them (JIT) costs more than it saves (seconds at 100k loans).
    await this.db.query(`SET LOCAL jit = off`);
    const rows = await this.db.query<{ stepsDone: string[] }>(`SELECT steps_done AS "stepsDone" FROM servicing_day WHERE business_date = $1::date FOR UPDATE`, [date]);
    return rows[0]?.stepsDone ?? [];
  }

  async markDone(date: string, step: CloseOfBusinessStep, count: number): Promise<void> {
    await this.db.query(
      `UPDATE servicing_day SET steps_done = array_append(steps_done, $2), counts = counts || jsonb_build_object($2::text, $3::int)
       WHERE business_date = $1::date`,
      [date, step, count],
    );
  }

  async finish(date: string): Promise<void> {
    await this.db.query(`UPDATE servicing_day SET finished_at = now() WHERE business_date = $1::date AND finished_at IS NULL`, [date]);
  }

  /** The latest business date whose run finished, or null before the first. */
  async lastFinished(): Promise<string | null> {
    const rows = await this.db.read<{ date: string | null }>(`SELECT MAX(business_date)::text AS date FROM servicing_day WHERE finished_at IS NOT NULL`);
    return rows[0]?.date ?? null;
  }

  async counts(date: string): Promise<Record<string, number>> {
    const rows = await this.db.read<{ counts: Record<string, number> }>(`SELECT counts FROM servicing_day WHERE business_date = $1::date`, [date]);
    return rows[0]?.counts ?? {};
  }

  /**
   * Daily accrual through the end of `date` (src/core/loan/accrual.ts is the rule; this is its SQL twin): every
   * instalment of an open loan accrues interest × elapsed / period days (HALF_UP to the paisa) of its period (from
   * its accrual base, when a re-amortisation set one), less
   * what was booked before, and each loan's day is one INTEREST entry (Dr INTEREST_RECEIVABLE, Cr INTEREST_INCOME)
   * under the key accrual:<loan>:<date>.
   */
  async accrue(date: string): Promise<number> {
    const rows = await this.db.longQuery<{ entries: number }>(
      `WITH target AS (
         -- What was accrued before today is read here once (the statement's snapshot), not joined again later.
         SELECT i.id, i.loan_id, i.interest_accrued_micros AS before,
           CASE WHEN $1::date >= i.due_date THEN i.interest_micros
                WHEN i.accrual_base_on IS NOT NULL THEN i.accrual_base_micros
                  + ${roundToPaisa('(i.interest_micros - i.accrual_base_micros) * GREATEST($1::date - i.accrual_base_on, 0)', '(i.due_date - i.accrual_base_on)')}
                ELSE ${roundToPaisa('i.interest_micros * ($1::date - i.accrues_from)', '(i.due_date - i.accrues_from)')} END AS accrued
         FROM loan_instalment i JOIN loan_account l ON l.id = i.loan_id
         WHERE ${OPEN} AND i.status <> 'CANCELLED' AND i.accrues_from < $1::date AND i.interest_accrued_micros < i.interest_micros
       ), moved AS (
         SELECT * FROM target WHERE accrued > before
       ), accrued AS (
         UPDATE loan_instalment i SET interest_accrued_micros = m.accrued
         FROM moved m WHERE i.id = m.id AND m.accrued > i.interest_accrued_micros
         RETURNING i.id
       ), delta AS (
         SELECT loan_id, SUM(accrued - before) AS amount FROM moved GROUP BY loan_id
       ), entry AS (
         INSERT INTO ledger_entry (idempotency_key, loan_id, value_date, kind, reference, narration)
         SELECT 'accrual:' || d.loan_id || ':' || $1, d.loan_id, $1::date, 'INTEREST', 'ACCRUAL-' || $1, 'Interest accrued'
         FROM delta d WHERE d.amount > 0
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id, loan_id
       ), posted AS (
         INSERT INTO ledger_posting (entry_id, account, loan_id, amount_micros, memo)
         SELECT e.id, side.account, e.loan_id, side.sign * d.amount, side.memo
         FROM entry e JOIN delta d ON d.loan_id = e.loan_id
         CROSS JOIN (VALUES ('INTEREST_RECEIVABLE'::"LedgerAccount", 1, NULL::text), ('INTEREST_INCOME'::"LedgerAccount", -1, 'Interest accrued')) AS side(account, sign, memo)
         RETURNING 1
       )
       SELECT COUNT(*)::int AS entries FROM entry`,
      [date], this.timeoutMs,
    );
    return rows[0].entries;
  }

  /**
   * Instalments of open loans not fully paid become OVERDUE the day after they were payable: their due date, or
   * the first working day after it when it is not one (a debit presented then is on time). Days past due still
   * count from the due date.
   */
  async markOverdue(date: string, calendar: WorkingDayMap): Promise<number> {
    const rows = await this.db.longQuery<{ count: number }>(
      `WITH moved AS (
         UPDATE loan_instalment i SET status = 'OVERDUE'
         FROM loan_account l
         WHERE l.id = i.loan_id AND ${OPEN} AND i.due_date < $1::date AND i.status IN ('DUE', 'PARTIALLY_PAID')
           AND COALESCE((SELECT w.working_day FROM unnest($2::date[], $3::date[]) AS w(day, working_day) WHERE w.day = i.due_date), i.due_date) < $1::date
         RETURNING 1
       ) SELECT COUNT(*)::int AS count FROM moved`,
      [date, calendar.days, calendar.workingDays], this.timeoutMs,
    );
    return rows[0].count;
  }

  /**
   * Days past due (from the oldest OVERDUE instalment), the asset class (src/core/loan/delinquency.ts is the
   * rule: SMA-0 1-30, SMA-1 31-60, SMA-2 61-90, NPA beyond 90, an NPA upgraded only at 0 DPD) and the loan's
   * state (DELINQUENT while DPD > 0, ACTIVE again when cured), every move of state recorded in state_transition.
   * Only loans whose figures change are written.
   */
  async classify(date: string): Promise<number> {
    const rows = await this.db.longQuery<{ count: number }>(
      `WITH oldest AS (
         SELECT loan_id, MIN(due_date) AS due_date FROM loan_instalment WHERE status = 'OVERDUE' GROUP BY loan_id
       ), figures AS (
         SELECT l.id, l.state AS old_state, l.asset_class AS old_class, GREATEST(COALESCE($1::date - o.due_date, 0), 0) AS dpd
         FROM loan_account l LEFT JOIN oldest o ON o.loan_id = l.id
         WHERE ${OPEN} AND (o.due_date IS NOT NULL OR l.days_past_due > 0 OR l.state = 'DELINQUENT' OR l.asset_class <> 'STANDARD')
       ), classed AS (
         SELECT f.*,
           (CASE WHEN f.dpd = 0 THEN 'STANDARD' WHEN f.old_class = 'NPA' OR f.dpd > 90 THEN 'NPA'
                 WHEN f.dpd > 60 THEN 'SMA_2' WHEN f.dpd > 30 THEN 'SMA_1' ELSE 'SMA_0' END)::"AssetClass" AS new_class,
           (CASE WHEN f.dpd > 0 THEN 'DELINQUENT' ELSE 'ACTIVE' END)::"LoanState" AS new_state
         FROM figures f
       ), updated AS (
         UPDATE loan_account l SET days_past_due = c.dpd, asset_class = c.new_class, state = c.new_state,
           npa_since = CASE WHEN c.new_class = 'NPA' THEN COALESCE(l.npa_since, $1::date) ELSE NULL END, updated_at = now()
         FROM classed c
         WHERE l.id = c.id AND (l.days_past_due <> c.dpd OR l.asset_class <> c.new_class OR l.state <> c.new_state)
         RETURNING l.id, c.old_state, c.new_state, c.dpd
       ), recorded AS (
         INSERT INTO state_transition (aggregate, entity_id, from_state, to_state, reason)
         SELECT 'loan_account', u.id, u.old_state::text, u.new_state::text,
           CASE WHEN u.new_state = 'DELINQUENT' THEN 'close of business ' || $1 || ': ' || u.dpd || ' days past due' ELSE 'close of business ' || $1 || ': arrears cleared' END
         FROM updated u WHERE u.old_state <> u.new_state
         RETURNING 1
       )
       SELECT COUNT(*)::int AS count FROM updated`,
      [date], this.timeoutMs,
    );
    return rows[0].count;
  }

  /**
   * The penal charge: once per OVERDUE instalment whose days past due exceed the product's grace days, the
   * product version's flat amount (no GST, never compounded: a charge is levied once and bears no interest),
   * a CHARGE entry (Dr CHARGES_RECEIVABLE, Cr CHARGES_INCOME) under the key charge:penal:<loan>:<instalment>.
   */
  async levyPenalCharges(date: string): Promise<number> {
    const rows = await this.db.longQuery<{ count: number }>(
      `WITH due AS (
         SELECT i.id AS instalment_id, i.loan_id, i.sequence, pv.penal_charge_micros AS amount,
           'penal:' || i.loan_id || ':' || i.sequence AS charge_id
         FROM loan_instalment i
         JOIN loan_account l ON l.id = i.loan_id
         JOIN product_version pv ON pv.product_id = l.product_id AND pv.version = l.product_version
         WHERE ${OPEN} AND i.status = 'OVERDUE' AND i.penal_charged_on IS NULL
           AND $1::date - i.due_date > pv.grace_days AND pv.penal_charge_micros > 0
       ), marked AS (
         UPDATE loan_instalment i SET penal_charged_on = $1::date FROM due WHERE i.id = due.instalment_id RETURNING 1
       ), charged AS (
         INSERT INTO loan_charge (id, loan_id, kind, instalment_sequence, levied_on, charge_micros, gst_micros, reference)
         SELECT charge_id, loan_id, 'PENAL', sequence, $1::date, amount, 0, 'PENAL-' || sequence || '-' || $1 FROM due
         RETURNING id
       ), entry AS (
         INSERT INTO ledger_entry (idempotency_key, loan_id, value_date, kind, reference, narration)
         SELECT 'charge:' || charge_id, loan_id, $1::date, 'CHARGE', 'PENAL-' || sequence || '-' || $1, 'Penal charge: instalment ' || sequence || ' overdue'
         FROM due
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id, loan_id, idempotency_key
       ), posted AS (
         INSERT INTO ledger_posting (entry_id, account, loan_id, amount_micros, memo)
         SELECT e.id, side.account, e.loan_id, side.sign * d.amount, side.memo
         FROM entry e JOIN due d ON 'charge:' || d.charge_id = e.idempotency_key
         CROSS JOIN (VALUES ('CHARGES_RECEIVABLE'::"LedgerAccount", 1, NULL::text), ('CHARGES_INCOME'::"LedgerAccount", -1, 'Penal charge')) AS side(account, sign, memo)
         RETURNING 1
       )
       SELECT COUNT(*)::int AS count FROM entry`,
      [date], this.timeoutMs,
    );
    return rows[0].count;
  }

  /** Stages one job per collection id in the outbox, in one statement (the envelope of src/lib/jobs/job.ts). */
  async stageJobs(topic: string, version: number, payloads: ReadonlyArray<Record<string, string>>): Promise<void> {
    if (payloads.length === 0) return;
    await this.db.longQuery(
      `INSERT INTO outbox_message (id, topic, payload)
       SELECT gen_random_uuid()::text, $1, jsonb_build_object('v', $2::int, 'data', p.data)
       FROM unnest($3::jsonb[]) AS p(data)`,
      [topic, version, payloads.map((payload) => JSON.stringify(payload))], this.timeoutMs,
    );
  }

  /**
   * Schedules the debits of the coming days, each with its pre-debit notice sent today (`date`), for loans whose
   * borrower pays by the lender's mandate (an ACTIVE mandate with a UMRN, not collected by the partner):
   *
   * - an instalment not fully paid with no collection yet, whose debit date (its due date, or the first working
   *   day after it) falls within the product's pre-debit notice days; one already past is debited tomorrow;
   * - a retry of a BOUNCED collection with no live one for its instalment, `collection_retry_days[attempt]` days
   *   after the bounced debit (moved to a working day the same way), while the product's retries last.
   *
   * The amount is what will be due on the debit date: unpaid charges plus every instalment due by then not paid,
   * capped at the mandate's ceiling. The notice goes out today, so the debit is at least a day later. Answers
   * the new collections' ids (their notices are the send-pre-debit-notice jobs).
   */
  async scheduleCollections(date: string, calendar: WorkingDayMap): Promise<string[]> {
    // The longest notice window of any product, as a value the planner sees (it then reads only the instalments due by then).
    const [{ days }] = await this.db.query<{ days: number }>(`SELECT COALESCE(MAX(pre_debit_notice_days), 0)::int AS days FROM product_version`);
    const rows = await this.db.longQuery<{ id: string }>(
      `WITH calendar AS (
         SELECT day, working_day FROM unnest($2::date[], $3::date[]) AS w(day, working_day)
       ), mandated AS NOT MATERIALIZED (
         -- Inlined into each branch below, so it is joined to their few candidates rather than built for every loan.
         SELECT l.id AS loan_id, l.product_id, l.product_version, ma.umrn, ma.max_amount_micros AS ceiling
         FROM loan_account l
         JOIN application a ON a.id = l.application_id
         JOIN repayment_mandate m ON m.id = a.current_mandate_id AND m.state = 'ACTIVE' AND NOT m.partner_collects
         JOIN LATERAL (
           SELECT umrn, max_amount_micros FROM mandate_authorisation
           WHERE mandate_id = m.id AND outcome = 'AUTHORISED' ORDER BY answered_at DESC NULLS LAST LIMIT 1
         ) ma ON true
         WHERE ${OPEN} AND l.mandate_cancelled_on IS NULL
       ), first_debits AS (
         SELECT md.*, i.sequence, 1 AS attempt, GREATEST(c.working_day, $1::date + 1) AS debit_date, i.due_date
         FROM loan_instalment i
         JOIN mandated md ON md.loan_id = i.loan_id
         JOIN calendar c ON c.day = i.due_date
         WHERE i.status IN ('DUE', 'PARTIALLY_PAID', 'OVERDUE')
           -- A debit date is on or after its due date: nothing due after the longest notice window can be scheduled today.
           AND i.due_date <= $1::date + $4::int
           AND NOT EXISTS (SELECT 1 FROM mandate_collection x WHERE x.loan_id = md.loan_id AND x.instalment_sequence = i.sequence)
       ), retries AS (
         SELECT md.*, b.instalment_sequence AS sequence, b.attempt + 1 AS attempt, GREATEST(c.working_day, $1::date + 1) AS debit_date, i.due_date
         FROM mandated md
         JOIN product_version pv ON pv.product_id = md.product_id AND pv.version = md.product_version
         JOIN mandate_collection b ON b.loan_id = md.loan_id AND b.state = 'BOUNCED'
         JOIN loan_instalment i ON i.loan_id = md.loan_id AND i.sequence = b.instalment_sequence AND i.status IN ('DUE', 'PARTIALLY_PAID', 'OVERDUE')
         JOIN calendar c ON c.day = b.debit_date + pv.collection_retry_days[b.attempt]
         WHERE b.attempt <= cardinality(pv.collection_retry_days)
           AND NOT EXISTS (SELECT 1 FROM mandate_collection y WHERE y.loan_id = md.loan_id AND y.instalment_sequence = b.instalment_sequence AND y.attempt > b.attempt)
       ), candidates AS (
         SELECT cand.* FROM (SELECT * FROM first_debits UNION ALL SELECT * FROM retries) cand
         JOIN product_version pv ON pv.product_id = cand.product_id AND pv.version = cand.product_version
         WHERE cand.debit_date <= $1::date + pv.pre_debit_notice_days
       ), amounts AS (
         SELECT cand.*,
           COALESCE((SELECT SUM(ch.charge_micros + ch.gst_micros - ch.paid_micros) FROM loan_charge ch WHERE ch.loan_id = cand.loan_id), 0)
           + COALESCE((SELECT SUM(d.principal_micros - d.principal_paid_micros + d.interest_micros - d.interest_paid_micros)
                       FROM loan_instalment d WHERE d.loan_id = cand.loan_id AND d.due_date <= cand.debit_date AND d.status IN ('DUE', 'PARTIALLY_PAID', 'OVERDUE')), 0) AS due
         FROM candidates cand
       ), scheduled AS (
         INSERT INTO mandate_collection (id, loan_id, instalment_sequence, attempt, reference, umrn, amount_micros, debit_date, notice_sent_on, state)
         SELECT gen_random_uuid()::text, loan_id, sequence, attempt,
           'COL' || upper(substr(md5(loan_id || ':' || sequence || ':' || attempt), 1, 20)), umrn, LEAST(due, ceiling), debit_date, $1::date, 'SCHEDULED'
         FROM amounts WHERE due > 0
         ON CONFLICT DO NOTHING
         RETURNING id
       )
       SELECT id FROM scheduled`,
      [date, calendar.days, calendar.workingDays, days], this.timeoutMs,
    );
    return rows.map((row) => row.id);
  }
}

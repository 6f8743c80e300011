import { Database } from '../../lib/db/database';

export type CollectionState = 'SCHEDULED' | 'PRESENTED' | 'DEBITED' | 'BOUNCED' | 'CANCELLED';

/** One presentation of an instalment's debit under the mandate (table mandate_collection). */
export interface Collection {
  id: string;
  loanId: string;
  instalmentSequence: number;
  attempt: number;
  reference: string;
  umrn: string;
  amountMicros: bigint;
  /** YYYY-MM-DD. */
  debitDate: string;
  /** YYYY-MM-DD: the business date its pre-debit notice went out. */
  noticeSentOn: string;
  noticeDeliveredAt: Date | null;
  state: CollectionState;
  railReference: string | null;
  bounceCode: string | null;
  bounceReason: string | null;
  repaymentId: string | null;
}

const COLUMNS = `id, loan_id AS "loanId", instalment_sequence AS "instalmentSequence", attempt, reference, umrn, amount_micros AS "amountMicros",
  debit_date::text AS "debitDate", notice_sent_on::text AS "noticeSentOn", notice_delivered_at AS "noticeDeliveredAt", state, rail_reference AS "railReference",
  bounce_code AS "bounceCode", bounce_reason AS "bounceReason", repayment_id AS "repaymentId"`;

/** What the pre-debit notice needs besides the collection: the borrower's sealed phone and the lender's reference. */
export interface NoticeFacts {
  applicationId: string;
  phoneCiphertext: string | null;
  lenderReference: string;
}

export class CollectionRepository {
  constructor(private readonly db: Database) {}

  async byId(id: string): Promise<Collection | null> {
    const rows = await this.db.query<Collection>(`SELECT ${COLUMNS} FROM mandate_collection WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The loan's collections, oldest first. */
  async ofLoan(loanId: string): Promise<Collection[]> {
    return this.db.read<Collection>(`SELECT ${COLUMNS} FROM mandate_collection WHERE loan_id = $1 ORDER BY debit_date, instalment_sequence, attempt`, [loanId]);
  }

  /** Locks the collection's loan, then answers the collection as it is (call in a transaction). */
  async lock(id: string): Promise<Collection | null> {
    await this.db.query(`SELECT l.id FROM loan_account l JOIN mandate_collection c ON c.loan_id = l.id WHERE c.id = $1 FOR UPDATE OF l`, [id]);
    return this.byId(id);
  }

  async markNoticeDelivered(id: string): Promise<void> {
    await this.db.query(`UPDATE mandate_collection SET notice_delivered_at = now() WHERE id = $1 AND notice_delivered_at IS NULL`, [id]);
  }

  /**
   * The collections whose debit date has come and are not answered yet (debit date ≤ `date`, notice delivered on an
   * earlier day): what the close of business hands to the worker, and the sandbox's clock runs at once.
   */
  async dueForPresentation(date: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM mandate_collection
       WHERE state IN ('SCHEDULED', 'PRESENTED') AND debit_date <= $1::date AND notice_sent_on < $1::date AND notice_delivered_at IS NOT NULL
       ORDER BY debit_date, id`,
      [date],
    );
    return rows.map((row) => row.id);
  }

  /** What happened on a business date, whoever ran it (the worker or the sandbox clock): notices sent, debits that succeeded and bounced. */
  async dayCounts(date: string): Promise<{ notices: number; debited: number; bounced: number }> {
    const rows = await this.db.query<{ notices: number; debited: number; bounced: number }>(
      `SELECT COUNT(*) FILTER (WHERE notice_sent_on = $1::date AND notice_delivered_at IS NOT NULL)::int AS notices,
              COUNT(*) FILTER (WHERE debit_date = $1::date AND state = 'DEBITED')::int AS debited,
              COUNT(*) FILTER (WHERE debit_date = $1::date AND state = 'BOUNCED')::int AS bounced
       FROM mandate_collection WHERE notice_sent_on = $1::date OR debit_date = $1::date`,
      [date],
    );
    return rows[0];
  }

  /** The collections scheduled on `date` whose notice has not gone out yet. */
  async noticesToSend(date: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM mandate_collection WHERE notice_sent_on = $1::date AND notice_delivered_at IS NULL AND state = 'SCHEDULED' ORDER BY id`,
      [date],
    );
    return rows.map((row) => row.id);
  }

  async markPresented(id: string, amountMicros: bigint): Promise<void> {
    await this.db.query(`UPDATE mandate_collection SET state = 'PRESENTED', amount_micros = $2, presented_at = now() WHERE id = $1 AND state = 'SCHEDULED'`, [id, amountMicros]);
  }

  async markCancelled(id: string): Promise<void> {
    await this.db.query(`UPDATE mandate_collection SET state = 'CANCELLED', answered_at = now() WHERE id = $1 AND state IN ('SCHEDULED', 'PRESENTED')`, [id]);
  }

  async markDebited(id: string, railReference: string, repaymentId: string): Promise<void> {
    await this.db.query(`UPDATE mandate_collection SET state = 'DEBITED', rail_reference = $2, repayment_id = $3, answered_at = now() WHERE id = $1 AND state = 'PRESENTED'`, [id, railReference, repaymentId]);
  }

  async markBounced(id: string, code: string, reason: string): Promise<void> {
    await this.db.query(`UPDATE mandate_collection SET state = 'BOUNCED', bounce_code = $2, bounce_reason = $3, answered_at = now() WHERE id = $1 AND state = 'PRESENTED'`, [id, code, reason]);
  }

  /** The scheduled debits of a loan that will not be presented any more (it closed): CANCELLED. */
  async cancelOpen(loanId: string): Promise<number> {
    const rows = await this.db.query<{ id: string }>(`UPDATE mandate_collection SET state = 'CANCELLED', answered_at = now() WHERE loan_id = $1 AND state = 'SCHEDULED' RETURNING id`, [loanId]);
    return rows.length;
  }

  /** The bounce charge of the loan's pinned product version: amount and GST rate. */
  async bounceTerms(loanId: string): Promise<{ chargeMicros: bigint; gstRateE5: number }> {
    const rows = await this.db.query<{ chargeMicros: bigint; gstRateE5: number }>(
      `SELECT pv.bounce_charge_micros AS "chargeMicros", pv.gst_rate_e5 AS "gstRateE5"
       FROM loan_account l JOIN product_version pv ON pv.product_id = l.product_id AND pv.version = l.product_version WHERE l.id = $1`,
      [loanId],
    );
    return rows[0];
  }

  async noticeFacts(loanId: string): Promise<NoticeFacts | null> {
    const rows = await this.db.read<NoticeFacts>(
      `SELECT a.id AS "applicationId", a.phone_ciphertext AS "phoneCiphertext", a.lender_reference AS "lenderReference"
       FROM loan_account l JOIN application a ON a.id = l.application_id WHERE l.id = $1`,
      [loanId],
    );
    return rows[0] ?? null;
  }
}

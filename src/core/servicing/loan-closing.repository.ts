import { Database } from '../../lib/db/database';

/** What settling a closed loan needs. */
export interface ClosedLoanFacts {
  loanId: string;
  applicationId: string;
  panLast4: string;
  state: string;
  /** The UMRN of the loan's mandate, if the lender holds one. */
  umrn: string | null;
  mandateCancelledOn: string | null;
}

export interface Refund {
  id: string;
  loanId: string;
  reference: string;
  amountMicros: bigint;
  state: 'REQUESTED' | 'SUCCEEDED' | 'FAILED';
  utr: string | null;
  requestedOn: string;
}

const REFUND = `id, loan_id AS "loanId", reference, amount_micros AS "amountMicros", state, utr, requested_on::text AS "requestedOn"`;

export class LoanClosingRepository {
  constructor(private readonly db: Database) {}

  async facts(loanId: string): Promise<ClosedLoanFacts | null> {
    const rows = await this.db.query<ClosedLoanFacts>(
      `SELECT l.id AS "loanId", a.id AS "applicationId", a.pan_last4 AS "panLast4", l.state::text AS state,
         l.mandate_cancelled_on::text AS "mandateCancelledOn",
         (SELECT ma.umrn FROM repayment_mandate m JOIN mandate_authorisation ma ON ma.mandate_id = m.id AND ma.outcome = 'AUTHORISED'
          WHERE m.id = a.current_mandate_id AND m.state = 'ACTIVE' AND NOT m.partner_collects ORDER BY ma.answered_at DESC NULLS LAST LIMIT 1) AS umrn
       FROM loan_account l JOIN application a ON a.id = l.application_id WHERE l.id = $1`,
      [loanId],
    );
    return rows[0] ?? null;
  }

  async lockLoan(loanId: string): Promise<void> {
    await this.db.query(`SELECT id FROM loan_account WHERE id = $1 FOR UPDATE`, [loanId]);
  }

  /** The instant the loan moved to CLOSED (its history), null while open. */
  async closedAt(loanId: string): Promise<Date | null> {
    const rows = await this.db.read<{ at: Date }>(
      `SELECT occurred_at AS at FROM state_transition WHERE aggregate = 'loan_account' AND entity_id = $1 AND to_state = 'CLOSED' ORDER BY id LIMIT 1`,
      [loanId],
    );
    return rows[0]?.at ?? null;
  }

  /** The UMRN the loan's mandate was authorised under (whatever became of the mandate since). */
  async umrnOf(loanId: string): Promise<string | null> {
    const rows = await this.db.read<{ umrn: string }>(
      `SELECT ma.umrn FROM loan_account l JOIN application a ON a.id = l.application_id
       JOIN repayment_mandate m ON m.id = a.current_mandate_id AND NOT m.partner_collects
       JOIN mandate_authorisation ma ON ma.mandate_id = m.id AND ma.outcome = 'AUTHORISED'
       WHERE l.id = $1 ORDER BY ma.answered_at DESC NULLS LAST LIMIT 1`,
      [loanId],
    );
    return rows[0]?.umrn ?? null;
  }

  async markMandateCancelled(loanId: string, on: string): Promise<void> {
    await this.db.query(`UPDATE loan_account SET mandate_cancelled_on = $2::date, updated_at = now() WHERE id = $1 AND mandate_cancelled_on IS NULL`, [loanId, on]);
  }

  async refundsOf(loanId: string): Promise<Refund[]> {
    return this.db.read<Refund>(`SELECT ${REFUND} FROM loan_refund WHERE loan_id = $1 ORDER BY requested_at`, [loanId]);
  }

  async createRefund(refund: { id: string; loanId: string; reference: string; amountMicros: bigint; requestedOn: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO loan_refund (id, loan_id, reference, amount_micros, state, requested_on) VALUES ($1, $2, $3, $4, 'REQUESTED', $5::date)`,
      [refund.id, refund.loanId, refund.reference, refund.amountMicros, refund.requestedOn],
    );
  }

  async answerRefund(id: string, answer: { state: 'SUCCEEDED'; utr: string } | { state: 'FAILED'; reason: string }): Promise<void> {
    await this.db.query(
      `UPDATE loan_refund SET state = $2::"RefundState", utr = $3, failure_reason = $4, completed_at = now() WHERE id = $1 AND state = 'REQUESTED'`,
      [id, answer.state, answer.state === 'SUCCEEDED' ? answer.utr : null, answer.state === 'FAILED' ? answer.reason : null],
    );
  }
}

import { Database, sqlStateOf } from '../../lib/db/database';
import { AppError, AppErrorCode } from '../errors';

/** The tables that carry a state machine. */
export type StatefulModel = 'application' | 'kyc' | 'repaymentMandate' | 'loanAccount' | 'disbursement' | 'loanRepayment' | 'aaConsent' | 'dispute';

export interface StateTransitionRecord {
  aggregate: string;
  entityId: string;
  fromState: string | null;
  toState: string;
  reason: string | null;
  occurredAt: Date;
}

const TABLES: Record<StatefulModel, { table: string; hasUpdatedAt: boolean }> = {
  application: { table: 'application', hasUpdatedAt: true },
  kyc: { table: 'kyc', hasUpdatedAt: true },
  repaymentMandate: { table: 'repayment_mandate', hasUpdatedAt: true },
  loanAccount: { table: 'loan_account', hasUpdatedAt: true },
  disbursement: { table: 'disbursement', hasUpdatedAt: false },
  loanRepayment: { table: 'loan_repayment', hasUpdatedAt: true },
  aaConsent: { table: 'aa_consent', hasUpdatedAt: true },
  dispute: { table: 'dispute', hasUpdatedAt: true },
};

/** `approvalRejectionReason` → `approval_rejection_reason`; field names come from code, never from a request. */
function columnOf(field: string): string {
  if (!/^[a-z][a-zA-Z0-9]*$/.test(field)) throw new Error(`Not a field name: ${field}`);
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export class StateTransitionRepository {
  constructor(private readonly db: Database) {}

  /**
   * In one pipelined statement: sets `column` from `from` to `to` (plus `changes`) only if it is still
   * `from`, and records the move in the history. If the row was not in `from`, nothing is written and the
   * transaction fails with CONCURRENT_MODIFICATION.
   */
  async move(model: StatefulModel, column: string, entry: { aggregate: string; entityId: string; from: string; to: string; reason?: string }, changes: Record<string, unknown>): Promise<void> {
    const { table, hasUpdatedAt } = TABLES[model];
    const fields = Object.keys(changes).filter((field) => changes[field] !== undefined).sort();
    const assignments = [
      `${columnOf(column)} = $3`,
      ...fields.map((field, i) => `${columnOf(field)} = $${i + 7}`),
      ...(hasUpdatedAt ? ['updated_at = now()'] : []),
    ];
    await this.db.write(
      `WITH moved AS (UPDATE ${table} SET ${assignments.join(', ')} WHERE id = $1 AND ${columnOf(column)}::text = $2 RETURNING id),
            recorded AS (INSERT INTO state_transition (aggregate, entity_id, from_state, to_state, reason)
                         SELECT $4, $1, $2, $6, $5 FROM moved RETURNING id)
       SELECT require_row(EXISTS (SELECT 1 FROM recorded), 'CP002', 'row not in the expected state')`,
      // The target state is passed twice: once typed as the state column's enum, once as history text.
      [entry.entityId, entry.from, entry.to, entry.aggregate, entry.reason ?? null, entry.to, ...fields.map((field) => changes[field])],
      (err) => (sqlStateOf(err) === 'CP002' ? new AppError(AppErrorCode.CONCURRENT_MODIFICATION, `${entry.aggregate} ${entry.entityId} is no longer ${entry.from}`) : err),
    );
  }

  async record(entries: Array<Omit<StateTransitionRecord, 'occurredAt' | 'reason'> & { reason?: string }>): Promise<void> {
    const rows = entries.map((_, i) => `($${5 * i + 1}, $${5 * i + 2}, $${5 * i + 3}, $${5 * i + 4}, $${5 * i + 5})`);
    await this.db.write(
      `INSERT INTO state_transition (aggregate, entity_id, from_state, to_state, reason) VALUES ${rows.join(', ')}`,
      entries.flatMap((entry) => [entry.aggregate, entry.entityId, entry.fromState, entry.toState, entry.reason ?? null]),
    );
  }

  async history(aggregate: string, entityId: string): Promise<StateTransitionRecord[]> {
    return this.db.query<StateTransitionRecord>(
      `SELECT aggregate, entity_id AS "entityId", from_state AS "fromState", to_state AS "toState", reason, occurred_at AS "occurredAt"
       FROM state_transition WHERE aggregate = $1 AND entity_id = $2 ORDER BY id`,
      [aggregate, entityId],
    );
  }
}

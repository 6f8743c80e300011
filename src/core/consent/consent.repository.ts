import { Database } from '../../lib/db/database';
import { Table } from '../../lib/db/table';
import { BankStatementSummary } from './account-aggregator';
import { Consent } from './consent';

const CONSENT = new Table<Consent>('aa_consent', {
  id: 'id',
  partnerId: 'partner_id',
  state: 'state',
  fetchType: 'fetch_type',
  vuaCiphertext: 'vua_ciphertext',
  aaHandle: 'aa_handle',
  approvalUrl: 'approval_url',
  failureReason: 'failure_reason',
  attempts: 'attempts',
  averageMonthlyCreditsMicros: 'average_monthly_credits_micros',
  bounceCount: 'bounce_count',
  monthsCovered: 'months_covered',
  summaryFetchedAt: 'summary_fetched_at',
  createdAt: 'created_at',
});

const SELECT = `SELECT ${CONSENT.selectList('c')} FROM aa_consent c`;

/** Consents and the applications they are for; a partner's consent is found only within that partner. */
export class ConsentRepository {
  constructor(private readonly db: Database) {}

  async create(consent: Pick<Consent, 'id' | 'partnerId' | 'state' | 'fetchType' | 'vuaCiphertext'>, applicationIds: string[]): Promise<void> {
    const { sql, values } = CONSENT.insert(consent, { updated_at: 'now()' });
    await this.db.write(sql, values);
    for (const applicationId of applicationIds) {
      await this.db.write('INSERT INTO aa_consent_application (consent_id, application_id) VALUES ($1, $2)', [consent.id, applicationId]);
    }
  }

  async byId(id: string): Promise<Consent | null> {
    const [row] = await this.db.query<Consent>(`${SELECT} WHERE c.id = $1`, [id]);
    return row ?? null;
  }

  /** Locks the consent for the rest of the transaction. */
  async lock(id: string): Promise<Consent | null> {
    const [row] = await this.db.query<Consent>(`${SELECT} WHERE c.id = $1 FOR UPDATE`, [id]);
    return row ?? null;
  }

  /** The consent behind an AA handle (handles are the AA's, unique across partners). */
  async byHandle(handle: string): Promise<Consent | null> {
    const [row] = await this.db.query<Consent>(`${SELECT} WHERE c.aa_handle = $1`, [handle]);
    return row ?? null;
  }

  /** The application ids and partner references of a consent's applications. */
  async applicationsOf(consentId: string): Promise<Array<{ applicationId: string; externalReference: string }>> {
    return this.db.query<{ applicationId: string; externalReference: string }>(
      `SELECT a.id AS "applicationId", a.external_reference AS "externalReference"
         FROM aa_consent_application ca JOIN application a ON a.id = ca.application_id
        WHERE ca.consent_id = $1 ORDER BY a.external_reference`,
      [consentId],
    );
  }

  /** The latest consent asked for an application, or null. */
  async latestFor(applicationId: string): Promise<Consent | null> {
    const [row] = await this.db.query<Consent>(
      `${SELECT} JOIN aa_consent_application ca ON ca.consent_id = c.id WHERE ca.application_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT 1`,
      [applicationId],
    );
    return row ?? null;
  }

  /** Counts an attempt to reach the AA (recorded whatever the attempt's outcome). */
  async markAttempt(id: string): Promise<void> {
    await this.db.write('UPDATE aa_consent SET attempts = attempts + 1, updated_at = now() WHERE id = $1', [id]);
  }

  /**
   * Consents on which the lender still owes a step, untouched since `before`, oldest first: REQUESTED (the AA not
   * asked yet, or its answer lost) and READY without the bank-statement summary (not fetched yet).
   */
  async unfinishedSince(before: Date, limit: number): Promise<Array<Pick<Consent, 'id' | 'state' | 'createdAt'>>> {
    return this.db.query<Pick<Consent, 'id' | 'state' | 'createdAt'>>(
      `SELECT id, state, created_at AS "createdAt" FROM aa_consent
        WHERE (state = 'REQUESTED' OR (state = 'READY' AND summary_fetched_at IS NULL)) AND updated_at < $1
        ORDER BY updated_at LIMIT $2`,
      [before, limit],
    );
  }

  /** Marks the consent as looked at now (the reconciler's retry), so the next sweep leaves it alone for a while. */
  async touch(id: string): Promise<void> {
    await this.db.write('UPDATE aa_consent SET updated_at = now() WHERE id = $1', [id]);
  }

  async recordSummary(id: string, summary: BankStatementSummary, at: Date): Promise<void> {
    await this.db.write(
      `UPDATE aa_consent SET average_monthly_credits_micros = $2, bounce_count = $3, months_covered = $4, summary_fetched_at = $5, updated_at = now()
        WHERE id = $1 AND summary_fetched_at IS NULL`,
      [id, summary.averageMonthlyCreditsMicros, summary.bounceCount, summary.monthsCovered, at],
    );
  }
}

import { Database } from '../../lib/db/database';
import { Table } from '../../lib/db/table';
import { DocumentVerdict } from './document-verifier';
import { IncomeDocument } from './income-document';

const DOCUMENT = new Table<IncomeDocument>('income_document', {
  id: 'id',
  applicationId: 'application_id',
  channel: 'channel',
  kind: 'kind',
  source: 'source',
  format: 'format',
  reference: 'reference',
  sizeBytes: 'size_bytes',
  sha256: 'sha256',
  statedMonthlyIncomeMicros: 'stated_monthly_income_micros',
  verified: 'verified',
  verifiedMonthlyIncomeMicros: 'verified_monthly_income_micros',
  verificationNote: 'verification_note',
  receivedAt: 'received_at',
});

export class IncomeDocumentRepository {
  constructor(private readonly db: Database) {}

  async create(document: Omit<IncomeDocument, 'verified' | 'verifiedMonthlyIncomeMicros' | 'verificationNote' | 'receivedAt'>): Promise<void> {
    const { sql, values } = DOCUMENT.insert(document);
    await this.db.write(sql, values);
  }

  /** An application's documents, oldest first. */
  async of(applicationId: string): Promise<IncomeDocument[]> {
    return this.db.query<IncomeDocument>(`SELECT ${DOCUMENT.selectList()} FROM income_document WHERE application_id = $1 ORDER BY received_at, id`, [applicationId]);
  }

  /** Records the verdict of a document not yet verified (a verdict already recorded stays). */
  async recordVerdict(id: string, verdict: DocumentVerdict, at: Date): Promise<void> {
    await this.db.write(
      `UPDATE income_document SET verified = $2, verified_monthly_income_micros = $3, verification_note = $4, verified_at = $5 WHERE id = $1 AND verified IS NULL`,
      [id, verdict.verified, verdict.verified ? verdict.monthlyIncomeMicros : null, verdict.verified ? null : verdict.reason, at],
    );
  }
}

import { Database, isUniqueViolation } from '../../lib/db/database';
import { Table } from '../../lib/db/table';
import { notFound } from '../errors';
import { Application, ApplicationRef, CurrentPointers, NewApplication } from './application';

const APPLICATION = new Table<Application>('application', {
  id: 'id',
  partnerId: 'partner_id',
  externalReference: 'external_reference',
  lenderReference: 'lender_reference',
  productId: 'product_id',
  phoneHash: 'phone_hash',
  phoneCiphertext: 'phone_ciphertext',
  panHash: 'pan_hash',
  panLast4: 'pan_last4',
  applicantCiphertext: 'applicant_ciphertext',
  loanPurpose: 'loan_purpose',
  requestedAmountMicros: 'requested_amount_micros',
  cKycIdHash: 'ckyc_id_hash',
  approvalState: 'approval_state',
  approvalRejectionReason: 'approval_rejection_reason',
  approvalRejectionDescription: 'approval_rejection_description',
  applicationState: 'application_state',
  rejectionReason: 'rejection_reason',
  rejectionDescription: 'rejection_description',
  currentOfferId: 'current_offer_id',
  currentKycId: 'current_kyc_id',
  currentMandateId: 'current_mandate_id',
  currentSubmissionId: 'current_submission_id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
});

const SELECT_BY_REF = `SELECT ${APPLICATION.selectList()} FROM application WHERE partner_id = $1 AND external_reference = $2`;
const SELECT_BY_ID = `SELECT ${APPLICATION.selectList()} FROM application WHERE id = $1`;

/**
 * Applications, looked up within one partner: another partner's reference is simply unknown. The request
 * path's statements are hand-written prepared statements (they run on every write of the journey).
 */
export class ApplicationRepository {
  constructor(private readonly db: Database) {}

  async find(ref: ApplicationRef): Promise<Application | null> {
    const [row] = await this.db.query<Application>(SELECT_BY_REF, [ref.partnerId, ref.externalReference]);
    return row ?? null;
  }

  async exists(ref: ApplicationRef): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM application WHERE partner_id = $1 AND external_reference = $2`, [ref.partnerId, ref.externalReference]);
    return rows.length > 0;
  }

  async get(ref: ApplicationRef): Promise<Application> {
    const application = await this.find(ref);
    if (!application) throw notFound('application reference', 'externalReference');
    return application;
  }

  /** The partner's application by the lender's reference (which a surface may hand out as the loan id); another partner's is unknown. */
  async findByLenderReference(partnerId: string, lenderReference: string): Promise<Application | null> {
    const [row] = await this.db.query<Application>(`SELECT ${APPLICATION.selectList()} FROM application WHERE partner_id = $1 AND lender_reference = $2`, [partnerId, lenderReference]);
    return row ?? null;
  }

  async byId(id: string): Promise<Application | null> {
    const [row] = await this.db.query<Application>(SELECT_BY_ID, [id]);
    return row ?? null;
  }

  /** Locks the row for the rest of the transaction, so two requests on one application run one after the other; returns it as locked. */
  async lock(applicationId: string): Promise<Application | null> {
    const [row] = await this.db.query<Application>(`${SELECT_BY_ID} FOR UPDATE`, [applicationId]);
    return row ?? null;
  }

  /** Locks and reads the application in the caller's transaction, in one statement. */
  async lockByRef(ref: ApplicationRef): Promise<Application> {
    const [row] = await this.db.query<Application>(`${SELECT_BY_REF} FOR UPDATE`, [ref.partnerId, ref.externalReference]);
    if (!row) throw notFound('application reference', 'externalReference');
    return row;
  }

  /** Inserts the application, pipelined: a reference already taken fails the transaction with `onDuplicate()`. */
  async create(application: NewApplication, onDuplicate: () => Error): Promise<void> {
    const { sql, values } = APPLICATION.insert(application, { updated_at: 'now()' });
    await this.db.write(sql, values, (err) => (isUniqueViolation(err) ? onDuplicate() : err));
  }

  async setCurrent(id: string, pointers: CurrentPointers): Promise<void> {
    const { sql, values } = APPLICATION.assignments(pointers, 2);
    await this.db.write(`UPDATE application SET ${sql}, updated_at = now() WHERE id = $1`, [id, ...values]);
  }

  /** Applications still waiting for a credit decision that nobody touched since `before`. */
  async awaitingDecisionSince(before: Date, limit: number): Promise<Array<Pick<Application, 'id' | 'createdAt'>>> {
    return this.db.client.application.findMany({
      where: { approvalState: 'IN_PROCESS', updatedAt: { lt: before } },
      select: { id: true, createdAt: true },
      orderBy: { updatedAt: 'asc' },
      take: limit,
    });
  }

  /** Submitted applications with no disbursement intent that nobody touched since `before`. */
  async submittedWithoutDisbursementSince(before: Date, limit: number): Promise<Array<Pick<Application, 'id'>>> {
    return this.db.client.application.findMany({
      where: { applicationState: 'SUBMITTED', disbursement: null, updatedAt: { lt: before } },
      select: { id: true },
      take: limit,
    });
  }

  /** Marks the application as looked at (so a sweep does not pick it again at once). */
  async touch(id: string): Promise<void> {
    await this.db.client.application.update({ where: { id }, data: { updatedAt: new Date() } });
  }
}

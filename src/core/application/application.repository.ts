import { Database } from '../../lib/db/database';
import { notFound } from '../errors';
import { Application, ApplicationRef, CurrentPointers, NewApplication } from './application';
import { ApplicationStatus } from './application-status';

/** Applications, looked up within one partner: another partner's reference is simply unknown. */
export class ApplicationRepository {
  constructor(private readonly db: Database) {}

  async find(ref: ApplicationRef): Promise<Application | null> {
    return this.db.client.application.findUnique({ where: { partnerId_externalReference: { partnerId: ref.partnerId, externalReference: ref.externalReference } } });
  }

  async get(ref: ApplicationRef): Promise<Application> {
    const application = await this.find(ref);
    if (!application) throw notFound('application reference');
    return application;
  }

  async byId(id: string): Promise<Application | null> {
    return this.db.client.application.findUnique({ where: { id } });
  }

  /** Locks the row for the rest of the transaction, so two requests on one application run one after the other. */
  async lock(applicationId: string): Promise<void> {
    await this.db.client.$queryRaw`SELECT id FROM application WHERE id = ${applicationId} FOR UPDATE`;
  }

  /** Locks and reads the application in the caller's transaction. */
  async lockByRef(ref: ApplicationRef): Promise<Application> {
    const [row] = await this.db.client.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM application WHERE partner_id = ${ref.partnerId} AND external_reference = ${ref.externalReference} FOR UPDATE`;
    if (!row) throw notFound('application reference');
    return (await this.byId(row.id))!;
  }

  async create(application: NewApplication): Promise<void> {
    await this.db.client.application.create({ data: application });
  }

  async setCurrent(id: string, pointers: CurrentPointers): Promise<void> {
    await this.db.client.application.update({ where: { id }, data: pointers });
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

  /** The whole status of an application in one prepared query, with no transaction and no write. */
  async status(ref: ApplicationRef): Promise<ApplicationStatus | null> {
    const [row] = await this.db.read<StatusRow>(STATUS_SQL, [ref.partnerId, ref.externalReference]);
    if (!row) return null;
    return {
      lenderReference: row.lender_reference,
      approvalState: row.approval_state,
      approvalRejection: row.approval_rejection_reason ? { reason: row.approval_rejection_reason, description: row.approval_rejection_description ?? '' } : undefined,
      currentOfferId: row.current_offer_id ?? undefined,
      applicationState: row.application_state,
      rejection: row.rejection_reason ? { reason: row.rejection_reason, description: row.rejection_description ?? '' } : undefined,
      kyc: row.kyc_state
        ? {
            state: row.kyc_state,
            eligibleMethods: parsePgArray(row.kyc_eligible_methods) as ApplicationStatus['kyc']['eligibleMethods'],
            completedMethod: row.kyc_completed_method ?? undefined,
            rejectionReason: row.kyc_rejection_reason ?? undefined,
            approvalValidUntil: row.kyc_approval_valid_until ?? undefined,
          }
        : { state: 'NOT_STARTED', eligibleMethods: [] },
      repaymentSetup: { state: row.mandate_state ?? 'NOT_STARTED' },
      accountToken: row.account_token ?? undefined,
    };
  }
}

const STATUS_SQL = `
  SELECT a.lender_reference, a.approval_state, a.approval_rejection_reason, a.approval_rejection_description,
         a.current_offer_id, a.application_state, a.rejection_reason, a.rejection_description,
         k.state AS kyc_state, k.eligible_methods::text AS kyc_eligible_methods, k.completed_method AS kyc_completed_method,
         k.rejection_reason AS kyc_rejection_reason, k.approval_valid_until AS kyc_approval_valid_until,
         m.state AS mandate_state, l.account_token
  FROM application a
  LEFT JOIN kyc k ON k.id = a.current_kyc_id
  LEFT JOIN repayment_mandate m ON m.id = a.current_mandate_id
  LEFT JOIN loan_account l ON l.application_id = a.id
  WHERE a.partner_id = $1 AND a.external_reference = $2`;

interface StatusRow {
  lender_reference: string;
  approval_state: ApplicationStatus['approvalState'];
  approval_rejection_reason: string | null;
  approval_rejection_description: string | null;
  current_offer_id: string | null;
  application_state: ApplicationStatus['applicationState'];
  rejection_reason: string | null;
  rejection_description: string | null;
  kyc_state: ApplicationStatus['kyc']['state'] | null;
  kyc_eligible_methods: string | null;
  kyc_completed_method: ApplicationStatus['kyc']['completedMethod'] | null;
  kyc_rejection_reason: string | null;
  kyc_approval_valid_until: Date | null;
  mandate_state: ApplicationStatus['repaymentSetup']['state'] | null;
  account_token: string | null;
}

/** `{EKYC,VIDEO_KYC}` (a PostgreSQL enum array as text) → ['EKYC', 'VIDEO_KYC']. */
function parsePgArray(text: string | null): string[] {
  if (!text || text === '{}') return [];
  return text.slice(1, -1).split(',');
}

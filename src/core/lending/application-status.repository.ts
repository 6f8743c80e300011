import type { Database } from '../../lib/db/database';
import type { ApplicationRef } from '../application/application';
import type { ApplicationStatus, StoredApplicationStatus } from './application-status';

/** The poll's status of an application (application, current KYC, mandate and loan account) in one prepared query. */
export class ApplicationStatusRepository {
  constructor(private readonly db: Database) {}

  /** The whole status of an application in one prepared query, with no transaction and no write. */
  async status(ref: ApplicationRef): Promise<StoredApplicationStatus | null> {
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
      sealedAccountToken: row.loan_id && row.account_token_ciphertext ? { loanId: row.loan_id, ciphertext: row.account_token_ciphertext } : undefined,
    };
  }}

const STATUS_SQL = `
  SELECT a.lender_reference, a.approval_state, a.approval_rejection_reason, a.approval_rejection_description,
         a.current_offer_id, a.application_state, a.rejection_reason, a.rejection_description,
         k.state AS kyc_state, k.eligible_methods::text AS kyc_eligible_methods, k.completed_method AS kyc_completed_method,
         k.rejection_reason AS kyc_rejection_reason, k.approval_valid_until AS kyc_approval_valid_until,
         m.state AS mandate_state, l.id AS loan_id, l.account_token_ciphertext
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
  loan_id: string | null;
  account_token_ciphertext: string | null;
}

/** `{EKYC,VIDEO_KYC}` (a PostgreSQL enum array as text) → ['EKYC', 'VIDEO_KYC']. */
function parsePgArray(text: string | null): string[] {
  if (!text || text === '{}') return [];
  return text.slice(1, -1).split(',');
}

import { ApprovalState } from '../application/approval-state';
import { KycMethod, KycState } from '../kyc/kyc-state';
import { MandateState } from '../mandate/mandate-state';
import { ApplicationState } from '../application/application-state';

/** Everything a partner may read about one application, in one read. */
export interface ApplicationStatus {
  lenderReference: string;
  approvalState: ApprovalState;
  approvalRejection?: { reason: string; description: string };
  currentOfferId?: string;
  applicationState: ApplicationState;
  rejection?: { reason: string; description: string };
  kyc: { state: KycState; eligibleMethods: KycMethod[]; completedMethod?: KycMethod; rejectionReason?: string; approvalValidUntil?: Date };
  repaymentSetup: { state: MandateState | 'NOT_STARTED' };
  accountToken?: string;
}

/** The status as the database holds it: a disbursed loan's account token still sealed to the loan (see AccountTokens). */
export interface StoredApplicationStatus extends Omit<ApplicationStatus, 'accountToken'> {
  sealedAccountToken?: { loanId: string; ciphertext: string };
}

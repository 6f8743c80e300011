import { addMonthsClamped } from '../shared/dates';
import { LoanState } from './loan-state';
import { DisbursementState } from './disbursement-state';

export interface Instalment {
  sequence: number;
  /** YYYY-MM-DD, an Indian calendar date. */
  dueDate: string;
  emiMicros: bigint;
  principalMicros: bigint;
  interestMicros: bigint;
  /** YYYY-MM-DD: its interest accrues from this date (the previous due date, or the payout's business date). */
  accruesFrom: string;
  status: 'DUE' | 'PAID' | 'OVERDUE' | 'PARTIALLY_PAID' | 'CANCELLED';
}

/** A disbursed loan and its EMI schedule. Its account token is not part of it: see AccountTokens. */
export interface LoanAccount {
  id: string;
  applicationId: string;
  /**
   * The product and version the loan's terms come from (`loan_account.product_id`, `.product_version`): the
   * application's product, the version its offer pinned. Its charges, grace, notice and retry days are read there
   * (ProductCatalog.findVersion), never from the product's current version.
   */
  productId: string;
  productVersion: number;
  state: LoanState;
  sanctionedMicros: bigint;
  /** Net of the processing fee and its GST (what reached the borrower). */
  disbursedMicros: bigint;
  interestRateE5: number;
  tenureMonths: number;
  emiMicros: bigint;
  /** Read from the ledger (LOAN_PRINCIPAL); the loan_account column of the same name is only a mirror of it. */
  outstandingPrincipalMicros: bigint;
  disbursementReference: string;
  disbursedAt: Date;
  /** YYYY-MM-DD: the business date of the payout. */
  disbursedOn: string;
  instalments: Instalment[];
}

/** The intent to pay out, and the rail's answer once it is known. */
export interface Disbursement {
  id: string;
  applicationId: string;
  submissionId: string;
  reference: string;
  amountMicros: bigint;
  state: DisbursementState;
  attempts: number;
  requestedAt: Date;
  lastAttemptAt: Date | null;
}

/** A payout as the partner may see it. */
export interface Payout {
  reference: string;
  amountMicros: bigint;
  state: DisbursementState;
  /** The rail's transaction reference (UTR) once SUCCEEDED. */
  utr: string | null;
  failureReason: string | null;
  requestedAt: Date;
  completedAt: Date | null;
  /** When it was reported to the network's analytics (OCEN), if it was. */
  reportedAt: Date | null;
}

/** The claim under which one worker at a time pays an application out (`UnitOfWork.exclusively`). */
export function payoutClaim(applicationId: string): string {
  return `disburse:${applicationId}`;
}

/**
 * The schedule rule for the first EMI: due one calendar month after the business date the loan is paid out on
 * (an Indian calendar date), the day of month clamped to the month's last (paid out on 31 January → first EMI 28
 * or 29 February); each later EMI falls on the same day of the following months (see buildSchedule).
 */
export function firstDueDate(disbursedOn: string): string {
  return addMonthsClamped(disbursedOn, 1);
}

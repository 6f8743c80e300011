import { RepaymentState } from './repayment-state';
import type { LoanAccount } from './loan';

/** An instalment of a disbursed loan with what has been paid of it. */
export interface ServicedInstalment {
  sequence: number;
  /** YYYY-MM-DD, an Indian calendar date. */
  dueDate: string;
  emiMicros: bigint;
  principalMicros: bigint;
  interestMicros: bigint;
  principalPaidMicros: bigint;
  interestPaidMicros: bigint;
  status: 'DUE' | 'PARTIALLY_PAID' | 'PAID' | 'OVERDUE';
}

/** A payment towards a loan (see repayment-state.ts); the allocation is set once it SUCCEEDED. */
export interface Repayment {
  id: string;
  loanId: string;
  /** Ours: the payment page's handle (random, unguessable). */
  reference: string;
  /** The partner's own id of the payment, if it sent one. */
  partnerPaymentId: string | null;
  amountMicros: bigint;
  instalmentSequence: number | null;
  /** How the borrower pays (e.g. UPI, NETBANKING), as the partner asked. */
  method: string;
  state: RepaymentState;
  principalMicros: bigint | null;
  interestMicros: bigint | null;
  penaltyMicros: bigint | null;
  excessMicros: bigint | null;
  providerReference: string | null;
  failureReason: string | null;
  requestedAt: Date;
  completedAt: Date | null;
}

export type LoanJournalKind = 'DISBURSEMENT' | 'PROCESSING_FEE' | 'PROCESSING_FEE_GST' | 'INTEREST' | 'REPAYMENT' | 'EXCESS_PAYMENT';

/**
 * One row of the loan transaction journal (`loan_journal_entry`): append-only, one movement of what the borrower
 * owes (DEBIT raises the balance, CREDIT lowers it) with the balance after it. The statement is read from it.
 * It is single-entry, the borrower's side, by design the seed of the full ledger: a later double-entry ledger
 * (each row a balanced pair of postings: loan asset against bank, fee income, GST payable, interest income) and
 * the Key Fact Statement grow from these rows without changing them.
 *
 * Interest is journalled when it is paid (cash basis: an INTEREST debit just before the REPAYMENT credit that
 * pays it), so the balance is the principal outstanding after every repayment and each row's balance is the
 * previous one ± its amount. Accrual booking is for the later ledger.
 */
export interface LoanJournalEntry {
  kind: LoanJournalKind;
  direction: 'DEBIT' | 'CREDIT';
  amountMicros: bigint;
  balanceAfterMicros: bigint;
  /** YYYY-MM-DD (Indian calendar). */
  valueDate: string;
  reference: string;
  narration: string;
}

/** A disbursed loan as servicing sees it: the partner's references, the account, its instalments and repayments. */
export interface ServicedLoan extends Pick<LoanAccount, 'applicationId' | 'state' | 'sanctionedMicros' | 'disbursedMicros' | 'interestRateE5' | 'tenureMonths' | 'emiMicros' | 'outstandingPrincipalMicros' | 'disbursedAt'> {
  /** The partner's reference of the application. */
  externalReference: string;
  /** The lender's reference (the loan's id towards partners). */
  lenderReference: string;
  requestedAmountMicros: bigint;
  loanId: string;
  createdAt: Date;
  instalments: ServicedInstalment[];
  /** Newest first. */
  repayments: Repayment[];
}

/** The figures of a loan's summary, every amount in micros. */
export interface LoanFigures {
  principalPaidMicros: bigint;
  interestPaidMicros: bigint;
  penaltyPaidMicros: bigint;
  principalPendingMicros: bigint;
  /** The scheduled interest of what is not yet paid. */
  interestPendingMicros: bigint;
  /** Sum of the repayments that SUCCEEDED. */
  repaidMicros: bigint;
  /** The first instalment not fully paid (null when all are). */
  nextInstalment: ServicedInstalment | null;
  /** The due date of the last instalment. */
  endDate: string;
}

/** The decision on a request to change a loan's repayment conditions. */
export interface ConditionDecision {
  decision: 'ACCEPTED' | 'REJECTED';
  description: string;
  /** The instalment moved, and its new due date, when ACCEPTED. */
  instalmentSequence?: number;
  dueDate?: string;
}

import { RepaymentState } from './repayment-state';
import type { LoanAccount } from './loan';
import type { LoanBalances } from '../ledger/balances';

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
  /** YYYY-MM-DD: the instalment's interest accrues day by day from this date to its due date (src/core/loan/accrual.ts). */
  accruesFrom: string;
  /** What has been booked of its interest as earned (the daily accrual, or a payment ahead of it). */
  interestAccruedMicros: bigint;
  /** Set by a re-amortisation mid-period: interest earned on the old balance by `accrualBaseOn` (accrual.ts). */
  accrualBaseMicros: bigint;
  accrualBaseOn: string | null;
  /**
   * DUE: not yet due or due today; OVERDUE: due before the business date and not fully paid; PARTIALLY_PAID: paid in
   * part before it fell due; PAID; CANCELLED: dropped from the schedule by a foreclosure or a re-amortisation (its
   * principal moved to another instalment).
   */
  status: 'DUE' | 'PARTIALLY_PAID' | 'PAID' | 'OVERDUE' | 'CANCELLED';
}

/** What a repayment is for (see RepaymentPurpose in prisma/schema.prisma and LoanServicingService.trigger). */
export type RepaymentPurpose = 'DUES' | 'PREPAY_REDUCE_EMI' | 'PREPAY_REDUCE_TENURE' | 'FORECLOSURE' | 'COOLING_OFF_EXIT';

/** RBI's classification by days past due. */
export type AssetClassName = 'STANDARD' | 'SMA_0' | 'SMA_1' | 'SMA_2' | 'NPA';

export type { LoanClosure } from './no-dues-certificate';
import type { LoanClosure } from './no-dues-certificate';

/** A charge levied on the loan and what has been paid of it. */
export interface LoanChargeRecord {
  id: string;
  kind: 'BOUNCE' | 'PENAL' | 'FORECLOSURE';
  instalmentSequence: number | null;
  /** YYYY-MM-DD. */
  leviedOn: string;
  chargeMicros: bigint;
  gstMicros: bigint;
  paidMicros: bigint;
  reference: string;
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
  purpose: RepaymentPurpose;
  /** YYYY-MM-DD: the business date it was applied on, once SUCCEEDED. */
  valueDate: string | null;
  /** What it paid of principal beyond the instalments due (a prepayment), once SUCCEEDED. */
  prepaymentMicros: bigint | null;
  principalMicros: bigint | null;
  interestMicros: bigint | null;
  penaltyMicros: bigint | null;
  excessMicros: bigint | null;
  providerReference: string | null;
  failureReason: string | null;
  requestedAt: Date;
  completedAt: Date | null;
}

/**
 * A disbursed loan as servicing sees it: the partner's references, the account, its instalments and repayments,
 * and its balances read from the ledger (src/core/ledger: principal outstanding, receivables, excess, repaid).
 */
export interface ServicedLoan extends Pick<LoanAccount, 'applicationId' | 'state' | 'sanctionedMicros' | 'disbursedMicros' | 'interestRateE5' | 'tenureMonths' | 'emiMicros' | 'disbursedAt'> {
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
  /** Oldest first. */
  charges: LoanChargeRecord[];
  /** YYYY-MM-DD: the business date of the payout. */
  disbursedOn: string;
  /** As of the last close of business (or the last repayment that cured the arrears). */
  daysPastDue: number;
  assetClass: AssetClassName;
  /** YYYY-MM-DD, once CLOSED. */
  closedOn: string | null;
  closure: LoanClosure | null;
  /** YYYY-MM-DD: when the mandate was cancelled at the rail after closure. */
  mandateCancelledOn: string | null;
  /** Every balance of the loan, summed from its ledger postings. */
  balances: LoanBalances;
}

/** A serviced loan as stored, before its balances are read from the ledger. */
export type StoredServicedLoan = Omit<ServicedLoan, 'balances'>;

/** The figures of a loan's summary, every amount in micros. */
export interface LoanFigures {
  /** From the ledger: the principal, interest and charges parts of the repayments. */
  principalPaidMicros: bigint;
  interestPaidMicros: bigint;
  penaltyPaidMicros: bigint;
  /** From the ledger: LOAN_PRINCIPAL's balance. */
  principalPendingMicros: bigint;
  /**
   * The schedule's interest not yet paid. Not a ledger balance: interest enters the ledger when it is earned
   * (today when it is paid; with the daily accrual, day by day), so this is the interest still to come.
   */
  interestPendingMicros: bigint;
  /** From the ledger: everything received towards the loan. */
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

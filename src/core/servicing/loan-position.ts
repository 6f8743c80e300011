import { Ledger } from '../ledger/ledger';
import { StatementLine } from '../ledger/statement';
import { LoanService } from '../loan/loan.service';
import { ServicedLoan } from '../loan/servicing';
import { remainingOf } from '../loan/allocation';
import { LoanServicingService, duesOn } from '../loan/servicing.service';
import { BusinessClock } from '../shared/business-clock';
import { Refund } from './loan-closing.repository';
import { LoanClosing } from './loan-closing';

/** How many of the latest transactions a position lists. */
export const LATEST_TRANSACTIONS = 10;

/**
 * A loan as its borrower's partner sees it on a business date, every amount read from the ledger or the schedule
 * (never a stored balance): what is outstanding by part, the arrears, the next due, the instalments, the latest
 * money movements and, once closed, how and when.
 */
export interface LoanPosition {
  loan: ServicedLoan;
  /** YYYY-MM-DD. */
  asOf: string;
  /** LOAN_PRINCIPAL's balance. */
  principalOutstandingMicros: bigint;
  /** Interest earned to date and not paid: INTEREST_RECEIVABLE's balance (the daily accrual books it). */
  interestOutstandingMicros: bigint;
  /** Charges levied and not paid (bounce, penal, foreclosure; GST included): CHARGES_RECEIVABLE's balance. */
  chargesOutstandingMicros: bigint;
  /** Due now: unpaid charges plus every instalment due by `asOf` and not paid. */
  overdueMicros: bigint;
  daysPastDue: number;
  /** The first instalment with something left to pay (its due date, and what is left of it plus the arrears and charges). */
  nextDue: { sequence: number; dueDate: string; amountMicros: bigint } | null;
  /** The latest money movements, newest first (the daily interest accrual is left out: it is in the statement). */
  latestTransactions: StatementLine[];
  refunds: Refund[];
  /** The no-dues certificate (HTML; `.pdf` for the PDF), once CLOSED. */
  noDuesCertificateUrl?: string;
}

/** The partner-facing position of a loan: one read for Google Pay's account/get, the same facts the OCEN statements use. */
export class LoanPositions {
  constructor(
    private readonly loans: LoanService,
    private readonly servicing: LoanServicingService,
    private readonly ledger: Ledger,
    private readonly closing: LoanClosing,
    private readonly businessClock: BusinessClock,
    private readonly certificateUrl: (loanId: string) => string,
  ) {}

  /** The position of the partner's loan behind its account token (NOT_FOUND for another partner's or an unknown token). */
  async byAccountToken(partnerId: string, accountToken: string): Promise<LoanPosition & { accountToken: string }> {
    const account = await this.loans.account(partnerId, accountToken);
    return { ...(await this.of(account.id)), accountToken };
  }

  async of(loanId: string): Promise<LoanPosition> {
    return this.ofLoan(await this.servicing.loanById(loanId));
  }

  /** The position of a loan the caller has just read (LoanServicingService.loan), without reading it again. */
  async ofLoan(loan: ServicedLoan): Promise<LoanPosition> {
    const loanId = loan.loanId;
    const asOf = await this.businessClock.today();
    const lines = loan.instalments.filter((l) => l.status !== 'CANCELLED');
    const next = lines.find((l) => remainingOf(l) > 0n);
    const overdue = duesOn(loan, asOf);
    const statement = await this.ledger.statement(loanId);
    return {
      loan,
      asOf,
      principalOutstandingMicros: loan.balances.principalOutstandingMicros,
      interestOutstandingMicros: loan.balances.interestReceivableMicros,
      chargesOutstandingMicros: loan.balances.chargesReceivableMicros,
      overdueMicros: overdue,
      daysPastDue: loan.daysPastDue,
      nextDue: next
        ? { sequence: next.sequence, dueDate: next.dueDate, amountMicros: next.dueDate <= asOf ? overdue : overdue + remainingOf(next) }
        : null,
      latestTransactions: statement.filter((line) => !line.reference.startsWith('ACCRUAL-')).reverse().slice(0, LATEST_TRANSACTIONS),
      refunds: await this.closing.refunds(loanId),
      ...(loan.state === 'CLOSED' ? { noDuesCertificateUrl: this.certificateUrl(loanId) } : {}),
    };
  }
}


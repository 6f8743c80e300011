import { isValidIsoDate } from '../shared/dates';
import type { ServicedLoan } from './servicing';

/**
 * How a loan came to be closed:
 * - `REPAID`: every instalment paid (on schedule or late);
 * - `FORECLOSED`: the borrower paid the foreclosure amount before the last instalment fell due;
 * - `COOLING_OFF_EXIT`: the borrower exited within the cooling-off (look-up) period, repaying the principal and
 *   the proportionate interest at the APR, without penalty.
 */
export type LoanClosure = 'REPAID' | 'FORECLOSED' | 'COOLING_OFF_EXIT';
export const LOAN_CLOSURES: readonly LoanClosure[] = ['REPAID', 'FORECLOSED', 'COOLING_OFF_EXIT'];

/** The repayment e-mandate of a closed loan, as the certificate states it: cancelled at closure. */
export interface CertifiedMandate {
  /** The UMRN with all but its last 4 characters replaced by `X` (see {@link maskUmrn}). */
  maskedUmrn: string;
  /** YYYY-MM-DD (Indian business date) the mandate was cancelled on; null while the cancellation is still pending at the rail. */
  cancelledOn: string | null;
}

/**
 * A no-dues certificate: the lender's statement that a closed loan owes nothing, handed to the borrower (HTML page
 * and PDF, like the Key Fact Statement). Every amount in micros (bigint); dates YYYY-MM-DD (Indian calendar).
 * Built by {@link noDuesCertificateOf} only for a CLOSED loan whose principal, interest and charges receivable are
 * all zero, so a certificate never exists while something is due.
 */
export interface NoDuesCertificate {
  /** `NDC-` + the loan's lender reference: deterministic, the same on every issue of the certificate. */
  certificateNumber: string;
  lenderName: string;
  /** The lender's reference of the loan (its application's), as the partner and the borrower know it. */
  lenderReference: string;
  /** The partner's reference of the application. */
  externalReference: string;
  /** The borrower's name as the application holds it; absent when the application holds none. */
  borrowerName?: string;
  sanctionedMicros: bigint;
  /** The business date (India) the loan was paid out on. */
  disbursedOn: string;
  /** The business date the loan was closed on. */
  closedOn: string;
  closure: LoanClosure;
  /** What the borrower paid over the loan's life, by part (the ledger's REPAYMENT credits to each receivable). */
  principalPaidMicros: bigint;
  interestPaidMicros: bigint;
  /** Charges paid: bounce, penal and foreclosure charges with their GST. */
  chargesPaidMicros: bigint;
  /** What the borrower paid beyond the dues and was refunded (0 when nothing). */
  refundedMicros: bigint;
  /** The repayment mandate and its cancellation; null when the loan had none (e.g. the partner collected). */
  mandate: CertifiedMandate | null;
  /** When the certificate was issued: the closure's instant, so that it reads the same on every fetch. */
  issuedAt: Date;
}

/** What closing the loan established, besides the loan itself (the closure's record, the mandate, the application). */
export interface ClosingFacts {
  lenderName: string;
  /** Omitted (or blank) when the application holds no name. */
  borrowerName?: string | null;
  /** YYYY-MM-DD business date of the closure. */
  closedOn: string;
  closure: LoanClosure;
  /** Excess refunded to the borrower (BORROWER_EXCESS paid out), 0 when none. */
  refundedMicros: bigint;
  /** The mandate's UMRN in clear (masked here) and the date it was cancelled; null when the loan had no mandate. */
  mandate: { umrn: string; cancelledOn: string | null } | null;
  issuedAt: Date;
}

/** The certificate number of a loan: `NDC-<lenderReference>`. */
export const certificateNumberOf = (lenderReference: string): string => `NDC-${lenderReference}`;

/** A UMRN with every character but the last 4 replaced by `X` ("XXXXXXXXXXXXXXXX1234"); 4 characters or fewer: all `X`. */
export function maskUmrn(umrn: string): string {
  const keep = umrn.length > 4 ? 4 : 0;
  return 'X'.repeat(umrn.length - keep) + umrn.slice(umrn.length - keep);
}

/**
 * The no-dues certificate of a closed loan, from the loan as servicing reads it and the facts of its closure.
 * Paid totals are the ledger's (`loan.balances`: principal, interest and charges repaid). Pure and deterministic.
 *
 * @throws RangeError when the loan is not CLOSED, when anything is still receivable from the borrower (principal,
 *   interest or charges), when `closedOn` or a cancellation date is not a YYYY-MM-DD date, or an amount is negative.
 */
export function noDuesCertificateOf(loan: ServicedLoan, facts: ClosingFacts): NoDuesCertificate {
  if (loan.state !== 'CLOSED') throw new RangeError(`A no-dues certificate is issued for a CLOSED loan; loan ${loan.loanId} is ${loan.state}`);
  const { principalOutstandingMicros, interestReceivableMicros, chargesReceivableMicros } = loan.balances;
  if (principalOutstandingMicros !== 0n || interestReceivableMicros !== 0n || chargesReceivableMicros !== 0n) {
    throw new RangeError(`Loan ${loan.loanId} still has dues (principal ${principalOutstandingMicros}, interest ${interestReceivableMicros}, charges ${chargesReceivableMicros} micros)`);
  }
  if (!isValidIsoDate(facts.closedOn)) throw new RangeError(`closedOn ${facts.closedOn} is not a YYYY-MM-DD date`);
  if (facts.mandate?.cancelledOn != null && !isValidIsoDate(facts.mandate.cancelledOn)) throw new RangeError(`cancelledOn ${facts.mandate.cancelledOn} is not a YYYY-MM-DD date`);
  if (facts.refundedMicros < 0n) throw new RangeError('refundedMicros is negative');
  const name = facts.borrowerName?.trim();
  return {
    certificateNumber: certificateNumberOf(loan.lenderReference),
    lenderName: facts.lenderName,
    lenderReference: loan.lenderReference,
    externalReference: loan.externalReference,
    ...(name ? { borrowerName: name } : {}),
    sanctionedMicros: loan.sanctionedMicros,
    disbursedOn: loan.disbursedOn,
    closedOn: facts.closedOn,
    closure: facts.closure,
    principalPaidMicros: loan.balances.principalRepaidMicros,
    interestPaidMicros: loan.balances.interestRepaidMicros,
    chargesPaidMicros: loan.balances.chargesRepaidMicros,
    refundedMicros: facts.refundedMicros,
    mandate: facts.mandate ? { maskedUmrn: maskUmrn(facts.mandate.umrn), cancelledOn: facts.mandate.cancelledOn } : null,
    issuedAt: facts.issuedAt,
  };
}

/**
 * Where the borrower pages read a loan's no-dues certificate from (the composition root supplies it).
 */
export interface NoDuesCertificateSource {
  /**
   * The certificate of the loan with this id (loan_account.id), or null when there is no such loan or it is not
   * CLOSED. A read; the same certificate (same number, same issuedAt) on every call once the loan is closed.
   */
  certificate(loanId: string): Promise<NoDuesCertificate | null>;
}

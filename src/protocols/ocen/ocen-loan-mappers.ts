import type { CollectionAccount } from '../../core/loan/repayment-collector';
import type { Repayment, ServicedLoan } from '../../core/loan/servicing';
import { loanFigures } from '../../core/loan/servicing.service';
import { remainingOf } from '../../core/loan/allocation';
import { rupeesText, sumMicros } from '../../core/money/money';
import { istDate, addDays } from '../../core/shared/dates';
import { ocenApr, ocenPercent, ocenRupees } from './ocen-mappers';
import { type OcenLoanStanding, ocenInArrears, ocenNextDue, ocenStandingText } from '../shared/ocen-family';
import type { LoanPosition } from '../../core/servicing/loan-position';
import { aprOfSchedule } from '../../core/money/apr';
import type { AccountDetails, LoanStatus as WireLoanStatus, LoanTerms, OcenPayload, Payment } from './ocen-wire';

/** OCEN's `LoanStatus` (the values this lender sends; the enum also has EMI_WAIVED, PRECLOSURE and SETTLEMENT_*). */
export type LoanStatus = Extract<WireLoanStatus, 'EMI_DUE' | 'EMI_PAID' | 'EMI_OVERDUE' | 'PARTIALLY_PAID' | 'LOAN_CLOSED' | 'NPA' | 'HEALTHY'>;

/** An instalment is EMI_DUE from this many days before its due date (its billing window). */
export const EMI_DUE_WINDOW_DAYS = 7;


/**
 * The one mapping of a core loan to OCEN's LoanStatus, read from the loan's state, its delinquency (days past due
 * and RBI asset class, as the close of business left them) and its live instalments (CANCELLED ones never count) on
 * the business date `position.asOf`; the first row that holds wins. "Next" is the first live instalment not fully paid.
 *
 * | core | LoanStatus |
 * |---|---|
 * | loan CLOSED (repaid, foreclosed or returned in the cooling-off period) | LOAN_CLOSED |
 * | asset class NPA (more than 90 days past due) | NPA |
 * | DELINQUENT, days past due > 0, or a live instalment due before the business date not fully paid | EMI_OVERDUE |
 * | next instalment partly paid | PARTIALLY_PAID |
 * | next instalment due within EMI_DUE_WINDOW_DAYS (the business date included) | EMI_DUE |
 * | some instalment PAID | EMI_PAID |
 * | nothing paid and nothing due yet | HEALTHY |
 */
export function loanStatus(position: OcenLoanStanding): LoanStatus {
  const { loan, asOf } = position;
  if (loan.state === 'CLOSED') return 'LOAN_CLOSED';
  if (loan.assetClass === 'NPA') return 'NPA';
  if (ocenInArrears(position)) return 'EMI_OVERDUE';
  const lines = loan.instalments.filter((line) => line.status !== 'CANCELLED');
  const next = lines.find((line) => remainingOf(line) > 0n);
  if (!next) return 'LOAN_CLOSED';
  if (next.status === 'PARTIALLY_PAID' || next.principalPaidMicros + next.interestPaidMicros > 0n) return 'PARTIALLY_PAID';
  if (next.dueDate <= addDays(asOf, EMI_DUE_WINDOW_DAYS)) return 'EMI_DUE';
  if (lines.some((line) => line.status === 'PAID')) return 'EMI_PAID';
  return 'HEALTHY';
}

/** OCEN's Payment.paymentMethodType values; a repayment's method is one of them (the agent asked for it). */
const PAYMENT_METHODS: readonly Payment['paymentMethodType'][] = ['UPI', 'EMANDATE_UPI', 'NETBANKING', 'ENACH', 'DEBIT_CARD'];
export const isPaymentMethod = (value: unknown): value is Payment['paymentMethodType'] => PAYMENT_METHODS.some((method) => method === value);

/**
 * What is to be paid next as an OCEN Payment (ocenNextDue): the first live instalment not fully paid with the
 * arrears and unpaid charges, collected through the repayment mandate (ENACH) unless the agent collects. `principal`
 * and `interestAmount` are what is left of the instalments due by then, `penalty` the unpaid bounce, penal and
 * foreclosure charges (GST included); `totalAmount` is their sum. The Payment status enum has no "scheduled":
 * PENDING_AUTH stands for "not collected yet". A closed loan's is a zero SUCCESS payment whose `url` is the no-dues
 * certificate.
 */
export function nextDuePayment(position: LoanPosition): Payment {
  const { loan } = position;
  const next = ocenNextDue(position);
  if (!next) {
    return {
      id: `${loan.lenderReference}-NONE`,
      totalAmount: 0,
      ...(loan.closedOn ? { date: loan.closedOn } : {}),
      status: 'SUCCESS',
      paymentMethodType: 'ENACH',
      ...(position.noDuesCertificateUrl ? { url: position.noDuesCertificateUrl } : {}),
      description: loan.state === 'CLOSED' ? `Nothing is left to pay. ${ocenStandingText(position)}` : 'Nothing is left to pay',
    };
  }
  const standing = ocenStandingText(position);
  return {
    id: `${loan.lenderReference}-EMI-${next.sequence}`,
    totalAmount: ocenRupees(next.totalMicros),
    date: next.dueDate,
    status: 'PENDING_AUTH',
    installmentNumber: next.sequence,
    principal: ocenRupees(next.principalMicros),
    interestAmount: ocenRupees(next.interestMicros),
    penalty: ocenRupees(next.chargesMicros),
    paymentMethodType: 'ENACH',
    description: `Instalment ${next.sequence} of ${next.ofInstalments}, due ${next.dueDate}${standing ? `. ${standing}` : ''}`,
  };
}

const REPAYMENT_STATUS = { PENDING: 'PENDING_AUTH', SUCCEEDED: 'SUCCESS', FAILED: 'FAILURE' } as const;

/** A repayment as an OCEN Payment: the agent's payment id (or our reference), its state, its business value date once applied, and once paid how it was allocated. */
export function repaymentPayment(repayment: Repayment, paymentUrl?: string): Payment {
  const paid = repayment.state === 'SUCCEEDED';
  return {
    id: repayment.partnerPaymentId ?? repayment.reference,
    totalAmount: ocenRupees(repayment.amountMicros),
    date: repayment.valueDate ?? istDate(repayment.completedAt ?? repayment.requestedAt),
    status: REPAYMENT_STATUS[repayment.state],
    ...(repayment.instalmentSequence !== null ? { installmentNumber: repayment.instalmentSequence } : {}),
    txnRefNo: repayment.providerReference ?? repayment.reference,
    ...(paid ? { principal: ocenRupees(repayment.principalMicros!), interestAmount: ocenRupees(repayment.interestMicros!), penalty: ocenRupees(repayment.penaltyMicros!) } : {}),
    paymentMethodType: isPaymentMethod(repayment.method) ? repayment.method : repayment.method === 'MANDATE' ? 'ENACH' : 'UPI',
    ...(repayment.state === 'PENDING' && paymentUrl ? { paymentUrl } : {}),
    description: repayment.state === 'FAILED'
      ? `Payment failed: ${repayment.failureReason ?? 'no reason given'}`
      : paid && repayment.excessMicros! > 0n ? `Paid; ₹${rupeesText(repayment.excessMicros!)} beyond what was due is to be refunded` : `Repayment ${repayment.reference}`,
  };
}

/** The lender's collection account as OCEN AccountDetails. */
export function lenderAccount(account: CollectionAccount): AccountDetails {
  return {
    accountDataType: 'ACCOUNT',
    status: 'ACTIVE',
    description: 'Repayments are collected into this account',
    data: {
      accountType: 'CURRENT',
      accountIFSC: account.ifsc,
      maskedAccountNumber: account.maskedAccountNumber,
      accountHolderName: account.holderName,
      ...(account.vpa ? { vpa: account.vpa } : {}),
    },
  };
}

/**
 * The body of getloanResponse and loanStatementSummaryResponse, from the loan's position on the business date (the
 * facts Google Pay's account/get shows): dates as YYYY-MM-DD (Indian calendar), summary amounts as rupee strings
 * with two decimals. `nextRepayment` is nextDuePayment (arrears and charges included); `currentRepayment` is the
 * latest repayment (any state, mandate debits included), or the next due before any was made. `endDate` is the last
 * live instalment's due date, or the closure date once CLOSED. The wire has no member for days past due or the
 * overdue amount: they are in the descriptions (summary and nextRepayment) and in loanStatus (EMI_OVERDUE, NPA).
 */
export function loanDetails(position: LoanPosition, account: CollectionAccount, paymentUrl: (r: Repayment) => string): OcenPayload<'loanDetails/getloanResponse'> {
  const { loan } = position;
  const figures = loanFigures(loan);
  const next = nextDuePayment(position);
  const latest = loan.repayments[0];
  const standing = ocenStandingText(position);
  return {
    loanId: loan.lenderReference,
    lenderAccount: lenderAccount(account),
    loanStatus: loanStatus(position),
    createdDate: istDate(loan.createdAt),
    startDate: istDate(loan.disbursedAt),
    endDate: loan.state === 'CLOSED' && loan.closedOn ? loan.closedOn : figures.endDate,
    summary: {
      nextRepayment: next,
      currentRepayment: latest ? repaymentPayment(latest, paymentUrl(latest)) : next,
      principalPaid: rupeesText(figures.principalPaidMicros),
      interestPaid: rupeesText(figures.interestPaidMicros),
      penaltyPaid: rupeesText(figures.penaltyPaidMicros),
      principalPending: rupeesText(figures.principalPendingMicros),
      interestPending: rupeesText(figures.interestPendingMicros),
      amountDisbursed: rupeesText(loan.disbursedMicros),
      amountRepaid: rupeesText(figures.repaidMicros),
      tenure: { duration: loan.tenureMonths, unit: 'MONTH' },
      description: `₹${rupeesText(loan.sanctionedMicros)} at ${ocenPercent(loan.interestRateE5)}% a year for ${loan.tenureMonths} months, EMI ₹${rupeesText(loan.emiMicros)}; ₹${rupeesText(loan.disbursedMicros)} paid out after the processing fee and its GST${standing ? `. ${standing}` : ''}`,
    },
  };
}

/** A loan's terms as OCEN LoanTerms (the amounts the loan was disbursed with, the interest of its schedule). */
export function loanTerms(loan: ServicedLoan): LoanTerms {
  const interest = sumMicros(loan.instalments.map((line) => line.interestMicros));
  return {
    requestedAmount: ocenRupees(loan.requestedAmountMicros),
    currency: 'INR',
    sanctionedAmount: ocenRupees(loan.sanctionedMicros),
    netDisbursedAmount: ocenRupees(loan.disbursedMicros),
    interestType: 'FIXED',
    interestRate: ocenPercent(loan.interestRateE5),
    annualPercentageRate: ocenApr(aprOfSchedule(loan.disbursedMicros, loan.instalments)),
    totalRepayableAmount: ocenRupees(loan.sanctionedMicros + interest),
    interestAmount: ocenRupees(interest),
    tenure: { duration: loan.tenureMonths, unit: 'MONTH' },
  };
}


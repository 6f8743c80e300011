import type { CollectionAccount } from '../../core/loan/repayment-collector';
import type { Repayment, ServicedInstalment, ServicedLoan } from '../../core/loan/servicing';
import { loanFigures } from '../../core/loan/servicing.service';
import { remainingOf } from '../../core/loan/allocation';
import { rupeesText, sumMicros } from '../../core/money/money';
import { istDate } from '../../core/shared/dates';
import { ocenApr, ocenPercent, ocenRupees } from './ocen-mappers';
import { aprOfSchedule } from '../../core/money/apr';
import type { AccountDetails, LoanStatus as WireLoanStatus, LoanTerms, OcenPayload, Payment } from './ocen-wire';

/** OCEN's `LoanStatus` (the values this lender sends; the enum also has EMI_WAIVED, NPA, PRECLOSURE and SETTLEMENT_*). */
export type LoanStatus = Extract<WireLoanStatus, 'EMI_DUE' | 'EMI_PAID' | 'EMI_OVERDUE' | 'PARTIALLY_PAID' | 'LOAN_CLOSED' | 'HEALTHY'>;

/** An instalment is EMI_DUE from this many days before its due date (its billing window). */
export const EMI_DUE_WINDOW_DAYS = 7;

const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The one mapping of a core loan to OCEN's LoanStatus, read from the loan's state and its instalments on the
 * Indian calendar date `today`; the first row that holds wins. "Next" is the first instalment not fully paid.
 *
 * | core | LoanStatus |
 * |---|---|
 * | loan CLOSED (nothing left to pay) | LOAN_CLOSED |
 * | next instalment due before today | EMI_OVERDUE |
 * | next instalment partly paid | PARTIALLY_PAID |
 * | next instalment due within EMI_DUE_WINDOW_DAYS (today included) | EMI_DUE |
 * | some instalment PAID | EMI_PAID |
 * | nothing paid and nothing due yet | HEALTHY |
 */
export function loanStatus(loan: Pick<ServicedLoan, 'state' | 'instalments'>, today: string): LoanStatus {
  if (loan.state === 'CLOSED') return 'LOAN_CLOSED';
  const next = loan.instalments.find((line) => remainingOf(line) > 0n);
  if (!next) return 'LOAN_CLOSED';
  if (next.dueDate < today) return 'EMI_OVERDUE';
  if (next.status === 'PARTIALLY_PAID') return 'PARTIALLY_PAID';
  if (next.dueDate <= addDays(today, EMI_DUE_WINDOW_DAYS)) return 'EMI_DUE';
  if (loan.instalments.some((line) => line.status === 'PAID')) return 'EMI_PAID';
  return 'HEALTHY';
}


/** OCEN's Payment.paymentMethodType values; a repayment's method is one of them (the agent asked for it). */
const PAYMENT_METHODS: readonly Payment['paymentMethodType'][] = ['UPI', 'EMANDATE_UPI', 'NETBANKING', 'ENACH', 'DEBIT_CARD'];
export const isPaymentMethod = (value: unknown): value is Payment['paymentMethodType'] => PAYMENT_METHODS.some((method) => method === value);

/**
 * A scheduled instalment as an OCEN Payment: what is left of it, collected through the repayment mandate (ENACH).
 * The Payment status enum has no "scheduled": PENDING_AUTH stands for "not collected yet".
 */
export function instalmentPayment(loan: ServicedLoan, line: ServicedInstalment): Payment {
  return {
    id: `${loan.lenderReference}-EMI-${line.sequence}`,
    totalAmount: ocenRupees(remainingOf(line)),
    date: line.dueDate,
    status: 'PENDING_AUTH',
    installmentNumber: line.sequence,
    principal: ocenRupees(line.principalMicros - line.principalPaidMicros),
    interestAmount: ocenRupees(line.interestMicros - line.interestPaidMicros),
    penalty: 0,
    paymentMethodType: 'ENACH',
    description: `Instalment ${line.sequence} of ${loan.instalments.length}, due ${line.dueDate}`,
  };
}

const REPAYMENT_STATUS = { PENDING: 'PENDING_AUTH', SUCCEEDED: 'SUCCESS', FAILED: 'FAILURE' } as const;

/** A repayment as an OCEN Payment: the agent's payment id (or our reference), its state, and once paid how it was allocated. */
export function repaymentPayment(repayment: Repayment, paymentUrl?: string): Payment {
  const paid = repayment.state === 'SUCCEEDED';
  return {
    id: repayment.partnerPaymentId ?? repayment.reference,
    totalAmount: ocenRupees(repayment.amountMicros),
    date: istDate(repayment.completedAt ?? repayment.requestedAt),
    status: REPAYMENT_STATUS[repayment.state],
    ...(repayment.instalmentSequence !== null ? { installmentNumber: repayment.instalmentSequence } : {}),
    txnRefNo: repayment.providerReference ?? repayment.reference,
    ...(paid ? { principal: ocenRupees(repayment.principalMicros!), interestAmount: ocenRupees(repayment.interestMicros!), penalty: ocenRupees(repayment.penaltyMicros!) } : {}),
    paymentMethodType: isPaymentMethod(repayment.method) ? repayment.method : 'UPI',
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
 * The body of getloanResponse and loanStatementSummaryResponse: dates as YYYY-MM-DD (Indian calendar), summary
 * amounts as rupee strings with two decimals. nextRepayment is the first instalment not fully paid;
 * currentRepayment is the latest repayment (any state), or the next instalment before any was made. A closed
 * loan's nextRepayment is a zero payment.
 */
export function loanDetails(loan: ServicedLoan, account: CollectionAccount, now: Date, paymentUrl: (r: Repayment) => string): OcenPayload<'loanDetails/getloanResponse'> {
  const figures = loanFigures(loan);
  const next: Payment = figures.nextInstalment
    ? instalmentPayment(loan, figures.nextInstalment)
    : { id: `${loan.lenderReference}-NONE`, totalAmount: 0, status: 'SUCCESS', paymentMethodType: 'ENACH', description: 'Nothing is left to pay: the loan is closed' };
  const latest = loan.repayments[0];
  return {
    loanId: loan.lenderReference,
    lenderAccount: lenderAccount(account),
    loanStatus: loanStatus(loan, istDate(now)),
    createdDate: istDate(loan.createdAt),
    startDate: istDate(loan.disbursedAt),
    endDate: figures.endDate,
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
      description: `₹${rupeesText(loan.sanctionedMicros)} at ${ocenPercent(loan.interestRateE5)}% a year for ${loan.tenureMonths} months, EMI ₹${rupeesText(loan.emiMicros)}; ₹${rupeesText(loan.disbursedMicros)} paid out after the processing fee and its GST`,
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


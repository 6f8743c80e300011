/**
 * What OCEN 4.0 (`ocen/`) and OCEN v3 (`ocen-v3/`) carry the same way: our own ids of concrete offers and their
 * repayment plans, the OTP session statuses of a refused signing, the consent and statement-line bodies (the same
 * fields and string types on both wires), the opening of an application read from a loan agent's createLoanApplications, listLoans' PAN and dates,
 * and the descriptions of a mandate collection's debit and bounce in confirmRepayment.
 */
import type { Applicant } from '../../core/approval/applicant';
import type { OpenApplicationRequest } from '../../core/approval/approval.service';
import type { ConsentView } from '../../core/consent/consent';
import { AppErrorCode } from '../../core/errors';
import type { StatementLine } from '../../core/ledger/statement';
import { type LoanCharges, loanCharges } from '../../core/loan/charges';
import { type ScheduledInstalment, buildSchedule, totalInterestMicros } from '../../core/money/emi';
import { type Offer, offeredAmountMicros } from '../../core/offer/offer';
import { addMonthsClamped, istDate } from '../../core/shared/dates';
import { rupeesText, sumMicros } from '../../core/money/money';
import type { LoanChargeRecord } from '../../core/loan/servicing';
import type { LoanPosition } from '../../core/servicing/loan-position';
import type { PhoneNumber } from '../../core/shared/identity';

/** Whether `value` is a JSON object (not null, not an array): one whose members are still to be read. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A createLoanApplications item as both wires' readers read it: why it cannot be taken, or what the core needs of it. */
export type OcenApplicantReading = { problem: string } | OcenApplicant;
export interface OcenApplicant { applicant: Applicant; phone: PhoneNumber; requestedAmountMicros: bigint; loanApplicationId: string }

/** The core's opening of an application read from either wire (OCEN carries no loan purpose we map: OTHER). */
export function ocenOpening(partnerId: string, productId: string, reading: OcenApplicant): OpenApplicationRequest {
  return {
    partnerId,
    externalReference: reading.loanApplicationId,
    productId,
    requestedAmountMicros: reading.requestedAmountMicros,
    loanPurpose: 'OTHER',
    applicant: reading.applicant,
    phone: reading.phone,
  };
}

/** The core offer and tenure one of our concrete offers (or its repayment plan) names. */
export interface ConcreteOfferTerms { offerId: string; tenureMonths: number }

/** The id of one of our concrete offers on both OCEN wires: the core offer and the tenure (`OFRABC123-12M`). */
export const ocenOfferId = (offerId: string, tenureMonths: number) => `${offerId}-${tenureMonths}M`;

/** The offer and tenure an OCEN offer id names, or undefined when it is not of our form. */
export function parseOcenOfferId(id: string): ConcreteOfferTerms | undefined {
  const match = /^(.+)-(\d{1,3})M$/.exec(id);
  return match ? { offerId: match[1], tenureMonths: Number(match[2]) } : undefined;
}

/** The id of the repayment plan of one of our concrete offers (`OFRABC123-12M-EMI`), as generateOffers and grantLoan list it. */
export const ocenPlanId = (offerId: string, tenureMonths: number) => `${ocenOfferId(offerId, tenureMonths)}-EMI`;

/** The offer and tenure an OCEN repayment plan id names, or undefined when it is not of our form. */
export function parseOcenPlanId(id: string): ConcreteOfferTerms | undefined {
  return id.endsWith('-EMI') ? parseOcenOfferId(id.slice(0, -'-EMI'.length)) : undefined;
}

/** The facts of one of our concrete offers, before a wire writes them (4.0 as JSON numbers, v3 as strings). */
export interface ConcreteOfferFacts {
  id: string;
  planId: string;
  tenureMonths: number;
  amountMicros: bigint;
  interestMicros: bigint;
  schedule: ScheduledInstalment[];
  charges: LoanCharges;
  /** The disbursement date (today, Indian calendar) and the first EMI's due date a month later, YYYY-MM-DD. */
  start: string;
  firstDue: string;
}

/**
 * Our concrete offers for a core offer, the same on both wires: one per tenure the product allows, each for the
 * requested amount within the offer's limits, with its EMI schedule, interest and charges (fee + GST deducted
 * from the disbursement). Deterministic: the same core offer gives the same offers.
 */
export function concreteOfferFacts(offer: Offer, requestedMicros: bigint, today: Date): ConcreteOfferFacts[] {
  const amount = offeredAmountMicros(offer, requestedMicros);
  const charges = loanCharges(amount, offer);
  const start = istDate(today);
  const firstDue = addMonthsClamped(start, 1);
  const offers: ConcreteOfferFacts[] = [];
  for (let tenure = offer.minTenureMonths; tenure <= offer.maxTenureMonths; tenure += offer.tenureStepMonths) {
    const schedule = buildSchedule({ principalMicros: amount, annualRateE5: BigInt(offer.interestRateE5), tenureMonths: tenure }, firstDue);
    offers.push({
      id: ocenOfferId(offer.id, tenure), planId: ocenPlanId(offer.id, tenure), tenureMonths: tenure,
      amountMicros: amount, interestMicros: totalInterestMicros(schedule), schedule, charges, start, firstDue,
    });
  }
  return offers;
}

/** A PAN as both wires' borrowers carry it (`primaryIdType` PAN). */
export const OCEN_PAN = /^[A-Z]{5}[0-9]{4}[A-Z]$/;

/** listLoans' optional YYYY-MM-DD bounds (already validated) as instants: from the start of startDate to the end of endDate, Indian time. */
export function istDayWindow(startDate: string | undefined, endDate: string | undefined): { from?: Date; to?: Date } {
  return {
    from: startDate ? new Date(`${startDate}T00:00:00+05:30`) : undefined,
    to: endDate ? new Date(`${endDate}T23:59:59.999+05:30`) : undefined,
  };
}

/** verifyLoanAcceptance's answer to an OTP the core refused: a wrong code (counted) INCORRECT_OTP; a session that cannot sign INVALID_SESSION. */
export const OCEN_OTP_SESSION_STATUS: Readonly<Partial<Record<AppErrorCode, 'INVALID_SESSION' | 'INCORRECT_OTP'>>> = {
  [AppErrorCode.CHALLENGE_INVALID]: 'INCORRECT_OTP',
  [AppErrorCode.NOT_FOUND]: 'INVALID_SESSION',
  [AppErrorCode.CHALLENGE_EXPIRED]: 'INVALID_SESSION',
  [AppErrorCode.CHALLENGE_ALREADY_USED]: 'INVALID_SESSION',
  [AppErrorCode.CHALLENGE_ATTEMPTS_EXHAUSTED]: 'INVALID_SESSION',
  [AppErrorCode.CHALLENGE_CONTEXT_MISMATCH]: 'INVALID_SESSION',
};

/** The `Consent` body both wires answer with (the same fields and types in 4.0's loan.ts and v3's Core/consent.json). */
export interface OcenConsentBody {
  consentFetchType: ConsentView['fetchType'];
  vua: string;
  consentHandle?: string;
  consentStatus: 'PENDING' | 'READY' | 'FAILED';
  url?: string;
  description?: string;
}

/** The consent body of a core consent: REQUESTED (the AA not yet answered) and PENDING read as PENDING. */
export function ocenConsent(view: ConsentView): OcenConsentBody {
  return {
    consentFetchType: view.fetchType,
    vua: view.vua,
    ...(view.handle ? { consentHandle: view.handle } : {}),
    consentStatus: view.state === 'READY' || view.state === 'FAILED' ? view.state : 'PENDING',
    ...(view.url ? { url: view.url } : {}),
    ...(view.failureReason ? { description: `The consent failed at the account aggregator: ${view.failureReason}` } : {}),
  };
}

/** The `Transaction` both wires carry (amounts as rupee strings on both). */
export interface OcenTransaction {
  date: string;
  narration: string;
  txnRefNo: string;
  amount: string;
  type: 'DEPOSIT' | 'WITHDRAWL';
  closingBalance: string;
}

/**
 * A statement line read from the ledger as an OCEN Transaction: a DEBIT (money lent, fees, interest) is WITHDRAWL
 * (sic), a CREDIT (a repayment) is DEPOSIT; the closing balance is what the borrower owes after it.
 */
export function ocenStatementLine(entry: StatementLine): OcenTransaction {
  return {
    date: entry.valueDate,
    narration: entry.narration,
    txnRefNo: entry.reference,
    amount: rupeesText(entry.amountMicros),
    type: entry.direction === 'DEBIT' ? 'WITHDRAWL' : 'DEPOSIT',
    closingBalance: rupeesText(entry.balanceAfterMicros),
  };
}

/** The first instalment with something left to pay, with everything due up to it: the `nextRepayment` of both wires. */
export interface OcenNextDue {
  sequence: number;
  /** YYYY-MM-DD: the instalment's due date (before the business date when it is overdue). */
  dueDate: string;
  /** Principal and interest left of every live instalment due by max(business date, dueDate). */
  principalMicros: bigint;
  interestMicros: bigint;
  /** Bounce, penal and foreclosure charges levied and unpaid (GST included). */
  chargesMicros: bigint;
  /** principal + interest + charges: LoanPosition.nextDue's amount. */
  totalMicros: bigint;
  /** How many live instalments the loan has now (after a re-amortisation or foreclosure: CANCELLED ones left out). */
  ofInstalments: number;
}

const liveLines = (loan: Pick<LoanPosition['loan'], 'instalments'>) => loan.instalments.filter((line) => line.status !== 'CANCELLED');
const leftOf = (line: LoanPosition['loan']['instalments'][number]) => line.principalMicros - line.principalPaidMicros + line.interestMicros - line.interestPaidMicros;

/**
 * What the borrower has to pay next, from the position: the first live instalment not fully paid, together with
 * the arrears and unpaid charges (the amount a mandate debit on that date would collect). CANCELLED instalments are
 * never dues. Null when nothing is left to pay.
 */
export function ocenNextDue(position: Pick<LoanPosition, 'loan' | 'asOf' | 'nextDue'>): OcenNextDue | null {
  const { loan, asOf, nextDue } = position;
  if (!nextDue) return null;
  const lines = liveLines(loan);
  const by = nextDue.dueDate > asOf ? nextDue.dueDate : asOf;
  const due = lines.filter((line) => line.dueDate <= by && leftOf(line) > 0n);
  const principalMicros = sumMicros(due.map((line) => line.principalMicros - line.principalPaidMicros));
  const interestMicros = sumMicros(due.map((line) => line.interestMicros - line.interestPaidMicros));
  const chargesMicros = sumMicros(loan.charges.map((charge) => charge.chargeMicros + charge.gstMicros - charge.paidMicros));
  return { sequence: nextDue.sequence, dueDate: nextDue.dueDate, principalMicros, interestMicros, chargesMicros, totalMicros: principalMicros + interestMicros + chargesMicros, ofInstalments: lines.length };
}

/** What a loan status is read from: the loan's state, delinquency and instalments, and the business date. */
export interface OcenLoanStanding {
  loan: Pick<LoanPosition['loan'], 'state' | 'instalments' | 'daysPastDue' | 'assetClass'>;
  /** YYYY-MM-DD: the business date. */
  asOf: string;
}

/** Whether the loan is in arrears on its business date: DELINQUENT, days past due, or a live instalment due before today not fully paid. */
export function ocenInArrears(position: OcenLoanStanding): boolean {
  const { loan, asOf } = position;
  if (loan.state === 'CLOSED') return false;
  return loan.state === 'DELINQUENT' || loan.daysPastDue > 0 || liveLines(loan).some((line) => line.dueDate < asOf && leftOf(line) > 0n);
}

/** The words both wires' descriptions use for arrears and closure (nothing when the loan is current). */
export function ocenStandingText(position: Pick<LoanPosition, 'loan' | 'overdueMicros' | 'daysPastDue' | 'noDuesCertificateUrl'>): string {
  const { loan } = position;
  if (loan.state === 'CLOSED') {
    const how = loan.closure === 'FORECLOSED' ? 'paid off early (foreclosed)' : loan.closure === 'COOLING_OFF_EXIT' ? 'returned in the cooling-off period' : 'repaid';
    return `Closed on ${loan.closedOn ?? 'its last repayment'}, ${how}; no dues${position.noDuesCertificateUrl ? `: no-dues certificate ${position.noDuesCertificateUrl}` : ''}`;
  }
  if (position.daysPastDue > 0 || position.overdueMicros > 0n) {
    return `Overdue ₹${rupeesText(position.overdueMicros)}, ${position.daysPastDue} days past due (${position.loan.assetClass.replace('_', '-')})`;
  }
  return '';
}

/**
 * The statement of both wires from the ledger's lines. The daily interest accrual (one entry a day, reference
 * `ACCRUAL-<date>`) would bury the borrower's movements under thirty lines a month, so consecutive accrual lines of
 * the same instalment period are summarised into one WITHDRAWL line ("Interest accrued from <first> to <last>,
 * instalment k"), dated its last day, with the closing balance of that day. Every balance shown stays the ledger's
 * running balance, and the lines still sum to it; a repayment in the middle of a period splits the period's
 * accrual into the days before it and the days after.
 */
export function ocenStatement(lines: readonly StatementLine[], instalments: LoanPosition['loan']['instalments']): OcenTransaction[] {
  const live = instalments.filter((line) => line.status !== 'CANCELLED');
  const periodOf = (date: string) => live.find((line) => line.dueDate >= date)?.sequence ?? 0;
  const out: OcenTransaction[] = [];
  let group: { first: string; last: string; period: number; amountMicros: bigint; balanceMicros: bigint; index: number } | null = null;
  for (const line of lines) {
    const accrual = line.reference.startsWith('ACCRUAL-') && line.direction === 'DEBIT';
    if (!accrual) {
      group = null;
      out.push(ocenStatementLine(line));
      continue;
    }
    const period = periodOf(line.valueDate);
    if (group && group.period === period) {
      group.last = line.valueDate;
      group.amountMicros += line.amountMicros;
      group.balanceMicros = line.balanceAfterMicros;
    } else {
      group = { first: line.valueDate, last: line.valueDate, period, amountMicros: line.amountMicros, balanceMicros: line.balanceAfterMicros, index: out.length };
      out.push(ocenStatementLine(line));
    }
    const days = group.first === group.last ? `on ${group.first}` : `from ${group.first} to ${group.last}`;
    out[group.index] = {
      date: group.last,
      narration: `Interest accrued ${days}${period ? `, instalment ${period}` : ''}`,
      txnRefNo: group.first === group.last ? `ACCRUAL-${group.first}` : `ACCRUAL-${group.first}-TO-${group.last}`,
      amount: rupeesText(group.amountMicros),
      type: 'WITHDRAWL',
      closingBalance: rupeesText(group.balanceMicros),
    };
  }
  return out;
}

/** confirmRepayment's `description` of a mandate collection debited: "EMI 3 debited under mandate <UMRN>". */
export function ocenDebitedDescription(collection: { instalmentSequence: number; umrn: string }): string {
  return `EMI ${collection.instalmentSequence} debited under mandate ${collection.umrn}`;
}

/** confirmRepayment's `description` of a mandate collection bounced: the code and reason, and the bounce charge levied for it (GST included), if any. */
export function ocenBouncedDescription(collection: { reference: string; bounceCode: string | null; bounceReason: string | null }, charges: readonly LoanChargeRecord[]): string {
  const charge = charges.find((c) => c.kind === 'BOUNCE' && c.reference === collection.reference);
  return `The mandate debit bounced (${collection.bounceCode ?? 'no code'}: ${collection.bounceReason ?? 'no reason given'})${charge ? `; bounce charge ₹${rupeesText(charge.chargeMicros + charge.gstMicros)} levied, GST included` : ''}`;
}

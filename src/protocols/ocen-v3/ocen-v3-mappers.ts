import type { Application } from '../../core/application/application';
import type { Offer as CoreOffer } from '../../core/offer/offer';
import type { RepaymentPlan } from '../../core/lending/repayment-plans';
import { parseRupeesText, rupeesText, sumMicros } from '../../core/money/money';
import { istDate } from '../../core/shared/dates';
import type { PhoneNumber } from '../../core/shared/identity';
import type { Repayment, ServicedLoan } from '../../core/loan/servicing';
import type { LoanPosition } from '../../core/servicing/loan-position';
import { loanFigures } from '../../core/loan/servicing.service';
import type * as W from '../../generated/ocen-v3/ocen-v3-types';
import { OCEN_PAN, type OcenApplicantReading, type OcenLoanStanding, concreteOfferFacts, ocenInArrears, ocenNextDue, ocenPlanId, ocenStandingText } from '../shared/ocen-family';

/**
 * The core's facts in v3's words. v3 carries every amount and rate as a string (Core/loanterms.json,
 * paymentplan.json, payment.json): rupees with two decimals ("100000.00"), percent a year ("16.00"), counts as
 * digits ("12"). Never a JS float: amounts are formatted from bigint micros.
 */
export const v3Amount = rupeesText;
export const v3Percent = (rateE5: number) => (rateE5 / 100_000).toFixed(2);

type LoanApplication = W.BulkCreateLoanApplicationRequest['loanApplications'][number];

/** Why a v3 loan application cannot be opened, or what the core needs of it. */
export type V3ApplicantReading = OcenApplicantReading;

/**
 * The core's applicant from a v3 loan application (the same reading as OCEN 4.0's): the borrower by PAN
 * (`primaryIdType` PAN), the PRIMARY contact's Indian mobile, `terms.requestedAmount` in INR (a string of rupees),
 * and in `borrower.extensibleData` what underwriting needs and v3's borrower lacks: `dateOfBirth` (YYYY-MM-DD),
 * `monthlyIncome` (rupees, as text) and `employmentType` (SALARIED or SELF_EMPLOYED).
 */
export function readV3Applicant(loanApplication: LoanApplication): V3ApplicantReading {
  const { borrower, terms, loanApplicationId } = loanApplication;
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(loanApplicationId)) return { problem: 'loanApplicationId must be 1-64 characters of A-Z, a-z, 0-9, ".", "_", ":" and "-"' };
  if (borrower.primaryIdType !== 'PAN' || !OCEN_PAN.test(borrower.primaryId)) return { problem: 'borrower.primaryIdType must be PAN with a valid PAN in primaryId' };
  const contact = borrower.contactDetails.find((c) => c.type === 'PRIMARY') ?? borrower.contactDetails[0];
  const digits = (contact?.phone ?? '').replace(/[^0-9]/g, '');
  const national = digits.length === 12 && digits.startsWith('91') ? digits.slice(2) : digits;
  if (!/^[6-9][0-9]{9}$/.test(national)) return { problem: 'borrower.contactDetails needs a PRIMARY Indian mobile phone' };
  const extra = borrower.extensibleData ?? {};
  const dateOfBirth = typeof extra.dateOfBirth === 'string' ? extra.dateOfBirth : '';
  const income = typeof extra.monthlyIncome === 'string' || typeof extra.monthlyIncome === 'number' ? parseRupeesText(String(extra.monthlyIncome)) : undefined;
  const employment = extra.employmentType;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth) || income === undefined || (employment !== 'SALARIED' && employment !== 'SELF_EMPLOYED')) {
    return { problem: 'borrower.extensibleData must carry dateOfBirth (YYYY-MM-DD), monthlyIncome (rupees, at most two decimals) and employmentType (SALARIED or SELF_EMPLOYED)' };
  }
  const requested = parseRupeesText(terms.requestedAmount);
  if (requested === undefined || requested === 0n || terms.currency !== 'INR') return { problem: 'terms.requestedAmount must be a positive amount of rupees (at most two decimals) with currency INR' };
  return {
    loanApplicationId,
    phone: { countryCode: '91', nationalNumber: national },
    requestedAmountMicros: requested,
    applicant: {
      fullName: borrower.name ?? '',
      emailAddress: contact?.email ?? '',
      pan: borrower.primaryId,
      dateOfBirth,
      addresses: [],
      employment: { employerName: '', totalWorkExperienceYears: '', type: employment, monthlyIncomeMicros: income.toString() },
      residence: { timeAtCurrentResidence: '', ownership: 'RENTED' },
      enabledFlags: [],
    },
  };
}

/** The borrower as we echo it: PAN, name and the PRIMARY phone on record (nothing else of what was sent). */
export function v3Borrower(borrower: { pan: string; fullName: string; phone?: PhoneNumber | null }): W.Borrower {
  return {
    primaryId: borrower.pan,
    primaryIdType: 'PAN',
    category: 'INDIVIDUAL',
    ...(borrower.fullName ? { name: borrower.fullName } : {}),
    contactDetails: borrower.phone ? [{ type: 'PRIMARY', phone: borrower.phone.nationalNumber }] : [],
  };
}

/**
 * The core's repayment plan of the chosen (or signed) terms as v3's Paymentplan: monthly EMIs under the plan id
 * of our offer, `startDate` the first EMI's due date (as the offer's plan has it).
 */
export function v3RepaymentPlan(plan: RepaymentPlan): W.Paymentplan {
  return {
    id: ocenPlanId(plan.offerId, plan.tenureMonths),
    automatic: true,
    scheduleType: 'RECURRING',
    frequency: 'MONTHLY',
    noOfInstallments: String(plan.instalments),
    totalAmount: v3Amount(plan.totalMicros),
    principal: v3Amount(plan.principalMicros),
    interestAmount: v3Amount(plan.interestMicros),
    tenure: { duration: String(plan.tenureMonths), unit: 'MONTH' },
    startDate: plan.firstDueDate,
  };
}

export interface V3ConcreteOffer {
  id: string;
  amountMicros: bigint;
  tenureMonths: number;
  body: W.Offer;
}

/**
 * Our concrete v3 offers for a core offer, from the same facts as OCEN 4.0's: one per tenure the product allows,
 * for the requested amount within the offer's limits, with `terms.totalAmount` (what is repaid), interest, the
 * processing charge (a rate of the loan amount; fee + GST deducted from the disbursement), the one-time
 * disbursement and the monthly EMI repayment plan (`noOfInstallments`). Deterministic for the same core offer.
 */
export function v3Offers(offer: CoreOffer, requestedMicros: bigint, today: Date): V3ConcreteOffer[] {
  return concreteOfferFacts(offer, requestedMicros, today).map(({ id, planId, tenureMonths: tenure, amountMicros: amount, interestMicros: interest, schedule, charges, start, firstDue }) => {
    const tenureOf = { duration: String(tenure), unit: 'MONTH' as const };
    return {
      id,
      amountMicros: amount,
      tenureMonths: tenure,
      body: {
        id,
        validTill: istDate(offer.endsAt),
        description: `${tenure} monthly instalments of ₹${v3Amount(schedule[0].emiMicros)}`,
        terms: {
          requestedAmount: v3Amount(requestedMicros),
          currency: 'INR',
          sanctionedAmount: v3Amount(amount),
          interestType: 'FIXED',
          interestRate: v3Percent(offer.interestRateE5),
          totalAmount: v3Amount(amount + interest),
          interestAmount: v3Amount(interest),
          tenure: tenureOf,
          charges: {
            processing: {
              chargeType: 'RATE_BASED',
              data: {
                rate: v3Percent(offer.processingFeeRateE5),
                applicableParameter: 'TOTAL_LOAN_AMOUNT',
                description: `Processing fee ₹${v3Amount(charges.processingFeeMicros)} + GST ₹${v3Amount(charges.gstMicros)}, deducted from the disbursement of ₹${v3Amount(charges.netDisbursalMicros)}`,
              },
            },
          },
        },
        disbursement: {
          plans: [{ id: `${id}-DISBURSEMENT`, automatic: true, scheduleType: 'ONE_TIME', noOfInstallments: '1', totalAmount: v3Amount(charges.netDisbursalMicros), startDate: start }],
        },
        repayment: {
          plans: [{
            id: planId,
            automatic: true,
            scheduleType: 'RECURRING',
            frequency: 'MONTHLY',
            noOfInstallments: String(tenure),
            totalAmount: v3Amount(amount + interest),
            principal: v3Amount(amount),
            interestAmount: v3Amount(interest),
            tenure: tenureOf,
            startDate: firstDue,
          }],
        },
      },
    };
  });
}

/** v3's `rejectionDetails.reason` for a core rejection reason (the core's own reason stays in the description). */
export function v3RejectionReason(coreReason: string | null): W.Rejectiondetail['reason'] {
  return coreReason === 'BUREAU_RECORD' || coreReason === 'CREDIT_RISK_ASSESSMENT' ? 'LOW_CREDIT_SCORE' : 'OTHERS';
}

/**
 * v3 loanStatus (getLoan, loanSummary; Grant Loan/…/GetLoanResponse.json: GRANTED, DEFAULTED, COMPLETED, OVERDUE)
 * of a serviced loan on the business date, the first row that holds:
 *
 * | core | loanStatus |
 * |---|---|
 * | loan CLOSED (repaid, foreclosed or returned in the cooling-off period) | COMPLETED |
 * | asset class NPA (more than 90 days past due) | DEFAULTED |
 * | DELINQUENT, days past due > 0, or a live instalment due before the business date not fully paid | OVERDUE |
 * | otherwise | GRANTED |
 */
export function v3LoanStatus(position: OcenLoanStanding): 'GRANTED' | 'COMPLETED' | 'OVERDUE' | 'DEFAULTED' {
  if (position.loan.state === 'CLOSED') return 'COMPLETED';
  if (position.loan.assetClass === 'NPA') return 'DEFAULTED';
  return ocenInArrears(position) ? 'OVERDUE' : 'GRANTED';
}

/** A serviced loan's terms, as disbursed. */
export function v3LoanTerms(loan: ServicedLoan): W.Loanterms {
  const interest = sumMicros(loan.instalments.map((line) => line.interestMicros));
  return {
    requestedAmount: v3Amount(loan.requestedAmountMicros),
    currency: 'INR',
    sanctionedAmount: v3Amount(loan.sanctionedMicros),
    interestType: 'FIXED',
    interestRate: v3Percent(loan.interestRateE5),
    totalAmount: v3Amount(loan.sanctionedMicros + interest),
    interestAmount: v3Amount(interest),
    tenure: { duration: String(loan.tenureMonths), unit: 'MONTH' },
  };
}

/**
 * What is to be paid next as a v3 Payment (the same facts as OCEN 4.0's nextRepayment, amounts as strings): the
 * first live instalment not fully paid with the arrears and unpaid charges (`penalty`); a closed loan's is a zero
 * SUCCESS payment whose `url` is the no-dues certificate.
 */
export function v3NextDuePayment(position: LoanPosition): W.Payment {
  const { loan } = position;
  const next = ocenNextDue(position);
  const standing = ocenStandingText(position);
  if (!next) {
    return {
      id: `${loan.lenderReference}-NONE`,
      totalAmount: '0.00',
      ...(loan.closedOn ? { date: loan.closedOn } : {}),
      status: 'SUCCESS',
      ...(position.noDuesCertificateUrl ? { url: position.noDuesCertificateUrl } : {}),
      description: loan.state === 'CLOSED' ? `Nothing is left to pay. ${standing}` : 'Nothing is left to pay',
    };
  }
  return {
    id: `${loan.lenderReference}-${next.sequence}`,
    totalAmount: v3Amount(next.totalMicros),
    date: next.dueDate,
    status: 'PENDING_AUTH',
    installmentNumber: String(next.sequence),
    principal: v3Amount(next.principalMicros),
    interestAmount: v3Amount(next.interestMicros),
    penalty: v3Amount(next.chargesMicros),
    paymentMethodType: 'ENACH',
    description: `Instalment ${next.sequence} of ${next.ofInstalments}, due ${next.dueDate}${standing ? `. ${standing}` : ''}`,
  };
}

/** A repayment (a mandate debit or a payment) as a v3 Payment: amounts as strings, the allocation once it SUCCEEDED. */
export function v3RepaymentPayment(repayment: Repayment): W.Payment {
  const paid = repayment.state === 'SUCCEEDED';
  const status = ({ PENDING: 'PENDING_AUTH', SUCCEEDED: 'SUCCESS', FAILED: 'FAILURE' } as const)[repayment.state];
  return {
    id: repayment.partnerPaymentId ?? repayment.reference,
    totalAmount: v3Amount(repayment.amountMicros),
    date: repayment.valueDate ?? istDate(repayment.completedAt ?? repayment.requestedAt),
    status,
    ...(repayment.instalmentSequence !== null ? { installmentNumber: String(repayment.instalmentSequence) } : {}),
    txnRefNo: repayment.providerReference ?? repayment.reference,
    ...(paid ? { principal: v3Amount(repayment.principalMicros!), interestAmount: v3Amount(repayment.interestMicros!), penalty: v3Amount(repayment.penaltyMicros!) } : {}),
    paymentMethodType: repayment.method === 'MANDATE' ? 'ENACH' : repayment.method === 'NETBANKING' || repayment.method === 'DEBIT_CARD' || repayment.method === 'EMANDATE_UPI' || repayment.method === 'ENACH' ? repayment.method : 'UPI',
    description: repayment.state === 'FAILED' ? `Payment failed: ${repayment.failureReason ?? 'no reason given'}` : `Repayment ${repayment.reference}`,
  };
}

/**
 * loanSummaryResponse's `summary`, from the loan's position on the business date: amounts paid and pending from
 * the ledger, `nextRepayment` with the arrears and charges (v3NextDuePayment), `currentRepayment` the latest
 * repayment (mandate debits included) or the next due before any. v3 has no member for days past due or the
 * overdue amount: they are in the descriptions and in loanStatus (OVERDUE, DEFAULTED).
 */
export function v3LoanSummary(position: LoanPosition): W.LoanSummryResponse['summary'] {
  const { loan } = position;
  const figures = loanFigures(loan);
  const next = v3NextDuePayment(position);
  const latest = loan.repayments[0];
  const standing = ocenStandingText(position);
  return {
    nextRepayment: next,
    currentRepayment: latest ? v3RepaymentPayment(latest) : next,
    principalPaid: v3Amount(figures.principalPaidMicros),
    interestPaid: v3Amount(figures.interestPaidMicros),
    penaltyPaid: v3Amount(figures.penaltyPaidMicros),
    principalPending: v3Amount(figures.principalPendingMicros),
    interestPending: v3Amount(figures.interestPendingMicros),
    amountDisbursed: v3Amount(loan.disbursedMicros),
    amountRepaid: v3Amount(figures.repaidMicros),
    tenure: { duration: String(loan.tenureMonths), unit: 'MONTH' },
    description: `₹${v3Amount(loan.sanctionedMicros)} at ${v3Percent(loan.interestRateE5)}% a year for ${loan.tenureMonths} months, EMI ₹${v3Amount(loan.emiMicros)}${standing ? `. ${standing}` : ''}`,
  };
}

/** The loan's end date on both v3 answers: the last live instalment's due date, or the closure date once CLOSED. */
export function v3EndDate(loan: ServicedLoan): string {
  if (loan.state === 'CLOSED' && loan.closedOn) return loan.closedOn;
  return loanFigures(loan).endDate;
}

/** Whether the application has been granted (its loan id handed out). */
export const isGranted = (application: Pick<Application, 'applicationState'>) => ['GRANTED', 'SUBMITTED', 'DISBURSED'].includes(application.applicationState);

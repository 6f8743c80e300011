import type { Application } from '../../core/application/application';
import type { Offer } from '../../core/offer/offer';
import { Apr, aprOfSchedule } from '../../core/money/apr';
import { istDate } from '../../core/shared/dates';
import type { KycState } from '../../core/kyc/kyc-state';
import type { MandateState } from '../../core/mandate/mandate-state';
import type { DisbursementState } from '../../core/loan/disbursement-state';
import type { LoanState } from '../../core/loan/loan-state';
import { untrusted } from './ocen-wire';
import type { Borrower, ContactDetails, ExtensibleData, LoanApplication, LoanApplicationStatus, LoanTerms, OcenOffer, RejectionDetail, Untrusted } from './ocen-wire';
import { OCEN_PAN, type OcenApplicantReading, concreteOfferFacts } from '../shared/ocen-family';

export type { LoanApplicationStatus };

/** OCEN's `LoanApplicationStatus` (docs/ocen.md §4.3; the spelling `DISBURSED_FAILED` is the wire contract's), every one of the schema's. */
export const LOAN_APPLICATION_STATUSES = [
  'CREATED', 'PROCESSING', 'CONSENT_INITIATED', 'CONSENT_RECEIVED', 'CONSENT_REJECTED', 'OFFERED', 'OFFER_ACCEPTED',
  'KYC_INITIATED', 'KYC_COMPLETED', 'KYC_FAILED', 'KYC_REJECTED', 'LOAN_AGREEMENT_INITIATED', 'LOAN_AGREEMENT_COMPLETED',
  'LOAN_AGREEMENT_FAILED', 'REPAYMENT_SETUP_INITIATED', 'REPAYMENT_SETUP_COMPLETED', 'REPAYMENT_SETUP_FAILED',
  'REPAYMENT_SETUP_REJECTED', 'SET_DISBURSEMENT_ACCOUNT_INITIATED', 'SET_DISBURSEMENT_ACCOUNT_COMPLETED',
  'SET_DISBURSEMENT_ACCOUNT_FAILED', 'SET_DISBURSEMENT_ACCOUNT_REJECTED', 'GRANTED', 'REJECTED', 'ACTION_REQUIRED',
  'DISBURSEMENT_INITIATED', 'DISBURSEMENT_COMPLETED', 'DISBURSED_FAILED', 'CLOSED', 'CANCELLED',
] as const satisfies readonly LoanApplicationStatus[];
const _everyStatusListed: Exclude<LoanApplicationStatus, (typeof LOAN_APPLICATION_STATUSES)[number]> extends never ? true : never = true;

/**
 * What the core knows of one loan application, as far as OCEN's status reads it. Only the application's two
 * state machines are required; each other member is the state of one more core machine (absent: not started).
 */
export interface LoanApplicationFacts {
  application: Pick<Application, 'approvalState' | 'applicationState'>;
  /** The current offer (accepted when the agent chose its terms with setOffers). */
  currentOffer?: Pick<Offer, 'acceptedAt'> | null;
  /** The account-aggregator consent of the credit decision (FIU side). */
  consent?: 'PENDING' | 'READY' | 'FAILED' | null;
  /** The lender asked for more documents before it can decide (answered by sendAdditionalDocuments). */
  documentsRequested?: boolean;
  kyc?: KycState | null;
  /** The borrower was sent the loan-acceptance OTP, still usable, and has not yet signed with it. */
  acceptanceTriggered?: boolean;
  mandate?: MandateState | null;
  /** A disbursement account was set for the loan. */
  disbursementAccount?: boolean;
  disbursement?: DisbursementState | null;
  loan?: LoanState | null;
}

/**
 * The one mapping of the core's state machines to OCEN's LoanApplicationStatus. Not a second state machine:
 * every status is read from core state, the most advanced step first.
 *
 * | core | LoanApplicationStatus |
 * |---|---|
 * | application REJECTED after a failed disbursement / KYC rejected / otherwise | DISBURSED_FAILED / KYC_REJECTED / REJECTED |
 * | credit decision pending: consent PENDING, FAILED, READY; documents requested; otherwise | CONSENT_INITIATED, CONSENT_REJECTED, CONSENT_RECEIVED; ACTION_REQUIRED; PROCESSING |
 * | application DISBURSED (loan CLOSED) | DISBURSEMENT_COMPLETED (CLOSED) |
 * | application SUBMITTED (the disbursement requested) | DISBURSEMENT_INITIATED |
 * | application GRANTED: mandate FAILED / account set / mandate ACTIVE, PENDING / neither | REPAYMENT_SETUP_FAILED / SET_DISBURSEMENT_ACCOUNT_COMPLETED / REPAYMENT_SETUP_COMPLETED, _INITIATED / GRANTED |
 * | application SIGNED: mandate ACTIVE, PENDING, FAILED / none | REPAYMENT_SETUP_COMPLETED, _INITIATED, _FAILED / LOAN_AGREEMENT_COMPLETED |
 * | approved, offer not chosen | OFFERED |
 * | offer chosen: acceptance OTP outstanding / KYC APPROVED / NOT_STARTED (triggered), IN_PROGRESS or AWAITING_APPROVAL / EXPIRED / no KYC | LOAN_AGREEMENT_INITIATED / KYC_COMPLETED / KYC_INITIATED / KYC_FAILED / OFFER_ACCEPTED |
 */
export function loanApplicationStatus(facts: LoanApplicationFacts): LoanApplicationStatus {
  const { application } = facts;
  if (application.approvalState === 'REJECTED' || application.applicationState === 'REJECTED') {
    if (facts.disbursement === 'FAILED') return 'DISBURSED_FAILED';
    if (facts.kyc === 'REJECTED') return 'KYC_REJECTED';
    return 'REJECTED';
  }
  if (application.approvalState !== 'APPROVED') {
    if (facts.consent === 'PENDING') return 'CONSENT_INITIATED';
    if (facts.consent === 'FAILED') return 'CONSENT_REJECTED';
    if (facts.documentsRequested) return 'ACTION_REQUIRED';
    if (facts.consent === 'READY') return 'CONSENT_RECEIVED';
    return 'PROCESSING';
  }
  switch (application.applicationState) {
    case 'DISBURSED': return facts.loan === 'CLOSED' ? 'CLOSED' : 'DISBURSEMENT_COMPLETED';
    case 'SUBMITTED': return 'DISBURSEMENT_INITIATED';
    case 'GRANTED':
      if (facts.mandate === 'FAILED') return 'REPAYMENT_SETUP_FAILED';
      if (facts.disbursementAccount) return 'SET_DISBURSEMENT_ACCOUNT_COMPLETED';
      if (facts.mandate === 'ACTIVE') return 'REPAYMENT_SETUP_COMPLETED';
      if (facts.mandate === 'PENDING') return 'REPAYMENT_SETUP_INITIATED';
      return 'GRANTED';
    case 'SIGNED':
      if (facts.mandate === 'ACTIVE') return 'REPAYMENT_SETUP_COMPLETED';
      if (facts.mandate === 'PENDING') return 'REPAYMENT_SETUP_INITIATED';
      if (facts.mandate === 'FAILED') return 'REPAYMENT_SETUP_FAILED';
      return 'LOAN_AGREEMENT_COMPLETED';
    default:
      if (!facts.currentOffer?.acceptedAt) return 'OFFERED';
      if (facts.acceptanceTriggered) return 'LOAN_AGREEMENT_INITIATED';
      switch (facts.kyc) {
        case 'APPROVED': return 'KYC_COMPLETED';
        case 'NOT_STARTED':
        case 'IN_PROGRESS':
        case 'AWAITING_APPROVAL': return 'KYC_INITIATED';
        case 'EXPIRED': return 'KYC_FAILED';
        default: return 'OFFER_ACCEPTED';
      }
  }
}

/** OCEN's RejectionDetail reason for a core rejection reason (the core's own reason stays in the description). */
export function rejectionReason(coreReason: string | null): RejectionDetail['reason'] {
  if (coreReason === 'BUREAU_RECORD' || coreReason === 'CREDIT_RISK_ASSESSMENT') return 'LOW_CREDIT_SCORE';
  return 'OTHERS';
}

/** An amount as OCEN's LoanTerms, Payment and PaymentPlan carry it: rupees as a JSON number (micros are whole paise here, so two decimals). */
export const ocenRupees = (micros: bigint) => Number(micros) / 1_000_000;
/** A rate as OCEN carries it: percent per year as a JSON number. */
export const ocenPercent = (rateE5: number) => rateE5 / 100_000;

/** The core's APR (apr.ts: IRR on the net disbursed amount, HALF_UP to 2 decimals) as OCEN's `annualPercentageRate`: percent as a JSON number. */
export const ocenApr = (apr: Apr) => Number(apr.percent);

export interface ConcreteOffer {
  id: string;
  amountMicros: bigint;
  tenureMonths: number;
  body: OcenOffer;
}

/**
 * Our concrete OCEN offers for a core offer: one per tenure the product allows, each for the requested amount
 * within the offer's limits, with interest, APR, processing charges (fee + GST), the one-time disbursement
 * and the monthly EMI repayment plan. Deterministic: the same core offer gives the same offers.
 */
export function concreteOffers(offer: Offer, requestedMicros: bigint, today: Date): ConcreteOffer[] {
  return concreteOfferFacts(offer, requestedMicros, today).map(({ id, planId, tenureMonths: tenure, amountMicros: amount, interestMicros: interest, schedule, charges, start, firstDue }) => {
    const emi = schedule[0].emiMicros;
    return {
      id,
      amountMicros: amount,
      tenureMonths: tenure,
      body: {
        id,
        validTill: istDate(offer.endsAt),
        description: `${tenure} monthly instalments of ₹${ocenRupees(emi).toFixed(2)}`,
        terms: {
          requestedAmount: ocenRupees(requestedMicros),
          currency: 'INR',
          sanctionedAmount: ocenRupees(amount),
          netDisbursedAmount: ocenRupees(charges.netDisbursalMicros),
          interestType: 'FIXED',
          interestRate: ocenPercent(offer.interestRateE5),
          annualPercentageRate: ocenApr(aprOfSchedule(charges.netDisbursalMicros, schedule)),
          totalRepayableAmount: ocenRupees(amount + interest),
          interestAmount: ocenRupees(interest),
          tenure: { duration: tenure, unit: 'MONTH' },
          charges: {
            processing: {
              chargeType: 'FIXED_AMOUNT',
              data: {
                amount: ocenRupees(charges.processingFeeMicros + charges.gstMicros),
                rate: ocenPercent(offer.processingFeeRateE5),
                applicableParameter: 'TOTAL_LOAN_AMOUNT',
                description: `Processing fee ₹${ocenRupees(charges.processingFeeMicros).toFixed(2)} + GST ₹${ocenRupees(charges.gstMicros).toFixed(2)}, deducted from the disbursement`,
              },
            },
          },
        },
        disbursement: {
          plans: [{ id: `${id}-DISBURSEMENT`, automatic: true, scheduleType: 'ONE_TIME', noOfInstallment: 1, totalAmount: ocenRupees(charges.netDisbursalMicros), startDate: start }],
        },
        repayment: {
          plans: [{
            id: planId,
            automatic: true,
            scheduleType: 'RECURRING',
            frequency: 'MONTHLY',
            noOfInstallment: tenure,
            totalAmount: ocenRupees(amount + interest),
            principal: ocenRupees(amount),
            interestAmount: ocenRupees(interest),
            tenure: { duration: tenure, unit: 'MONTH' },
            startDate: firstDue,
          }],
        },
      },
    };
  });
}

/**
 * An OCEN amount (rupees as a JSON number) as micros: positive (or zero when `allowZero`), at most two
 * decimals (checked on the decimal text of the number, so 0.1 + 0.2 style floats are refused, not rounded).
 * Undefined when it is not such an amount.
 */
export function microsOfRupees(value: unknown, allowZero = false): bigint | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0) || value > MAX_RUPEES) return undefined;
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(value));
  if (!match) return undefined;
  return BigInt(match[1]) * 1_000_000n + BigInt((match[2] ?? '').padEnd(2, '0')) * 10_000n;
}

/** The largest amount read from a loan agent: ₹1,00,000 crore (1e12 rupees), far beyond any loan, well within int64 micros. */
const MAX_RUPEES = 1e12;

/** Why a createLoanRequest's application cannot be taken, or what the core needs of it. */
export type ApplicantReading = OcenApplicantReading;

/**
 * The core's applicant from an OCEN LoanApplication. Borrowers are identified by PAN (`primaryIdType` PAN); the
 * phone is the PRIMARY contact (+91 implied for ten digits); what underwriting needs and OCEN's Borrower lacks
 * travels in `borrower.extensibleData`: `dateOfBirth` (YYYY-MM-DD), `monthlyIncome` (rupees) and
 * `employmentType` (SALARIED or SELF_EMPLOYED).
 */
export function readApplicant(loanApplication: Untrusted<LoanApplication>): ApplicantReading {
  const borrower = untrusted<Borrower>(loanApplication.borrower);
  const extra = untrusted<ExtensibleData>(borrower.extensibleData);
  const loanApplicationId = String(loanApplication.loanApplicationId ?? '');
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(loanApplicationId)) return { problem: 'loanApplicationId must be 1-64 characters of A-Z, a-z, 0-9, ".", "_", ":" and "-"' };
  if (borrower.primaryIdType !== 'PAN' || typeof borrower.primaryId !== 'string' || !OCEN_PAN.test(borrower.primaryId)) {
    return { problem: 'borrower.primaryIdType must be PAN with a valid PAN in primaryId' };
  }
  const contacts = Array.isArray(borrower.contactDetails) ? borrower.contactDetails.map((c: unknown) => untrusted<ContactDetails>(c)) : [];
  const contact = contacts.find((c) => c.type === 'PRIMARY') ?? contacts[0];
  const digits = String(contact?.phone ?? '').replace(/[^0-9]/g, '');
  const national = digits.length === 12 && digits.startsWith('91') ? digits.slice(2) : digits;
  if (!/^[6-9][0-9]{9}$/.test(national)) return { problem: 'borrower.contactDetails needs a PRIMARY Indian mobile phone' };
  const dateOfBirth = String(extra.dateOfBirth ?? '');
  const incomeMicros = microsOfRupees(typeof extra.monthlyIncome === 'string' ? Number(extra.monthlyIncome) : extra.monthlyIncome, true);
  const employment = extra.employmentType;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth) || incomeMicros === undefined || (employment !== 'SALARIED' && employment !== 'SELF_EMPLOYED')) {
    return { problem: 'borrower.extensibleData must carry dateOfBirth (YYYY-MM-DD), monthlyIncome (rupees, at most two decimals) and employmentType (SALARIED or SELF_EMPLOYED)' };
  }
  const terms = untrusted<LoanTerms>(loanApplication.terms);
  const requestedMicros = microsOfRupees(terms.requestedAmount);
  if (requestedMicros === undefined || (terms.currency !== undefined && terms.currency !== 'INR')) return { problem: 'terms.requestedAmount must be a positive amount in INR (at most two decimals)' };
  return {
    loanApplicationId,
    phone: { countryCode: '91', nationalNumber: national },
    requestedAmountMicros: requestedMicros,
    applicant: {
      fullName: typeof borrower.name === 'string' ? borrower.name : '',
      emailAddress: typeof contact?.email === 'string' ? contact.email : '',
      pan: borrower.primaryId,
      dateOfBirth,
      addresses: [],
      employment: { employerName: '', totalWorkExperienceYears: '', type: employment, monthlyIncomeMicros: incomeMicros.toString() },
      residence: { timeAtCurrentResidence: '', ownership: 'RENTED' },
      enabledFlags: [],
    },
  };
}

import { buildSchedule, totalInterestMicros } from '../money/emi';
import { sumMicros } from '../money/money';
import { loanCharges } from '../loan/charges';
import { addMonthsClamped } from '../shared/dates';
import type { Offer } from '../offer/offer';
import { type Product, foreclosureChargeRateE5 } from '../product/product';
import { Apr, aprOfSchedule } from '../money/apr';

/** The T&C acceptance (type) whose `version` names the Key Fact Statement the borrower accepted: its id. */
export const KFS_ACCEPTANCE = 'KFS';

/** The terms a KFS is issued for: an amount and a tenure within one offer. */
export interface KfsTerms {
  offerId: string;
  amountMicros: bigint;
  tenureMonths: number;
}

/** The grievance redressal officer named in every KFS (GRIEVANCE_OFFICER_* settings). */
export interface GrievanceOfficer {
  name: string;
  phone: string;
  email: string;
}

/** What a KFS states besides the loan's figures and the product's terms: who lends, whom to complain to. */
export interface KfsSettings {
  lenderName: string;
  grievanceOfficer: GrievanceOfficer;
  /** Working days a KFS stays valid (RBI: at least 3 for loans of 7 days or more). */
  validityWorkingDays: number;
}

/**
 * Charges levied only on an event (RBI KFS Part 1, item 10), as the offer's product version states them
 * ({@link contingentChargesOf}): GST is added to the bounce and foreclosure charges, not to the penal charge.
 */
export interface ContingentCharges {
  /** Flat, once per overdue instalment past the grace days; never compounded, never capitalised. */
  penalChargeMicros: bigint;
  /** Per failed (bounced) debit of an EMI. */
  bounceChargeMicros: bigint;
  /** Percent × 10^5 of the principal outstanding when the loan is closed early (0 on a floating rate). */
  foreclosureChargeRateE5: number;
}

/** No contingent charge at all (a KFS figured without a product version, as in tests). */
export const NO_CONTINGENT_CHARGES: ContingentCharges = { penalChargeMicros: 0n, bounceChargeMicros: 0n, foreclosureChargeRateE5: 0 };

/** The contingent charges a product version states (the foreclosure charge 0 when its rate is FLOATING). */
export function contingentChargesOf(product: Pick<Product, 'penalChargeMicros' | 'bounceChargeMicros' | 'foreclosureChargeRateE5' | 'rateType'>): ContingentCharges {
  return { penalChargeMicros: product.penalChargeMicros, bounceChargeMicros: product.bounceChargeMicros, foreclosureChargeRateE5: foreclosureChargeRateE5(product) };
}

/** One fee the borrower pays, with its tax. */
export interface KfsFee {
  type: 'PROCESSING_FEE';
  /** Percent × 10^5 of the sanctioned amount the fee is computed from (before its minimum applies). */
  rateE5: number;
  amountMicros: bigint;
  gstRateE5: number;
  gstMicros: bigint;
  /** Paid to the lender (deducted from the disbursement), not to a third party. */
  payableTo: 'LENDER';
}

/** One instalment of the KFS's repayment schedule. */
export interface KfsInstalment {
  sequence: number;
  /** YYYY-MM-DD: assuming the loan is disbursed on the day the KFS was issued. */
  dueDate: string;
  instalmentMicros: bigint;
  principalMicros: bigint;
  interestMicros: bigint;
  /** Principal outstanding after this instalment. */
  outstandingMicros: bigint;
}

/** The figures of a Key Fact Statement (RBI circular of April 15, 2024, Annex A). Amounts in micros. */
export interface KfsFigures {
  sanctionedMicros: bigint;
  /** Sanctioned amount minus every fee and its GST (the fees are deducted from the disbursement). */
  netDisbursedMicros: bigint;
  /** Percent × 10^5, fixed, reducing balance. */
  interestRateE5: number;
  /** The EMI of instalments 1 … n−1; the last one absorbs the rounding (see the schedule). */
  emiMicros: bigint;
  instalmentCount: number;
  totalInterestMicros: bigint;
  fees: KfsFee[];
  /** Every fee plus its GST. */
  totalFeesMicros: bigint;
  /** What the borrower pays back: the sanctioned amount plus the total interest (= the sum of the instalments; the fees were paid out of the disbursement). */
  totalAmountPayableMicros: bigint;
  apr: Apr;
  schedule: KfsInstalment[];
  contingentCharges: ContingentCharges;
}

/** A Key Fact Statement as issued: what the borrower saw, checked again when the borrower signs. */
export interface Kfs {
  /** `KFS` + 16 random characters: the id the borrower's signature names. */
  id: string;
  applicationId: string;
  offerId: string;
  amountMicros: bigint;
  tenureMonths: number;
  interestRateE5: number;
  issuedAt: Date;
  /** The instant it stops being valid: the end (IST midnight) of its last working day. */
  validUntil: Date;
  figures: KfsFigures;
  lenderName: string;
  grievanceOfficer: GrievanceOfficer;
  /** Cooling-off (look-up) period in days, from the offer's product version: the borrower may exit by repaying principal and the proportionate APR, without penalty. */
  coolingOffDays: number;
}

/**
 * The figures of a KFS for an amount and tenure of an offer, as the loan would be if disbursed on `issuedOn`
 * (YYYY-MM-DD, IST): the schedule is the loan's own (src/core/money/emi.ts: EMI half-up to the paisa, the last
 * instalment absorbing the rounding, first due one month after disbursement), the fees are `loanCharges`, and
 * the APR is the IRR of those exact flows on the net disbursed amount (apr.ts). Pure and deterministic.
 *
 * @throws RangeError when the terms are not a loan (see validateTerms) or not amortisable.
 */
export function kfsFigures(offer: Offer, amountMicros: bigint, tenureMonths: number, issuedOn: string, contingentCharges: ContingentCharges = NO_CONTINGENT_CHARGES): KfsFigures {
  const schedule = buildSchedule({ principalMicros: amountMicros, annualRateE5: BigInt(offer.interestRateE5), tenureMonths }, addMonthsClamped(issuedOn, 1));
  const charges = loanCharges(amountMicros, offer);
  const totalInterest = totalInterestMicros(schedule);
  const fees: KfsFee[] = [{
    type: 'PROCESSING_FEE',
    rateE5: offer.processingFeeRateE5,
    amountMicros: charges.processingFeeMicros,
    gstRateE5: offer.gstRateE5,
    gstMicros: charges.gstMicros,
    payableTo: 'LENDER',
  }];
  return {
    sanctionedMicros: amountMicros,
    netDisbursedMicros: charges.netDisbursalMicros,
    interestRateE5: offer.interestRateE5,
    emiMicros: schedule[0].emiMicros,
    instalmentCount: tenureMonths,
    totalInterestMicros: totalInterest,
    fees,
    totalFeesMicros: sumMicros(fees.map((fee) => fee.amountMicros + fee.gstMicros)),
    totalAmountPayableMicros: amountMicros + totalInterest,
    apr: aprOfSchedule(charges.netDisbursalMicros, schedule),
    schedule: schedule.map((line) => ({
      sequence: line.sequence,
      dueDate: line.dueDate,
      instalmentMicros: line.emiMicros,
      principalMicros: line.principalMicros,
      interestMicros: line.interestMicros,
      outstandingMicros: line.closingPrincipalMicros,
    })),
    contingentCharges,
  };
}

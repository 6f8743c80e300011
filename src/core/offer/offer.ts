import { invalidField } from '../errors';
import { formatRupees } from '../money/money';

/** An offer made to one application: its limits bound what the borrower may sign for. Several may exist; the application names the current one. */
export interface Offer {
  id: string;
  applicationId: string;
  productId: string;
  /**
   * The product version the offer was made under (`offer.product_version`): its limits, rate and fees were copied
   * from it, and the loan opened from the offer pins the same version for its charges, grace and notice days.
   */
  productVersion: number;
  minAmountMicros: bigint;
  maxAmountMicros: bigint;
  amountStepMicros: bigint;
  minTenureMonths: number;
  maxTenureMonths: number;
  tenureStepMonths: number;
  interestRateE5: number;
  processingFeeRateE5: number;
  processingFeeMinMicros: bigint;
  /** The processing fee is at most this (min ≤ fee ≤ max; see loanCharges). */
  processingFeeMaxMicros: bigint;
  gstRateE5: number;
  riskBand: string;
  startsAt: Date;
  endsAt: Date;
  /** The terms the borrower chose within the offer before KYC (see OfferService.accept); null or absent when none. */
  acceptedAmountMicros?: bigint | null;
  acceptedTenureMonths?: number | null;
  acceptedAt?: Date | null;
}

/** The amount offered for a request: the requested amount within the offer's limits, down to its step. */
export function offeredAmountMicros(offer: Offer, requestedMicros: bigint): bigint {
  const capped = requestedMicros > offer.maxAmountMicros ? offer.maxAmountMicros : requestedMicros < offer.minAmountMicros ? offer.minAmountMicros : requestedMicros;
  return offer.minAmountMicros + ((capped - offer.minAmountMicros) / offer.amountStepMicros) * offer.amountStepMicros;
}

/** Whether the offer allows this tenure (within its limits, on its step). */
export function offersTenure(offer: Offer, tenureMonths: number): boolean {
  return Number.isInteger(tenureMonths) && tenureMonths >= offer.minTenureMonths && tenureMonths <= offer.maxTenureMonths && (tenureMonths - offer.minTenureMonths) % offer.tenureStepMonths === 0;
}

/**
 * Checks an amount and tenure against the offer's limits and steps (validity is the caller's: it knows the clock).
 *
 * @throws AppError INVALID_FIELD_VALUE on `loanAmount` or `tenureMonths`.
 */
export function assertTermsWithinOffer(offer: Offer, amountMicros: bigint, tenureMonths: number): void {
  if (amountMicros < offer.minAmountMicros || amountMicros > offer.maxAmountMicros || (amountMicros - offer.minAmountMicros) % offer.amountStepMicros !== 0n) {
    throw invalidField('loanAmount', `The amount must be from ${formatRupees(offer.minAmountMicros)} to ${formatRupees(offer.maxAmountMicros)} in steps of ${formatRupees(offer.amountStepMicros)}`);
  }
  if (!Number.isInteger(tenureMonths) || tenureMonths < offer.minTenureMonths || tenureMonths > offer.maxTenureMonths || (tenureMonths - offer.minTenureMonths) % offer.tenureStepMonths !== 0) {
    throw invalidField('tenureMonths', `The tenure must be ${offer.minTenureMonths} to ${offer.maxTenureMonths} months in steps of ${offer.tenureStepMonths}`);
  }
}

/** An offer made to one application: its limits bound what the borrower may sign for. Several may exist; the application names the current one. */
export interface Offer {
  id: string;
  applicationId: string;
  productId: string;
  minAmountMicros: bigint;
  maxAmountMicros: bigint;
  amountStepMicros: bigint;
  minTenureMonths: number;
  maxTenureMonths: number;
  tenureStepMonths: number;
  interestRateE5: number;
  processingFeeRateE5: number;
  processingFeeMinMicros: bigint;
  gstRateE5: number;
  riskBand: string;
  startsAt: Date;
  endsAt: Date;
  /** The terms the borrower chose within the offer before KYC (see OfferService.accept); null or absent when none. */
  acceptedAmountMicros?: bigint | null;
  acceptedTenureMonths?: number | null;
  acceptedAt?: Date | null;
}

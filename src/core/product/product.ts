/** A lending product: the bounds of every offer made under it, and its fees. Amounts in micros, rates in E5 (percent × 10^5). */
export interface Product {
  id: string;
  name: string;
  minAmountMicros: bigint;
  maxAmountMicros: bigint;
  amountStepMicros: bigint;
  minTenureMonths: number;
  maxTenureMonths: number;
  tenureStepMonths: number;
  processingFeeRateE5: number;
  processingFeeMinMicros: bigint;
  gstRateE5: number;
  offerValidityHours: number;
  active: boolean;
}

/**
 * One risk band of a product version: a borrower whose monthly income is at least `minMonthlyIncomeMicros` falls in
 * it (the first such band, bands listed highest income first; the last band's minimum is 0) and is offered
 * `interestRateE5`.
 */
export interface RiskBand {
  /** The band's name as recorded on the offer (`A`, `B`, `C`). */
  band: string;
  /** Monthly income, micros, from which the band applies. */
  minMonthlyIncomeMicros: bigint;
  /** Annual interest rate, percent × 10^5 (16% = 1_600_000), reducing balance. */
  interestRateE5: number;
}

/**
 * FIXED: the rate stays as offered for the life of the loan. FLOATING: it follows a benchmark; RBI forbids a
 * foreclosure (or prepayment) charge on a floating-rate loan to an individual, so such a version states none.
 */
export type ProductRateType = 'FIXED' | 'FLOATING';

/**
 * A lending product as one version of its terms (table `product_version`, immutable once written: SQLSTATE CP012;
 * `product.current_version` names the one new offers are made under). An offer records the version it was made
 * under (`Offer.productVersion`) and the loan opened from it records the product and that version
 * (`loan_account.product_id`, `loan_account.product_version`), so a later version never changes their terms.
 * Amounts in micros (rupees × 10^6), rates in E5 (percent × 10^5).
 */
export interface Product {
  /** The product's id (`PERSONAL_LOAN`): the same for every version. */
  id: string;
  /** The version of the terms below: 1, 2, …; with `id`, the primary key of `product_version`. */
  version: number;
  name: string;
  /** Smallest amount an offer may be made for. */
  minAmountMicros: bigint;
  /** Largest amount an offer may be made for (the underwriting limit is capped at it). */
  maxAmountMicros: bigint;
  /** Amounts run from the minimum in steps of this. */
  amountStepMicros: bigint;
  minTenureMonths: number;
  maxTenureMonths: number;
  /** Tenures run from the minimum in steps of this many months. */
  tenureStepMonths: number;
  /** Interest rate by risk band, highest income first (see {@link riskBandFor}). */
  riskBands: RiskBand[];
  rateType: ProductRateType;
  /** Processing fee as a share of the sanctioned amount, before its minimum and maximum apply. */
  processingFeeRateE5: number;
  /** The processing fee is at least this (min ≤ fee ≤ max; see loanCharges). */
  processingFeeMinMicros: bigint;
  /** The processing fee is at most this (≥ the minimum). */
  processingFeeMaxMicros: bigint;
  /** GST on the processing fee, the bounce charge and the foreclosure charge (18% = 1_800_000). */
  gstRateE5: number;
  /** Levied per bounced (failed) debit of an instalment, GST added. */
  bounceChargeMicros: bigint;
  /**
   * Levied flat, once per overdue instalment whose days past due exceed `graceDays`. No GST (not a supply: CBIC
   * circular 178/10/2022); never compounded, never capitalised, never interest-bearing (RBI penal charges
   * directions, August 18, 2023).
   */
  penalChargeMicros: bigint;
  /** Of the principal outstanding when the loan is foreclosed, GST added; always 0 when `rateType` is FLOATING. */
  foreclosureChargeRateE5: number;
  /**
   * Days after disbursement during which the borrower may exit by repaying the principal and the proportionate
   * APR, without penalty (the KFS's look-up period).
   */
  coolingOffDays: number;
  /** Days past due an instalment may reach before the penal charge is levied on it. */
  graceDays: number;
  /** Days before the debit date the pre-debit notice is sent (at least 1). */
  preDebitNoticeDays: number;
  /** Days after a bounce at which the debit is presented again, one entry per retry (`[7]`: once, a week later). */
  collectionRetryDays: number[];
  /** Hours an offer made under this version stays valid. */
  offerValidityHours: number;
  /** When this version became the product's current one. */
  effectiveFrom: Date;
  /** Whether new applications are taken for the product (a property of the product, not of a version). */
  active: boolean;
}

/** The terms of a new version: every term of {@link Product} but the identity, version, activity and date. */
export type ProductTerms = Omit<Product, 'id' | 'version' | 'effectiveFrom' | 'active'>;

/**
 * The risk band a monthly income falls in: the first band whose minimum it meets, else the last band.
 *
 * @throws RangeError when the product has no band (the database refuses such a version).
 */
export function riskBandFor(product: Pick<Product, 'riskBands'>, monthlyIncomeMicros: bigint): RiskBand {
  const bands = product.riskBands;
  if (bands.length === 0) throw new RangeError('The product version has no risk band');
  return bands.find((b) => monthlyIncomeMicros >= b.minMonthlyIncomeMicros) ?? bands[bands.length - 1];
}

/** The foreclosure charge rate that applies: the version's, or 0 when the rate is FLOATING. */
export function foreclosureChargeRateE5(product: Pick<Product, 'rateType' | 'foreclosureChargeRateE5'>): number {
  return product.rateType === 'FLOATING' ? 0 : product.foreclosureChargeRateE5;
}

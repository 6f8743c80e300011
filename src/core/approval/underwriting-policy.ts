/**
 * The underwriting policy, as data. Amounts are rupees × 10^6 (micros); rates are percent × 10^5.
 *
 * - Age on the decision date must be 21 to 60 years, and the monthly income at least ₹15,000.
 * - Credit limit = monthly income × the employment type's multiple, rounded down to the product's amount
 *   step and capped at the product maximum; below the product minimum the application is rejected.
 * - The interest rate comes from the risk band, the first whose minimum monthly income is met. The bands (income
 *   thresholds and rates together) are terms of the product version (`Product.riskBands`, table product_version),
 *   so that an offer's rate is fixed by the version it pins; this policy keeps who may borrow and how much.
 *
 * A salaried 36-year-old earning ₹50,000 a month falls in band B of the default product (version 1: A ≥ ₹1,00,000
 * 12%, B ≥ ₹40,000 16%, C 22%): ₹1,00,000 limit at 16% a year.
 */
export const UNDERWRITING_POLICY = {
  minAgeYears: 21,
  maxAgeYears: 60,
  minMonthlyIncomeMicros: 15_000_000_000n,
  /** Limit multiple of monthly income, in hundredths (200 = 2×). */
  limitMultipleHundredths: { SALARIED: 200n, SELF_EMPLOYED: 150n } as const,
} as const;

export type EmploymentType = keyof typeof UNDERWRITING_POLICY.limitMultipleHundredths;

/**
 * How evidence of income resolves INCOME_VERIFICATION (a thin bureau file). The verified monthly income is
 * underwritten as a clean bureau file would be, and must support the amount requested: the limit it gives
 * (UNDERWRITING_POLICY) at least the requested amount, else REJECTED (CREDIT_RISK_ASSESSMENT). A bank-statement
 * summary is evidence when it covers at least `minMonthsCovered` months with at most `maxBounces` bounces
 * (else REJECTED, the reason saying which); its average monthly credits are the verified income.
 */
export const INCOME_VERIFICATION_POLICY = {
  minMonthsCovered: 3,
  maxBounces: 2,
} as const;

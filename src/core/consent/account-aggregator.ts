/** How often the FIU may fetch the borrower's data under the consent. */
export type ConsentFetchType = 'ONETIME' | 'PERIODIC';

/** A consent's status at the account aggregator (the AA's own words; PAUSED counts as still pending). */
export type AaConsentStatus = 'PENDING' | 'ACTIVE' | 'PAUSED' | 'REJECTED' | 'REVOKED' | 'EXPIRED';

/**
 * The bank-statement summary the lender keeps: figures only, never account numbers or transactions.
 * Amounts are rupees × 10^6 (micros).
 */
export interface BankStatementSummary {
  /** The average of the credits per month over the months covered (the borrower's income as the bank sees it). */
  averageMonthlyCreditsMicros: bigint;
  /** Cheque / mandate bounces over the months covered. */
  bounceCount: number;
  /** Whole months of statements the summary covers. */
  monthsCovered: number;
}

/**
 * Port to the account aggregator, the lender being the FIU. Called with no database transaction open. Every
 * call is idempotent: `requestConsent` answers the same handle for the same `reference` (our consent's id),
 * so a request whose answer was lost is asked again safely.
 */
export interface AccountAggregator {
  /** Asks the AA for a consent for the borrower `vua` (e.g. `9876543210@aa`); the borrower approves it at `url`. */
  requestConsent(request: { reference: string; vua: string; fetchType: ConsentFetchType; purpose: string }): Promise<{ handle: string; url: string }>;
  /** The consent's status at the AA. */
  consentStatus(handle: string): Promise<AaConsentStatus>;
  /** The financial-information summary under an ACTIVE consent (`reference` ties retries of one fetch together). */
  fetchSummary(handle: string, reference: string): Promise<BankStatementSummary>;
}

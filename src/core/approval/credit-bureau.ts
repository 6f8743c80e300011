export type BureauVerdict = 'CLEAN' | 'ADVERSE_RECORD' | 'THIN_FILE';

/**
 * Port to the credit bureau. Called by the credit-decision job, once per application and again with the same
 * `reference` (the application id) on a retry, with no database transaction open: the bureau should make one
 * inquiry per reference and answer it again. A bureau that cannot answer throws (AdapterError, `retryable` said;
 * see src/adapters/ports.ts); a verdict is never an error.
 */
export interface CreditBureau {
  /** The bureau's view of the applicant: an adverse record rejects; a thin file asks for income verification. */
  check(inquiry: { reference: string; pan: string; dateOfBirth: string }): Promise<BureauVerdict>;
}

export type BureauVerdict = 'CLEAN' | 'ADVERSE_RECORD' | 'THIN_FILE';

/** Port to the credit bureau. Called with no database transaction open; `reference` identifies the inquiry across retries. */
export interface CreditBureau {
  /** The bureau's view of the applicant: an adverse record rejects; a thin file asks for income verification. */
  check(inquiry: { reference: string; pan: string; dateOfBirth: string }): Promise<BureauVerdict>;
}

/** Port to the credit bureau. */
export interface CreditBureau {
  /** The bureau's view of the applicant: an adverse record rejects; a thin file asks for income verification. */
  check(applicant: { pan: string; dateOfBirth: string }): Promise<'CLEAN' | 'ADVERSE_RECORD' | 'THIN_FILE'>;
}

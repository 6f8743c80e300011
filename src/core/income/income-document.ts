/** What a document is, as far as income verification reads it. */
export type IncomeDocumentKind = 'SALARY_SLIP' | 'BANK_STATEMENT' | 'OTHER';

/** A document received as evidence of income: metadata only, never its bytes. Amounts in micros. */
export interface IncomeDocument {
  id: string;
  applicationId: string;
  /** How it came: sent with a request for more documents, or pushed with the application's pledged documents. */
  channel: 'ADDITIONAL_DOCUMENTS' | 'PLEDGED_DOCUMENTS';
  kind: IncomeDocumentKind;
  /** Who issued it and how it is encoded, as the partner says (e.g. USER / PDF). */
  source: string;
  format: string;
  /** The partner's reference of the document. */
  reference: string;
  sizeBytes: number;
  /** Hex SHA-256 of the document's bytes (or of its URL when not inline). */
  sha256: string;
  /** The monthly income the document states, when it states one. */
  statedMonthlyIncomeMicros: bigint | null;
  /** The verifier's verdict: null until asked. */
  verified: boolean | null;
  verifiedMonthlyIncomeMicros: bigint | null;
  verificationNote: string | null;
  receivedAt: Date;
}

export type NewIncomeDocument = Pick<IncomeDocument, 'channel' | 'kind' | 'source' | 'format' | 'reference' | 'sizeBytes' | 'sha256' | 'statedMonthlyIncomeMicros'>;

/** The largest document accepted (its bytes are read for the figures, hashed and dropped; never stored). */
export const MAX_DOCUMENT_BYTES = 1_048_576;
/** Documents per application per request. */
export const MAX_DOCUMENTS_PER_REQUEST = 20;
/** The largest bank statement the borrower may upload on the bank's page (read, hashed and dropped; never stored). */
export const MAX_STATEMENT_UPLOAD_BYTES = 5 * 1_048_576;

import type { IncomeDocument } from './income-document';

export type DocumentVerdict = { verified: true; monthlyIncomeMicros: bigint } | { verified: false; reason: string };

/**
 * Port to whatever verifies a document's income (the bank's document desk, an OCR and issuer-check service).
 * Called by the income-verification job with no database transaction open, and again for the same document on a
 * retry: the same document gets the same verdict. "Not verified" is an answer with its reason; a verifier that
 * cannot answer throws (AdapterError).
 */
export interface DocumentVerifier {
  verify(document: Pick<IncomeDocument, 'id' | 'kind' | 'format' | 'reference' | 'sha256' | 'statedMonthlyIncomeMicros'>): Promise<DocumentVerdict>;
}

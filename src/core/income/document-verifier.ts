import type { IncomeDocument } from './income-document';

export type DocumentVerdict = { verified: true; monthlyIncomeMicros: bigint } | { verified: false; reason: string };

/**
 * Port to whatever verifies a document's income (the bank's document desk, an OCR and issuer-check service).
 * Called with no database transaction open; the same document gets the same verdict.
 */
export interface DocumentVerifier {
  verify(document: Pick<IncomeDocument, 'id' | 'kind' | 'format' | 'reference' | 'sha256' | 'statedMonthlyIncomeMicros'>): Promise<DocumentVerdict>;
}

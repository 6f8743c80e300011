import { createHash } from 'node:crypto';
import { IncomeDocumentKind, MAX_DOCUMENT_BYTES, NewIncomeDocument } from '../../core/income/income-document';
import { untrusted } from './ocen-wire';
import type { LoanApplication, OcenDocument, Untrusted } from './ocen-wire';

/** What an inline JSON document may state about income (our convention; OCEN's Document leaves `data` free). */
interface StatedIncome {
  documentType: string;
  /** Rupees. */
  monthlyIncome: number;
}

const KINDS: readonly IncomeDocumentKind[] = ['SALARY_SLIP', 'BANK_STATEMENT'];
const kindOf = (value: unknown): IncomeDocumentKind | undefined => (typeof value === 'string' && KINDS.includes(value.toUpperCase() as IncomeDocumentKind) ? (value.toUpperCase() as IncomeDocumentKind) : undefined);

/**
 * The core's record of an OCEN `Document` sent as evidence of income: metadata only (what it is, its size and
 * SHA-256), never its bytes. OCEN's document `type` has no salary slip or bank statement, so the kind is read
 * from `sourceIdentifier` (`SALARY_SLIP` or `BANK_STATEMENT`), or from the document itself when it is inline
 * JSON (`{"documentType": "SALARY_SLIP", "monthlyIncome": 60000}`, income in rupees), which is also where the
 * income it states is read. Inline data is base64, at most MAX_DOCUMENT_BYTES decoded.
 */
export function readIncomeDocument(document: Untrusted<OcenDocument>, channel: NewIncomeDocument['channel']): { document: NewIncomeDocument } | { problem: string } {
  const text = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
  const reference = text(document.reference) || text(document.id);
  if (!reference || reference.length > 200) return { problem: 'each document needs a reference (at most 200 characters)' };
  const format = text(document.format).toUpperCase().slice(0, 20) || 'OTHER';
  const source = text(document.source).toUpperCase().slice(0, 20) || 'OTHER';
  const data = text(document.data);
  const inline = document.isDataInline === true || (document.isDataInline === undefined && format !== 'URL');
  let bytes: Buffer;
  if (inline) {
    if (data.length > Math.ceil(MAX_DOCUMENT_BYTES / 3) * 4 + 4) return { problem: `document ${reference} is larger than ${MAX_DOCUMENT_BYTES} bytes` };
    bytes = Buffer.from(data, 'base64');
  } else {
    if (data.length > 2000) return { problem: `document ${reference}: a URL of at most 2000 characters` };
    bytes = Buffer.from(data, 'utf8');
  }
  let stated: Untrusted<StatedIncome> = {};
  if (inline && format === 'JSON') {
    try {
      stated = untrusted<StatedIncome>(JSON.parse(bytes.toString('utf8')));
    } catch {
      stated = {};
    }
  }
  const income = Number(stated.monthlyIncome);
  return {
    document: {
      channel,
      kind: kindOf(stated.documentType) ?? kindOf(document.sourceIdentifier) ?? 'OTHER',
      source,
      format,
      reference,
      sizeBytes: inline ? bytes.length : 0,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      statedMonthlyIncomeMicros: Number.isFinite(income) && income >= 0 && income < 1e9 ? BigInt(Math.round(income * 100)) * 10_000n : null,
    },
  };
}

/** The documents of a request member: an array, or OCEN's `pledgedDocuments` object `{documents: [...]}` (both are sent). */
export function documentsOf(value: unknown): Untrusted<OcenDocument>[] | undefined {
  const documents = Array.isArray(value) ? value : untrusted<LoanApplication['pledgedDocuments']>(value).documents;
  return Array.isArray(documents) ? documents.map((document: unknown) => untrusted<OcenDocument>(document)) : undefined;
}

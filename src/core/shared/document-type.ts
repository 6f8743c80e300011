import { AppError, AppErrorCode, DomainField } from '../errors';

/** The document types the bank accepts from borrowers (KYC documents, evidence of income). */
export type DocumentContentType = 'application/pdf' | 'image/jpeg' | 'image/png';

/** Magic bytes of each accepted type: a file is what its first bytes say, never what its name or declared type says. */
const MAGIC: ReadonlyArray<{ type: DocumentContentType; prefix: readonly number[] }> = [
  { type: 'application/pdf', prefix: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { type: 'image/jpeg', prefix: [0xff, 0xd8, 0xff] },
  { type: 'image/png', prefix: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
];

/** The accepted type the bytes are, by their magic bytes; null for anything else (an executable, HTML, a ZIP, text, nothing). */
export function sniffDocumentType(bytes: Uint8Array): DocumentContentType | null {
  const found = MAGIC.find(({ prefix }) => bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte));
  return found?.type ?? null;
}

/**
 * The type of an uploaded document, checked before anything is stored: refused with DOCUMENT_TOO_LARGE above
 * `maxBytes`, and with DOCUMENT_TYPE_NOT_ACCEPTED when empty or not a PDF, JPEG or PNG by content. `field` names
 * the upload in the error.
 */
export function acceptDocument(bytes: Uint8Array, maxBytes: number, field: DomainField = 'document'): DocumentContentType {
  if (bytes.length > maxBytes) {
    throw new AppError(AppErrorCode.DOCUMENT_TOO_LARGE, `The document is ${bytes.length} bytes; at most ${maxBytes} are accepted`, [field], { maxBytes });
  }
  const type = sniffDocumentType(bytes);
  if (!type) throw new AppError(AppErrorCode.DOCUMENT_TYPE_NOT_ACCEPTED, 'The document is not a PDF, JPEG or PNG (judged by its content, not its name)', [field]);
  return type;
}

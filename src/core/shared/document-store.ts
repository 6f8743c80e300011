import type { DocumentContentType } from './document-type';

/** A document to keep: whose it is (an application id), what it is (e.g. `KYC_PASSPORT`, `INCOME_SALARY_SLIP`), and its bytes. */
export interface DocumentToStore {
  ownerId: string;
  kind: string;
  bytes: Buffer;
  contentType: DocumentContentType;
}

/** Where a stored document is: an opaque reference (random; reveals nothing) and the hex SHA-256 of its bytes. */
export interface StoredDocumentRef {
  reference: string;
  sha256: string;
}

export interface StoredDocument extends DocumentToStore, StoredDocumentRef {}

/**
 * Port to where the bank keeps borrowers' documents (KYC uploads, evidence of income). Documents are kept only
 * encrypted at rest; rows keep the reference and hash, never the bytes. Called with no database transaction
 * open: record the intent or check first, `put`, then record the reference. `get` is for the bank's own
 * reviewers and verifiers only, never a borrower- or partner-facing read.
 */
export interface DocumentStore {
  put(document: DocumentToStore): Promise<StoredDocumentRef>;
  /** The document, or null when the reference is unknown (or malformed). */
  get(reference: string): Promise<StoredDocument | null>;
}

import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Sealer, randomToken } from '../../lib/crypto';
import { assertOutsideTransaction } from '../../lib/db/database';
import { DocumentStore, DocumentToStore, StoredDocument, StoredDocumentRef } from '../../core/shared/document-store';
import { DocumentContentType, sniffDocumentType } from '../../core/shared/document-type';

/** A reference of this store: `doc_` and 32 random bytes (base64url); anything else is unknown (no path can be named). */
const REFERENCE = /^doc_[A-Za-z0-9_-]{43}$/;

interface SealedFile {
  v: 1;
  ownerId: string;
  kind: string;
  contentType: DocumentContentType;
  sha256: string;
  /** The bytes, base64. */
  bytes: string;
}

/**
 * Documents as files in one folder (DOCUMENTS_DIR, created 0700; files 0600), each named by its random
 * reference and holding the document with its owner, kind, type and hash sealed (AES-256-GCM with the data key, bound to the reference): never the bytes in
 * clear on disk. Written to a temporary name and renamed, so a crash leaves no half document. The default store;
 * a bank may plug in its document management system behind the same port.
 */
export class LocalDocumentStore implements DocumentStore {
  constructor(private readonly dir: string, private readonly sealer: Sealer) {}

  async put(document: DocumentToStore): Promise<StoredDocumentRef> {
    assertOutsideTransaction('The document store');
    const reference = `doc_${randomToken(32)}`;
    const sha256 = createHash('sha256').update(document.bytes).digest('hex');
    const file: SealedFile = {
      v: 1,
      ownerId: document.ownerId,
      kind: document.kind,
      contentType: document.contentType,
      sha256,
      bytes: document.bytes.toString('base64'),
    };
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const target = path.join(this.dir, reference);
    const temporary = `${target}.${randomToken(6)}.tmp`;
    await fs.writeFile(temporary, this.sealer.seal(JSON.stringify(file), `document:${reference}`), { mode: 0o600, flag: 'wx' });
    await fs.rename(temporary, target);
    return { reference, sha256 };
  }

  async get(reference: string): Promise<StoredDocument | null> {
    assertOutsideTransaction('The document store');
    if (!REFERENCE.test(reference)) return null;
    let sealed: string;
    try {
      sealed = await fs.readFile(path.join(this.dir, reference), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const file = JSON.parse(this.sealer.open(sealed, `document:${reference}`)) as SealedFile;
    const bytes = Buffer.from(file.bytes, 'base64');
    if (createHash('sha256').update(bytes).digest('hex') !== file.sha256 || sniffDocumentType(bytes) !== file.contentType) {
      throw new Error(`Stored document ${reference} does not match its record`);
    }
    return { reference, sha256: file.sha256, ownerId: file.ownerId, kind: file.kind, contentType: file.contentType, bytes };
  }
}

import { AppErrorCode } from '../../src/core/errors';
import { acceptDocument, sniffDocumentType } from '../../src/core/shared/document-type';
import { MAX_KYC_DOCUMENT_BYTES } from '../../src/core/kyc/kyc-page';

const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0x90)]);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('document types, judged by magic bytes', () => {
  it('when the bytes start like a PDF, a JPEG or a PNG, then that is their type', () => {
    expect(sniffDocumentType(PDF)).toBe('application/pdf');
    expect(sniffDocumentType(JPEG)).toBe('image/jpeg');
    expect(sniffDocumentType(PNG)).toBe('image/png');
  });

  it.each([
    ['a Windows executable renamed .pdf (MZ)', EXE],
    ['HTML', Buffer.from('<!doctype html><script>alert(1)</script>')],
    ['a ZIP (or DOCX)', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00])],
    ['plain text saying %PDF later', Buffer.from('hello %PDF-1.7')],
    ['a truncated PNG signature', PNG.subarray(0, 7)],
    ['"%PDF" without the dash', Buffer.from('%PDF1.7')],
    ['nothing', Buffer.alloc(0)],
  ])('when the document is %s, then it is refused as DOCUMENT_TYPE_NOT_ACCEPTED', (_label, bytes) => {
    expect(sniffDocumentType(bytes)).toBeNull();
    expect(codeOf(() => acceptDocument(bytes, MAX_KYC_DOCUMENT_BYTES))).toBe(AppErrorCode.DOCUMENT_TYPE_NOT_ACCEPTED);
  });

  it('when a PDF is one byte over the cap, then it is DOCUMENT_TOO_LARGE naming the cap; at the cap it is accepted', () => {
    const atCap = Buffer.concat([PDF, Buffer.alloc(MAX_KYC_DOCUMENT_BYTES - PDF.length)]);
    expect(acceptDocument(atCap, MAX_KYC_DOCUMENT_BYTES)).toBe('application/pdf');
    const over = Buffer.concat([atCap, Buffer.from([0])]);
    let error: unknown;
    try {
      acceptDocument(over, MAX_KYC_DOCUMENT_BYTES);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: AppErrorCode.DOCUMENT_TOO_LARGE, fields: ['document'], details: { maxBytes: MAX_KYC_DOCUMENT_BYTES } });
    expect(MAX_KYC_DOCUMENT_BYTES).toBe(5 * 1024 * 1024);
  });
});

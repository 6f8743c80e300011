import { createHash } from 'node:crypto';
import { MAX_DOCUMENT_BYTES } from '../../src/core/income/income-document';
import { documentsOf, readIncomeDocument } from '../../src/protocols/ocen/ocen-documents';

const base64 = (text: string) => Buffer.from(text).toString('base64');
const inlineJson = (content: unknown, extra: Record<string, unknown> = {}) => ({ source: 'USER', sourceIdentifier: 'BORROWER', format: 'JSON', reference: 'doc-1', type: 'OTHER', isDataInline: true, data: base64(JSON.stringify(content)), ...extra });

describe('an OCEN Document read as evidence of income', () => {
  it('when it is inline JSON naming a salary slip and an income, then the kind and the income (micros) are read, with its size and SHA-256, and not its bytes', () => {
    const content = JSON.stringify({ documentType: 'salary_slip', monthlyIncome: 60000.5 });
    const read = readIncomeDocument(inlineJson(JSON.parse(content)), 'ADDITIONAL_DOCUMENTS');
    expect(read).toEqual({
      document: {
        channel: 'ADDITIONAL_DOCUMENTS', kind: 'SALARY_SLIP', source: 'USER', format: 'JSON', reference: 'doc-1',
        sizeBytes: Buffer.byteLength(content), sha256: createHash('sha256').update(content).digest('hex'), statedMonthlyIncomeMicros: 60_000_500_000n,
      },
    });
    expect(JSON.stringify(read, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(base64(content));
  });

  it('when the kind is only in sourceIdentifier, then it is read from there; a PDF states no income', () => {
    const read = readIncomeDocument({ source: 'FIP', sourceIdentifier: 'BANK_STATEMENT', format: 'PDF', reference: 'stmt', type: 'OTHER', isDataInline: true, data: base64('%PDF-1.7') }, 'PLEDGED_DOCUMENTS');
    expect(read).toMatchObject({ document: { kind: 'BANK_STATEMENT', format: 'PDF', statedMonthlyIncomeMicros: null, sizeBytes: 8 } });
  });

  it('when it names no income kind, or its JSON is not JSON, then it is OTHER with no income', () => {
    expect(readIncomeDocument(inlineJson({ monthlyIncome: 1 }), 'ADDITIONAL_DOCUMENTS')).toMatchObject({ document: { kind: 'OTHER', statedMonthlyIncomeMicros: 1_000_000n } });
    expect(readIncomeDocument({ ...inlineJson({}), data: base64('{not json') }, 'ADDITIONAL_DOCUMENTS')).toMatchObject({ document: { kind: 'OTHER', statedMonthlyIncomeMicros: null } });
    expect(readIncomeDocument(inlineJson({ documentType: 'SALARY_SLIP', monthlyIncome: -5 }), 'ADDITIONAL_DOCUMENTS')).toMatchObject({ document: { statedMonthlyIncomeMicros: null } });
  });

  it('when it is larger than the limit, or has no reference, then it is refused with the problem', () => {
    const big = readIncomeDocument({ ...inlineJson({}), data: 'A'.repeat(Math.ceil(MAX_DOCUMENT_BYTES / 3) * 4 + 8) }, 'ADDITIONAL_DOCUMENTS');
    expect(big).toEqual({ problem: expect.stringContaining('larger than') });
    expect(readIncomeDocument({ ...inlineJson({}), reference: '' }, 'ADDITIONAL_DOCUMENTS')).toEqual({ problem: expect.stringContaining('reference') });
  });

  it('when it is a URL, then the URL is hashed and its size is 0 (nothing is downloaded)', () => {
    const read = readIncomeDocument({ source: 'USER', sourceIdentifier: 'SALARY_SLIP', format: 'URL', reference: 'u', type: 'OTHER', isDataInline: false, data: 'https://la.example/doc/1' }, 'ADDITIONAL_DOCUMENTS');
    expect(read).toMatchObject({ document: { kind: 'SALARY_SLIP', sizeBytes: 0, sha256: createHash('sha256').update('https://la.example/doc/1').digest('hex') } });
  });

  it('reads documents sent as an array or as the pledgedDocuments object', () => {
    expect(documentsOf([{ a: 1 }])).toEqual([{ a: 1 }]);
    expect(documentsOf({ totalDocumentCount: 1, hasAdditionalDocuments: false, documents: [{ a: 1 }] })).toEqual([{ a: 1 }]);
    expect(documentsOf('x')).toBeUndefined();
  });
});

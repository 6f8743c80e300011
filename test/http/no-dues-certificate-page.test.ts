import request from 'supertest';
import { noDuesCertificateOf } from '../../src/core/loan/no-dues-certificate';
import { CATALOGUES } from '../../src/protocols/borrower/page-renderer';
import { NO_DUES_CERTIFICATE_LABELS, noDuesCertificateView } from '../../src/protocols/borrower/no-dues-certificate-document';
import { certificatePagesApp, closedLoan, closingFacts, fakeCertificateSource, testCertificateLinks } from '../support/no-dues-certificates';
import { pdfText } from '../support/pdf-text';

/**
 * The no-dues certificate under the borrower pages, over HTTP, on a fake certificate source: the page and the PDF
 * of a closed loan at its signed address, and one 404 page for everything else.
 */

const links = testCertificateLinks();
const closedId = closedLoan().loanId;
const activeId = '0b9d7c55-1e2f-4a3b-8c4d-5e6f7a8b9c0d';
const certificate = noDuesCertificateOf(closedLoan(), closingFacts());
const source = fakeCertificateSource({ [closedId]: certificate });
const app = certificatePagesApp(source, links);
const http = () => request(app);
const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};
const textOf = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');

describe('GET /borrower/loans/{token}/no-dues-certificate', () => {
  it('when the loan is closed, then the page shows every fact of the certificate in the page\'s language, with its PDF link, as a no-store page', async () => {
    const path = links.pathFor(closedId);
    for (const lang of ['en', 'hi'] as const) {
      const res = await http().get(`${path}?lang=${lang}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.text).toContain(`<html lang="${lang}">`);
      const text = textOf(res.text);
      const view = noDuesCertificateView(certificate, NO_DUES_CERTIFICATE_LABELS[lang]);
      for (const fact of [view.certificateNumber, view.lenderName, view.issuedAt, view.borrowerName!, view.statement, view.lenderReference, view.externalReference, view.sanctionedAmount, view.disbursedOn, view.closedOn, view.closure, view.principalPaid, view.interestPaid, view.chargesPaid, view.totalPaid, view.refunded, view.mandate!.umrn, view.mandate!.cancelledOn]) {
        expect([lang, fact, text.includes(fact)]).toEqual([lang, fact, true]);
      }
      expect(text).toContain(NO_DUES_CERTIFICATE_LABELS[lang].title);
      expect(res.text).toContain(`href="${path}.pdf?lang=${lang}"`);
      expect(res.text).not.toContain('HDFC7000000000012345');
    }
  });

  it('when the PDF is asked for by its .pdf address or by Accept, then it is a PDF naming the certificate number', async () => {
    const path = links.pathFor(closedId);
    const bySuffix = await http().get(`${path}.pdf?lang=hi`).buffer(true).parse(binary);
    expect(bySuffix.status).toBe(200);
    expect(bySuffix.headers['content-type']).toBe('application/pdf');
    expect(bySuffix.headers['content-disposition']).toBe('inline; filename="NDC-LR7Q2K9X4M.pdf"');
    const pdf = bySuffix.body as Buffer;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/NotoSansDevanagari/);
    expect(pdfText(pdf).replace(/\s+/g, '')).toContain('NDC-LR7Q2K9X4M');
    const byAccept = await http().get(path).set('Accept', 'application/pdf').buffer(true).parse(binary);
    expect(byAccept.headers['content-type']).toBe('application/pdf');
    expect((byAccept.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('when the loan is not closed, then the page and the PDF are a 404 page saying the certificate is not available', async () => {
    for (const suffix of ['', '.pdf']) {
      for (const lang of ['en', 'hi'] as const) {
        const res = await http().get(`${links.pathFor(activeId)}${suffix}?lang=${lang}`);
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.text).toContain(`<h1>${CATALOGUES[lang]['ndc.notAvailable.title']}</h1>`);
        expect(res.text).toContain(CATALOGUES[lang]['ndc.notAvailable.body']);
      }
    }
    expect(source.reads).toContain(activeId);
  });

  it('when the token is forged or malformed, then it is the same 404 page and the source is not asked', async () => {
    const before = source.reads.length;
    const [, mac] = links.tokenFor(closedId).split('.');
    for (const token of [`${activeId}.${mac}`, closedId, 'nonsense', `${closedId}.${'A'.repeat(43)}`, '..%2F..%2Fetc']) {
      const res = await http().get(`/borrower/loans/${token}/no-dues-certificate`);
      expect([token, res.status]).toEqual([token, 404]);
      expect(res.text).toContain(CATALOGUES.en['ndc.notAvailable.title']);
    }
    expect(source.reads.length).toBe(before);
  });

  it('when another document of the loan is asked for, then it is the ordinary 404 page', async () => {
    const res = await http().get(`/borrower/loans/${links.tokenFor(closedId)}/statement`);
    expect(res.status).toBe(404);
    expect(res.text).toContain(`<h1>${CATALOGUES.en['error.notFound.title']}</h1>`);
  });
});

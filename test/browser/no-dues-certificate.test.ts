import http from 'node:http';
import type { Browser } from 'playwright-core';
import { noDuesCertificateOf } from '../../src/core/loan/no-dues-certificate';
import { CATALOGUES } from '../../src/protocols/borrower/page-renderer';
import { DESKTOP, PHONE, inspectPage, launchChromium } from '../support/browser';
import { closeServer, listenOnLoopback } from '../support/loopback-server';
import { certificatePagesApp, closedLoan, closingFacts, fakeCertificateSource, testCertificateLinks } from '../support/no-dues-certificates';

/** The no-dues certificate page as a borrower meets it in Chromium, on a fake certificate source (no database). */

const links = testCertificateLinks();
const withMandate = closedLoan();
const withoutMandate = closedLoan({ loanId: '2a4c6e80-1b3d-4f5a-8c7e-9d0f1a2b3c4d', lenderReference: 'LR0000NOMANDATE' });
const source = fakeCertificateSource({
  [withMandate.loanId]: noDuesCertificateOf(withMandate, closingFacts()),
  [withoutMandate.loanId]: noDuesCertificateOf(withoutMandate, closingFacts({ mandate: null, borrowerName: null, closure: 'COOLING_OFF_EXIT' })),
});
const server = http.createServer(certificatePagesApp(source, links));
let origin: string;
let browser: Browser;
beforeAll(async () => {
  origin = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await closeServer(server);
});

describe('no-dues certificate page', () => {
  it('when a closed loan\'s certificate link is opened, then the page shows the certificate and passes axe in both languages at 360 and 1280 px', async () => {
    for (const loan of [withMandate, withoutMandate]) {
      for (const lang of ['en', 'hi'] as const) {
        for (const viewport of [PHONE, DESKTOP]) {
          const context = await browser.newContext({ viewport });
          const page = await context.newPage();
          const res = await page.goto(`${origin}${links.pathFor(loan.loanId)}?lang=${lang}`);
          expect(res?.status()).toBe(200);
          expect(await page.textContent('h1')).toBe(CATALOGUES[lang]['ndc.title']);
          expect(await page.textContent('main')).toContain(`NDC-${loan.lenderReference}`);
          const report = await inspectPage(page, `no-dues-certificate-${loan.lenderReference}-${lang}`);
          expect(report.violations).toEqual([]);
          expect(report.horizontalScroll).toBe(false);
          await context.close();
        }
      }
    }
  });

  it('when the PDF link on the page is followed, then a PDF comes back', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await page.goto(`${origin}${links.pathFor(withMandate.loanId)}?lang=en`);
    const href = await page.getAttribute('a.button', 'href');
    const answer = await context.request.get(`${origin}${href}`);
    expect(answer.status()).toBe(200);
    expect(answer.headers()['content-type']).toBe('application/pdf');
    expect((await answer.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await context.close();
  });

  it('when the loan is not closed, then the 404 page says the certificate is not available and passes axe', async () => {
    for (const lang of ['en', 'hi'] as const) {
      const context = await browser.newContext({ viewport: PHONE });
      const page = await context.newPage();
      const res = await page.goto(`${origin}${links.pathFor('0b9d7c55-1e2f-4a3b-8c4d-5e6f7a8b9c0d')}?lang=${lang}`);
      expect(res?.status()).toBe(404);
      expect(await page.textContent('h1')).toBe(CATALOGUES[lang]['ndc.notAvailable.title']);
      const report = await inspectPage(page, `no-dues-certificate-not-available-${lang}`);
      expect(report.violations).toEqual([]);
      await context.close();
    }
  });
});

import type { Browser } from 'playwright-core';
import { TestApp, startTestApp } from '../support/test-app';
import { applyAndDecide, keyFactStatement } from '../support/journey';
import { DESKTOP, PHONE, browserSuite, bytesOnLoad, inspectPage, slow3g } from '../support/browser';

let t: TestApp;
let browser: Browser;
let server: { origin: string; close(): Promise<void> };
browserSuite(() => startTestApp(), (app) => app, (suite) => {
  ({ world: t, browser, server } = suite);
});

async function issuedKfs(): Promise<{ kfsId: string; url: string }> {
  const { gid, offerId } = await applyAndDecide(t);
  if (!offerId) throw new Error('not approved');
  const kfs = await keyFactStatement(t, gid, offerId, 100_000, 12);
  return { kfsId: kfs.kfsId, url: kfs.url };
}

describe('Key Fact Statement page', () => {
  it('when the KFS link the aggregator got is opened, then the page shows the APR, total payable and schedule, and passes axe in both languages at 360 and 1280 px', async () => {
    const { kfsId, url } = await issuedKfs();
    expect(new URL(url).pathname).toBe(`/borrower/kfs/${kfsId}`);
    for (const lang of ['en', 'hi'] as const) {
      for (const viewport of [PHONE, DESKTOP]) {
        const context = await browser.newContext({ viewport });
        const page = await context.newPage();
        const res = await page.goto(`${server.origin}/borrower/kfs/${kfsId}?lang=${lang}`);
        expect(res?.status()).toBe(200);
        const text = await page.textContent('main');
        expect(text).toContain(kfsId);
        expect(text).toMatch(/\d+\.\d{2}%/);
        expect(await page.locator('tbody tr').count()).toBe(12);
        const report = await inspectPage(page, `kfs-${lang}`);
        expect(report.violations).toEqual([]);
        expect(report.horizontalScroll).toBe(false);
        await context.close();
      }
    }
  });

  it('then the page, the largest of the borrower pages, is under 100 KB over the wire and loads on slow 3G', async () => {
    const { kfsId } = await issuedKfs();
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await slow3g(page);
    const bytes = await bytesOnLoad(page, `${server.origin}/borrower/kfs/${kfsId}?lang=hi`);
    expect(bytes).toBeGreaterThan(1_000);
    expect(bytes).toBeLessThan(100 * 1024);
    await context.close();
  });

  it('when the PDF is asked for by its .pdf address or by Accept, then it is a PDF with the fonts embedded', async () => {
    const { kfsId } = await issuedKfs();
    const bySuffix = await t.http().get(`/borrower/kfs/${kfsId}.pdf?lang=hi`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(bySuffix.status).toBe(200);
    expect(bySuffix.headers['content-type']).toBe('application/pdf');
    const pdf = bySuffix.body as Buffer;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/NotoSansDevanagari/);
    const byAccept = await t.http().get(`/borrower/kfs/${kfsId}`).set('Accept', 'application/pdf');
    expect(byAccept.headers['content-type']).toBe('application/pdf');
  });

  it('when the KFS id is unknown or malformed, then the answer is a 404 page', async () => {
    for (const id of ['KFSNOSUCHSTATEMENT00', 'nonsense', '..%2F..%2Fetc']) {
      const res = await t.http().get(`/borrower/kfs/${id}`);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/text\/html/);
    }
  });
});

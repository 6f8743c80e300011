import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { PATHS, applyAndDecide, approvalStatus, panWith } from '../support/journey';
import { DESKTOP, bytesOnLoad, inspectPage, browserSuite, phonePage, slow3g } from '../support/browser';

let t: TestApp;
let browser: Browser;
let server: { origin: string; close(): Promise<void> };
const files = fs.mkdtempSync(path.join(os.tmpdir(), 'income-page-'));
const RETURN = 'https://partner.example';

browserSuite(() => startTestApp(), (app) => app, (suite) => {
  ({ world: t, browser, server } = suite);
});
beforeAll(() => {
  fs.writeFileSync(path.join(files, 'statement.pdf'), Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'));
  fs.writeFileSync(path.join(files, 'renamed.pdf'), Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(512, 0x41)]));
  const big = Buffer.alloc(20 * 1024 * 1024, 0x20);
  big.write('%PDF-1.4\n');
  fs.writeFileSync(path.join(files, 'huge.pdf'), big);
});

/** A thin-file application (persona 9002) waiting in INCOME_VERIFICATION, and the page link getAuthToken gives for it. */
async function incomeLink(): Promise<{ gid: string; link: string }> {
  const { gid, decision } = await applyAndDecide(t, { pan: panWith('9002') });
  expect(decision.applicationState).toBe('INCOME_VERIFICATION');
  const res = await t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type: 'INCOME_VERIFICATION' }, redirectionUrl: `${RETURN}/back` }).expect(200);
  return { gid, link: `${server.origin}${new URL(res.body.data.redirectionUrl).pathname}#authToken=${res.body.data.authToken}` };
}

async function open(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.waitForURL(`${server.origin}/borrower/income-verification`);
  await page.locator('#monthlyIncome').waitFor();
}

const documentsOf = async (gid: string) => t.services.db.prisma.incomeDocument.count({ where: { application: { externalReference: gid } } });

describe('income verification page, in Chromium', () => {
  it('when the borrower uploads a bank statement PDF, then they are returned to the partner and getApprovalStatus reports the decision', async () => {
    const { gid, link } = await incomeLink();
    const { context, page, returned } = await phonePage(browser, { returnOrigin: RETURN });
    await open(page, link);
    const report = await inspectPage(page, 'income-en');
    expect(report.violations).toEqual([]);
    expect(report.horizontalScroll).toBe(false);

    await page.fill('#monthlyIncome', '1,20,000');
    await page.setInputFiles('#document', path.join(files, 'statement.pdf'));
    await page.click('text=Upload statement');
    await page.waitForURL(`${RETURN}/back`);
    expect(returned).toEqual([`${RETURN}/back`]);

    const decided = await eventually(() => approvalStatus(t, gid), (s) => s.applicationState !== 'INCOME_VERIFICATION');
    expect(decided.applicationState).toBe('APPROVED');
    await context.close();
  });

  it('when the file is a renamed .exe, 20 MB, or the form lacks its anti-forgery token, then a clear page says so and nothing is recorded', async () => {
    const { gid, link } = await incomeLink();
    const { context, page } = await phonePage(browser);
    await open(page, link);

    await page.fill('#monthlyIncome', '50000');
    await page.setInputFiles('#document', path.join(files, 'renamed.pdf'));
    const renamed = page.waitForResponse((r) => r.url().endsWith('/statement'));
    await page.click('text=Upload statement');
    expect((await renamed).status()).toBe(400);
    await page.locator('.error-summary').waitFor();
    expect(await page.textContent('#document-error')).toContain('not a PDF');
    expect((await inspectPage(page, 'income-error-en')).violations).toEqual([]);

    await page.fill('#monthlyIncome', '50000');
    await page.setInputFiles('#document', path.join(files, 'huge.pdf'));
    const huge = page.waitForResponse((r) => r.url().endsWith('/statement'));
    await page.click('text=Upload statement');
    expect((await huge).status()).toBe(413);
    expect(await page.textContent('h1')).toBe('The file is too large');
    expect((await inspectPage(page, 'too-large-en')).violations).toEqual([]);

    await page.goto(`${server.origin}/borrower/income-verification`);
    await page.fill('#monthlyIncome', '50000');
    await page.setInputFiles('#document', path.join(files, 'statement.pdf'));
    await page.evaluate('document.querySelector("form[enctype] input[name=_csrf]").remove()');
    const forged = page.waitForResponse((r) => r.url().endsWith('/statement'));
    await page.click('text=Upload statement');
    expect((await forged).status()).toBe(403);
    expect(await page.textContent('h1')).toBe('We could not accept this form');
    expect((await inspectPage(page, 'form-forged-en')).violations).toEqual([]);

    expect(await documentsOf(gid)).toBe(0);
    expect((await approvalStatus(t, gid)).applicationState).toBe('INCOME_VERIFICATION');
    await context.close();
  });

  it('when the borrower shares through an account aggregator, then a consent is asked for the application', async () => {
    const { gid, link } = await incomeLink();
    const { context, page, returned } = await phonePage(browser, { returnOrigin: RETURN });
    await open(page, link);
    await page.fill('#vua', 'not an id');
    await page.click('text=Ask for my consent');
    expect(await page.textContent('#vua-error')).toContain('account aggregator ID');
    await page.fill('#vua', '9876543210@finvu');
    await page.click('text=Ask for my consent');
    await page.waitForURL(`${RETURN}/back`);
    expect(returned).toHaveLength(1);
    const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid } });
    expect(await t.services.consents.latestFor(application.id)).not.toBeNull();
    await context.close();
  });

  it('then the page is under 100 KB over the wire, loads on slow 3G, and passes axe in Hindi at 360 and 1280 px', async () => {
    const { link } = await incomeLink();
    const { context, page } = await phonePage(browser);
    await page.goto(`${server.origin}/borrower/income-verification?lang=hi`);
    await open(page, link);
    expect(await page.getAttribute('html', 'lang')).toBe('hi');
    const hi = await inspectPage(page, 'income-hi');
    expect(hi.violations).toEqual([]);
    expect(hi.horizontalScroll).toBe(false);
    await page.setViewportSize(DESKTOP);
    expect((await inspectPage(page, 'income-hi')).violations).toEqual([]);
    await slow3g(page);
    const bytes = await bytesOnLoad(page, `${server.origin}/borrower/income-verification`);
    expect(bytes).toBeGreaterThan(1_000);
    expect(bytes).toBeLessThan(100 * 1024);
    await context.close();
  });
});

/**
 * Every error page of the borrower pages, met as the borrower meets it (by clicking), in English and Hindi: each
 * has its HTTP status, says what to do in the page's language, changes nothing, and passes axe-core.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { PATHS, applyAndDecide, approvalStatus, panWith } from '../support/journey';
import { CATALOGUES } from '../../src/protocols/borrower/page-renderer';
import { browserSuite, inspectPage, phonePage } from '../support/browser';

let t: TestApp;
let browser: Browser;
let server: { origin: string; close(): Promise<void> };
browserSuite(() => startTestApp(), (app) => app, (suite) => {
  ({ world: t, browser, server } = suite);
});
const files = fs.mkdtempSync(path.join(os.tmpdir(), 'error-pages-'));
beforeAll(() => {
  const big = Buffer.alloc(20 * 1024 * 1024, 0x20);
  big.write('%PDF-1.4\n');
  fs.writeFileSync(path.join(files, 'huge.pdf'), big);
  fs.writeFileSync(path.join(files, 'statement.pdf'), Buffer.from('%PDF-1.4\n%%EOF\n'));
});

/** An application in INCOME_VERIFICATION and a fresh getAuthToken link to its page. */
async function incomeLink(): Promise<{ gid: string; link: string }> {
  const { gid } = await applyAndDecide(t, { pan: panWith('9002') });
  const res = await t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type: 'INCOME_VERIFICATION' } }).expect(200);
  return { gid, link: `${server.origin}${new URL(res.body.data.redirectionUrl).pathname}#authToken=${res.body.data.authToken}` };
}

async function openIncome(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.waitForURL(`${server.origin}/borrower/income-verification`);
  await page.locator('#monthlyIncome').waitFor();
}

/** Submits the upload form and answers the status of what came back. */
async function upload(page: Page, file: string): Promise<number> {
  await page.fill('#monthlyIncome', '50000');
  await page.setInputFiles('#document', file);
  const answer = page.waitForResponse((r) => r.url().endsWith('/income-verification/statement'));
  await page.click('form[enctype] button[type=submit]');
  const status = (await answer).status();
  await page.waitForLoadState('load');
  return status;
}

describe.each(['en', 'hi'] as const)('error pages in %s', (lang) => {
  const text = CATALOGUES[lang];
  const expectPage = async (page: Page, status: number, actual: number, title: keyof typeof text, name: string) => {
    expect([name, actual]).toEqual([name, status]);
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    expect(await page.textContent('h1')).toBe(text[title]);
    const report = await inspectPage(page, `error-${name}-${lang}`);
    expect([name, report.violations]).toEqual([name, []]);
    expect([name, report.horizontalScroll]).toEqual([name, false]);
  };

  it('then the link errors (401 forged, 410 used, 410 expired) and 404 pass axe', async () => {
    const { link } = await incomeLink();
    const { context, page } = await phonePage(browser);
    await page.goto(`${server.origin}/borrower/kyc?lang=${lang}`);

    const forged = page.waitForResponse((r) => r.url().endsWith('/borrower/session'));
    await page.goto(`${link.slice(0, -6)}AAAAAA`);
    await expectPage(page, 401, (await forged).status(), 'error.linkInvalid.title', 'link-invalid');

    await openIncome(page, link);
    const used = page.waitForResponse((r) => r.url().endsWith('/borrower/session'));
    await page.goto(link.replace('#', '?again#'));
    await expectPage(page, 410, (await used).status(), 'error.linkUsed.title', 'link-used');

    const { link: expiring } = await incomeLink();
    t.clock.advance(11 * 60_000);
    try {
      const expired = page.waitForResponse((r) => r.url().endsWith('/borrower/session'));
      await page.goto(expiring);
      await expectPage(page, 410, (await expired).status(), 'error.linkExpired.title', 'link-expired');
    } finally {
      t.clock.advance(-11 * 60_000);
    }

    const missing = await page.goto(`${server.origin}/borrower/kfs/KFSNOSUCHSTATEMENT00`);
    await expectPage(page, 404, missing!.status(), 'error.notFound.title', 'not-found');
    await context.close();
  });

  it('then the form errors (403 forged form, 413 too large, 401 session ended, 409 step no longer open) pass axe and change nothing', async () => {
    const { gid, link } = await incomeLink();
    const { context, page } = await phonePage(browser);
    await page.goto(`${server.origin}/borrower/kyc?lang=${lang}`);
    await openIncome(page, link);

    await page.evaluate('document.querySelector("form[enctype] input[name=_csrf]").remove()');
    await expectPage(page, 403, await upload(page, path.join(files, 'statement.pdf')), 'error.formForged.title', 'form-forged');

    await page.goto(`${server.origin}/borrower/income-verification`);
    await expectPage(page, 413, await upload(page, path.join(files, 'huge.pdf')), 'error.tooLarge.title', 'too-large');

    await page.goto(`${server.origin}/borrower/income-verification`);
    await context.clearCookies();
    await context.addCookies([{ name: 'cp_lang', value: lang, url: server.origin }]);
    await expectPage(page, 401, await upload(page, path.join(files, 'statement.pdf')), 'error.sessionExpired.title', 'session-expired');
    expect(await t.services.db.prisma.incomeDocument.count({ where: { application: { externalReference: gid } } })).toBe(0);

    const { link: decided, gid: decidedGid } = await incomeLink();
    await openIncome(page, decided);
    await t.http().post(`/sandbox/applications/${decidedGid}/income-verification/complete`).send({ outcome: 'APPROVED' }).expect(200);
    await eventually(() => approvalStatus(t, decidedGid), (s) => s.applicationState !== 'INCOME_VERIFICATION');
    const reload = await page.reload();
    await expectPage(page, 409, reload!.status(), 'error.notOpen.title', 'step-not-open');
    await context.close();
  });
});

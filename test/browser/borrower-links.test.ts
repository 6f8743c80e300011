import type { Browser } from 'playwright-core';
import { TestApp, startTestApp } from '../support/test-app';
import { PATHS, applyAndDecide } from '../support/journey';
import { DESKTOP, PHONE, inspectPage, browserSuite, phonePage } from '../support/browser';

let t: TestApp;
let browser: Browser;
let server: { origin: string; close(): Promise<void> };
browserSuite(() => startTestApp(), (app) => app, (suite) => {
  ({ world: t, browser, server } = suite);
});

/** The link the aggregator opens: getAuthToken's redirectionUrl (on this test server) + `#authToken=…`. */
async function kycLink(): Promise<string> {
  const { gid, offerId } = await applyAndDecide(t);
  if (!offerId) throw new Error('not approved');
  await t.call(PATHS.initiateKyc, { googleApplicationId: gid, offerId }).expect(200);
  const res = await t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type: 'KYC' } }).expect(200);
  return `${server.origin}${new URL(res.body.data.redirectionUrl).pathname}#authToken=${res.body.data.authToken}`;
}

describe('links to the borrower pages, in Chromium', () => {
  it('when the borrower opens the link, then the page exchanges the fragment for a session, drops it from the address bar, and a reload keeps the page', async () => {
    const link = await kycLink();
    const { context, page } = await phonePage(browser);
    const opened = page.waitForResponse((r) => r.url().endsWith('/borrower/session'));
    await page.goto(link);
    expect((await opened).status()).toBe(303);
    await page.waitForURL(`${server.origin}/borrower/kyc`);
    expect(page.url()).not.toContain('authToken');
    const reload = await page.reload();
    expect(reload?.status()).toBe(200);
    expect(await page.locator('#open-missing').isHidden()).toBe(true);
    await context.close();
  });

  it('when the same link is opened twice, or after it expired, then a clear page says so with 410, in English and Hindi, with no accessibility violation', async () => {
    const link = await kycLink();
    const first = await phonePage(browser);
    await first.page.goto(link);
    await first.page.waitForURL(`${server.origin}/borrower/kyc`);
    await first.context.close();

    for (const lang of ['en', 'hi'] as const) {
      const { context, page } = await phonePage(browser);
      if (lang === 'hi') await page.goto(`${server.origin}/borrower/kyc?lang=hi`);
      const refused = page.waitForResponse((r) => r.url().endsWith('/borrower/session'));
      await page.goto(link);
      expect((await refused).status()).toBe(410);
      await page.waitForLoadState('load');
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(await page.textContent('h1')).toBe(lang === 'en' ? 'This link was already used' : 'यह लिंक पहले ही इस्तेमाल हो चुका है');
      const report = await inspectPage(page, `link-used-${lang}`);
      expect(report.violations).toEqual([]);
      expect(report.horizontalScroll).toBe(false);
      await context.close();
    }

    const expiring = await kycLink();
    t.clock.advance(11 * 60_000);
    try {
      const { context, page } = await phonePage(browser);
      const refused = page.waitForResponse((r) => r.url().endsWith('/borrower/session'));
      await page.goto(expiring);
      expect((await refused).status()).toBe(410);
      expect(await page.textContent('h1')).toBe('This link has expired');
      expect((await inspectPage(page, 'link-expired-en')).violations).toEqual([]);
      await context.close();
    } finally {
      t.clock.advance(-11 * 60_000);
    }
  });

  it('when a page is opened with no token in its link, then it says the link is incomplete, and the opening and error pages pass axe in both languages at 360 and 1280 px', async () => {
    for (const lang of ['en', 'hi'] as const) {
      for (const viewport of [PHONE, DESKTOP]) {
        const context = await browser.newContext({ viewport });
        const page = await context.newPage();
        await page.goto(`${server.origin}/borrower/income-verification?lang=${lang}`);
        await page.locator('#open-missing').waitFor({ state: 'visible' });
        const opening = await inspectPage(page, `link-missing-${lang}`);
        expect(opening.violations).toEqual([]);
        expect(opening.horizontalScroll).toBe(false);
        const missing = await page.goto(`${server.origin}/borrower/nowhere`);
        expect(missing?.status()).toBe(404);
        expect((await inspectPage(page, `not-found-${lang}`)).violations).toEqual([]);
        await context.close();
      }
    }
  });
});

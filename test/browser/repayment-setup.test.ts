import type { Browser, Page } from 'playwright-core';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { PATHS, applicationStatus, applyAndDecide } from '../support/journey';
import { DESKTOP, inspectPage, browserSuite, phonePage } from '../support/browser';

let t: TestApp;
let browser: Browser;
let server: { origin: string; close(): Promise<void> };
const RETURN = 'https://partner.example';

browserSuite(() => startTestApp(), (app) => app, (suite) => {
  ({ world: t, browser, server } = suite);
});

/** An approved application whose repayment setup was initiated (mandate PENDING), with initiateRepaymentSetup's answer. */
async function setupInitiated(): Promise<{ gid: string; urlToken: string; authCode: string }> {
  const applied = await applyAndDecide(t, { monthlyIncomeRupees: 50_000 });
  if (!applied.offerId) throw new Error('not approved');
  const res = await t.call(PATHS.initiateRepaymentSetup, { googleApplicationId: applied.gid }).expect(200);
  return { gid: applied.gid, urlToken: res.body.data.urlToken, authCode: res.body.data.authCode };
}

async function authTokenLink(gid: string): Promise<string> {
  const res = await t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type: 'REPAYMENT_SETUP' }, redirectionUrl: `${RETURN}/mandate-done` }).expect(200);
  return `${server.origin}${new URL(res.body.data.redirectionUrl).pathname}#authToken=${res.body.data.authToken}`;
}

async function open(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.waitForURL(`${server.origin}/borrower/repayment-setup`);
  await page.locator('dl.facts').waitFor();
}

const mandateState = async (gid: string) => (await applicationStatus(t, gid)).repaymentSetup.state;

describe('repayment setup page, in Chromium', () => {
  it('when the borrower sets up UPI Autopay from getAuthToken\'s link, then the rail\'s UMRN makes the mandate ACTIVE in getStatus and they return to the partner', async () => {
    const { gid } = await setupInitiated();
    const { context, page, returned } = await phonePage(browser, { returnOrigin: RETURN });
    await open(page, await authTokenLink(gid));
    const facts = await page.textContent('dl.facts');
    expect(facts).toMatch(/₹[\d,]+\.\d{2}/);
    expect(facts).toContain('Monthly');
    const report = await inspectPage(page, 'mandate-en');
    expect(report.violations).toEqual([]);
    expect(report.horizontalScroll).toBe(false);

    await page.fill('#vpa', 'not a vpa');
    await page.click('text=Set up UPI Autopay');
    expect(await page.textContent('#vpa-error')).toContain('UPI ID');
    expect(await mandateState(gid)).toBe('PENDING');

    await page.fill('#vpa', 'asha.rao@okbank');
    await page.click('text=Set up UPI Autopay');
    await page.waitForURL(`${RETURN}/mandate-done`);
    expect(returned).toEqual([`${RETURN}/mandate-done`]);
    const status = await eventually(() => applicationStatus(t, gid), (s) => s.repaymentSetup.state === 'ACTIVE');
    expect(status.repaymentSetup.state).toBe('ACTIVE');
    const mandate = await t.services.db.prisma.repaymentMandate.findFirstOrThrow({ where: { application: { externalReference: gid } } });
    expect(mandate.mandateReference).toMatch(/^SBOX\d{16}$/);
    await context.close();
  });

  it('when the borrower sets up e-NACH from initiateRepaymentSetup\'s link, then an account in another name is refused with nothing changed, and their own account makes the mandate ACTIVE', async () => {
    const { gid, urlToken, authCode } = await setupInitiated();
    const { context, page } = await phonePage(browser);
    await open(page, `${server.origin}/borrower/repayment-setup#urlToken=${urlToken}&authCode=${authCode}`);

    await page.fill('#accountNumber', '50100012340000');
    await page.fill('#ifsc', 'HDFC0001234');
    const mismatch = page.waitForResponse((r) => r.url().endsWith('/repayment-setup/enach'));
    await page.click('text=Set up e-NACH');
    expect((await mismatch).status()).toBe(400);
    expect(await page.textContent('#accountNumber-error')).toContain('not in your name');
    expect(await mandateState(gid)).toBe('PENDING');
    expect(await t.services.db.prisma.mandateAuthorisation.count({ where: { mandate: { application: { externalReference: gid } } } })).toBe(0);
    expect((await inspectPage(page, 'mandate-name-mismatch-en')).violations).toEqual([]);

    await page.fill('#accountNumber', '50100012345678');
    await page.fill('#ifsc', 'HDFC0001234');
    await page.click('text=Set up e-NACH');
    await page.locator('.success').waitFor();
    expect(await page.textContent('.success')).toMatch(/UMRN\): SBOX\d{16}/);
    expect((await eventually(() => applicationStatus(t, gid), (s) => s.repaymentSetup.state === 'ACTIVE')).repaymentSetup.state).toBe('ACTIVE');
    await context.close();
  });

  it('when the bank declines, then the page says so, the mandate is FAILED in getStatus, and a retry from the page succeeds', async () => {
    const { gid } = await setupInitiated();
    const { context, page } = await phonePage(browser, { returnOrigin: RETURN });
    await open(page, await authTokenLink(gid));
    await page.fill('#vpa', 'asha.rao@fail');
    await page.click('text=Set up UPI Autopay');
    await page.locator('.notice').waitFor();
    expect(await page.textContent('.notice')).toContain('declined');
    expect(await mandateState(gid)).toBe('FAILED');
    await page.fill('#vpa', 'asha.rao@okbank');
    await page.click('text=Set up UPI Autopay');
    await page.waitForURL(/mandate-done/);
    expect(await mandateState(gid)).toBe('ACTIVE');
    await context.close();
  });

  it('then the page passes axe in Hindi at 360 and 1280 px with no horizontal scroll', async () => {
    const { gid } = await setupInitiated();
    const { context, page } = await phonePage(browser);
    await page.goto(`${server.origin}/borrower/repayment-setup?lang=hi`);
    await open(page, await authTokenLink(gid));
    expect(await page.getAttribute('html', 'lang')).toBe('hi');
    for (const viewport of [{ width: 360, height: 740 }, DESKTOP]) {
      await page.setViewportSize(viewport);
      const report = await inspectPage(page, 'mandate-hi');
      expect(report.violations).toEqual([]);
      expect(report.horizontalScroll).toBe(false);
    }
    await context.close();
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { PATHS, applicationStatus, applyAndDecide, panWith } from '../support/journey';
import { DESKTOP, browserSuite, bytesOnLoad, inspectPage, phonePage } from '../support/browser';

let t: TestApp;
let browser: Browser;
let server: { origin: string; close(): Promise<void> };
const files = fs.mkdtempSync(path.join(os.tmpdir(), 'kyc-page-'));
const RETURN = 'https://partner.example';
const DOB = '1990-05-15';

browserSuite(() => startTestApp(), (app) => app, (suite) => {
  ({ world: t, browser, server } = suite);
});
beforeAll(() => {
  fs.writeFileSync(path.join(files, 'passport.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2048, 7)]));
  fs.writeFileSync(path.join(files, 'passport.pdf'), Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(2048, 0x41)]));
});

/** An approved application with its KYC journey initiated (CKYC among the methods when `withCkyc`). */
async function kycOpen(options: { withCkyc?: boolean } = {}): Promise<{ gid: string; urlToken: string; applicationId: string }> {
  const pan = panWith('1234');
  const { gid, offerId } = await applyAndDecide(t, { pan, dateOfBirth: DOB });
  if (!offerId) throw new Error('not approved');
  if (options.withCkyc) {
    const found = await t.call(PATHS.searchCkyc, { googleApplicationId: gid, pan, dateOfBirth: DOB, tncAcceptanceMetadata: [{ type: 'CKYC_DATA_FETCH', version: 'ckyc-v1', acceptance: true }] }).expect(200);
    expect(found.body.data.cKycRecordFound).toBe(true);
  }
  const init = await t.call(PATHS.initiateKyc, { googleApplicationId: gid, offerId }).expect(200);
  const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid } });
  return { gid, urlToken: init.body.data.urlToken, applicationId: application.id };
}

async function authTokenLink(gid: string): Promise<string> {
  const res = await t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type: 'KYC' }, redirectionUrl: `${RETURN}/kyc-done` }).expect(200);
  return `${server.origin}${new URL(res.body.data.redirectionUrl).pathname}#authToken=${res.body.data.authToken}`;
}

async function openKyc(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.waitForURL(`${server.origin}/borrower/kyc`);
  await page.locator('h1').waitFor();
}

const kycApproved = (gid: string) => eventually(() => applicationStatus(t, gid), (s) => s.kyc.state === 'APPROVED');

describe('KYC page, in Chromium', () => {
  it('when the borrower confirms their CKYC record with consent, then they return to the partner and getStatus reports KYC APPROVED', async () => {
    const { gid } = await kycOpen({ withCkyc: true });
    const { context, page, returned } = await phonePage(browser, { returnOrigin: RETURN });
    await openKyc(page, await authTokenLink(gid));
    expect(await page.locator('.methods a').allTextContents()).toEqual(['Use my Central KYC record', 'Aadhaar OTP', 'Upload an identity document']);
    expect((await inspectPage(page, 'kyc-methods-en')).violations).toEqual([]);
    await page.click('text=Use my Central KYC record');
    await page.locator('dl.facts').waitFor();
    expect(await page.textContent('dl.facts')).toContain('**/**/1990');
    const ckyc = await inspectPage(page, 'kyc-ckyc-en');
    expect(ckyc.violations).toEqual([]);
    expect(ckyc.horizontalScroll).toBe(false);

    await page.click('text=Confirm and continue');
    expect(await page.textContent('#consent-error')).toContain('Tick the box');
    expect((await applicationStatus(t, gid)).kyc.state).not.toBe('APPROVED');
    await page.check('#consent');
    await page.click('text=Confirm and continue');
    await page.waitForURL(`${RETURN}/kyc-done`);
    expect(returned).toEqual([`${RETURN}/kyc-done`]);
    expect((await kycApproved(gid)).kyc.state).toBe('APPROVED');
    await context.close();
  });

  it('when the borrower verifies by Aadhaar OTP from the kyc/initiate link, then a wrong OTP changes nothing, the right one completes KYC, and the number is kept nowhere', async () => {
    const { gid, urlToken, applicationId } = await kycOpen();
    const { context, page } = await phonePage(browser);
    await openKyc(page, `${server.origin}/borrower/kyc#urlToken=${urlToken}`);
    await page.click('text=Aadhaar OTP');
    await page.fill('#aadhaarNumber', '2341 2341 2345');
    await page.check('#consent');
    await page.click('text=Send OTP');
    expect(await page.textContent('#aadhaarNumber-error')).toContain('not a valid Aadhaar number');
    expect((await inspectPage(page, 'kyc-aadhaar-error-en')).violations).toEqual([]);

    await page.fill('#aadhaarNumber', '2341 2341 2346');
    await page.check('#consent');
    await page.click('text=Send OTP');
    await page.locator('#otp').waitFor();
    expect(await page.textContent('main')).toContain('XXXX XXXX 2346');
    expect((await inspectPage(page, 'kyc-otp-en')).violations).toEqual([]);

    await page.fill('#otp', '111111');
    const wrong = page.waitForResponse((r) => r.url().endsWith('/kyc/aadhaar/otp'));
    await page.click('text=Verify');
    expect((await wrong).status()).toBe(400);
    expect(await page.textContent('#otp-error')).toContain('2 tries left');
    expect((await t.services.kyc.kycForPage(applicationId)).state).toBe('IN_PROGRESS');
    expect((await inspectPage(page, 'kyc-otp-wrong-en')).violations).toEqual([]);

    await page.fill('#otp', '123456');
    await page.click('text=Verify');
    await page.locator('.success').waitFor();
    expect(await page.textContent('h1')).toBe('All done');
    expect((await kycApproved(gid)).kyc.state).toBe('APPROVED');

    const rows = JSON.stringify(await t.services.db.prisma.kycAadhaarAttempt.findMany({ where: {} }));
    expect(rows).not.toContain('234123412346');
    expect(rows).not.toContain('2341 2341 2346');
    await context.close();
  });

  it('when the borrower uploads a document, then a renamed .exe is refused with nothing stored, and a PNG completes KYC', async () => {
    const { gid } = await kycOpen();
    const { context, page, returned } = await phonePage(browser, { returnOrigin: RETURN });
    await openKyc(page, await authTokenLink(gid));
    await page.click('text=Upload an identity document');
    await page.selectOption('#documentKind', 'PASSPORT');
    await page.setInputFiles('#document', path.join(files, 'passport.pdf'));
    const renamed = page.waitForResponse((r) => r.url().endsWith('/kyc/document'));
    await page.click('text=Upload document');
    expect((await renamed).status()).toBe(415);
    expect(await page.textContent('#document-error')).toContain('not a PDF, JPEG or PNG');
    expect(await t.services.db.prisma.kycDocument.count({ where: { application: { externalReference: gid } } })).toBe(0);
    expect((await inspectPage(page, 'kyc-document-error-en')).violations).toEqual([]);

    await page.selectOption('#documentKind', 'PASSPORT');
    await page.setInputFiles('#document', path.join(files, 'passport.png'));
    await page.click('text=Upload document');
    await page.waitForURL(`${RETURN}/kyc-done`);
    expect(returned).toHaveLength(1);
    expect((await kycApproved(gid)).kyc.state).toBe('APPROVED');
    expect(await t.services.db.prisma.kycDocument.count({ where: { application: { externalReference: gid } } })).toBe(1);
    await context.close();
  });

  it('then every KYC page passes axe in Hindi at 360 and 1280 px, with no horizontal scroll', async () => {
    const { gid } = await kycOpen({ withCkyc: true });
    const { context, page } = await phonePage(browser);
    await page.goto(`${server.origin}/borrower/kyc?lang=hi`);
    await openKyc(page, await authTokenLink(gid));
    for (const [name, url] of [['kyc-methods-hi', '/borrower/kyc'], ['kyc-ckyc-hi', '/borrower/kyc/ckyc'], ['kyc-aadhaar-hi', '/borrower/kyc/aadhaar'], ['kyc-document-hi', '/borrower/kyc/document']]) {
      for (const viewport of [{ width: 360, height: 740 }, DESKTOP]) {
        await page.setViewportSize(viewport);
        await page.goto(`${server.origin}${url}`);
        expect(await page.getAttribute('html', 'lang')).toBe('hi');
        const report = await inspectPage(page, name);
        expect([name, report.violations]).toEqual([name, []]);
        if (viewport === DESKTOP) expect([name, (await bytesOnLoad(page, `${server.origin}${url}`)) < 100 * 1024]).toEqual([name, true]);
        expect([name, report.horizontalScroll]).toEqual([name, false]);
      }
    }
    await context.close();
  });
});

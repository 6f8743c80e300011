/**
 * The bank's pages opened from OCEN answers: triggerKyc's REDIRECT url (`/borrower/kyc#authToken=…`) and
 * setRepaymentPlan's paymentUrl (`/borrower/repayment-setup#urlToken=…&authCode=…`), completed by clicking in
 * Chromium; then kycStatus and setRepaymentPlanStatus report what the borrower did.
 */
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { OcenLenderHarness, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { grantedApplication } from '../support/ocen-loan-fixtures';
import { eventually } from '../support/test-app';
import { newPhone } from '../support/journey';
import { inspectPage, browserSuite, phonePage } from '../support/browser';

const AGENT = 'la-pages';
const RETURN = 'https://la.example';
let world: OcenLenderHarness;
let browser: Browser;
let server: { origin: string; close(): Promise<void> };

browserSuite(() => startOcenLender([AGENT]), (harness) => harness.app, (suite) => {
  ({ world, browser, server } = suite);
});

async function call(operation: string, members: Record<string, unknown>): Promise<Record<string, any>> {
  return (await world.ask(world.agent(AGENT).agent, operation, members, { timeoutMs: 60_000 })).body;
}

/** The link as the borrower's phone opens it, on this test server: the answer's path and fragment. */
const onTestServer = (url: string) => {
  const parsed = new URL(url);
  expect(parsed.search).toBe('');
  return `${server.origin}${parsed.pathname}${parsed.hash}`;
};

async function createdLoan(): Promise<string> {
  const id = `la-page-${randomUUID()}`;
  await call('loanApplications/createLoanRequest', { loanApplications: [ocenLoanApplication(id, '1234', { phone: newPhone().nationalNumber })] });
  return id;
}

describe('OCEN links to the borrower pages, in Chromium', () => {
  it('when the borrower completes Aadhaar e-KYC from triggerKyc\'s redirect, then they return to the loan agent and kycStatus reports KYC_COMPLETED', async () => {
    const id = await createdLoan();
    const offered = await eventually(() => call('offers/generateOffersRequest', { loanApplicationIds: [id] }), (a) => a.loanApplications[0].loanApplicationStatus === 'OFFERED', 30_000);
    const offer = offered.loanApplications[0].offers.find((o: any) => o.terms.tenure.duration === 12);
    await call('offers/setOffersRequest', { loanApplicationId: id, offer });
    const kyc = await call('kyc/triggerKycRequest', { loanApplicationId: id, kyc: {}, baRedirectURL: `${RETURN}/kyc-done` });
    const link: string = kyc.kyc.next.data.url;
    expect(link).toMatch(/\/borrower\/kyc#authToken=/);

    const { context, page, returned } = await phonePage(browser, { returnOrigin: RETURN });
    await page.goto(onTestServer(link));
    await page.waitForURL(`${server.origin}/borrower/kyc`);
    await page.click('text=Aadhaar OTP');
    await page.fill('#aadhaarNumber', '2341 2341 2346');
    await page.check('#consent');
    await page.click('text=Send OTP');
    await page.fill('#otp', '123456');
    await page.click('text=Verify');
    await page.waitForURL(`${RETURN}/kyc-done`);
    expect(returned).toHaveLength(1);
    await context.close();

    const done = await eventually(() => call('kyc/kycStatusRequest', { loanApplicationId: id, kyc: { kycRefNo: kyc.kyc.kycRefNo } }), (a) => a.loanApplicationStatus === 'KYC_COMPLETED', 30_000);
    expect(done.kyc.individual.status).toBe('SUCCESS');
  });

  it('when the borrower authorises UPI Autopay from setRepaymentPlan\'s paymentUrl, then setRepaymentPlanStatus reports the plan ACTIVE', async () => {
    const id = await createdLoan();
    const ref = { partnerId: AGENT, externalReference: id };
    const { lenderReference: loanId, tenureMonths } = await grantedApplication(world.app.services, ref);
    // The chosen offer's repayment plan, by the id grantLoanResponse lists it under.
    const offer = (await world.app.services.offers.current(ref))!;
    const plan = { id: `${offer.id}-${tenureMonths}M-EMI`, automatic: true, scheduleType: 'RECURRING', noOfInstallment: 12, totalAmount: 108876.47 };
    const answer = await call('disbursement/setRepaymentPlanRequest', { loanApplicationId: id, loanId, plan, hasCollectionSupport: false });
    const { context, page } = await phonePage(browser);
    await page.goto(onTestServer(answer.plan.paymentUrl));
    await page.waitForURL(`${server.origin}/borrower/repayment-setup`);
    expect((await inspectPage(page, 'mandate-ocen-en')).violations).toEqual([]);
    await page.fill('#vpa', 'asha.rao@okbank');
    await page.click('text=Set up UPI Autopay');
    await page.locator('.success').waitFor();
    await context.close();

    const status = await eventually(
      () => call('disbursement/setRepaymentPlanStatusRequest', { loanApplicationId: id, loanId, plan, paymentMethod: { id: 'pm-1', status: 'INACTIVE' } }),
      (a) => a.plan.status === 'ACTIVE',
      30_000,
    );
    expect(status.plan.status).toBe('ACTIVE');
  });
});

/**
 * The examples of /ocen/docs, tried as a new user tries them: each sent in journey order as Swagger UI's "Try it
 * out" sends it (freshOcenRequest), to the sandbox's built-in test loan agent, with only what the example's note
 * says to take from an earlier callback (read at /sandbox/ocen/callbacks) or from the sandbox (the SMS OTP, the
 * borrower's steps on the bank's pages). Every one is accepted, and the loan ends disbursed.
 */
import { OCEN_EXAMPLES, SANDBOX_JOURNEY as J } from '../../src/protocols/ocen/ocen-examples';
import { freshOcenRequest } from '../../src/protocols/ocen/ocen-openapi';
import type { OcenOperation } from '../../src/protocols/ocen/ocen-schemas';
import { TestApp, eventually, startTestApp } from '../support/test-app';

type Json = Record<string, any>;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

const AGENT = { 'x-partner-id': 'ocen-test-agent' };
const copied: { loanId?: string; consentHandle?: string } = {};
const acks: Array<{ operation: string; status: number; error: string }> = [];

/** The newest callback `name` about the journey's loan application. */
async function callback(name: string): Promise<Json> {
  const list = await eventually(
    async () => (await t.http().get('/sandbox/ocen/callbacks').query({ loanApplicationId: J.loanApplicationId }).expect(200)).body.callbacks as Json[],
    (callbacks) => callbacks.some((c) => c.operation.endsWith(`/${name}`)),
  );
  return list.find((c) => c.operation.endsWith(`/${name}`))!.body;
}

/** Sends the example of `operation` as "Try it out" does, with what was copied so far and `edit` applied. */
async function tryIt(operation: OcenOperation, edit: (body: Json) => void = () => undefined): Promise<void> {
  let text = JSON.stringify(OCEN_EXAMPLES[operation]!.body);
  if (copied.loanId) text = text.split(J.loanId).join(copied.loanId);
  if (copied.consentHandle) text = text.split('sandbox-consent-handle-0001').join(copied.consentHandle);
  const body = JSON.parse(text);
  edit(body);
  const sent = freshOcenRequest({ body: JSON.stringify(body), headers: {} }).body as string;
  const res = await t.http().post(`/v4.0.0alpha/${operation}`).set('content-type', 'application/json').send(sent);
  acks.push({ operation, status: res.status, error: res.body.error });
}

it('when every example is sent in journey order as "Try it out" sends it, copying only what its note names, then each is acked "0" and the loan is paid out', async () => {
  await tryIt('loanApplications/createLoanRequest');
  await tryIt('loanApplications/getAdditionalPledgedDocumentsResponse');
  await tryIt('consent/consentHandleRequest');
  copied.consentHandle = (await callback('consentHandleResponse')).consent.consentHandle;
  await t.http().post(`/sandbox/aa/consents/${copied.consentHandle}/decision`).send({}).expect(200);
  await tryIt('consent/journeyNotify');
  await tryIt('consent/statusRequest');
  await tryIt('offers/generateOffersRequest');
  const offer = (await callback('generateOffersResponse')).loanApplications[0].offers.find((o: Json) => o.terms.tenure.duration === 12);
  await tryIt('offers/sendAdditionalDocumentsRequest');
  await tryIt('offers/setOffersRequest', (body) => (body.offer = offer));
  await tryIt('kyc/getKYCMethodsRequest');
  await tryIt('kyc/triggerKycRequest');
  const kycRefNo = (await callback('triggerKycResponse')).kyc.kycRefNo;
  await t.http().post(`/sandbox/applications/${J.loanApplicationId}/kyc/complete`).set(AGENT).send({}).expect(200);
  // KYC is approved asynchronously: ask its status until it says so, as a loan agent would.
  await eventually(async () => {
    await tryIt('kyc/kycStatusRequest', (body) => (body.kyc = { kycRefNo }));
    return JSON.stringify(await callback('kycStatusResponse'));
  }, (status) => /"individual":\{"status":"SUCCESS"/.test(status));
  await tryIt('loanAcceptance/loanAgreementRequest');
  await tryIt('loanAcceptance/triggerLoanAcceptanceRequest');
  const otpSessionKey = (await callback('triggerLoanAcceptanceResponse')).credBlock.data.otpSessionKey;
  const sms = (await t.http().get('/sandbox/sms-outbox').query({ phone: `91${J.phone}` }).expect(200)).body.messages[0].text as string;
  await tryIt('loanAcceptance/verifyLoanAcceptanceRequest', (body) => (body.credBlock.data = { otpSessionKey, otp: Number(/\b(\d{6})\b/.exec(sms)![1]) }));
  await callback('verifyLoanAcceptanceResponse');
  await tryIt('grantLoan/grantLoanRequest');
  const granted = (await callback('grantLoanResponse')).loanDetails;
  copied.loanId = granted.loanId;
  const plan = granted.offer.repayment.plans[0];
  await tryIt('disbursement/setRepaymentPlanRequest', (body) => (body.plan = plan));
  await callback('setRepaymentPlanResponse');
  await t.http().post(`/sandbox/applications/${J.loanApplicationId}/repayment-setup/complete`).set(AGENT).send({}).expect(200);
  // The mandate goes ACTIVE asynchronously: ask the plan's status until it says so, as a loan agent would.
  await eventually(async () => {
    await tryIt('disbursement/setRepaymentPlanStatusRequest', (body) => (body.plan = { ...plan, status: 'ACTIVE' }));
    return (await callback('setRepaymentPlanStatusResponse')).plan.status as string;
  }, (status) => status === 'ACTIVE');
  await tryIt('disbursement/setDisbursementAccountRequest');
  await tryIt('disbursement/triggerDisbursementRequest');
  await callback('triggerDisbursementResponse');
  const payout = await eventually(async () => {
    await tryIt('disbursement/triggerDisbursementStatusRequest');
    return (await callback('triggerDisbursementStatusResponse')).payment;
  }, (payment) => payment.status === 'SUCCESS');
  await tryIt('repayment/triggerRepaymentRequest');
  await tryIt('repayment/triggerRepaymentStatusRequest');
  await tryIt('repayment/repaymentConditionChangeRequest');
  const change = (await callback('repaymentConditionChangeResponse')).repaymentConditionUpdate;
  await tryIt('loanDetails/getloanRequest');
  await tryIt('loanDetails/listloansRequest');
  await tryIt('loanDetails/loanStatementRequest');
  await tryIt('loanDetails/loanStatementSummaryRequest');

  expect(acks.filter((a) => a.status !== 200 || a.error !== '0')).toEqual([]);
  expect(new Set(acks.map((a) => a.operation))).toEqual(new Set(Object.keys(OCEN_EXAMPLES)));
  expect(payout).toMatchObject({ status: 'SUCCESS' });
  // The example's due-date move is one the lender accepts (a fixed date would go stale, and be REJECTED with no reason on the wire).
  expect(change).toMatchObject({ changedCondition: 'DATE_CHANGED', status: 'ACCEPTED' });
});

import { randomBytes } from 'node:crypto';
import { emiMicros } from '../../src/core/money/emi';
import { TestApp, eventually } from './test-app';

export const PATHS = {
  initiateChallenge: '/v1/financialservices/user/initiateChallenge',
  approveUser: '/v1/financialservices/credit/offer/approveUser',
  getApprovalStatus: '/v1/financialservices/credit/offer/getApprovalStatus',
  fetchOffer: '/v1/financialservices/credit/offer/fetch',
  initiateKyc: '/v1/financialservices/credit/user/kyc/initiate',
  searchCkyc: '/v1/financialservices/credit/customer/searchCKycRecord',
  downloadCkyc: '/v1/financialservices/credit/customer/downloadCKycRecord',
  getAuthToken: '/v1/financialservices/credit/user/getAuthToken',
  initiateRepaymentSetup: '/v1/financialservices/credit/application/initiateRepaymentSetup',
  submit: '/v1/financialservices/credit/application/submit',
  getStatus: '/v1/financialservices/credit/application/getStatus',
  getAccount: '/v1/financialservices/credit/account/get',
  keyFactStatement: '/v1/financialservices/credit/offer/keyFactStatement',
} as const;

export type ContextName = 'userApprovalContext' | 'submitApplicationContext' | 'offerActivationContext' | 'userDetailsContext' | 'cardDetailsContext';

export interface Phone {
  countryCode: string;
  nationalNumber: string;
}

export const newPhone = (): Phone => ({ countryCode: '91', nationalNumber: `9${(randomBytes(5).readUIntBE(0, 5) % 1_000_000_000).toString().padStart(9, '0')}` });
export const newApplicationId = () => `GAPP-${randomBytes(6).toString('hex')}`;
export const inr = (rupees: number | bigint) => ({ currencyCode: 'INR', amountMicros: (BigInt(rupees) * 1_000_000n).toString() });
/** A PAN whose four digits pick the sandbox persona (9001, 9002, 9004, 9005) or the policy (anything else). */
export const panWith = (digits: string) => `ABC${randomBytes(2).toString('hex').replace(/[0-9]/g, 'X').toUpperCase().slice(0, 2).padEnd(2, 'Q')}${digits}Z`;

/** Reads the newest SMS sent to `phone` after `before` messages were there, and extracts the code with the regex the API returned. */
export async function readOtp(t: TestApp, phone: Phone, messageRegex: string, before: number): Promise<string> {
  const msisdn = `${phone.countryCode}${phone.nationalNumber}`;
  const outbox = await eventually(
    async () => (await t.http().get(`/sandbox/sms-outbox?phone=${msisdn}`).expect(200)).body as { messages: Array<{ text: string }> },
    (body) => body.messages.length > before,
  );
  const match = new RegExp(messageRegex).exec(outbox.messages[0].text);
  if (!match) throw new Error(`SMS does not match the announced regex: ${outbox.messages[0].text}`);
  return match[1];
}

export async function smsCount(t: TestApp, phone: Phone): Promise<number> {
  const res = await t.http().get(`/sandbox/sms-outbox?phone=${phone.countryCode}${phone.nationalNumber}`).expect(200);
  return res.body.messages.length;
}

/** initiateChallenge, then the code from the sandbox phone. */
export async function challenge(t: TestApp, phone: Phone, context: ContextName): Promise<{ tokenReferenceId: string; otp: string }> {
  const before = await smsCount(t, phone);
  const res = await t.call(PATHS.initiateChallenge, {
    userIdentifier: { phoneNumber: phone },
    challengeMechanism: [{ type: 'SMS_OTP' }],
    challengeContext: { [context]: {} },
  });
  if (res.status !== 200) throw new Error(`initiateChallenge answered ${res.status}: ${JSON.stringify(res.body)}`);
  const { tokenReferenceId, tokenMetadata } = res.body.data;
  return { tokenReferenceId, otp: await readOtp(t, phone, tokenMetadata.smsOtpMetadata.format.messageRegex, before) };
}

export interface ApplicantOptions {
  pan?: string;
  dateOfBirth?: string;
  monthlyIncomeRupees?: number;
  employment?: 'salaried' | 'selfEmployed';
  amountRupees?: number;
}

export function approveUserData(gid: string, phone: Phone, proof: { tokenReferenceId: string; otp: string }, options: ApplicantOptions = {}) {
  const address = { addressLine1: '101, Lake View Apartments', postalCode: '560038', city: 'Bengaluru', state: 'Karnataka', country: 'IN' };
  return {
    googleApplicationId: gid,
    productId: 'PERSONAL_LOAN',
    challenge: { tokenReferenceId: proof.tokenReferenceId, tokens: [{ type: 'SMS_OTP', value: proof.otp }] },
    userIdentifier: { phoneNumber: phone },
    loanDetails: { amount: inr(options.amountRupees ?? 100_000), loanPurpose: 'HOME_RENOVATION' },
    user: {
      fullName: 'Asha Rao',
      emailAddress: 'asha.rao@example.com',
      type: 'NEW_TO_BANK',
      addresses: [{ ...address, addressTags: ['RESIDENTIAL_ADDRESS', 'COMMUNICATION_ADDRESS'] }],
      pan: options.pan ?? panWith('1234'),
      dateOfBirth: options.dateOfBirth ?? '1990-05-15',
      employmentInfo: {
        employerName: 'Acme Software',
        employerAddress: { ...address, companyName: 'Acme Software', addressTags: ['OFFICE_ADDRESS'] },
        workExperience: { totalWorkExperienceYears: '12' },
        income: { periodType: 'MONTH', value: inr(options.monthlyIncomeRupees ?? 50_000) },
        employmentType: { [options.employment ?? 'salaried']: {} },
      },
      residenceInfo: { timeAtCurrentResidence: '5', residenceOwnership: 'OWNED' },
      father: { firstName: 'Ravi', lastName: 'Rao', salutation: 'MR' },
    },
  };
}

export async function approvalStatus(t: TestApp, gid: string) {
  const res = await t.call(PATHS.getApprovalStatus, { googleApplicationId: gid });
  if (res.status !== 200) throw new Error(`getApprovalStatus answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export async function applicationStatus(t: TestApp, gid: string) {
  const res = await t.call(PATHS.getStatus, { googleApplicationId: gid });
  if (res.status !== 200) throw new Error(`getStatus answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/** Applies and waits for the credit decision. */
export async function applyAndDecide(t: TestApp, options: ApplicantOptions & { phone?: Phone; gid?: string } = {}) {
  const phone = options.phone ?? newPhone();
  const gid = options.gid ?? newApplicationId();
  const proof = await challenge(t, phone, 'userApprovalContext');
  const res = await t.call(PATHS.approveUser, approveUserData(gid, phone, proof, options));
  if (res.status !== 200) throw new Error(`approveUser answered ${res.status}: ${JSON.stringify(res.body)}`);
  const decision = await eventually(() => approvalStatus(t, gid), (d) => d.applicationState !== 'IN_PROCESS');
  return { phone, gid, decision, offerId: decision.approvedStateContext?.offerId as string | undefined };
}

export async function completeKyc(t: TestApp, gid: string, offerId: string, outcome: 'APPROVED' | 'REJECTED' = 'APPROVED') {
  const init = await t.call(PATHS.initiateKyc, { googleApplicationId: gid, offerId });
  if (init.status !== 200) throw new Error(`kyc/initiate answered ${init.status}: ${JSON.stringify(init.body)}`);
  await t.http().post(`/sandbox/applications/${gid}/kyc/complete`).send({ outcome }).expect(200);
  return eventually(() => applicationStatus(t, gid), (s) => s.kyc.state === outcome);
}

export async function completeMandate(t: TestApp, gid: string, outcome: 'APPROVED' | 'REJECTED' = 'APPROVED') {
  const init = await t.call(PATHS.initiateRepaymentSetup, { googleApplicationId: gid });
  if (init.status !== 200) throw new Error(`initiateRepaymentSetup answered ${init.status}: ${JSON.stringify(init.body)}`);
  await t.http().post(`/sandbox/applications/${gid}/repayment-setup/complete`).send({ outcome }).expect(200);
  const target = outcome === 'APPROVED' ? 'ACTIVE' : 'FAILED';
  return eventually(() => applicationStatus(t, gid), (s) => s.repaymentSetup.state === target);
}

export function submitData(
  gid: string,
  offerId: string,
  phone: Phone,
  proof: { tokenReferenceId: string; otp: string },
  terms: { amountRupees: number; tenureMonths: number; rateE5: number; kfsId?: string },
) {
  const emi = emiMicros({ principalMicros: BigInt(terms.amountRupees) * 1_000_000n, annualRateE5: BigInt(terms.rateE5), tenureMonths: terms.tenureMonths });
  return {
    googleApplicationId: gid,
    offerId,
    productId: 'PERSONAL_LOAN',
    userIdentifier: { phoneNumber: phone },
    challenge: { tokenReferenceId: proof.tokenReferenceId, tokens: [{ type: 'SMS_OTP', value: proof.otp }] },
    tncAcceptanceMetadata: [
      { version: 'mitc-v3', type: 'MITC', acceptance: true },
      { version: 'consent-v2', type: 'USER_DATA_SHARING_CONSENT', acceptance: true },
      ...(terms.kfsId ? [{ version: terms.kfsId, type: 'KFS', acceptance: true }] : []),
    ],
    user: { type: 'NEW_TO_BANK', emailAddress: 'asha.rao@example.com' },
    loanApplicationDetails: {
      loanAmount: inr(terms.amountRupees),
      tenure: { periodType: 'MONTH', length: terms.tenureMonths },
      calculatedEmiAmount: { currencyCode: 'INR', amountMicros: emi.toString() },
    },
  };
}

/** GetKeyFactStatement for an amount and tenure of the offer: the answer's data (kfsId, figures, validity). */
export async function keyFactStatement(t: TestApp, gid: string, offerId: string, amountRupees: number, tenureMonths: number) {
  const res = await t.call(PATHS.keyFactStatement, {
    googleApplicationId: gid,
    offerId,
    loanApplicationDetails: { loanAmount: inr(amountRupees), tenure: { periodType: 'MONTH', length: tenureMonths } },
  });
  if (res.status !== 200) throw new Error(`keyFactStatement answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/**
 * An approved application with KYC APPROVED and the mandate ACTIVE: ready to submit, with `kfsId` the Key Fact
 * Statement of ₹1,00,000 over 12 months (other terms need their own: {@link keyFactStatement}).
 */
export async function readyToSubmit(t: TestApp, options: ApplicantOptions = {}) {
  const applied = await applyAndDecide(t, options);
  if (!applied.offerId) throw new Error(`not approved: ${JSON.stringify(applied.decision)}`);
  await completeKyc(t, applied.gid, applied.offerId);
  await completeMandate(t, applied.gid);
  const offer = (await t.call(PATHS.fetchOffer, { offerId: applied.offerId }).expect(200)).body.data.offer;
  const kfs = await keyFactStatement(t, applied.gid, applied.offerId, 100_000, 12);
  return { ...applied, offerId: applied.offerId, rateE5: Number(offer.termCreditOfferDetails.interestStructure.fixed.interestCharge.percentageValueE5), kfsId: kfs.kfsId as string };
}

/** SubmitApplication for an application made ready by `readyToSubmit` (₹1,00,000 over 12 months); answers the partnerApplicationReferenceId. */
export async function submitReady(t: TestApp, ready: { gid: string; offerId: string; phone: Phone; rateE5: number; kfsId: string }): Promise<string> {
  const proof = await challenge(t, ready.phone, 'submitApplicationContext');
  const res = await t.call(PATHS.submit, submitData(ready.gid, ready.offerId, ready.phone, proof, { amountRupees: 100_000, tenureMonths: 12, rateE5: ready.rateE5, kfsId: ready.kfsId }));
  if (res.status !== 200) throw new Error(`submit answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data.partnerApplicationReferenceId as string;
}

/** The sandbox rail's count of transfers for an application's payout (its reference is DSB + the partnerApplicationReferenceId). */
export async function railCalls(t: TestApp, lenderReference: string): Promise<number> {
  const res = await t.http().get(`/sandbox/rail/calls?reference=DSB${lenderReference}`);
  if (res.status !== 200) throw new Error(`rail/calls answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.calls as number;
}

import { TestApp, eventually, startTestApp } from '../support/test-app';
import { expectError } from '../support/expect-error';
import {
  ApplicantOptions, PATHS, Phone, applicationStatus, applyAndDecide, approvalStatus, approveUserData, challenge, newApplicationId, newPhone, panWith,
  keyFactStatement, readOtp, readyToSubmit, smsCount, submitData,
} from '../support/journey';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());


/** Today's calendar date in India (the server decides ages on IST dates), computed here independently. */
function istToday(): { y: number; m: number; d: number } {
  const ist = new Date(t.clock.now().getTime() + 330 * 60_000);
  return { y: ist.getUTCFullYear(), m: ist.getUTCMonth() + 1, d: ist.getUTCDate() };
}
const iso = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
/** The date of birth of someone who turned `years` old today (29 February falls back to 28 February). */
function bornYearsAgo(years: number): string {
  const { y, m, d } = istToday();
  return iso(y - years, m, m === 2 && d === 29 ? 28 : d);
}
/** The date of birth of someone whose `years`-th birthday is tomorrow (so they are `years - 1` today). */
function birthdayTomorrow(years: number): string {
  const ist = new Date(t.clock.now().getTime() + 330 * 60_000 + 86_400_000);
  const m = ist.getUTCMonth() + 1;
  const d = ist.getUTCDate();
  return iso(ist.getUTCFullYear() - years, m, m === 2 && d === 29 ? 28 : d);
}

async function fetchOffer(offerId: string) {
  const res = await t.call(PATHS.fetchOffer, { offerId });
  expect(res.status).toBe(200);
  return res.body.data.offer;
}

/** approveUser with a body the test may alter, then the credit decision. */
async function applyWith(options: ApplicantOptions, mutate: (data: ReturnType<typeof approveUserData>) => void = () => undefined) {
  const phone = newPhone();
  const gid = newApplicationId();
  const proof = await challenge(t, phone, 'userApprovalContext');
  const data = approveUserData(gid, phone, proof, options);
  mutate(data);
  const res = await t.call(PATHS.approveUser, data);
  expect(res.status).toBe(200);
  const decision = await eventually(() => approvalStatus(t, gid), (d) => d.applicationState !== 'IN_PROCESS');
  return { gid, phone, decision };
}

const getAuthToken = (gid: string, type: string, redirectionUrl?: string) =>
  t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type }, ...(redirectionUrl ? { redirectionUrl } : {}) });

describe('persona 9001: adverse bureau record', () => {
  it('when the bureau reports an adverse record, then the approval is REJECTED for BUREAU_RECORD and so is the application', async () => {
    const { gid, decision } = await applyAndDecide(t, { pan: panWith('9001') });
    expect(decision).toEqual({
      applicationState: 'REJECTED',
      partnerApplicationReferenceId: expect.any(String),
      rejectedStateContext: { reason: 'BUREAU_RECORD', description: expect.stringMatching(/\S/) },
    });
    const status = await applicationStatus(t, gid);
    expect(status.applicationState).toBe('REJECTED');
    expect(status.rejectedStateContext).toEqual({ reason: 'BUREAU_RECORD', description: decision.rejectedStateContext.description });
    expect(status.partnerApplicationReferenceId).toBe(decision.partnerApplicationReferenceId);
    expect(status.accountToken).toBeUndefined();
  });
});

describe('persona 9002: thin bureau file', () => {
  it('when the bureau file is thin, then the approval asks for INCOME_VERIFICATION with an empty context', async () => {
    const { decision } = await applyAndDecide(t, { pan: panWith('9002') });
    expect(decision).toEqual({ applicationState: 'INCOME_VERIFICATION', partnerApplicationReferenceId: expect.any(String), incomeVerificationContext: {} });
  });

  it('when income verification is pending, then getAuthToken INCOME_VERIFICATION gives a 10-minute JWT for the income-verification page', async () => {
    const { gid } = await applyAndDecide(t, { pan: panWith('9002') });
    const before = t.clock.now().getTime();
    const res = await getAuthToken(gid, 'INCOME_VERIFICATION');
    expect(res.status).toBe(200);
    const { authToken, expirationTime, redirectionUrl } = res.body.data;
    expect(authToken.split('.')).toHaveLength(3);
    for (const part of authToken.split('.')) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
    const header = JSON.parse(Buffer.from(authToken.split('.')[0], 'base64url').toString('utf8'));
    expect(header.alg).toBe('ES256');
    expect(typeof expirationTime.epochMillis).toBe('string');
    const expiresIn = Number(expirationTime.epochMillis) - before;
    expect(expiresIn).toBeGreaterThan(600_000 - 2_000);
    expect(expiresIn).toBeLessThanOrEqual(600_000 + 2_000);
    expect(redirectionUrl).toMatch(/^https?:\/\/[^/]+.*\/borrower\/income-verification$/);
    const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid } });
    await expect(t.services.authTokens.verify(authToken, 'INCOME_VERIFICATION')).resolves.toMatchObject({ applicationId: application.id });
  });

  it('when the application is APPROVED, then getAuthToken INCOME_VERIFICATION is a PRECONDITION_VIOLATION', async () => {
    const { gid, decision } = await applyAndDecide(t);
    expect(decision.applicationState).toBe('APPROVED');
    expectError(await getAuthToken(gid, 'INCOME_VERIFICATION'), 400, 'PRECONDITION_VIOLATION', 'PRECONDITION_FAILED');
  });
});

describe('persona 9004: no CKYC record', () => {
  const consent = [{ type: 'CKYC_DATA_FETCH', version: 'ckyc-v1', acceptance: true }];

  it('when the registry has no record, then search says not found, download answers ckycDataNotFound with HTTP 200, and KYC offers no CKYC', async () => {
    const pan = panWith('9004');
    const { gid, decision, offerId } = await applyAndDecide(t, { pan, dateOfBirth: '1990-05-15' });
    expect(decision.applicationState).toBe('APPROVED');

    const search = await t.call(PATHS.searchCkyc, { googleApplicationId: gid, pan, dateOfBirth: '1990-05-15', tncAcceptanceMetadata: consent });
    expect(search.status).toBe(200);
    expect(search.body.data).toEqual({ cKycRecordFound: false });
    expect(search.body.data).not.toHaveProperty('cKycId');

    const download = await t.call(PATHS.downloadCkyc, { googleApplicationId: gid, cKycId: '12345678901234' });
    expect(download.status).toBe(200);
    expect(download.body.data).toBeUndefined();
    expect(download.body.errorResponse.errorResponseResult).toEqual({ ckycDataNotFound: {} });
    expect(download.body.errorResponse.errorDescription).toEqual(expect.any(String));

    const kyc = await t.call(PATHS.initiateKyc, { googleApplicationId: gid, offerId });
    expect(kyc.status).toBe(200);
    expect(kyc.body.data.kycOptions).not.toHaveProperty('ckyc');
    expect(Object.keys(kyc.body.data.kycOptions).sort()).toEqual(['ekyc', 'offlineKyc']);
  });
});

describe('persona 9005: the disbursement fails', () => {
  it('when the rail refuses the payout, then the recorded disbursement ends FAILED and the submitted application ends REJECTED (OTHERS, disbursement) with no account', async () => {
    const ready = await readyToSubmit(t, { pan: panWith('9005') });
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    const kfs = await keyFactStatement(t, ready.gid, ready.offerId, 50_000, 6);
    const submitted = await t.call(PATHS.submit, submitData(ready.gid, ready.offerId, ready.phone, proof, { amountRupees: 50_000, tenureMonths: 6, rateE5: ready.rateE5, kfsId: kfs.kfsId }));
    expect(submitted.status).toBe(200);
    expect(submitted.body.data.applicationState).toBe('SUBMITTED');

    const status = await eventually(() => applicationStatus(t, ready.gid), (s) => s.applicationState !== 'SUBMITTED');
    expect(status.applicationState).toBe('REJECTED');
    expect(status.rejectedStateContext.reason).toBe('OTHERS');
    expect(status.rejectedStateContext.description).toMatch(/disburs/i);
    expect(status).not.toHaveProperty('accountToken');
    const loans = await t.services.db.prisma.loanAccount.count({ where: { application: { externalReference: ready.gid } } });
    expect(loans).toBe(0);
    const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: ready.gid } });
    const history = await t.services.db.prisma.stateTransition.findMany({ where: { aggregate: 'application', entityId: application.id }, orderBy: { id: 'asc' } });
    expect(history.map((h) => h.toState)).toEqual(['CREDIT_APPROVAL_PENDING', 'IN_PROGRESS', 'SUBMITTED', 'REJECTED']);

    // The payout intent was recorded before the rail was called, tried once, and its refusal recorded.
    const disbursement = await t.services.db.prisma.disbursement.findUniqueOrThrow({ where: { applicationId: application.id } });
    expect(disbursement).toMatchObject({
      state: 'FAILED',
      // ₹50,000 less the 2% fee (₹1,000) and 18% GST on it (₹180).
      amountMicros: 48_820_000_000n,
      attempts: 1,
      utr: null,
      failureReason: expect.any(String),
      completedAt: expect.any(Date),
    });
    expect(disbursement.reference).toEqual(expect.any(String));
    expect((await t.services.transitions.history('disbursement', disbursement.id)).map((h) => h.toState)).toEqual(['REQUESTED', 'FAILED']);
  });
});

describe('underwriting policy', () => {
  // Ages are decided on the IST calendar date: keep the date this test computes and the server's the same.
  beforeEach(async () => {
    const msIntoIstDay = (t.clock.now().getTime() + 330 * 60_000) % 86_400_000;
    if (msIntoIstDay > 86_400_000 - 10_000) await new Promise((resolve) => setTimeout(resolve, 86_400_000 - msIntoIstDay + 1_000));
  });

  const approvedOffer = async (options: ApplicantOptions, mutate?: (data: ReturnType<typeof approveUserData>) => void) => {
    const { decision } = await applyWith(options, mutate);
    expect(decision.applicationState).toBe('APPROVED');
    return fetchOffer(decision.approvedStateContext.offerId);
  };

  it('when a salaried 36-year-old earns ₹50,000 a month, then the offer is up to ₹1,00,000 at 16%', async () => {
    const offer = await approvedOffer({ dateOfBirth: bornYearsAgo(36), monthlyIncomeRupees: 50_000, employment: 'salaried' });
    expect(offer.creditLimit.maximumAmount).toEqual({ currencyCode: 'INR', amountMicros: '100000000000' });
    expect(offer.creditLimit.minimumAmount).toEqual({ currencyCode: 'INR', amountMicros: '10000000000' });
    expect(offer.creditLimit.variationStep).toEqual({ currencyCode: 'INR', amountMicros: '5000000000' });
    expect(offer.termCreditOfferDetails.interestStructure.fixed.interestCharge.percentageValueE5).toBe('1600000');
  });

  it('when a salaried applicant earns ₹1,50,000 a month, then it is band A: 12% and up to ₹3,00,000', async () => {
    const offer = await approvedOffer({ dateOfBirth: bornYearsAgo(36), monthlyIncomeRupees: 150_000, employment: 'salaried' });
    expect(offer.creditLimit.maximumAmount.amountMicros).toBe('300000000000');
    expect(offer.termCreditOfferDetails.interestStructure.fixed.interestCharge.percentageValueE5).toBe('1200000');
  });

  it('when a self-employed applicant earns ₹50,000 a month, then the limit is 1.5× income: ₹75,000', async () => {
    const offer = await approvedOffer({ dateOfBirth: bornYearsAgo(36), monthlyIncomeRupees: 50_000, employment: 'selfEmployed' });
    expect(offer.creditLimit.maximumAmount.amountMicros).toBe('75000000000');
    expect(offer.termCreditOfferDetails.interestStructure.fixed.interestCharge.percentageValueE5).toBe('1600000');
  });

  it('when the income is given per YEAR (₹6,00,000), then it is treated as ₹50,000 a month', async () => {
    const offer = await approvedOffer({ dateOfBirth: bornYearsAgo(36), employment: 'salaried' }, (data) => {
      data.user.employmentInfo.income = { periodType: 'YEAR', value: { currencyCode: 'INR', amountMicros: '600000000000' } };
    });
    expect(offer.creditLimit.maximumAmount.amountMicros).toBe('100000000000');
    expect(offer.termCreditOfferDetails.interestStructure.fixed.interestCharge.percentageValueE5).toBe('1600000');
  });

  it.each([
    ['19 years old', () => bornYearsAgo(19), 50_000],
    ['61 years old today', () => bornYearsAgo(61), 50_000],
    ['20 years old (21st birthday tomorrow)', () => birthdayTomorrow(21), 50_000],
    ['earning ₹10,000 a month', () => bornYearsAgo(36), 10_000],
    ['earning ₹14,999 a month', () => bornYearsAgo(36), 14_999],
  ])('when the applicant is %s, then the approval is REJECTED for CREDIT_RISK_ASSESSMENT', async (_label, dob, income) => {
    const { gid, decision } = await applyWith({ dateOfBirth: dob(), monthlyIncomeRupees: income });
    expect(decision).toEqual({
      applicationState: 'REJECTED',
      partnerApplicationReferenceId: expect.any(String),
      rejectedStateContext: { reason: 'CREDIT_RISK_ASSESSMENT', description: expect.stringMatching(/\S/) },
    });
    expect((await applicationStatus(t, gid)).rejectedStateContext.reason).toBe('CREDIT_RISK_ASSESSMENT');
  });

  it.each([
    ['21 years old today', () => bornYearsAgo(21)],
    ['60 years old (61st birthday tomorrow)', () => birthdayTomorrow(61)],
  ])('when the applicant is %s, then the age limits still admit them', async (_label, dob) => {
    const { decision } = await applyWith({ dateOfBirth: dob(), monthlyIncomeRupees: 15_000 });
    expect(decision.applicationState).toBe('APPROVED');
    // ₹15,000 × 2 = ₹30,000, band C (22%).
    const offer = await fetchOffer(decision.approvedStateContext.offerId);
    expect(offer.creditLimit.maximumAmount.amountMicros).toBe('30000000000');
    expect(offer.termCreditOfferDetails.interestStructure.fixed.interestCharge.percentageValueE5).toBe('2200000');
  });
});

describe('approveUser', () => {
  it('when the same googleApplicationId is sent twice (with a fresh OTP), then the second is DUPLICATE_APPLICATION', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const first = await t.call(PATHS.approveUser, approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext')));
    expect(first.status).toBe(200);
    const fresh = await challenge(t, phone, 'userApprovalContext');
    const second = await t.call(PATHS.approveUser, approveUserData(gid, phone, fresh));
    expectError(second, 400, 'PRECONDITION_VIOLATION', 'DUPLICATE_APPLICATION');
    const rows = await t.services.db.prisma.application.count({ where: { externalReference: gid } });
    expect(rows).toBe(1);
    // The refused duplicate did not burn the fresh OTP.
    const challengeRow = await t.services.db.prisma.otpChallenge.findUniqueOrThrow({ where: { id: fresh.tokenReferenceId } });
    expect(challengeRow.consumedAt).toBeNull();
  });

  it('when the productId is unknown, then it is 404 INVALID_IDENTIFIER and no application is recorded', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const data = { ...approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext')), productId: 'NO_SUCH_PRODUCT' };
    expectError(await t.call(PATHS.approveUser, data), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
    expect(await t.services.db.prisma.application.count({ where: { externalReference: gid } })).toBe(0);
  });
});

describe('approval status before the decision (worker off)', () => {
  let idle: TestApp;
  beforeAll(async () => {
    idle = await startTestApp({ worker: false });
  });
  afterAll(() => idle.stop());

  /** With no worker, the SMS is delivered by running the delivery step for this one challenge. */
  async function idleChallenge(phone: Phone) {
    const before = await smsCount(idle, phone);
    const res = await idle.call(PATHS.initiateChallenge, {
      userIdentifier: { phoneNumber: phone },
      challengeMechanism: [{ type: 'SMS_OTP' }],
      challengeContext: { userApprovalContext: {} },
    });
    expect(res.status).toBe(200);
    await idle.services.challenges.deliver(res.body.data.tokenReferenceId, `manual-${res.body.data.tokenReferenceId}`);
    const otp = await readOtp(idle, phone, res.body.data.tokenMetadata.smsOtpMetadata.format.messageRegex, before);
    return { tokenReferenceId: res.body.data.tokenReferenceId as string, otp };
  }

  it('when the credit decision has not run yet, then approveUser and getApprovalStatus answer IN_PROCESS with an empty context', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const approved = await idle.call(PATHS.approveUser, approveUserData(gid, phone, await idleChallenge(phone)));
    expect(approved.status).toBe(200);
    expect(approved.body.data).toEqual({ applicationState: 'IN_PROCESS', partnerApplicationReferenceId: expect.any(String), inProcessStateContext: {} });

    const res = await idle.call(PATHS.getApprovalStatus, { googleApplicationId: gid });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      applicationState: 'IN_PROCESS',
      partnerApplicationReferenceId: approved.body.data.partnerApplicationReferenceId,
      inProcessStateContext: {},
    });
    const status = await idle.call(PATHS.getStatus, { googleApplicationId: gid });
    expect(status.status).toBe(200);
    expect(status.body.data.applicationState).toBe('CREDIT_APPROVAL_PENDING');
  });
});

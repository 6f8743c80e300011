import type request from 'supertest';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { expectError } from '../support/expect-error';
import { PATHS, applicationStatus, applyAndDecide, approvalStatus, approveUserData, challenge, newApplicationId, newPhone, panWith } from '../support/journey';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());


const DOB = '1990-05-15';
const CKYC_CONSENT = { type: 'CKYC_DATA_FETCH', version: 'ckyc-v1', acceptance: true };

const initiateKyc = (gid: string, offerId: string) => t.call(PATHS.initiateKyc, { googleApplicationId: gid, offerId });
const completeKyc = (gid: string, body: Record<string, unknown> = {}) => t.http().post(`/sandbox/applications/${gid}/kyc/complete`).send(body);
const search = (gid: string, pan: string, consents: unknown[]) =>
  t.call(PATHS.searchCkyc, { googleApplicationId: gid, pan, dateOfBirth: DOB, tncAcceptanceMetadata: consents });
const download = (gid: string, cKycId: string) => t.call(PATHS.downloadCkyc, { googleApplicationId: gid, cKycId });
const getAuthToken = (gid: string, type: string, redirectionUrl?: string) =>
  t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type }, ...(redirectionUrl !== undefined ? { redirectionUrl } : {}) });

/** An approved application whose CKYC record was found with the user's consent, so CKYC is one of its options. */
async function approvedWithCkyc() {
  const pan = panWith('1234');
  const applied = await applyAndDecide(t, { pan, dateOfBirth: DOB });
  if (!applied.offerId) throw new Error(`not approved: ${JSON.stringify(applied.decision)}`);
  const found = await search(applied.gid, pan, [CKYC_CONSENT]);
  expect(found.status).toBe(200);
  expect(found.body.data.cKycRecordFound).toBe(true);
  return { ...applied, offerId: applied.offerId, pan };
}

async function approved() {
  const applied = await applyAndDecide(t);
  if (!applied.offerId) throw new Error(`not approved: ${JSON.stringify(applied.decision)}`);
  return { ...applied, offerId: applied.offerId };
}

/** The application's KYC attempt in force. */
async function kycIdOf(gid: string): Promise<string> {
  const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid }, include: { currentKyc: true } });
  if (!application.currentKyc) throw new Error(`no current KYC for ${gid}`);
  return application.currentKyc.id;
}

/** The sandbox's plain JSON error `{error: {code, message, fields?}}` with this HTTP status and code. */
function expectSandboxError(res: request.Response, status: number, code: string, fields?: string[]) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  expect(res.body.error.message).toEqual(expect.any(String));
  expect(res.body).not.toHaveProperty('errorResponse');
  if (fields) expect(res.body.error.fields).toEqual(fields);
}

describe('kyc/initiate', () => {
  it('when an approved application starts KYC, then it gets a 15-minute link token and every KYC option the bank pages can complete (no video KYC), and KYC is NOT_STARTED', async () => {
    const { gid, offerId, decision } = await approvedWithCkyc();
    const before = t.clock.now().getTime();
    const res = await initiateKyc(gid, offerId);
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data.partnerApplicationReferenceId).toBe(decision.partnerApplicationReferenceId);
    expect(data.urlToken).toEqual(expect.stringMatching(/^\S{16,}$/));
    expect(typeof data.expirationTime.epochMillis).toBe('string');
    const ttl = Number(data.expirationTime.epochMillis) - before;
    expect(ttl).toBeGreaterThan(15 * 60_000 - 2_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 2_000);
    expect(Object.keys(data.kycOptions).sort()).toEqual(['ckyc', 'ekyc', 'offlineKyc']);

    const status = await applicationStatus(t, gid);
    expect(status.applicationState).toBe('IN_PROGRESS');
    expect(status.kyc.state).toBe('NOT_STARTED');
    expect([...status.kyc.eligibleKycTypes].sort()).toEqual(['CKYC', 'EKYC', 'OFFLINE']);

    const again = await initiateKyc(gid, offerId);
    expect(again.status).toBe(200);
    expect(again.body.data.urlToken).not.toBe(data.urlToken);
    expect(again.body.data.partnerApplicationReferenceId).toBe(data.partnerApplicationReferenceId);
    expect((await applicationStatus(t, gid)).kyc.state).toBe('NOT_STARTED');
    const history = await t.services.transitions.history('kyc', await kycIdOf(gid));
    expect(history.map((h) => h.toState)).toEqual(['NOT_STARTED']);
  });

  it("when the offerId belongs to another application, then it is 404 and no KYC is opened", async () => {
    const mine = await approved();
    const other = await approved();
    expectError(await initiateKyc(mine.gid, other.offerId), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
    expect((await applicationStatus(t, mine.gid)).kyc.state).toBe('NOT_STARTED');
    expect(await t.services.db.prisma.kyc.count({ where: { application: { externalReference: mine.gid } } })).toBe(0);
  });

  it('when the application was REJECTED by the bureau (9001), then KYC cannot start: PRECONDITION_VIOLATION', async () => {
    const { gid, decision } = await applyAndDecide(t, { pan: panWith('9001') });
    expect(decision.applicationState).toBe('REJECTED');
    // A rejected application has no offer; whatever offerId is sent, the answer is about the application's state.
    expectError(await initiateKyc(gid, 'OFRNOOFFER'), 400, 'PRECONDITION_VIOLATION');
  });

  it('when the application was REJECTED after approval (KYC rejected), then KYC cannot start again: PRECONDITION_VIOLATION', async () => {
    const { gid, offerId } = await approved();
    await initiateKyc(gid, offerId).expect(200);
    await completeKyc(gid, { outcome: 'REJECTED' }).expect(200);
    await eventually(() => applicationStatus(t, gid), (s) => s.applicationState === 'REJECTED');
    expectError(await initiateKyc(gid, offerId), 400, 'PRECONDITION_VIOLATION', 'PRECONDITION_FAILED');
  });

  it('when the googleApplicationId is unknown, then it is 404', async () => {
    const { offerId } = await approved();
    expectError(await initiateKyc(newApplicationId(), offerId), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
  });
});

describe('CKYC search and download', () => {
  it.each([
    ['only MITC is accepted', [{ type: 'MITC', acceptance: true }]],
    ['CKYC_DATA_FETCH is declined', [{ type: 'CKYC_DATA_FETCH', acceptance: false }]],
    ['CKYC_DATA_FETCH is declined beside an accepted MITC', [{ type: 'MITC', acceptance: true }, { type: 'CKYC_DATA_FETCH', acceptance: false }]],
  ])('when %s, then the search is refused with CONSENT_REQUIRED and nothing is recorded', async (_label, consents) => {
    const gid = newApplicationId();
    expectError(await search(gid, panWith('1234'), consents), 400, 'PRECONDITION_VIOLATION', 'CONSENT_REQUIRED');
    expect(await t.services.db.prisma.ckycSearch.count({ where: { externalReference: gid } })).toBe(0);
    // Without a consented search, nothing can be downloaded either.
    expectError(await download(gid, '50000000000001'), 400, 'PRECONDITION_VIOLATION');
  });

  it('when the user consents, then the record is found with a 14-digit id and downloads with name, date of birth and addresses', async () => {
    const gid = newApplicationId();
    const found = await search(gid, panWith('1234'), [{ type: 'MITC', acceptance: true }, CKYC_CONSENT]);
    expect(found.status).toBe(200);
    expect(found.body.data).toEqual({ cKycRecordFound: true, cKycId: expect.stringMatching(/^\d{14}$/) });

    const record = await download(gid, found.body.data.cKycId);
    expect(record.status).toBe(200);
    expect(record.body.errorResponse).toBeUndefined();
    const user = record.body.data.user;
    expect(user.name.fullName).toEqual(expect.stringMatching(/\S/));
    expect(user.dateOfBirth).toBe(DOB);
    expect(user.addresses.length).toBeGreaterThan(0);
    for (const address of user.addresses) {
      expect(address).toEqual(expect.objectContaining({ addressLine1: expect.any(String), postalCode: expect.stringMatching(/^\d{6}$/), city: expect.any(String) }));
    }
  });

  it('the CKYC id found is stored only sealed to its search, with a keyed hash for the download check', async () => {
    const gid = newApplicationId();
    const found = await search(gid, panWith('1234'), [CKYC_CONSENT]);
    const cKycId: string = found.body.data.cKycId;
    const [row] = await t.services.db.prisma.ckycSearch.findMany({ where: { externalReference: gid } });
    expect(JSON.stringify(row)).not.toContain(cKycId);
    expect(row.cKycIdHash).toEqual(expect.any(String));
    expect(t.services.sealer.open(row.cKycIdCiphertext!, `ckyc-search:${row.id}`)).toBe(cKycId);
    expect((await download(gid, cKycId)).body.data.user).toBeDefined();
  });

  it('when approveUser carries the cKycId, then it is sealed with the applicant, only its keyed hash is a column, and KYC offers CKYC', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const cKycId = '50123456789012';
    const data = { ...approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext')), cKycId };
    await t.call(PATHS.approveUser, data).expect(200);
    const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid } });
    expect(JSON.stringify(application, (_key, value) => (typeof value === 'bigint' ? String(value) : value))).not.toContain(cKycId);
    expect(application.cKycIdHash).toEqual(expect.any(String));
    expect(JSON.parse(t.services.sealer.open(application.applicantCiphertext, `applicant:${application.id}`)).cKycId).toBe(cKycId);
    const decision = await eventually(() => approvalStatus(t, gid), (d) => d.applicationState !== 'IN_PROCESS');
    const kyc = await initiateKyc(gid, decision.approvedStateContext.offerId);
    expect(kyc.status).toBe(200);
    expect((await applicationStatus(t, gid)).kyc.eligibleKycTypes).toContain('CKYC');
  });

  it('when the id was not returned by this application\'s search, then the download answers ckycDataNotFound with HTTP 200', async () => {
    const gid = newApplicationId();
    const found = await search(gid, panWith('1234'), [CKYC_CONSENT]);
    expect(found.status).toBe(200);
    const otherId = found.body.data.cKycId === '50000000000001' ? '50000000000002' : '50000000000001';
    const res = await download(gid, otherId);
    expect(res.status).toBe(200);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errorResponse.errorResponseResult).toEqual({ ckycDataNotFound: {} });

    // Another application's found id is not this application's to download.
    const stranger = newApplicationId();
    await search(stranger, panWith('5678'), [CKYC_CONSENT]).expect(200);
    const crossed = await download(stranger, found.body.data.cKycId);
    expect(crossed.status).toBe(200);
    expect(crossed.body.data).toBeUndefined();
    expect(crossed.body.errorResponse.errorResponseResult).toEqual({ ckycDataNotFound: {} });
  });

  it('when no search was made for the googleApplicationId, then the download is a PRECONDITION_VIOLATION', async () => {
    expectError(await download(newApplicationId(), '50000000000001'), 400, 'PRECONDITION_VIOLATION', 'CONSENT_REQUIRED');
  });
});

describe('completing KYC (sandbox)', () => {
  it('when the user completes CKYC, then KYC goes NOT_STARTED → IN_PROGRESS → AWAITING_APPROVAL → APPROVED with a validity', async () => {
    const { gid, offerId } = await approvedWithCkyc();
    await initiateKyc(gid, offerId).expect(200);
    const completed = await completeKyc(gid);
    expect(completed.status).toBe(200);
    expect(completed.body).toEqual({ kycState: 'AWAITING_APPROVAL' });

    const status = await eventually(() => applicationStatus(t, gid), (s) => s.kyc.state !== 'AWAITING_APPROVAL');
    expect(status.kyc.state).toBe('APPROVED');
    expect(status.kyc.completedKycType).toBe('CKYC');
    expect(typeof status.kyc.approvedStateContext.expirationTime.epochMillis).toBe('string');
    const validFor = Number(status.kyc.approvedStateContext.expirationTime.epochMillis) - t.clock.now().getTime();
    expect(validFor).toBeGreaterThan(29 * 86_400_000);
    expect(validFor).toBeLessThanOrEqual(30 * 86_400_000);
    expect(status.kyc).not.toHaveProperty('rejectedStateContext');
    expect(status.applicationState).toBe('IN_PROGRESS');

    const history = await t.services.db.prisma.stateTransition.findMany({ where: { aggregate: 'kyc', entityId: await kycIdOf(gid) }, orderBy: { id: 'asc' } });
    expect(history.map((h) => [h.fromState, h.toState])).toEqual([
      [null, 'NOT_STARTED'],
      ['NOT_STARTED', 'IN_PROGRESS'],
      ['IN_PROGRESS', 'AWAITING_APPROVAL'],
      ['AWAITING_APPROVAL', 'APPROVED'],
    ]);
  });

  it('when CKYC is not among the options, then the completed KYC type is not CKYC', async () => {
    const { gid, offerId } = await approved();
    const init = await initiateKyc(gid, offerId);
    expect(init.status).toBe(200);
    expect(init.body.data.kycOptions).not.toHaveProperty('ckyc');
    await completeKyc(gid).expect(200);
    const status = await eventually(() => applicationStatus(t, gid), (s) => s.kyc.state === 'APPROVED');
    expect(status.kyc.completedKycType).not.toBe('CKYC');
    expect(status.kyc.eligibleKycTypes).toContain(status.kyc.completedKycType);
  });

  it('when the bank rejects the KYC, then KYC is REJECTED and the application is REJECTED for KYC_REJECT', async () => {
    const { gid, offerId } = await approved();
    await initiateKyc(gid, offerId).expect(200);
    await completeKyc(gid, { outcome: 'REJECTED' }).expect(200);
    const status = await eventually(() => applicationStatus(t, gid), (s) => s.kyc.state !== 'AWAITING_APPROVAL' && s.applicationState !== 'IN_PROGRESS');
    expect(status.kyc.state).toBe('REJECTED');
    expect(status.kyc).not.toHaveProperty('approvedStateContext');
    expect(status.applicationState).toBe('REJECTED');
    expect(status.rejectedStateContext).toEqual({ reason: 'KYC_REJECT', description: expect.any(String) });
    // The credit approval itself stays APPROVED.
    expect((await approvalStatus(t, gid)).applicationState).toBe('APPROVED');
  });
});

describe('illegal KYC moves through HTTP', () => {
  it('when KYC is completed before it was initiated, then the sandbox answers 400 PRECONDITION_FAILED and nothing changes', async () => {
    const { gid } = await approved();
    expectSandboxError(await completeKyc(gid), 400, 'PRECONDITION_FAILED');
    expect((await applicationStatus(t, gid)).kyc.state).toBe('NOT_STARTED');
  });

  it('when KYC is completed again after APPROVED, then the sandbox answers 400 ILLEGAL_STATE_TRANSITION, and initiating again is refused', async () => {
    const { gid, offerId } = await approved();
    await initiateKyc(gid, offerId).expect(200);
    await completeKyc(gid).expect(200);
    await eventually(() => applicationStatus(t, gid), (s) => s.kyc.state === 'APPROVED');
    const kycId = await kycIdOf(gid);
    const historyBefore = await t.services.transitions.history('kyc', kycId);

    expectSandboxError(await completeKyc(gid), 400, 'ILLEGAL_STATE_TRANSITION');
    expectError(await initiateKyc(gid, offerId), 400, 'PRECONDITION_VIOLATION');

    const status = await applicationStatus(t, gid);
    expect(status.kyc.state).toBe('APPROVED');
    expect((await t.services.transitions.history('kyc', kycId)).length).toBe(historyBefore.length);
  });
});

describe('getAuthToken KYC', () => {
  it('when KYC was initiated, then the token is a JWT bound to this application and to the KYC step only', async () => {
    const { gid, offerId } = await approved();
    await initiateKyc(gid, offerId).expect(200);
    const before = t.clock.now().getTime();
    const res = await getAuthToken(gid, 'KYC');
    expect(res.status).toBe(200);
    const { authToken, expirationTime, redirectionUrl } = res.body.data;
    expect(authToken.split('.')).toHaveLength(3);
    const expiresIn = Number(expirationTime.epochMillis) - before;
    expect(expiresIn).toBeGreaterThan(600_000 - 2_000);
    expect(expiresIn).toBeLessThanOrEqual(600_000 + 2_000);
    expect(redirectionUrl).toMatch(/\/borrower\/kyc$/);

    const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid } });
    await expect(t.services.authTokens.verify(authToken, 'KYC')).resolves.toMatchObject({ applicationId: application.id, context: 'KYC' });
    await expect(t.services.authTokens.verify(authToken, 'REPAYMENT_SETUP')).rejects.toThrow();
    await expect(t.services.authTokens.verify(authToken, 'INCOME_VERIFICATION')).rejects.toThrow();
    // A tampered token does not verify.
    const [h, p, s] = authToken.split('.');
    const flipped = `${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    await expect(t.services.authTokens.verify(`${h}.${p}.${flipped}`, 'KYC')).rejects.toThrow();
  });

  it('when KYC was not initiated, then getAuthToken KYC is a PRECONDITION_VIOLATION', async () => {
    const { gid } = await approved();
    expectError(await getAuthToken(gid, 'KYC'), 400, 'PRECONDITION_VIOLATION', 'PRECONDITION_FAILED');
  });

  it('when the return URL is plain http in the sandbox, then it is accepted and carried in the token', async () => {
    const { gid, offerId } = await approved();
    await initiateKyc(gid, offerId).expect(200);
    const res = await getAuthToken(gid, 'KYC', 'http://evil');
    expect(res.status).toBe(200);
    await expect(t.services.authTokens.verify(res.body.data.authToken, 'KYC')).resolves.toMatchObject({ returnUrl: 'http://evil' });
  });

  it.each(['not a url', 'ftp://x', 'javascript:alert(1)'])('when the return URL is %p, then it is INVALID_FIELD_VALUE', async (url) => {
    const { gid, offerId } = await approved();
    await initiateKyc(gid, offerId).expect(200);
    const res = await getAuthToken(gid, 'KYC', url);
    expectError(res, 400, 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE');
    expect(res.body.errorResponse.fieldViolations).toEqual(['data.redirectionUrl']);
  });
});

describe('sandbox endpoints', () => {
  it('when the sms-outbox is read without a phone, then it is 400 INVALID_FIELD_VALUE naming the phone', async () => {
    expectSandboxError(await t.http().get('/sandbox/sms-outbox'), 400, 'INVALID_FIELD_VALUE', ['phone']);
  });

  it('when kyc/complete names an unknown application, then it is 404 NOT_FOUND as plain JSON', async () => {
    expectSandboxError(await completeKyc(newApplicationId()), 404, 'NOT_FOUND');
  });

  it('when kyc/complete gets an outcome that is not APPROVED or REJECTED, then it is 400 INVALID_FIELD_VALUE naming the outcome and KYC is untouched', async () => {
    const { gid, offerId } = await approved();
    await initiateKyc(gid, offerId).expect(200);
    const res = await completeKyc(gid, { outcome: 'MAYBE' });
    expectSandboxError(res, 400, 'INVALID_FIELD_VALUE');
    expect(res.body.error.fields).toEqual(['outcome']);
    expect((await applicationStatus(t, gid)).kyc.state).toBe('NOT_STARTED');
  });

  it('when X-Partner-Id names an unknown partner, then kyc/complete is 401 PARTNER_UNKNOWN; another partner (an OCEN loan agent) does not find the application; KYC is untouched; naming gpay is the default', async () => {
    const { gid, offerId } = await approved();
    await initiateKyc(gid, offerId).expect(200);
    const completeAs = (partnerId: string) => t.http().post(`/sandbox/applications/${gid}/kyc/complete`).set('X-Partner-Id', partnerId).send({});
    expect((await completeAs('ocen-test-agent')).status).toBe(404);
    expectSandboxError(await completeAs('no-such-partner'), 401, 'PARTNER_UNKNOWN');
    expect((await applicationStatus(t, gid)).kyc.state).toBe('NOT_STARTED');
    // Named explicitly, the sandbox partner is the default one.
    expect((await completeAs('gpay')).status).toBe(200);
  });
});

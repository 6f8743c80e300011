import { TestApp, eventually, newRequestId, startTestApp } from '../support/test-app';
import {
  PATHS, Phone, applicationStatus, applyAndDecide, approvalStatus, approveUserData, challenge, newApplicationId, newPhone, panWith, readyToSubmit, smsCount, submitData,
} from '../support/journey';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const prisma = () => t.services.db.prisma;
const initiateData = (phone: Phone) => ({
  userIdentifier: { phoneNumber: phone },
  challengeMechanism: [{ type: 'SMS_OTP' }],
  challengeContext: { userApprovalContext: {} },
});
/** Moves the server clock (and with it the requestTimestamp t.call sends) for the duration of `fn`. */
async function later<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  t.clock.advance(ms);
  try {
    return await fn();
  } finally {
    t.clock.advance(-ms);
  }
}
const wrong = (otp: string) => String((Number(otp) + 1) % 10 ** otp.length).padStart(otp.length, '0');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The idempotency_record rows of a requestId, each with its stored answer opened (`response_body`). */
async function idempotencyRows(requestId: string) {
  const rows = await prisma().$queryRaw<Array<{ partner_id: string; request_id: string; operation: string; fingerprint: string; http_status: number; response_ciphertext: string }>>`
    SELECT partner_id, request_id, operation, fingerprint, http_status, response_ciphertext FROM idempotency_record WHERE request_id = ${requestId}`;
  return rows.map((row) => ({ ...row, response_body: t.openStoredAnswer(row.partner_id, row.request_id, row.response_ciphertext) }));
}

/** The outbox messages of a job whose payload (`data` of the job envelope) has `key` = `value`. */
async function outboxFor(topic: string, key: string, value: string) {
  const rows = await prisma().outboxMessage.findMany({ where: { topic } });
  return rows.filter((row) => (row.payload as { data?: Record<string, unknown> }).data?.[key] === value);
}

describe('a retry with the same requestId and body', () => {
  it('initiateChallenge: the retry replays the first answer byte for byte (its responseTimestamp too), and no second challenge or SMS is made', async () => {
    const phone = newPhone();
    const requestId = newRequestId();
    const challengesBefore = await prisma().otpChallenge.count();
    const first = await t.call(PATHS.initiateChallenge, initiateData(phone), { requestId });
    expect(first.status).toBe(200);
    const { tokenReferenceId } = first.body.data;
    // The first SMS is out (the outbox row is published and the phone has it).
    await eventually(() => smsCount(t, phone), (n) => n === 1);
    await eventually(async () => (await outboxFor('challenge.deliver', 'challengeId', tokenReferenceId))[0]?.publishedAt, (at) => at != null);

    const second = await later(5_000, () => t.call(PATHS.initiateChallenge, initiateData(phone), { requestId }));
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(second.body.responseHeader.responseTimestamp).toEqual(first.body.responseHeader.responseTimestamp);
    expect(second.body.data.tokenReferenceId).toBe(tokenReferenceId);

    expect(await prisma().otpChallenge.count()).toBe(challengesBefore + 1);
    expect(await prisma().otpChallenge.count({ where: { id: tokenReferenceId } })).toBe(1);
    expect(await outboxFor('challenge.deliver', 'challengeId', tokenReferenceId)).toHaveLength(1);
    // Give the relay and worker time to send a second SMS, were one staged.
    await sleep(750);
    expect(await smsCount(t, phone)).toBe(1);
    expect(await idempotencyRows(requestId)).toHaveLength(1);
  });

  it('approveUser: the retry replays IN_PROCESS byte for byte even after the decision, with one application and one approval.decide message', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const requestId = newRequestId();
    const data = approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'));
    const first = await t.call(PATHS.approveUser, data, { requestId });
    expect(first.status).toBe(200);
    expect(first.body.data.applicationState).toBe('IN_PROCESS');
    const application = await prisma().application.findFirstOrThrow({ where: { externalReference: gid } });
    // Let the worker decide; the stored answer stays the one given at the time.
    await eventually(() => approvalStatus(t, gid), (d) => d.applicationState !== 'IN_PROCESS');
    const transitionsBefore = await prisma().stateTransition.count({ where: { entityId: application.id } });

    const second = await later(7_000, () => t.call(PATHS.approveUser, data, { requestId }));
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(second.body.responseHeader.responseTimestamp.epochMillis).toBe(first.body.responseHeader.responseTimestamp.epochMillis);

    expect(await prisma().application.count({ where: { externalReference: gid } })).toBe(1);
    expect(await outboxFor('approval.decide', 'applicationId', application.id)).toHaveLength(1);
    expect(await prisma().stateTransition.count({ where: { entityId: application.id } })).toBe(transitionsBefore);
    expect(await idempotencyRows(requestId)).toHaveLength(1);
  });

  it('the key order of the retried body does not matter', async () => {
    const phone = newPhone();
    const requestId = newRequestId();
    const first = await t.call(PATHS.initiateChallenge, initiateData(phone), { requestId });
    expect(first.status).toBe(200);
    const reordered = { challengeContext: { userApprovalContext: {} }, challengeMechanism: [{ type: 'SMS_OTP' }], userIdentifier: { phoneNumber: { nationalNumber: phone.nationalNumber, countryCode: phone.countryCode } } };
    const second = await t.call(PATHS.initiateChallenge, reordered, { requestId });
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
  });

  it('a replay still has its requestTimestamp checked: a stale retry is 400 REQUEST_TIMESTAMP_OUT_OF_RANGE, not the stored answer', async () => {
    const requestId = newRequestId();
    const data = initiateData(newPhone());
    const first = await t.call(PATHS.initiateChallenge, data, { requestId });
    expect(first.status).toBe(200);
    const stale = await t.call(PATHS.initiateChallenge, data, { requestId, epochMillis: t.clock.now().getTime() - 120_000 });
    expect(stale.status).toBe(400);
    expect(stale.body.errorResponse.errorResponseCode).toBe('REQUEST_TIMESTAMP_OUT_OF_RANGE');
    const fresh = await t.call(PATHS.initiateChallenge, data, { requestId });
    expect(fresh.text).toBe(first.text);
  });
});

describe('the same requestId for a different request', () => {
  it('different data is 412 IDEMPOTENCY_VIOLATION and changes nothing; the first answer still replays', async () => {
    const requestId = newRequestId();
    const phone = newPhone();
    const first = await t.call(PATHS.initiateChallenge, initiateData(phone), { requestId });
    expect(first.status).toBe(200);
    const challengesBefore = await prisma().otpChallenge.count();

    const other = newPhone();
    const res = await t.call(PATHS.initiateChallenge, initiateData(other), { requestId });
    expect(res.status).toBe(412);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      responseHeader: { requestId, responseTimestamp: { epochMillis: expect.stringMatching(/^[0-9]+$/) } },
      errorResponse: { errorResponseCode: 'IDEMPOTENCY_VIOLATION', paymentIntegratorErrorCode: 'IDEMPOTENCY_VIOLATION', errorDescription: expect.any(String) },
    });
    expect(await prisma().otpChallenge.count()).toBe(challengesBefore);
    await sleep(300);
    expect(await smsCount(t, other)).toBe(0);

    const changedContext = await t.call(PATHS.initiateChallenge, { ...initiateData(phone), challengeContext: { submitApplicationContext: {} } }, { requestId });
    expect(changedContext.status).toBe(412);

    const stored = await idempotencyRows(requestId);
    expect(stored).toHaveLength(1);
    expect(stored[0].response_body).toBe(first.text);
    expect((await t.call(PATHS.initiateChallenge, initiateData(phone), { requestId })).text).toBe(first.text);
  });

  it('when a requestId that answered approveUser is reused on another write endpoint, with data valid there, then it is 412 IDEMPOTENCY_VIOLATION and nothing is done', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const requestId = newRequestId();
    const data = approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'));
    const first = await t.call(PATHS.approveUser, data, { requestId });
    expect(first.status).toBe(200);
    const decision = await eventually(() => approvalStatus(t, gid), (d) => d.applicationState !== 'IN_PROCESS');
    const offerId = decision.approvedStateContext?.offerId;
    expect(offerId).toEqual(expect.any(String));

    for (const [path, data] of [
      [PATHS.initiateRepaymentSetup, { googleApplicationId: gid }],
      [PATHS.initiateKyc, { googleApplicationId: gid, offerId }],
      [PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type: 'KYC' } }],
    ] as const) {
      const res = await t.call(path, data, { requestId });
      expect({ path, status: res.status, code: res.body.errorResponse?.errorResponseCode, reason: res.body.errorResponse?.paymentIntegratorErrorCode }).toEqual({
        path,
        status: 412,
        code: 'IDEMPOTENCY_VIOLATION',
        reason: 'IDEMPOTENCY_VIOLATION',
      });
      expect(res.body.responseHeader.requestId).toBe(requestId);
    }
    const stored = await idempotencyRows(requestId);
    expect(stored.map((r) => r.operation)).toEqual(['approveUser']);
    expect(stored[0].response_body).toBe(first.text);
    expect(await prisma().repaymentMandate.count({ where: { application: { externalReference: gid } } })).toBe(0);
    expect(await prisma().kyc.count({ where: { application: { externalReference: gid } } })).toBe(0);
    // The original write still replays.
    expect((await t.call(PATHS.approveUser, data, { requestId })).text).toBe(first.text);
  });

  it('when a requestId that answered approveUser is reused on a read, then the read is answered afresh (reads are neither checked nor recorded)', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const requestId = newRequestId();
    const first = await t.call(PATHS.approveUser, approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext')), { requestId });
    expect(first.status).toBe(200);
    for (const path of [PATHS.getApprovalStatus, PATHS.getStatus]) {
      const res = await t.call(path, { googleApplicationId: gid }, { requestId });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.body.responseHeader.requestId).toBe(requestId);
      expect(res.text).not.toBe(first.text);
    }
    expect((await idempotencyRows(requestId)).map((r) => r.operation)).toEqual(['approveUser']);
  });

  it('when a requestId that answered approveUser is reused on initiateChallenge, then it is refused before any challenge is made', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const requestId = newRequestId();
    await t.call(PATHS.approveUser, approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext')), { requestId }).expect(200);
    const before = await prisma().otpChallenge.count();
    const other = newPhone();
    const res = await t.call(PATHS.initiateChallenge, initiateData(other), { requestId });
    expect(res.status).toBe(412);
    expect(res.body.errorResponse.errorResponseCode).toBe('IDEMPOTENCY_VIOLATION');
    expect(await prisma().otpChallenge.count()).toBe(before);
    await sleep(300);
    expect(await smsCount(t, other)).toBe(0);
  });

  it('when a requestId was used only by a read, then it holds no record and a write may still use it', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    await t.call(PATHS.approveUser, approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'))).expect(200);
    const requestId = newRequestId();
    await t.call(PATHS.getApprovalStatus, { googleApplicationId: gid }, { requestId }).expect(200);
    expect(await idempotencyRows(requestId)).toHaveLength(0);
    const write = await t.call(PATHS.initiateChallenge, initiateData(newPhone()), { requestId });
    expect(write.status).toBe(200);
    expect((await idempotencyRows(requestId)).map((r) => r.operation)).toEqual(['initiateChallenge']);
  });
});

describe('concurrent duplicates', () => {
  it('20 identical initiateChallenge requests at once with one requestId: all 200, all identical, one challenge and one SMS', async () => {
    const phone = newPhone();
    const requestId = newRequestId();
    const data = initiateData(phone);
    const before = await prisma().otpChallenge.count();
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.call(PATHS.initiateChallenge, data, { requestId }).then((res) => res)));

    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(await prisma().otpChallenge.count()).toBe(before + 1);
    const tokenReferenceId = answers[0].body.data.tokenReferenceId;
    expect(await prisma().otpChallenge.count({ where: { id: tokenReferenceId } })).toBe(1);
    expect(await outboxFor('challenge.deliver', 'challengeId', tokenReferenceId)).toHaveLength(1);
    expect(await idempotencyRows(requestId)).toHaveLength(1);
    await eventually(() => smsCount(t, phone), (n) => n >= 1);
    await sleep(500);
    expect(await smsCount(t, phone)).toBe(1);
  });

  it('20 concurrent approveUser requests with one requestId: all 200, all identical, one application', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const requestId = newRequestId();
    const data = approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'));
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.call(PATHS.approveUser, data, { requestId }).then((res) => res)));

    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    const applications = await prisma().application.findMany({ where: { externalReference: gid } });
    expect(applications).toHaveLength(1);
    expect(await outboxFor('approval.decide', 'applicationId', applications[0].id)).toHaveLength(1);
  });
});

describe('failures are not stored', () => {
  it('approveUser with a wrong OTP (400) retried with the same requestId and the right OTP is processed afresh (200)', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const requestId = newRequestId();
    const proof = await challenge(t, phone, 'userApprovalContext');

    const failed = await t.call(PATHS.approveUser, approveUserData(gid, phone, { ...proof, otp: wrong(proof.otp) }), { requestId });
    expect(failed.status).toBe(400);
    expect(failed.body.errorResponse).toMatchObject({ errorResponseCode: 'INVALID_FIELD_VALUE', paymentIntegratorErrorCode: 'CHALLENGE_INVALID' });
    expect(failed.body.responseHeader.requestId).toBe(requestId);
    expect(await idempotencyRows(requestId)).toHaveLength(0);
    expect(await prisma().application.count({ where: { externalReference: gid } })).toBe(0);

    const retried = await t.call(PATHS.approveUser, approveUserData(gid, phone, proof), { requestId });
    expect(retried.status).toBe(200);
    expect(retried.body.data.applicationState).toBe('IN_PROCESS');
    expect(retried.body.responseHeader.requestId).toBe(requestId);
    expect(await prisma().application.count({ where: { externalReference: gid } })).toBe(1);
    const stored = await idempotencyRows(requestId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ operation: 'approveUser', http_status: 200, response_body: retried.text });
  });

  it('when a read answered 404 is retried with the same requestId and body once the identifier exists, then it is answered afresh, and neither answer is recorded', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const requestId = newRequestId();
    const notYet = await t.call(PATHS.getApprovalStatus, { googleApplicationId: gid }, { requestId });
    expect(notYet.status).toBe(404);
    expect(notYet.body.errorResponse.errorResponseCode).toBe('INVALID_IDENTIFIER');
    expect(await idempotencyRows(requestId)).toHaveLength(0);

    await t.call(PATHS.approveUser, approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'))).expect(200);
    const now = await t.call(PATHS.getApprovalStatus, { googleApplicationId: gid }, { requestId });
    expect(now.status).toBe(200);
    expect(now.body.data.partnerApplicationReferenceId).toEqual(expect.any(String));
    expect(await idempotencyRows(requestId)).toHaveLength(0);
  });

  it('when a write fails with 404, then nothing is recorded and the same requestId may be used for a write that succeeds', async () => {
    const requestId = newRequestId();
    const missing = await t.call(PATHS.initiateRepaymentSetup, { googleApplicationId: newApplicationId() }, { requestId });
    expect(missing.status).toBe(404);
    expect(missing.body.errorResponse.errorResponseCode).toBe('INVALID_IDENTIFIER');
    expect(await idempotencyRows(requestId)).toHaveLength(0);
    const write = await t.call(PATHS.initiateChallenge, initiateData(newPhone()), { requestId });
    expect(write.status).toBe(200);
    expect((await idempotencyRows(requestId)).map((r) => r.operation)).toEqual(['initiateChallenge']);
  });

  it('a request refused by validation leaves no idempotency record, so the corrected body may reuse its requestId', async () => {
    const requestId = newRequestId();
    const phone = newPhone();
    const bad = await t.call(PATHS.initiateChallenge, { ...initiateData(phone), challengeContext: {} }, { requestId });
    expect(bad.status).toBe(400);
    expect(await idempotencyRows(requestId)).toHaveLength(0);
    const good = await t.call(PATHS.initiateChallenge, initiateData(phone), { requestId });
    expect(good.status).toBe(200);
  });
});

describe('submit', () => {
  it('replaying the submit returns the identical answer and stages one loan.disburse; a new requestId for the same submission is 400 PRECONDITION_VIOLATION', async () => {
    const ready = await readyToSubmit(t);
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    const data = submitData(ready.gid, ready.offerId, ready.phone, proof, { amountRupees: 100_000, tenureMonths: 12, rateE5: ready.rateE5, kfsId: ready.kfsId });
    const application = await prisma().application.findFirstOrThrow({ where: { externalReference: ready.gid } });
    const requestId = newRequestId();

    const first = await t.call(PATHS.submit, data, { requestId });
    expect(first.status).toBe(200);
    expect(first.body.data.applicationState).toBe('SUBMITTED');

    const replay = await later(3_000, () => t.call(PATHS.submit, data, { requestId }));
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(first.text);
    expect(await outboxFor('loan.disburse', 'applicationId', application.id)).toHaveLength(1);
    expect(await prisma().loanSubmission.count({ where: { applicationId: application.id } })).toBe(1);

    // After disbursement the replay is still the answer given at the time.
    await eventually(() => applicationStatus(t, ready.gid), (s) => s.applicationState === 'DISBURSED');
    const late = await later(9_000, () => t.call(PATHS.submit, data, { requestId }));
    expect(late.text).toBe(first.text);

    const again = await t.call(PATHS.submit, data, { requestId: newRequestId() });
    expect(again.status).toBe(400);
    expect(again.body.errorResponse).toMatchObject({ errorResponseCode: 'PRECONDITION_VIOLATION', paymentIntegratorErrorCode: 'PRECONDITION_FAILED' });
    expect(await outboxFor('loan.disburse', 'applicationId', application.id)).toHaveLength(1);
    expect(await prisma().loanSubmission.count({ where: { applicationId: application.id } })).toBe(1);
    expect(await prisma().loanAccount.count({ where: { applicationId: application.id } })).toBe(1);
    const history = await prisma().stateTransition.findMany({ where: { aggregate: 'application', entityId: application.id }, orderBy: { id: 'asc' } });
    expect(history.map((h) => h.toState)).toEqual(['CREDIT_APPROVAL_PENDING', 'IN_PROGRESS', 'SUBMITTED', 'DISBURSED']);
  });
});

describe('storage', () => {
  it('the answer is kept in PostgreSQL table idempotency_record with http_status 200 and the exact body sent', async () => {
    const requestId = newRequestId();
    const res = await t.call(PATHS.initiateChallenge, initiateData(newPhone()), { requestId });
    expect(res.status).toBe(200);
    const rows = await idempotencyRows(requestId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      partner_id: 'gpay',
      request_id: requestId,
      operation: 'initiateChallenge',
      http_status: 200,
      response_body: res.text,
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('the answer is stored only sealed, bound to its partner and requestId: no token is in the column, and it opens under no other key', async () => {
    const ready = await applyAndDecide(t);
    const requestId = newRequestId();
    const res = await t.call(PATHS.initiateRepaymentSetup, { googleApplicationId: ready.gid }, { requestId });
    expect(res.status).toBe(200);
    const [row] = await idempotencyRows(requestId);
    for (const secret of [res.text, res.body.data.urlToken, res.body.data.authCode]) expect(row.response_ciphertext).not.toContain(secret);
    expect(row.response_body).toBe(res.text);
    expect(() => t.openStoredAnswer('second-app', requestId, row.response_ciphertext)).toThrow();
    expect(() => t.openStoredAnswer(row.partner_id, newRequestId(), row.response_ciphertext)).toThrow();
    expect((await t.call(PATHS.initiateRepaymentSetup, { googleApplicationId: ready.gid }, { requestId })).text).toBe(res.text);
  });

  it('the replay comes from idempotency_record: once the row is gone, the same request runs again', async () => {
    const phone = newPhone();
    const requestId = newRequestId();
    const first = await t.call(PATHS.initiateChallenge, initiateData(phone), { requestId });
    expect(first.status).toBe(200);
    await prisma().$executeRaw`DELETE FROM idempotency_record WHERE request_id = ${requestId}`;
    const rerun = await t.call(PATHS.initiateChallenge, initiateData(phone), { requestId });
    expect(rerun.status).toBe(200);
    expect(rerun.body.data.tokenReferenceId).not.toBe(first.body.data.tokenReferenceId);
  });

  it('no record is ever left behind with a status other than 200 (failed and in-flight claims roll back)', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const failing = [
      [newRequestId(), PATHS.initiateRepaymentSetup, { googleApplicationId: newApplicationId() }, 404],
      [newRequestId(), PATHS.approveUser, approveUserData(newApplicationId(), phone, { ...proof, otp: wrong(proof.otp) }), 400],
      [newRequestId(), PATHS.initiateChallenge, { ...initiateData(newPhone()), challengeContext: {} }, 400],
    ] as const;
    for (const [requestId, path, data, status] of failing) {
      const res = await t.call(path, data, { requestId });
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(await idempotencyRows(requestId)).toHaveLength(0);
    }
    const leftovers = await prisma().$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM idempotency_record WHERE http_status <> 200`;
    expect(Number(leftovers[0].n)).toBe(0);
  });

  it('when two partners use the same requestId, then each has its own record and answer, keyed by partner_id', async () => {
    await t.services.partners.add({ id: 'second-app', displayName: 'Second app', protocol: 'GPAY' });
    const requestId = newRequestId();
    const ours = await t.call(PATHS.initiateChallenge, initiateData(newPhone()), { requestId });
    // Different data under the same requestId is no conflict for another partner.
    const theirs = await t.call(PATHS.initiateChallenge, initiateData(newPhone()), { requestId, partnerId: 'second-app' });
    expect([ours.status, theirs.status]).toEqual([200, 200]);
    expect(theirs.body.data.tokenReferenceId).not.toBe(ours.body.data.tokenReferenceId);
    const rows = (await idempotencyRows(requestId)).sort((a, b) => a.partner_id.localeCompare(b.partner_id));
    expect(rows.map((r) => [r.partner_id, r.response_body])).toEqual([
      ['gpay', ours.text],
      ['second-app', theirs.text],
    ]);
    // Naming the sandbox partner explicitly is the same as not naming it: a replay.
    expect((await t.call(PATHS.initiateChallenge, initiateData(newPhone()), { requestId, partnerId: 'gpay' })).status).toBe(412);
  });
});

describe('reads are not recorded', () => {
  it('when getApprovalStatus, getStatus, fetch and downloadCKycRecord answer 200, then no idempotency_record row is written; the searchCKycRecord write is', async () => {
    const pan = panWith('1234');
    const applied = await applyAndDecide(t, { pan, dateOfBirth: '1990-05-15' });
    expect(applied.offerId).toEqual(expect.any(String));
    const searchId = newRequestId();
    const search = await t.call(
      PATHS.searchCkyc,
      { googleApplicationId: applied.gid, pan, dateOfBirth: '1990-05-15', tncAcceptanceMetadata: [{ type: 'CKYC_DATA_FETCH', version: 'ckyc-v1', acceptance: true }] },
      { requestId: searchId },
    );
    expect(search.status).toBe(200);
    expect(search.body.data.cKycRecordFound).toBe(true);
    expect((await idempotencyRows(searchId)).map((r) => r.operation)).toEqual(['searchCKycRecord']);

    for (const [path, data] of [
      [PATHS.getApprovalStatus, { googleApplicationId: applied.gid }],
      [PATHS.getStatus, { googleApplicationId: applied.gid }],
      [PATHS.fetchOffer, { offerId: applied.offerId }],
      [PATHS.downloadCkyc, { googleApplicationId: applied.gid, cKycId: search.body.data.cKycId }],
    ] as const) {
      const requestId = newRequestId();
      const res = await t.call(path, data, { requestId });
      expect({ path, status: res.status, error: res.body.errorResponse }).toEqual({ path, status: 200, error: undefined });
      expect({ path, rows: (await idempotencyRows(requestId)).length }).toEqual({ path, rows: 0 });
    }
  });

  it('when account/get answers 200 for a disbursed loan, then no idempotency_record row is written', async () => {
    const ready = await readyToSubmit(t);
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    await t.call(PATHS.submit, submitData(ready.gid, ready.offerId, ready.phone, proof, { amountRupees: 100_000, tenureMonths: 12, rateE5: ready.rateE5, kfsId: ready.kfsId })).expect(200);
    const status = await eventually(() => applicationStatus(t, ready.gid), (s) => s.applicationState === 'DISBURSED');
    expect(status.accountToken).toEqual(expect.any(String));
    const requestId = newRequestId();
    const account = await t.call(PATHS.getAccount, { accountToken: status.accountToken }, { requestId });
    expect(account.status).toBe(200);
    expect(account.body.data.accountSpec.accountToken).toBe(status.accountToken);
    expect(await idempotencyRows(requestId)).toHaveLength(0);
  });

  it('when a status poll reuses its requestId, then it answers the current state, not a replay of the first poll', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    await t.call(PATHS.approveUser, approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'))).expect(200);
    const requestId = newRequestId();
    const first = await t.call(PATHS.getApprovalStatus, { googleApplicationId: gid }, { requestId });
    expect(first.status).toBe(200);
    await eventually(() => approvalStatus(t, gid), (d) => d.applicationState !== 'IN_PROCESS');
    const again = await later(2_000, () => t.call(PATHS.getApprovalStatus, { googleApplicationId: gid }, { requestId }));
    expect(again.status).toBe(200);
    expect(again.body.data.applicationState).not.toBe('IN_PROCESS');
    expect(Number(again.body.responseHeader.responseTimestamp.epochMillis)).toBeGreaterThanOrEqual(Number(first.body.responseHeader.responseTimestamp.epochMillis) + 2_000);
    expect(await idempotencyRows(requestId)).toHaveLength(0);
  });
});

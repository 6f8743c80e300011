import { TestApp, eventually, newRequestId, startTestApp } from '../support/test-app';
import {
  PATHS, Phone, applicationStatus, approvalStatus, approveUserData, challenge, newApplicationId, newPhone, readyToSubmit, smsCount, submitData,
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

async function idempotencyRows(requestId: string) {
  return prisma().$queryRaw<Array<{ partner_id: string; request_id: string; operation: string; fingerprint: string; http_status: number; response_body: string }>>`
    SELECT partner_id, request_id, operation, fingerprint, http_status, response_body FROM idempotency_record WHERE request_id = ${requestId}`;
}

async function outboxFor(topic: string, key: string, value: string) {
  const rows = await prisma().outboxMessage.findMany({ where: { topic } });
  return rows.filter((row) => (row.payload as Record<string, unknown>)[key] === value);
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

  it('the same requestId and identical data on a different endpoint is 412 IDEMPOTENCY_VIOLATION', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    await t.call(PATHS.approveUser, approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'))).expect(200);
    const requestId = newRequestId();
    const first = await t.call(PATHS.getApprovalStatus, { googleApplicationId: gid }, { requestId });
    expect(first.status).toBe(200);

    for (const path of [PATHS.getStatus, PATHS.initiateRepaymentSetup]) {
      const res = await t.call(path, { googleApplicationId: gid }, { requestId });
      expect({ path, status: res.status, code: res.body.errorResponse?.errorResponseCode }).toEqual({ path, status: 412, code: 'IDEMPOTENCY_VIOLATION' });
      expect(res.body.responseHeader.requestId).toBe(requestId);
    }
    const stored = await idempotencyRows(requestId);
    expect(stored.map((r) => r.operation)).toEqual(['getApprovalStatus']);
    expect(await prisma().repaymentMandate.count({ where: { application: { externalReference: gid } } })).toBe(0);
  });

  it('a requestId that answered a different endpoint is refused on initiateChallenge too, before any challenge is made', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    await t.call(PATHS.approveUser, approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'))).expect(200);
    const requestId = newRequestId();
    await t.call(PATHS.getApprovalStatus, { googleApplicationId: gid }, { requestId }).expect(200);
    const before = await prisma().otpChallenge.count();
    const res = await t.call(PATHS.initiateChallenge, initiateData(newPhone()), { requestId });
    expect(res.status).toBe(412);
    expect(res.body.errorResponse.errorResponseCode).toBe('IDEMPOTENCY_VIOLATION');
    expect(await prisma().otpChallenge.count()).toBe(before);
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

  it('a 404 retried with the same requestId and the same body, once the identifier exists, is answered afresh', async () => {
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
    const data = submitData(ready.gid, ready.offerId, ready.phone, proof, { amountRupees: 100_000, tenureMonths: 12, rateE5: ready.rateE5 });
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
    const requestId = newRequestId();
    await t.call(PATHS.getStatus, { googleApplicationId: newApplicationId() }, { requestId }).expect(404);
    const leftovers = await prisma().$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM idempotency_record WHERE http_status <> 200`;
    expect(Number(leftovers[0].n)).toBe(0);
  });
});

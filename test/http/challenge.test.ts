import request from 'supertest';
import { TestApp, eventually, newRequestId, startTestApp } from '../support/test-app';
import { PATHS, Phone, approveUserData, challenge, newApplicationId, newPhone, smsCount } from '../support/journey';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

type Proof = { tokenReferenceId: string; otp: string };

const msisdnOf = (phone: Phone) => `${phone.countryCode}${phone.nationalNumber}`;
/** A code that is certainly not `otp` (same length, digits only). */
const wrong = (otp: string, offset = 1) => String((Number(otp) + offset) % 1_000_000).padStart(6, '0');

const initiate = (phone: Phone, context: Record<string, unknown> = { userApprovalContext: {} }, mechanisms: unknown[] = [{ type: 'SMS_OTP' }]) =>
  t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: mechanisms, challengeContext: context });

const approveWith = (phone: Phone, proof: Proof, options: { gid?: string; requestId?: string } = {}) =>
  t.call(PATHS.approveUser, approveUserData(options.gid ?? newApplicationId(), phone, proof), { requestId: options.requestId });

const outbox = async (phone: Phone): Promise<Array<{ to: string; text: string; sentAt: number }>> =>
  (await t.http().get(`/sandbox/sms-outbox?phone=${msisdnOf(phone)}`).expect(200)).body.messages;

const challengeRow = (id: string) => t.services.db.prisma.otpChallenge.findUniqueOrThrow({ where: { id } });

const guardOf = async (tokenReferenceId: string) => {
  const { phoneHash } = await challengeRow(tokenReferenceId);
  return t.services.db.prisma.otpPhoneGuard.findUnique({ where: { phoneHash } });
};

function expectError(res: request.Response, status: number, errorResponseCode: string, paymentIntegratorErrorCode: string) {
  expect({ status: res.status, errorResponseCode: res.body.errorResponse?.errorResponseCode, paymentIntegratorErrorCode: res.body.errorResponse?.paymentIntegratorErrorCode }).toEqual({
    status,
    errorResponseCode,
    paymentIntegratorErrorCode,
  });
  expect(res.body.data).toBeUndefined();
}

const expectRateLimited = (res: request.Response) => expectError(res, 429, 'RESOURCE_EXHAUSTED', 'CHALLENGE_RATE_LIMITED');

describe('initiating a challenge', () => {
  it('when a challenge is initiated, then it answers a tokenReferenceId and a 6-digit format whose regex captures the code from the SMS', async () => {
    const phone = newPhone();
    const res = await initiate(phone);
    expect(res.status).toBe(200);
    const { tokenReferenceId, tokenMetadata } = res.body.data;
    expect(tokenReferenceId).toEqual(expect.any(String));
    expect(tokenReferenceId.length).toBeGreaterThanOrEqual(16);
    expect(tokenMetadata.smsOtpMetadata.format).toEqual({ length: 6, messageRegex: expect.any(String) });

    const messages = await eventually(() => outbox(phone), (m) => m.length > 0);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toEqual({ to: msisdnOf(phone), text: expect.any(String), sentAt: expect.any(Number) });
    const match = new RegExp(tokenMetadata.smsOtpMetadata.format.messageRegex).exec(messages[0].text);
    expect(match).not.toBeNull();
    expect(match![1]).toMatch(/^\d{6}$/);
    // The sandbox partner's SMS reads as before; the regex is that text, metacharacters escaped, with the code captured.
    expect(messages[0].text).toBe(`${match![1]} is OTP for your Credit application through Google Pay app. OTPs are SECRET. DO NOT disclose it to anyone. Bank NEVER asks for OTP.`);
    expect(tokenMetadata.smsOtpMetadata.format.messageRegex).toBe(
      '(\\d{6}) is OTP for your Credit application through Google Pay app\\. OTPs are SECRET\\. DO NOT disclose it to anyone\\. Bank NEVER asks for OTP\\.',
    );
    // The captured code is the real one: it verifies.
    const approved = await approveWith(phone, { tokenReferenceId, otp: match![1] });
    expect(approved.status).toBe(200);
  });

  it("when a partner's SMS template is full of regex metacharacters, then its users get that text and messageRegex matches it literally, capturing only the code", async () => {
    const partnerId = 'meta-pay';
    const template = 'Meta Pay (test) [v1.2]: {code} is your code for {lender}? Pay $0 + fees* ^never^ share | a.b\\c {x}';
    await t.services.partners.add({ id: partnerId, displayName: 'Meta Pay', protocol: 'GPAY', smsTemplate: template });
    const phone = newPhone();
    const res = await t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, { partnerId });
    expect(res.status).toBe(200);
    const { messageRegex } = res.body.data.tokenMetadata.smsOtpMetadata.format;
    const lender = t.services.config.lenderName;
    const [sms] = await eventually(() => outbox(phone), (m) => m.length > 0);
    const match = new RegExp(messageRegex).exec(sms.text);
    expect(match).not.toBeNull();
    expect(match![0]).toBe(sms.text);
    expect(sms.text).toBe(template.replace('{code}', match![1]).replace('{lender}', lender));
    expect(messageRegex).toContain('\\(test\\) \\[v1\\.2\\]');
    expect(messageRegex).toContain('(\\d{6})');
    // Matched literally: the same text with any metacharacter taken as a wildcard does not match.
    expect(new RegExp(messageRegex).test(sms.text.replace('(test)', 'test'))).toBe(false);
    expect(new RegExp(messageRegex).test(sms.text.replace('v1.2', 'v1x2'))).toBe(false);
    // The captured code verifies, for this partner.
    const approved = await t.call(PATHS.approveUser, approveUserData(newApplicationId(), phone, { tokenReferenceId: res.body.data.tokenReferenceId, otp: match![1] }), { partnerId });
    expect(approved.status).toBe(200);
  });

  it('when two challenges are sent to one phone, then the outbox lists the newest SMS first, each carrying its own code', async () => {
    const phone = newPhone();
    const first = await challenge(t, phone, 'userApprovalContext');
    const second = await challenge(t, phone, 'userApprovalContext');
    const messages = await outbox(phone);
    expect(messages).toHaveLength(2);
    expect(messages.every((m) => m.to === msisdnOf(phone))).toBe(true);
    expect(messages[0].sentAt).toBeGreaterThanOrEqual(messages[1].sentAt);
    expect(messages[0].text).toContain(second.otp);
    expect(messages[1].text).toContain(first.otp);
    // Each code belongs to its own challenge.
    expect((await approveWith(phone, second)).status).toBe(200);
    expect((await approveWith(phone, first)).status).toBe(200);
  });

  it.each([
    ['userApprovalContext', 'USER_APPROVAL'],
    ['submitApplicationContext', 'SUBMIT_APPLICATION'],
    ['offerActivationContext', 'OFFER_ACTIVATION'],
    ['userDetailsContext', 'USER_DETAILS'],
    ['cardDetailsContext', 'CARD_DETAILS'],
  ])('when the context is %s, then the challenge is issued for that step', async (context, stored) => {
    const res = await initiate(newPhone(), { [context]: {} });
    expect(res.status).toBe(200);
    expect((await challengeRow(res.body.data.tokenReferenceId)).context).toBe(stored);
  });

  it('when no context is given, then it is refused with MISSING_REQUIRED_FIELD and nothing is issued', async () => {
    const before = await t.services.db.prisma.otpChallenge.count();
    const res = await initiate(newPhone(), {});
    expectError(res, 400, 'MISSING_REQUIRED_FIELD', 'MISSING_REQUIRED_FIELD');
    expect(res.body.errorResponse.fieldViolations).toContain('data.challengeContext');
    expect(await t.services.db.prisma.otpChallenge.count()).toBe(before);
  });

  it('when two contexts are given, then it is refused with INVALID_FIELD_VALUE and nothing is issued', async () => {
    const before = await t.services.db.prisma.otpChallenge.count();
    const res = await initiate(newPhone(), { userApprovalContext: {}, submitApplicationContext: {} });
    expectError(res, 400, 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE');
    expect(res.body.errorResponse.fieldViolations).toContain('data.challengeContext');
    expect(await t.services.db.prisma.otpChallenge.count()).toBe(before);
  });

  it('when the only context key is unknown, then it is dropped, so no context is left: MISSING_REQUIRED_FIELD naming data.challengeContext, and nothing is issued', async () => {
    const before = await t.services.db.prisma.otpChallenge.count();
    const alone = await initiate(newPhone(), { loanDisbursalContext: {} });
    expectError(alone, 400, 'MISSING_REQUIRED_FIELD', 'MISSING_REQUIRED_FIELD');
    expect(alone.body.errorResponse.fieldViolations).toEqual(['data.challengeContext']);
    expect(await t.services.db.prisma.otpChallenge.count()).toBe(before);
  });

  it('when an unknown context key comes alongside a known one, then it is dropped and the challenge is issued for the known step; a retry without it replays the answer', async () => {
    const phone = newPhone();
    const requestId = newRequestId();
    const data = (context: Record<string, unknown>) => ({ userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: context });
    const res = await t.call(PATHS.initiateChallenge, data({ userApprovalContext: {}, loanDisbursalContext: { note: 'dropped' } }), { requestId });
    expect(res.status).toBe(200);
    expect((await challengeRow(res.body.data.tokenReferenceId)).context).toBe('USER_APPROVAL');
    const [record] = await t.services.db.prisma.idempotencyRecord.findMany({ where: { requestId } });
    const stored = t.openStoredAnswer(record.partnerId, requestId, record.responseCiphertext);
    expect(stored).toBe(res.text);
    expect(stored).not.toMatch(/loanDisbursal|dropped/);
    // The dropped key was never part of the request: without it, the same requestId is a replay, not a conflict.
    const retry = await t.call(PATHS.initiateChallenge, data({ userApprovalContext: {} }), { requestId });
    expect(retry.status).toBe(200);
    expect(retry.text).toBe(res.text);
    // The code issued for the known step works there.
    const otp = await eventually(() => outbox(phone), (m) => m.length > 0);
    const code = new RegExp(res.body.data.tokenMetadata.smsOtpMetadata.format.messageRegex).exec(otp[0].text)![1];
    expect((await approveWith(phone, { tokenReferenceId: res.body.data.tokenReferenceId, otp: code })).status).toBe(200);
  });

  it('when SMS_OTP is not among the challenge mechanisms, then it is refused with INVALID_FIELD_VALUE', async () => {
    const res = await initiate(newPhone(), { userApprovalContext: {} }, [{ type: 'EMAIL_OTP' }]);
    expectError(res, 400, 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE');
    expect(res.body.errorResponse.fieldViolations).toEqual(['data.challengeMechanism']);
    const none = await initiate(newPhone(), { userApprovalContext: {} }, []);
    expect(none.status).toBe(400);
    expect(none.body.errorResponse.errorResponseCode).toBe('INVALID_FIELD_VALUE');
  });

  it('when initiateChallenge is retried with the same requestId, then the same challenge is answered and no second SMS is sent', async () => {
    const phone = newPhone();
    const requestId = newRequestId();
    const first = await t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, { requestId });
    expect(first.status).toBe(200);
    await eventually(() => smsCount(t, phone), (n) => n === 1);
    const retry = await t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, { requestId });
    expect(retry.status).toBe(200);
    expect(retry.body.data.tokenReferenceId).toBe(first.body.data.tokenReferenceId);
    const { phoneHash } = await challengeRow(first.body.data.tokenReferenceId);
    expect(await t.services.db.prisma.otpChallenge.count({ where: { phoneHash } })).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await smsCount(t, phone)).toBe(1);
  });

  it('when SMS_OTP is offered alongside EMAIL_OTP, then the SMS challenge is issued', async () => {
    const res = await initiate(newPhone(), { userApprovalContext: {} }, [{ type: 'EMAIL_OTP' }, { type: 'SMS_OTP' }]);
    expect(res.status).toBe(200);
    expect(res.body.data.tokenMetadata.smsOtpMetadata.format.length).toBe(6);
  });
});

describe('verifying the OTP through approveUser', () => {
  it('when the OTP is wrong, then approveUser is refused with CHALLENGE_INVALID, and the right code still works within the 3 attempts', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');

    const first = await approveWith(phone, { ...proof, otp: wrong(proof.otp) });
    expectError(first, 400, 'INVALID_FIELD_VALUE', 'CHALLENGE_INVALID');
    expect(first.body.errorResponse.errorDescription).toMatch(/2 attempt\(s\) left/);
    expect(first.body.errorResponse.fieldViolations).toEqual(['data.challenge.tokens']);

    const second = await approveWith(phone, { ...proof, otp: wrong(proof.otp, 2) });
    expectError(second, 400, 'INVALID_FIELD_VALUE', 'CHALLENGE_INVALID');
    expect(second.body.errorResponse.errorDescription).toMatch(/1 attempt\(s\) left/);

    const gid = newApplicationId();
    const accepted = await approveWith(phone, proof, { gid });
    expect(accepted.status).toBe(200);
    expect(accepted.body.data.applicationState).toBe('IN_PROCESS');
    expect(accepted.body.data.partnerApplicationReferenceId).toEqual(expect.any(String));

    const row = await challengeRow(proof.tokenReferenceId);
    expect(row.attempts).toBe(3);
    expect(row.consumedAt).not.toBeNull();
    expect(row.consumedBy).toBe(`approve:${gid}`);
  });

  it('when the challenge carries no SMS_OTP token, then approveUser is refused with MISSING_REQUIRED_FIELD and no attempt is spent', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const data = approveUserData(newApplicationId(), phone, proof);
    data.challenge.tokens = [{ type: 'EMAIL_OTP', value: proof.otp }];
    const res = await t.call(PATHS.approveUser, data);
    expectError(res, 400, 'MISSING_REQUIRED_FIELD', 'MISSING_REQUIRED_FIELD');
    expect((await challengeRow(proof.tokenReferenceId)).attempts).toBe(0);
    expect((await approveWith(phone, proof)).status).toBe(200);
  });

  it('when 3 wrong codes were tried, then even the right code is refused with CHALLENGE_ATTEMPTS_EXHAUSTED', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    for (let i = 1; i <= 3; i++) {
      expectError(await approveWith(phone, { ...proof, otp: wrong(proof.otp, i) }), 400, 'INVALID_FIELD_VALUE', 'CHALLENGE_INVALID');
    }
    const right = await approveWith(phone, proof);
    expectError(right, 400, 'PRECONDITION_VIOLATION', 'CHALLENGE_ATTEMPTS_EXHAUSTED');
    const row = await challengeRow(proof.tokenReferenceId);
    expect(row.attempts).toBe(3);
    expect(row.consumedAt).toBeNull();
  });

  it('when 10 wrong guesses for one challenge arrive at once, then the attempts never exceed 3 and only 3 guesses are compared', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => approveWith(phone, { ...proof, otp: wrong(proof.otp, i + 1) })));
    const codes = answers.map((a) => a.body.errorResponse?.paymentIntegratorErrorCode);
    expect(answers.every((a) => a.status === 400)).toBe(true);
    expect(codes.filter((c) => c === 'CHALLENGE_INVALID')).toHaveLength(3);
    expect(codes.filter((c) => c === 'CHALLENGE_ATTEMPTS_EXHAUSTED')).toHaveLength(7);
    const row = await challengeRow(proof.tokenReferenceId);
    expect(row.attempts).toBe(3);
    expect(row.consumedAt).toBeNull();
    expect((await guardOf(proof.tokenReferenceId))?.consecutiveFailures).toBe(3);
  });

  it('when the code is used after its 5 minutes, then approveUser is refused with CHALLENGE_EXPIRED', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    t.clock.advance(5 * 60_000 + 1_000);
    const res = await approveWith(phone, proof);
    expectError(res, 400, 'PRECONDITION_VIOLATION', 'CHALLENGE_EXPIRED');
    const row = await challengeRow(proof.tokenReferenceId);
    expect(row.consumedAt).toBeNull();
    expect(row.attempts).toBe(0);
  });

  it('when the code is used just before its 5 minutes are up, then approveUser accepts it', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    t.clock.advance(5 * 60_000 - 10_000);
    const res = await approveWith(phone, proof);
    expect(res.status).toBe(200);
    expect(res.body.data.applicationState).toBe('IN_PROCESS');
  });

  it('when the OTP is reused for another application, then approveUser is refused with CHALLENGE_ALREADY_USED', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const gid = newApplicationId();
    expect((await approveWith(phone, proof, { gid })).status).toBe(200);

    const again = await approveWith(phone, proof, { gid: newApplicationId(), requestId: newRequestId() });
    expectError(again, 400, 'PRECONDITION_VIOLATION', 'CHALLENGE_ALREADY_USED');
    expect((await challengeRow(proof.tokenReferenceId)).consumedBy).toBe(`approve:${gid}`);
  });

  it('when a successful approveUser is retried with the same requestId, then the first answer is replayed rather than the code being spent again', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const data = approveUserData(newApplicationId(), phone, proof);
    const requestId = newRequestId();
    const first = await t.call(PATHS.approveUser, data, { requestId });
    expect(first.status).toBe(200);
    const retry = await t.call(PATHS.approveUser, data, { requestId });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect((await challengeRow(proof.tokenReferenceId)).attempts).toBe(1);
  });

  it('when a code issued for submitApplication is used in approveUser, then it is refused with CHALLENGE_CONTEXT_MISMATCH', async () => {
    const phone = newPhone();
    const forSubmit = await challenge(t, phone, 'submitApplicationContext');
    const res = await approveWith(phone, forSubmit);
    expectError(res, 400, 'PRECONDITION_VIOLATION', 'CHALLENGE_CONTEXT_MISMATCH');
    expect((await challengeRow(forSubmit.tokenReferenceId)).consumedAt).toBeNull();
  });

  it("when a code issued to phone A is used with phone B's identifier, then it is refused with CHALLENGE_CONTEXT_MISMATCH, and phone A can still use it", async () => {
    const phoneA = newPhone();
    const phoneB = newPhone();
    const proof = await challenge(t, phoneA, 'userApprovalContext');
    const res = await approveWith(phoneB, proof);
    expectError(res, 400, 'PRECONDITION_VIOLATION', 'CHALLENGE_CONTEXT_MISMATCH');
    expect((await challengeRow(proof.tokenReferenceId)).consumedAt).toBeNull();
    expect((await approveWith(phoneA, proof)).status).toBe(200);
  });

  it('when the tokenReferenceId is unknown, then approveUser is refused with 404 INVALID_IDENTIFIER', async () => {
    const phone = newPhone();
    const res = await approveWith(phone, { tokenReferenceId: 'otp_doesNotExist000000000', otp: '123456' });
    expectError(res, 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
  });

  it('when a request carrying a wrong code fails, then the spent attempt is not rolled back with it', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const gid = newApplicationId();
    const requestId = newRequestId();
    const data = approveUserData(gid, phone, { ...proof, otp: wrong(proof.otp) });
    expectError(await t.call(PATHS.approveUser, data, { requestId }), 400, 'INVALID_FIELD_VALUE', 'CHALLENGE_INVALID');

    // The business action rolled back...
    expect(await t.services.db.prisma.application.findFirst({ where: { externalReference: gid } })).toBeNull();
    // ...but the attempt and the phone's failure count did not.
    const row = await challengeRow(proof.tokenReferenceId);
    expect(row.attempts).toBe(1);
    expect(row.consumedAt).toBeNull();
    expect((await guardOf(proof.tokenReferenceId))?.consecutiveFailures).toBe(1);

    // A retry of the failed request is processed afresh and spends another attempt.
    const retry = await t.call(PATHS.approveUser, data, { requestId });
    expectError(retry, 400, 'INVALID_FIELD_VALUE', 'CHALLENGE_INVALID');
    expect(retry.body.errorResponse.errorDescription).toMatch(/1 attempt\(s\) left/);
    expect((await challengeRow(proof.tokenReferenceId)).attempts).toBe(2);
  });
});

describe('per-phone lock-out after wrong codes', () => {
  it('when 5 consecutive wrong codes arrive across two challenges of one phone, then the phone is locked for 30 s with Retry-After, and the next lock-out lasts 60 s', async () => {
    const phone = newPhone();
    const a = await challenge(t, phone, 'userApprovalContext');
    const b = await challenge(t, phone, 'userApprovalContext');
    for (const [proof, n] of [[a, 1], [a, 2], [a, 3], [b, 1], [b, 2]] as const) {
      expectError(await approveWith(phone, { ...proof, otp: wrong(proof.otp, n) }), 400, 'INVALID_FIELD_VALUE', 'CHALLENGE_INVALID');
    }

    const locked = await initiate(phone);
    expectRateLimited(locked);
    expect(locked.body.errorResponse.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(locked.body.errorResponse.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(locked.headers['retry-after']).toBe(String(locked.body.errorResponse.retryAfterSeconds));

    // Verification is locked too, even with the right code of a challenge that has an attempt left; no attempt is spent.
    const verifying = await approveWith(phone, b);
    expectRateLimited(verifying);
    expect(verifying.body.errorResponse.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(verifying.headers['retry-after']).toBe(String(verifying.body.errorResponse.retryAfterSeconds));
    const bRow = await challengeRow(b.tokenReferenceId);
    expect(bRow.attempts).toBe(2);
    expect(bRow.consumedAt).toBeNull();

    // Another phone is not affected.
    expect((await initiate(newPhone())).status).toBe(200);

    t.clock.advance(31_000);
    const c = await challenge(t, phone, 'userApprovalContext');
    const d = await challenge(t, phone, 'userApprovalContext');
    for (const [proof, n] of [[c, 1], [c, 2], [c, 3], [d, 1], [d, 2]] as const) {
      expectError(await approveWith(phone, { ...proof, otp: wrong(proof.otp, n) }), 400, 'INVALID_FIELD_VALUE', 'CHALLENGE_INVALID');
    }
    const relocked = await initiate(phone);
    expectRateLimited(relocked);
    expect(relocked.body.errorResponse.retryAfterSeconds).toBeGreaterThanOrEqual(58);
    expect(relocked.body.errorResponse.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(relocked.headers['retry-after']).toBe(String(relocked.body.errorResponse.retryAfterSeconds));
    expect((await guardOf(d.tokenReferenceId))?.lockouts).toBe(2);

    t.clock.advance(31_000);
    const stillLocked = await initiate(phone);
    expectRateLimited(stillLocked);
    expect(stillLocked.body.errorResponse.retryAfterSeconds).toBeGreaterThanOrEqual(27);
    expect(stillLocked.body.errorResponse.retryAfterSeconds).toBeLessThanOrEqual(29);

    t.clock.advance(30_000);
    const e = await challenge(t, phone, 'userApprovalContext');
    expect((await approveWith(phone, e)).status).toBe(200);
  });

  it('when the right code is entered between wrong ones, then the consecutive-failure count starts again', async () => {
    const phone = newPhone();
    const a = await challenge(t, phone, 'userApprovalContext');
    for (const n of [1, 2]) await approveWith(phone, { ...a, otp: wrong(a.otp, n) }).expect(400);
    expect((await approveWith(phone, a)).status).toBe(200);
    expect((await guardOf(a.tokenReferenceId))?.consecutiveFailures).toBe(0);

    const b = await challenge(t, phone, 'userApprovalContext');
    const c = await challenge(t, phone, 'userApprovalContext');
    for (const [proof, n] of [[b, 1], [b, 2], [b, 3], [c, 1]] as const) {
      expectError(await approveWith(phone, { ...proof, otp: wrong(proof.otp, n) }), 400, 'INVALID_FIELD_VALUE', 'CHALLENGE_INVALID');
    }
    expect((await guardOf(c.tokenReferenceId))?.consecutiveFailures).toBe(4);
    expect((await initiate(phone)).status).toBe(200);
  });
});

describe('per-phone challenge limit (counted in Redis by the phone\'s keyed hash, across partners)', () => {
  const deliveryJobs = () => t.services.db.prisma.outboxMessage.count({ where: { topic: 'challenge.deliver' } });

  it('when a phone has been sent 10 OTPs in 15 minutes, a normal journey\'s 6 among them and some through another partner, then the 11th initiateChallenge is refused with 429 and a Retry-After of about 15 minutes, leaving no challenge, no SMS job and no SMS', async () => {
    await t.services.partners.add({ id: 'second-app', displayName: 'Second app', protocol: 'GPAY' });
    const phone = newPhone();
    const journey = ['userApprovalContext', 'userDetailsContext', 'offerActivationContext', 'cardDetailsContext', 'submitApplicationContext', 'userApprovalContext'];
    for (const context of journey) expect((await initiate(phone, { [context]: {} })).status).toBe(200);
    for (let i = 7; i <= 10; i++) {
      const res = await t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, { partnerId: 'second-app' });
      expect(res.status).toBe(200);
    }
    await eventually(() => outbox(phone), (m) => m.length === 10);
    const jobsBefore = await deliveryJobs();

    const eleventh = await initiate(phone);
    expectRateLimited(eleventh);
    const retryAfter = eleventh.body.errorResponse.retryAfterSeconds;
    expect(retryAfter).toBeGreaterThanOrEqual(15 * 60 - 30);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(eleventh.headers['retry-after']).toBe(String(retryAfter));
    // Through the other partner too: the limit is the phone's, not the partner's.
    const viaOther = await t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, { partnerId: 'second-app' });
    expectRateLimited(viaOther);

    const { phoneHash } = await t.services.db.prisma.otpChallenge.findFirstOrThrow({ where: { partnerId: 'second-app' }, orderBy: { createdAt: 'desc' } });
    expect(await t.services.db.prisma.otpChallenge.count({ where: { phoneHash } })).toBe(10);
    expect(await deliveryJobs()).toBe(jobsBefore);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await outbox(phone)).toHaveLength(10);
    // The Redis keys name the phone's keyed hash, never the number.
    const keys = await t.services.redis.keys(`${t.services.config.queuePrefix}:limit:*`);
    expect(keys.some((key) => key.endsWith(phoneHash))).toBe(true);
    expect(keys.filter((key) => key.includes(phone.nationalNumber))).toEqual([]);

    // Another phone is not affected.
    expect((await initiate(newPhone())).status).toBe(200);
  });

  it('when initiateChallenge is retried with the same requestId, then the replay does not count against the phone: 9 challenges and 3 replays leave room for a 10th', async () => {
    const phone = newPhone();
    const requestId = newRequestId();
    const first = await t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, { requestId });
    expect(first.status).toBe(200);
    for (let i = 2; i <= 9; i++) expect((await initiate(phone)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const replay = await t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, { requestId });
      expect(replay.status).toBe(200);
      expect(replay.body.data.tokenReferenceId).toBe(first.body.data.tokenReferenceId);
    }
    expect((await initiate(phone)).status).toBe(200);
    expectRateLimited(await initiate(phone));
    // A replay of an issued challenge is still answered when the phone is at its limit.
    const atLimit = await t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, { requestId });
    expect(atLimit.status).toBe(200);
    expect(atLimit.body.data.tokenReferenceId).toBe(first.body.data.tokenReferenceId);
  });

  it('when initiateChallenge is refused because the phone is locked after wrong codes, then the refusal does not count against the phone\'s limit', async () => {
    const phone = newPhone();
    const a = await challenge(t, phone, 'userApprovalContext');
    const b = await challenge(t, phone, 'userApprovalContext');
    for (const [proof, n] of [[a, 1], [a, 2], [a, 3], [b, 1], [b, 2]] as const) await approveWith(phone, { ...proof, otp: wrong(proof.otp, n) }).expect(400);
    for (let i = 0; i < 10; i++) expectRateLimited(await initiate(phone));
    t.clock.advance(31_000);
    for (let i = 3; i <= 10; i++) expect((await initiate(phone)).status).toBe(200);
    expectRateLimited(await initiate(phone));
  });
});

describe('storage and delivery', () => {
  it('when a challenge is stored, then its row holds neither the code nor the phone number in clear', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const rows = await t.services.db.prisma.$queryRaw<Array<Record<string, unknown>>>`SELECT * FROM otp_challenge WHERE id = ${proof.tokenReferenceId}`;
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(proof.otp);
    expect(stored).not.toContain(phone.nationalNumber);
    expect(String(rows[0].secret_ciphertext)).not.toContain(proof.otp);
    expect(String(rows[0].phone_ciphertext)).not.toContain(phone.nationalNumber);
    expect(String(rows[0].phone_hash)).not.toContain(phone.nationalNumber);
  });

  it('when the SMS job runs for a challenge that is already used or expired, then nothing is sent; for a live one it is', async () => {
    const phone = newPhone();
    const used = await challenge(t, phone, 'userApprovalContext');
    expect((await approveWith(phone, used)).status).toBe(200);
    const expired = await challenge(t, phone, 'userApprovalContext');
    const live = await challenge(t, phone, 'userApprovalContext');
    expect(await smsCount(t, phone)).toBe(3);

    // Re-running the job for the live challenge (with a fresh messageId) does send: the check below can fail.
    await t.services.challenges.deliver(live.tokenReferenceId, `test-${newRequestId()}`);
    expect(await smsCount(t, phone)).toBe(4);

    await t.services.challenges.deliver(used.tokenReferenceId, `test-${newRequestId()}`);
    t.clock.advance(5 * 60_000 + 1_000);
    await t.services.challenges.deliver(expired.tokenReferenceId, `test-${newRequestId()}`);
    expect(await smsCount(t, phone)).toBe(4);
  });
});


describe('per-phone limits under concurrent requests', () => {
  it('when 12 wrong codes for one phone arrive at once across 4 challenges, then no more than 5 are compared before the phone is locked', async () => {
    const phone = newPhone();
    const proofs: Proof[] = [];
    for (let i = 0; i < 4; i++) proofs.push(await challenge(t, phone, 'userApprovalContext'));
    const guesses = proofs.flatMap((proof) => [1, 2, 3].map((n) => ({ ...proof, otp: wrong(proof.otp, n) })));
    const answers = await Promise.all(guesses.map((guess) => approveWith(phone, guess)));
    const outcomes = answers.map((a) => `${a.status} ${a.body.errorResponse?.paymentIntegratorErrorCode}`);
    const compared = outcomes.filter((o) => o === '400 CHALLENGE_INVALID').length;
    expect(compared).toBeGreaterThanOrEqual(1);
    expect(compared).toBeLessThanOrEqual(5);
    expect(outcomes.filter((o) => o === '429 CHALLENGE_RATE_LIMITED')).toHaveLength(12 - compared);
    const rows = await t.services.db.prisma.otpChallenge.findMany({ where: { id: { in: proofs.map((p) => p.tokenReferenceId) } } });
    expect(rows.reduce((sum, row) => sum + row.attempts, 0)).toBe(compared);
    expect((await guardOf(proofs[0].tokenReferenceId))?.lockouts).toBe(1);
  });

  it('when 8 challenges are requested at once for a phone that already has 5 within 15 minutes, then only 5 more are issued', async () => {
    const phone = newPhone();
    const issued: string[] = [];
    for (let i = 0; i < 5; i++) issued.push((await initiate(phone).expect(200)).body.data.tokenReferenceId);
    const first = issued[0];
    const answers = await Promise.all(Array.from({ length: 8 }, () => initiate(phone)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const { phoneHash } = await challengeRow(first);
    expect(await t.services.db.prisma.otpChallenge.count({ where: { phoneHash } })).toBe(10);
  });
});

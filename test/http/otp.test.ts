import { TestApp, eventually, newRequestId, startTestApp } from '../support/test-app';
import { PATHS, Phone, approveUserData, challenge, newApplicationId, newPhone, smsCount } from '../support/journey';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const approveWith = (phone: Phone, proof: { tokenReferenceId: string; otp: string }, gid = newApplicationId()) =>
  t.call(PATHS.approveUser, approveUserData(gid, phone, proof));
const wrong = (otp: string) => String((Number(otp) + 1) % 1_000_000).padStart(6, '0');
const initiate = (phone: Phone, context: Record<string, unknown> = { userApprovalContext: {} }, mechanisms = [{ type: 'SMS_OTP' }]) =>
  t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: mechanisms, challengeContext: context });
const withClock = async (ms: number, fn: () => Promise<void>) => {
  t.clock.advance(ms);
  try {
    await fn();
  } finally {
    t.clock.advance(-ms);
  }
};

describe('initiateChallenge', () => {
  it('sends a 6-digit SMS that the announced messageRegex captures', async () => {
    const phone = newPhone();
    const res = await initiate(phone).expect(200);
    const { format } = res.body.data.tokenMetadata.smsOtpMetadata;
    expect(format.length).toBe(6);
    expect(res.body.data.tokenReferenceId).toMatch(/^otp_/);
    const sms = (
      await eventually(() => t.http().get(`/sandbox/sms-outbox?phone=91${phone.nationalNumber}`).expect(200), (r) => r.body.messages.length > 0)
    ).body.messages;
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ to: `91${phone.nationalNumber}`, sentAt: expect.any(Number) });
    expect(new RegExp(format.messageRegex).exec(sms[0].text)?.[1]).toMatch(/^\d{6}$/);
  });

  it.each(['userApprovalContext', 'submitApplicationContext', 'offerActivationContext', 'userDetailsContext', 'cardDetailsContext'])('accepts the %s context', async (context) => {
    await initiate(newPhone(), { [context]: {} }).expect(200);
  });

  it('when no context or two contexts are given, then it is refused', async () => {
    expect((await initiate(newPhone(), {})).body.errorResponse.errorResponseCode).toBe('MISSING_REQUIRED_FIELD');
    const two = await initiate(newPhone(), { userApprovalContext: {}, submitApplicationContext: {} });
    expect(two.status).toBe(400);
    expect(two.body.errorResponse.errorResponseCode).toBe('INVALID_FIELD_VALUE');
  });

  it('when SMS_OTP is not among the mechanisms, then it is refused', async () => {
    const res = await initiate(newPhone(), undefined, [{ type: 'EMAIL_OTP' }]);
    expect(res.status).toBe(400);
    expect(res.body.errorResponse.fieldViolations).toContain('data.challengeMechanism');
  });

  it('stores neither the code nor the phone number in clear', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const rows = await t.services.db.prisma.$queryRaw<unknown[]>`SELECT * FROM otp_challenge WHERE id = ${proof.tokenReferenceId}`;
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(proof.otp);
    expect(stored).not.toContain(phone.nationalNumber);
  });
});

describe('verifying the OTP (through approveUser)', () => {
  it('when the OTP is wrong, then approveUser is refused, and the right code still works within the attempt limit', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const refused = await approveWith(phone, { ...proof, otp: wrong(proof.otp) });
    expect(refused.status).toBe(400);
    expect(refused.body.errorResponse).toMatchObject({ errorResponseCode: 'INVALID_FIELD_VALUE', paymentIntegratorErrorCode: 'CHALLENGE_INVALID' });
    expect(refused.body.errorResponse.errorDescription).toMatch(/2 attempt\(s\) left/);
    const row = await t.services.db.prisma.otpChallenge.findUniqueOrThrow({ where: { id: proof.tokenReferenceId } });
    expect(row.attempts).toBe(1);
    expect(row.consumedAt).toBeNull();
    const accepted = await approveWith(phone, proof);
    expect(accepted.status).toBe(200);
    expect(accepted.body.data.applicationState).toBe('IN_PROCESS');
  });

  it('when the OTP is reused, then approveUser is refused', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    await approveWith(phone, proof).expect(200);
    const again = await approveWith(phone, proof);
    expect(again.status).toBe(400);
    expect(again.body.errorResponse).toMatchObject({ errorResponseCode: 'PRECONDITION_VIOLATION', paymentIntegratorErrorCode: 'CHALLENGE_ALREADY_USED' });
  });

  it('when the OTP has expired (5 minutes), then approveUser is refused', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    await withClock(5 * 60_000 + 1_000, async () => {
      const res = await approveWith(phone, proof);
      expect(res.status).toBe(400);
      expect(res.body.errorResponse.paymentIntegratorErrorCode).toBe('CHALLENGE_EXPIRED');
    });
  });

  it('when the OTP is brute-forced, then after 3 attempts even the right code is refused', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    for (let i = 0; i < 3; i++) {
      const res = await approveWith(phone, { ...proof, otp: wrong(proof.otp) });
      expect(res.body.errorResponse.paymentIntegratorErrorCode).toBe('CHALLENGE_INVALID');
    }
    const right = await approveWith(phone, proof);
    expect(right.status).toBe(400);
    expect(right.body.errorResponse.paymentIntegratorErrorCode).toBe('CHALLENGE_ATTEMPTS_EXHAUSTED');
  });

  it('when 10 guesses arrive at once, then no more than 3 are ever compared', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const guesses = Array.from({ length: 10 }, (_, i) => String((Number(proof.otp) + 1 + i) % 1_000_000).padStart(6, '0'));
    const answers = await Promise.all(guesses.map((otp) => approveWith(phone, { ...proof, otp })));
    const codes = answers.map((a) => a.body.errorResponse?.paymentIntegratorErrorCode);
    expect(codes.filter((c) => c === 'CHALLENGE_INVALID').length).toBeLessThanOrEqual(3);
    expect(codes.every((c) => ['CHALLENGE_INVALID', 'CHALLENGE_ATTEMPTS_EXHAUSTED', 'CHALLENGE_RATE_LIMITED'].includes(c))).toBe(true);
    const row = await t.services.db.prisma.otpChallenge.findUniqueOrThrow({ where: { id: proof.tokenReferenceId } });
    expect(row.attempts).toBe(3);
  });

  it('when the code was issued for another step or another phone, then it is refused', async () => {
    const phone = newPhone();
    const forSubmit = await challenge(t, phone, 'submitApplicationContext');
    expect((await approveWith(phone, forSubmit)).body.errorResponse.paymentIntegratorErrorCode).toBe('CHALLENGE_CONTEXT_MISMATCH');
    const forApproval = await challenge(t, phone, 'userApprovalContext');
    expect((await approveWith(newPhone(), forApproval)).body.errorResponse.paymentIntegratorErrorCode).toBe('CHALLENGE_CONTEXT_MISMATCH');
    const unknown = await approveWith(phone, { tokenReferenceId: 'otp_unknown', otp: '123456' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errorResponse.errorResponseCode).toBe('INVALID_IDENTIFIER');
  });
});

describe('per-phone limits', () => {
  it('allows the 6 challenges of a normal journey within a minute, and refuses the 11th within 15 minutes', async () => {
    const phone = newPhone();
    for (let i = 0; i < 10; i++) await initiate(phone).expect(200);
    const eleventh = await initiate(phone);
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.errorResponse).toMatchObject({ errorResponseCode: 'RESOURCE_EXHAUSTED', paymentIntegratorErrorCode: 'CHALLENGE_RATE_LIMITED' });
    expect(Number(eleventh.headers['retry-after'])).toBeGreaterThan(0);
    await withClock(15 * 60_000 + 1_000, async () => {
      await initiate(phone).expect(200);
    });
  });

  it('when 5 wrong codes in a row arrive for one phone, then it is locked for 30 s, and the next lock-out doubles', async () => {
    const phone = newPhone();
    const first = await challenge(t, phone, 'userApprovalContext');
    const second = await challenge(t, phone, 'userApprovalContext');
    for (const proof of [first, first, first, second, second]) await approveWith(phone, { ...proof, otp: wrong(proof.otp) });
    const locked = await initiate(phone);
    expect(locked.status).toBe(429);
    expect(locked.body.errorResponse.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect(locked.body.errorResponse.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(locked.headers['retry-after']).toBe(String(locked.body.errorResponse.retryAfterSeconds));
    expect((await approveWith(phone, second)).status).toBe(429);

    await withClock(31_000, async () => {
      const before = await smsCount(t, phone);
      const third = await initiate(phone).expect(200);
      expect(third.body.data.tokenReferenceId).toBeDefined();
      expect(before).toBeGreaterThanOrEqual(2);
      const fourth = await initiate(phone).expect(200);
      for (const id of [third.body.data.tokenReferenceId, third.body.data.tokenReferenceId, third.body.data.tokenReferenceId, fourth.body.data.tokenReferenceId, fourth.body.data.tokenReferenceId]) {
        await approveWith(phone, { tokenReferenceId: id, otp: '000000' });
      }
      const relocked = await initiate(phone);
      expect(relocked.status).toBe(429);
      expect(relocked.body.errorResponse.retryAfterSeconds).toBeGreaterThanOrEqual(59);
      expect(relocked.body.errorResponse.retryAfterSeconds).toBeLessThanOrEqual(60);
    });
  });

  it('when a request carrying a wrong code fails, then the failed attempt is still counted', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    await approveWith(phone, { ...proof, otp: wrong(proof.otp) }).expect(400);
    const guard = await t.services.db.prisma.otpPhoneGuard.findFirstOrThrow({ where: { phoneHash: (await t.services.db.prisma.otpChallenge.findUniqueOrThrow({ where: { id: proof.tokenReferenceId } })).phoneHash } });
    expect(guard.consecutiveFailures).toBe(1);
    expect(newRequestId()).not.toBe(newRequestId());
  });
});

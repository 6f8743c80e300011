import fc from 'fast-check';
import { CHALLENGE_POLICY, SMS_OTP_MESSAGE_REGEX, SMS_OTP_TEMPLATE, lockoutMs } from '../../src/core/challenge/challenge-policy';

describe('the OTP policy', () => {
  it('when the rules are read, then a code has 6 digits, lives 5 minutes and allows 3 attempts; a phone gets 10 challenges per 15 minutes and 5 wrong codes before a lock-out', () => {
    expect(CHALLENGE_POLICY.digits).toBe(6);
    expect(CHALLENGE_POLICY.ttlMs).toBe(5 * 60_000);
    expect(CHALLENGE_POLICY.ttlMs).toBeLessThanOrEqual(10 * 60_000); // NIST SP 800-63B upper bound
    expect(CHALLENGE_POLICY.maxAttemptsPerChallenge).toBe(3);
    expect(CHALLENGE_POLICY.maxChallengesPerPhone).toBe(10);
    expect(CHALLENGE_POLICY.challengeWindowMs).toBe(15 * 60_000);
    expect(CHALLENGE_POLICY.maxConsecutiveFailuresPerPhone).toBe(5);
  });

  it('when a phone is locked out repeatedly, then the lock-out starts at 30 s and doubles, up to 1 hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(lockoutMs)).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000]);
    expect(lockoutMs(0)).toBe(30_000);
    expect(lockoutMs(100)).toBe(60 * 60_000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), (n) => {
        expect(lockoutMs(n + 1)).toBeGreaterThanOrEqual(lockoutMs(n));
        expect(lockoutMs(n)).toBeLessThanOrEqual(CHALLENGE_POLICY.lockoutMaxMs);
      }),
    );
  });

  it('when any 6-digit code is put in the SMS template, then the announced regex captures exactly that code', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), (n) => {
        const code = String(n).padStart(6, '0');
        const match = new RegExp(SMS_OTP_MESSAGE_REGEX).exec(SMS_OTP_TEMPLATE(code));
        expect(match?.[1]).toBe(code);
        expect(match?.index).toBe(0);
        expect(match?.[0]).toBe(SMS_OTP_TEMPLATE(code));
      }),
    );
  });

  it('when the SMS text is something else, then the regex does not match it', () => {
    expect(new RegExp(SMS_OTP_MESSAGE_REGEX).exec('Your bank balance is 123456. Have a nice day.')).toBeNull();
    expect(new RegExp(SMS_OTP_MESSAGE_REGEX).exec(SMS_OTP_TEMPLATE('12345'))).toBeNull();
  });
});

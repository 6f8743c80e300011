import fc from 'fast-check';
import { CHALLENGE_POLICY, lockoutMs, renderSms, smsRegex } from '../../src/core/challenge/challenge-policy';
import { DEFAULT_SMS_TEMPLATE } from '../../src/core/partner/partner.service';
import { SANDBOX_PARTNERS } from '../../src/core/partner/sandbox-partners';

const GPAY_TEMPLATE = SANDBOX_PARTNERS[0].smsTemplate!;
/** Templates with every character a regex could misread: dots, brackets, dollars, a lender name with them too. */
const TEMPLATES = [GPAY_TEMPLATE, DEFAULT_SMS_TEMPLATE, 'OTP {code} (valid 5 min.) for {lender} [ref: *x+y?] ^$ \\ | done.'];
const LENDER = 'Acme Bank (A.B.C.) $1';

describe('the OTP policy', () => {
  it('when the rules are read, then a code has 6 digits, lives 5 minutes and allows 3 attempts; a phone gets 5 wrong codes before a lock-out', () => {
    expect(CHALLENGE_POLICY.digits).toBe(6);
    expect(CHALLENGE_POLICY.ttlMs).toBe(5 * 60_000);
    expect(CHALLENGE_POLICY.ttlMs).toBeLessThanOrEqual(10 * 60_000); // NIST SP 800-63B upper bound
    expect(CHALLENGE_POLICY.maxAttemptsPerChallenge).toBe(3);
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

  it('when any 6-digit code is put in a partner\'s SMS template, then the announced regex captures exactly that code', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TEMPLATES), fc.integer({ min: 0, max: 999_999 }), (template, n) => {
        const code = String(n).padStart(6, '0');
        const text = renderSms(template, LENDER, code);
        const match = new RegExp(smsRegex(template, LENDER)).exec(text);
        expect(match?.[1]).toBe(code);
        expect(match?.index).toBe(0);
        expect(match?.[0]).toBe(text);
      }),
    );
  });

  it('when the Google Pay sandbox template is used, then the SMS reads exactly as the aggregator expects', () => {
    expect(renderSms(GPAY_TEMPLATE, LENDER, '123456')).toBe(
      '123456 is OTP for your Credit application through Google Pay app. OTPs are SECRET. DO NOT disclose it to anyone. Bank NEVER asks for OTP.',
    );
  });

  it('when the SMS text is something else, then the regex does not match it', () => {
    for (const template of TEMPLATES) {
      const regex = new RegExp(smsRegex(template, LENDER));
      expect(regex.exec('Your bank balance is 123456. Have a nice day.')).toBeNull();
      expect(regex.exec(renderSms(template, LENDER, '12345'))).toBeNull();
      expect(regex.exec(renderSms(template, LENDER, '123456').replace('.', 'X'))).toBeNull();
    }
  });
});

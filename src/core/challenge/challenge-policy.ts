/**
 * The OTP rules, in one place. A normal loan journey sends up to 6 challenges to one phone within minutes. How
 * many challenges a phone may be sent per window is configuration (OTP_PHONE_LIMITS, src/lib/config.ts).
 */
export const CHALLENGE_POLICY = {
  digits: 6,
  /** A code is valid for 5 minutes (NIST SP 800-63B allows at most 10). */
  ttlMs: 5 * 60_000,
  /** Verification attempts per challenge, right or wrong; after that the challenge is dead. */
  maxAttemptsPerChallenge: 3,
  /** Consecutive wrong codes (across challenges) before the phone is locked. */
  maxConsecutiveFailuresPerPhone: 5,
  /** Lock-out: 30 s, doubling with every lock-out of the same phone, at most 1 hour. */
  lockoutBaseMs: 30_000,
  lockoutMaxMs: 60 * 60_000,
} as const;

/** The journey step a challenge is for; a code is valid only for the step it was issued for. */
export enum ChallengeContext {
  USER_APPROVAL = 'USER_APPROVAL',
  SUBMIT_APPLICATION = 'SUBMIT_APPLICATION',
  OFFER_ACTIVATION = 'OFFER_ACTIVATION',
  USER_DETAILS = 'USER_DETAILS',
  CARD_DETAILS = 'CARD_DETAILS',
  /** The borrower accepts the loan agreement (OCEN loan acceptance); bound to its application. */
  LOAN_ACCEPTANCE = 'LOAN_ACCEPTANCE',
}

/**
 * Steps whose SMS text is fixed by the network rather than the partner's template. LOAN_ACCEPTANCE is OCEN 4.0's
 * format (triggerLoanAcceptanceRequest): `{code} is the One Time Password (OTP) to complete the loan process with
 * {lender}. {appToken}`, the loan agent's app token last so that its app can read the code (Android SMS Retriever).
 */
export const CONTEXT_SMS_TEMPLATES: Partial<Record<ChallengeContext, string>> = {
  [ChallengeContext.LOAN_ACCEPTANCE]: '{code} is the One Time Password (OTP) to complete the loan process with {lender}. {appToken}',
};

/** What an app token (appended to an SMS) may be: short, printable, no spaces. */
export const APP_TOKEN_PATTERN = /^[A-Za-z0-9#+/=_.-]{1,32}$/;

/**
 * The SMS text for a code and the regex that reads the code back out of it (announced to the partner's app
 * with each challenge). `{code}` is the OTP and `{lender}` this bank's name; the rest of the template is
 * matched literally.
 */
export function renderSms(template: string, lenderName: string, code: string, appToken?: string | null): string {
  return withAppToken(template, appToken).split('{lender}').join(lenderName).replace('{code}', code);
}

export function smsRegex(template: string, lenderName: string, appToken?: string | null): string {
  const literal = withAppToken(template, appToken).split('{lender}').join(lenderName).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return literal.replace('\\{code\\}', `(\\d{${CHALLENGE_POLICY.digits}})`);
}

/** `{appToken}` replaced by the token, or dropped with the space before it when there is none. */
function withAppToken(template: string, appToken: string | null | undefined): string {
  return appToken ? template.split('{appToken}').join(appToken) : template.split(' {appToken}').join('').split('{appToken}').join('');
}

export function lockoutMs(lockouts: number): number {
  return Math.min(CHALLENGE_POLICY.lockoutBaseMs * 2 ** Math.max(0, lockouts - 1), CHALLENGE_POLICY.lockoutMaxMs);
}

/** Every distinct lock-out duration, from the first lock-out of a phone to the cap. */
export function lockoutSchedule(): number[] {
  const schedule = [lockoutMs(1)];
  while (schedule[schedule.length - 1] < CHALLENGE_POLICY.lockoutMaxMs) schedule.push(lockoutMs(schedule.length + 1));
  return schedule;
}

import { generateSecret } from 'otplib';
import { hotp } from '../../lib/otp-crypto';
import { AppError, AppErrorCode, notFound } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { Sealer, randomToken, safeEqual } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { RateLimit } from '../../lib/rate-limiter';
import { IdentityHasher, PhoneNumber, msisdn } from '../shared/identity';
import { Partner } from '../partner/partner';
import { DEFAULT_SMS_TEMPLATE, PartnerService } from '../partner/partner.service';
import { SmsSender } from './sms-sender';
import { ChallengeRepository } from './challenge.repository';
import { APP_TOKEN_PATTERN, CHALLENGE_POLICY, CONTEXT_SMS_TEMPLATES, ChallengeContext, lockoutSchedule, renderSms, smsRegex } from './challenge-policy';
import { deliverChallengeJob } from './deliver-challenge.job';
import { Metrics, noMetrics } from '../../lib/metrics/metrics';

export interface IssuedChallenge {
  tokenReferenceId: string;
  length: number;
  messageRegex: string;
  expiresAt: Date;
}

export interface ChallengeProof {
  tokenReferenceId: string;
  /** The code the user typed. */
  code: string | undefined;
  phone: PhoneNumber;
  context: ChallengeContext;
  /** The application whose step consumes the challenge; must be the one it was issued for, if it was bound to one. */
  subject?: string;
}

/** What binds a challenge to one application's step, and what its SMS carries besides the code. */
export interface ChallengeOptions {
  /** The application the challenge is for: only a proof naming it may consume the challenge. */
  subject?: string;
  /** Appended to the SMS of a context whose template has `{appToken}` (CONTEXT_SMS_TEMPLATES); see APP_TOKEN_PATTERN. */
  appToken?: string;
}

/** lockoutMs(1), lockoutMs(2), … up to the cap; the database repeats the last entry. */
const LOCKOUT_SCHEDULE_MS = lockoutSchedule();

/** Where challenges are kept: the challenge rows (codes sealed) and the outbox of their SMS, in one transaction. */
export interface ChallengeRecords {
  uow: UnitOfWork;
  challenges: ChallengeRepository;
  outbox: Outbox;
  sealer: Sealer;
}

/** How a challenge reaches the borrower: the partner's SMS text, the SMS port, the bank's name, and the per-phone limit. */
export interface ChallengeDelivery {
  partners: PartnerService;
  sms: SmsSender;
  lenderName: string;
  /**
   * How many challenges one phone may be sent per window, keyed by the phone's keyed hash: counted across
   * partners and API processes, failing closed (no challenge is issued while it cannot be counted).
   */
  issueLimit: RateLimit;
}

/**
 * SMS OTP challenges. Each challenge has its own random HOTP secret (otplib, counter 0), stored only
 * encrypted; the code is derived again when the SMS is sent and when it is verified, so no code is stored.
 * The SMS text is the partner's template, or the step's own (CONTEXT_SMS_TEMPLATES).
 */
export class ChallengeService {
  constructor(
    private readonly records: ChallengeRecords,
    private readonly delivery: ChallengeDelivery,
    private readonly identity: IdentityHasher,
    private readonly clock: Clock,
    /** OTP sends and refused verifications are counted here. */
    private readonly metrics: Metrics = noMetrics,
  ) {}


  /**
   * Issues a challenge and stages its SMS. The phone's issue limit is taken (atomically, so parallel requests
   * cannot exceed it) while its lock-out is read; a refused challenge leaves nothing behind (no row, no SMS),
   * and one whose transaction rolls back (an idempotent replay, a failure, a locked phone) is given back, so
   * only issued challenges count.
   */
  async initiate(partner: Partner, phone: PhoneNumber, context: ChallengeContext, options: ChallengeOptions = {}): Promise<IssuedChallenge> {
    const phoneHash = this.identity.phone(phone);
    const appToken = options.appToken || undefined;
    if (appToken !== undefined && !APP_TOKEN_PATTERN.test(appToken)) throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, 'The app token must be 1-32 characters of A-Z, a-z, 0-9 and #+/=_.-');
    return this.records.uow.transaction(async () => {
      const now = this.clock.now();
      const taking = this.delivery.issueLimit.take(phoneHash);
      this.records.uow.onRollback(() => void taking.then((wait) => (wait === 0 ? this.delivery.issueLimit.giveBack(phoneHash) : undefined)).catch(() => undefined));
      const [guard, retryAfterSeconds] = await Promise.all([this.records.challenges.guard(phoneHash), taking]);
      if (guard?.lockedUntil && guard.lockedUntil > now) throw phoneLocked(guard.lockedUntil, now);
      if (retryAfterSeconds > 0) throw rateLimited('Too many OTP challenges for this phone number', retryAfterSeconds * 1000);
      const id = `otp_${randomToken(18)}`;
      const expiresAt = new Date(now.getTime() + CHALLENGE_POLICY.ttlMs);
      await this.records.challenges.create({
        id,
        partnerId: partner.id,
        phoneHash,
        phoneCiphertext: this.records.sealer.seal(msisdn(phone), `otp-phone:${id}`),
        context,
        secretCiphertext: this.records.sealer.seal(generateSecret({ length: 20 }), `otp-secret:${id}`),
        expiresAt,
        maxAttempts: CHALLENGE_POLICY.maxAttemptsPerChallenge,
        createdAt: now,
        subject: options.subject ?? null,
        appToken: appToken ?? null,
      });
      await this.records.outbox.stage(deliverChallengeJob, { challengeId: id });
      return { tokenReferenceId: id, length: CHALLENGE_POLICY.digits, messageRegex: smsRegex(this.templateOf(partner, context), this.delivery.lenderName, appToken), expiresAt };
    });
  }

  /** Worker step: sends the SMS (no transaction open). A challenge that is used or expired by then is not sent. */
  async deliver(challengeId: string, messageId: string): Promise<void> {
    const challenge = await this.records.challenges.byId(challengeId);
    if (!challenge || challenge.consumedAt || challenge.expiresAt <= this.clock.now()) return;
    const partner = await this.delivery.partners.get(challenge.partnerId);
    const to = this.records.sealer.open(challenge.phoneCiphertext, `otp-phone:${challenge.id}`);
    const text = renderSms(this.templateOf(partner, challenge.context as ChallengeContext), this.delivery.lenderName, this.codeOf(challenge), challenge.appToken);
    await this.delivery.sms.send({ to, text, messageId });
    this.metrics.otpSent(challenge.context);
  }

  /**
   * Verifies and consumes a challenge inside the caller's transaction. Every attempt is counted under the
   * phone's guard row lock, so parallel guesses can exceed neither the per-challenge cap nor the per-phone
   * lock-out. A wrong code is judged at once and committed on its own: a wrong guess is never rolled back. A
   * right code is counted and consumed together with the business action (pipelined, in its transaction): if
   * the action fails, the code stays usable; if the phone is locked or the challenge used up meanwhile, the
   * action fails with that refusal.
   * `precondition` (the caller's own refusal, such as a duplicate) is checked before anything is counted.
   */
  async verifyAndConsume(partnerId: string, proof: ChallengeProof, consumer: string, precondition?: () => Promise<void>): Promise<void> {
    const phoneHash = this.identity.phone(proof.phone);
    const now = this.clock.now();
    const challenge = await this.records.challenges.byId(proof.tokenReferenceId);
    await precondition?.();
    if (!challenge || challenge.partnerId !== partnerId) throw notFound('challenge tokenReferenceId', 'challengeReference');
    if (!safeEqual(challenge.phoneHash, phoneHash) || challenge.context !== proof.context || (challenge.subject ?? undefined) !== proof.subject) {
      throw new AppError(AppErrorCode.CHALLENGE_CONTEXT_MISMATCH, 'The challenge was issued for another phone number or journey step');
    }
    if (challenge.consumedAt) throw alreadyUsed();
    if (challenge.expiresAt <= now) {
      this.metrics.otpVerificationFailed('expired');
      throw new AppError(AppErrorCode.CHALLENGE_EXPIRED, 'The challenge has expired; initiate a new one');
    }
    const code = proof.code;
    if (code === undefined) throw new AppError(AppErrorCode.MISSING_REQUIRED_FIELD, 'An SMS OTP code is required', ['challengeCode']);

    if (safeEqual(this.codeOf(challenge), code)) {
      // Judged here too, so that the caller's transaction is not left to fail at its end (the database judges it again under the lock).
      if (challenge.attempts >= challenge.maxAttempts) throw attemptsExhausted();
      await this.records.challenges.useMatched({ phoneHash, challengeId: challenge.id, consumer, now }, (refusal) => {
        if (refusal.kind === 'LOCKED') return phoneLocked(refusal.lockedUntil, now);
        return refusal.kind === 'EXHAUSTED' ? attemptsExhausted() : alreadyUsed();
      });
      return;
    }
    const verdict = await this.records.challenges.countFailedAttempt({
      phoneHash,
      challengeId: challenge.id,
      now,
      maxConsecutiveFailures: CHALLENGE_POLICY.maxConsecutiveFailuresPerPhone,
      lockoutScheduleMs: LOCKOUT_SCHEDULE_MS,
    });
    this.metrics.otpVerificationFailed(verdict.kind.toLowerCase());
    switch (verdict.kind) {
      case 'LOCKED':
        throw phoneLocked(verdict.lockedUntil, now);
      case 'EXHAUSTED':
        throw attemptsExhausted();
      case 'MISMATCH': {
        const remaining = Math.max(0, challenge.maxAttempts - verdict.attempts);
        throw new AppError(AppErrorCode.CHALLENGE_INVALID, `The OTP does not match; ${remaining} attempt(s) left for this challenge`, ['challengeCode'], {
          attemptsRemaining: remaining,
        });
      }
    }
  }

  /**
   * Whether a challenge of `context` bound to `subject` could still be used: issued, not consumed, not expired,
   * attempts left. For telling a step in progress (OCEN's LOAN_AGREEMENT_INITIATED); a read, nothing is counted.
   */
  async outstanding(subject: string, context: ChallengeContext): Promise<boolean> {
    return this.records.challenges.anyUsable(subject, context, this.clock.now());
  }

  private templateOf(partner: Partner, context: ChallengeContext): string {
    return CONTEXT_SMS_TEMPLATES[context] ?? partner.smsTemplate ?? DEFAULT_SMS_TEMPLATE;
  }

  private codeOf(challenge: { id: string; secretCiphertext: string }): string {
    const secret = this.records.sealer.open(challenge.secretCiphertext, `otp-secret:${challenge.id}`);
    return hotp(secret, 0, CHALLENGE_POLICY.digits);
  }
}

const alreadyUsed = () => new AppError(AppErrorCode.CHALLENGE_ALREADY_USED, 'The challenge was already used');
const attemptsExhausted = () => new AppError(AppErrorCode.CHALLENGE_ATTEMPTS_EXHAUSTED, 'Too many attempts for this challenge; initiate a new one');
const phoneLocked = (lockedUntil: Date, now: Date) => rateLimited('Too many wrong OTPs for this phone number', lockedUntil.getTime() - now.getTime());

function rateLimited(message: string, retryAfterMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(AppErrorCode.CHALLENGE_RATE_LIMITED, `${message}; retry after ${retryAfterSeconds} s`, [], { retryAfterSeconds });
}

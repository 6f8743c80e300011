import { PrismaClient } from '../../generated/prisma/client';
import { generateSecret, generateSync } from 'otplib';
import { AppError, AppErrorCode, notFound } from '../errors';
import { Database } from '../../lib/db/database';
import { Sealer, randomToken, safeEqual } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { IdentityHasher, PhoneNumber, msisdn } from '../shared/identity';
import { SmsSender } from './sms-sender';
import { CHALLENGE_POLICY, ChallengeContext, SMS_OTP_MESSAGE_REGEX, SMS_OTP_TEMPLATE, lockoutMs } from './challenge-policy';

export const CHALLENGE_DELIVERY_TOPIC = 'challenge.deliver';

export interface IssuedChallenge {
  tokenReferenceId: string;
  length: number;
  messageRegex: string;
  expiresAt: Date;
}

export interface ChallengeProof {
  tokenReferenceId: string;
  /** The code the user typed (the SMS_OTP token). */
  code: string | undefined;
  phone: PhoneNumber;
  context: ChallengeContext;
}

/**
 * SMS OTP challenges. Each challenge has its own random HOTP secret (otplib, counter 0), stored only
 * encrypted; the code is derived again when the SMS is sent and when it is verified, so no code is stored.
 */
export class ChallengeService {
  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
    private readonly sealer: Sealer,
    private readonly identity: IdentityHasher,
    private readonly sms: SmsSender,
    private readonly clock: Clock,
  ) {}

  /**
   * Issues a challenge and stages its SMS. Challenges of one phone are issued one at a time (a per-phone
   * advisory lock held to commit), so parallel requests cannot exceed the per-phone cap.
   */
  async initiate(phone: PhoneNumber, context: ChallengeContext): Promise<IssuedChallenge> {
    const phoneHash = this.identity.phone(phone);
    return this.db.transaction(async () => {
      await this.db.client.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`otp-issue:${phoneHash}`}, 0))::text`;
      const now = this.clock.now();
      await this.assertPhoneNotLocked(phoneHash, now);
      const windowStart = new Date(now.getTime() - CHALLENGE_POLICY.challengeWindowMs);
      const recent = await this.db.client.otpChallenge.findMany({
        where: { phoneHash, createdAt: { gte: windowStart } },
        orderBy: { createdAt: 'asc' },
        select: { createdAt: true },
      });
      if (recent.length >= CHALLENGE_POLICY.maxChallengesPerPhone) {
        const retryAt = recent[0].createdAt.getTime() + CHALLENGE_POLICY.challengeWindowMs;
        throw rateLimited('Too many OTP challenges for this phone number', retryAt - now.getTime());
      }
      const id = `otp_${randomToken(18)}`;
      const expiresAt = new Date(now.getTime() + CHALLENGE_POLICY.ttlMs);
      await this.db.client.otpChallenge.create({
        data: {
          id,
          phoneHash,
          phoneCiphertext: this.sealer.seal(msisdn(phone), `otp-phone:${id}`),
          context,
          secretCiphertext: this.sealer.seal(generateSecret({ length: 20 }), `otp-secret:${id}`),
          expiresAt,
          maxAttempts: CHALLENGE_POLICY.maxAttemptsPerChallenge,
          createdAt: now,
        },
      });
      await this.outbox.stage(CHALLENGE_DELIVERY_TOPIC, { challengeId: id });
      return { tokenReferenceId: id, length: CHALLENGE_POLICY.digits, messageRegex: SMS_OTP_MESSAGE_REGEX, expiresAt };
    });
  }

  /** Worker step: sends the SMS. A challenge that is used or expired by then is not sent. */
  async deliver(challengeId: string, messageId: string): Promise<void> {
    const challenge = await this.db.client.otpChallenge.findUnique({ where: { id: challengeId } });
    if (!challenge || challenge.consumedAt || challenge.expiresAt <= this.clock.now()) return;
    const to = this.sealer.open(challenge.phoneCiphertext, `otp-phone:${challenge.id}`);
    await this.sms.send({ to, text: SMS_OTP_TEMPLATE(this.codeOf(challenge)), messageId });
  }

  /**
   * Verifies and consumes a challenge inside the caller's transaction: the consumption commits with the
   * business action or not at all. The attempt is judged first in a transaction of its own that locks the
   * phone's guard row: one phone's codes are compared one at a time, a wrong guess is never rolled back,
   * and parallel guesses can exceed neither the per-challenge cap nor the per-phone lock-out.
   */
  async verifyAndConsume(proof: ChallengeProof, consumer: string): Promise<void> {
    const phoneHash = this.identity.phone(proof.phone);
    const now = this.clock.now();
    const challenge = await this.db.client.otpChallenge.findUnique({ where: { id: proof.tokenReferenceId } });
    if (!challenge) throw notFound('challenge tokenReferenceId');
    if (!safeEqual(challenge.phoneHash, phoneHash) || challenge.context !== proof.context) {
      throw new AppError(AppErrorCode.CHALLENGE_CONTEXT_MISMATCH, 'The challenge was issued for another phone number or journey step');
    }
    if (challenge.consumedAt) throw new AppError(AppErrorCode.CHALLENGE_ALREADY_USED, 'The challenge was already used');
    if (challenge.expiresAt <= now) throw new AppError(AppErrorCode.CHALLENGE_EXPIRED, 'The challenge has expired; initiate a new one');
    const code = proof.code;
    if (code === undefined) {
      throw new AppError(AppErrorCode.MISSING_REQUIRED_FIELD, 'An SMS_OTP token is required', ['data.challenge.tokens']);
    }

    const verdict = await this.db.detached((client) => this.judgeAttempt(client, challenge, phoneHash, code, now));
    switch (verdict.kind) {
      case 'locked':
        throw rateLimited('Too many wrong OTPs for this phone number', verdict.retryAfterMs);
      case 'exhausted':
        throw new AppError(AppErrorCode.CHALLENGE_ATTEMPTS_EXHAUSTED, 'Too many attempts for this challenge; initiate a new one');
      case 'mismatch':
        throw new AppError(AppErrorCode.CHALLENGE_INVALID, `The OTP does not match; ${verdict.remaining} attempt(s) left for this challenge`, [
          'data.challenge.tokens',
        ], { attemptsRemaining: verdict.remaining });
    }

    const consumed = await this.db.client.otpChallenge.updateMany({
      where: { id: challenge.id, consumedAt: null },
      data: { consumedAt: now, consumedBy: consumer },
    });
    if (consumed.count !== 1) throw new AppError(AppErrorCode.CHALLENGE_ALREADY_USED, 'The challenge was already used');
  }

  /** One attempt, under the phone's guard-row lock: lock-out check, attempt claim, comparison, failure count. */
  private judgeAttempt(
    client: PrismaClient,
    challenge: { id: string; maxAttempts: number; secretCiphertext: string },
    phoneHash: string,
    code: string,
    now: Date,
  ): Promise<{ kind: 'match' } | { kind: 'mismatch'; remaining: number } | { kind: 'exhausted' } | { kind: 'locked'; retryAfterMs: number }> {
    return client.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO otp_phone_guard (phone_hash, consecutive_failures, lockouts, updated_at)
        VALUES (${phoneHash}, 0, 0, now()) ON CONFLICT (phone_hash) DO NOTHING`;
      const [guard] = await tx.$queryRaw<Array<{ consecutive_failures: number; lockouts: number; locked_until: Date | null }>>`
        SELECT consecutive_failures, lockouts, locked_until FROM otp_phone_guard WHERE phone_hash = ${phoneHash} FOR UPDATE`;
      if (guard.locked_until && guard.locked_until > now) return { kind: 'locked', retryAfterMs: guard.locked_until.getTime() - now.getTime() };
      const [claimed] = await tx.$queryRaw<Array<{ attempts: number }>>`
        UPDATE otp_challenge SET attempts = attempts + 1
        WHERE id = ${challenge.id} AND consumed_at IS NULL AND attempts < max_attempts RETURNING attempts`;
      if (!claimed) return { kind: 'exhausted' };
      if (safeEqual(this.codeOf(challenge), code)) {
        await tx.otpPhoneGuard.update({ where: { phoneHash }, data: { consecutiveFailures: 0 } });
        return { kind: 'match' };
      }
      const failures = guard.consecutive_failures + 1;
      const lockedOut = failures >= CHALLENGE_POLICY.maxConsecutiveFailuresPerPhone;
      await tx.otpPhoneGuard.update({
        where: { phoneHash },
        data: lockedOut
          ? { consecutiveFailures: 0, lockouts: guard.lockouts + 1, lockedUntil: new Date(now.getTime() + lockoutMs(guard.lockouts + 1)) }
          : { consecutiveFailures: failures },
      });
      return { kind: 'mismatch', remaining: Math.max(0, challenge.maxAttempts - claimed.attempts) };
    });
  }

  private codeOf(challenge: { id: string; secretCiphertext: string }): string {
    const secret = this.sealer.open(challenge.secretCiphertext, `otp-secret:${challenge.id}`);
    return generateSync({ strategy: 'hotp', secret, counter: 0, digits: CHALLENGE_POLICY.digits });
  }

  private async assertPhoneNotLocked(phoneHash: string, now: Date): Promise<void> {
    const guard = await this.db.client.otpPhoneGuard.findUnique({ where: { phoneHash } });
    if (guard?.lockedUntil && guard.lockedUntil > now) {
      throw rateLimited('Too many wrong OTPs for this phone number', guard.lockedUntil.getTime() - now.getTime());
    }
  }
}

function rateLimited(message: string, retryAfterMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(AppErrorCode.CHALLENGE_RATE_LIMITED, `${message}; retry after ${retryAfterSeconds} s`, [], { retryAfterSeconds });
}

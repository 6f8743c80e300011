import { PrismaClient } from '@prisma/client';
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

  async initiate(phone: PhoneNumber, context: ChallengeContext): Promise<IssuedChallenge> {
    const phoneHash = this.identity.phone(phone);
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
    await this.db.transaction(async () => {
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
    });
    return { tokenReferenceId: id, length: CHALLENGE_POLICY.digits, messageRegex: SMS_OTP_MESSAGE_REGEX, expiresAt };
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
   * business action or not at all. The attempt itself is counted outside that transaction first, so a wrong
   * guess is never rolled back and parallel guesses cannot exceed the per-challenge cap.
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
    if (proof.code === undefined) {
      throw new AppError(AppErrorCode.MISSING_REQUIRED_FIELD, 'An SMS_OTP token is required', ['data.challenge.tokens']);
    }
    await this.assertPhoneNotLocked(phoneHash, now);

    const claimed = await this.db.detached((client) =>
      client.otpChallenge.updateMany({
        where: { id: challenge.id, consumedAt: null, attempts: { lt: challenge.maxAttempts } },
        data: { attempts: { increment: 1 } },
      }),
    );
    if (claimed.count === 0) {
      throw new AppError(AppErrorCode.CHALLENGE_ATTEMPTS_EXHAUSTED, 'Too many attempts for this challenge; initiate a new one');
    }

    if (!safeEqual(this.codeOf(challenge), proof.code)) {
      const fresh = await this.db.detached(async (client) => {
        await this.recordFailure(client, phoneHash, now);
        return client.otpChallenge.findUnique({ where: { id: challenge.id }, select: { attempts: true } });
      });
      const remaining = Math.max(0, challenge.maxAttempts - (fresh?.attempts ?? challenge.maxAttempts));
      throw new AppError(AppErrorCode.CHALLENGE_INVALID, `The OTP does not match; ${remaining} attempt(s) left for this challenge`, [
        'data.challenge.tokens',
      ], { attemptsRemaining: remaining });
    }

    const consumed = await this.db.client.otpChallenge.updateMany({
      where: { id: challenge.id, consumedAt: null },
      data: { consumedAt: now, consumedBy: consumer },
    });
    if (consumed.count !== 1) throw new AppError(AppErrorCode.CHALLENGE_ALREADY_USED, 'The challenge was already used');
    await this.db.client.otpPhoneGuard.updateMany({ where: { phoneHash }, data: { consecutiveFailures: 0 } });
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

  private async recordFailure(client: PrismaClient, phoneHash: string, now: Date): Promise<void> {
    await client.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO otp_phone_guard (phone_hash, consecutive_failures, lockouts, updated_at)
        VALUES (${phoneHash}, 0, 0, now()) ON CONFLICT (phone_hash) DO NOTHING`;
      const [guard] = await tx.$queryRaw<Array<{ consecutive_failures: number; lockouts: number }>>`
        UPDATE otp_phone_guard SET consecutive_failures = consecutive_failures + 1, updated_at = now()
        WHERE phone_hash = ${phoneHash} RETURNING consecutive_failures, lockouts`;
      if (guard.consecutive_failures >= CHALLENGE_POLICY.maxConsecutiveFailuresPerPhone) {
        const lockouts = guard.lockouts + 1;
        await tx.otpPhoneGuard.update({
          where: { phoneHash },
          data: { consecutiveFailures: 0, lockouts, lockedUntil: new Date(now.getTime() + lockoutMs(lockouts)) },
        });
      }
    });
  }
}

function rateLimited(message: string, retryAfterMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(AppErrorCode.CHALLENGE_RATE_LIMITED, `${message}; retry after ${retryAfterSeconds} s`, [], { retryAfterSeconds });
}

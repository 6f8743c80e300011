import { Database, Tx } from '../../lib/db/database';

export interface StoredChallenge {
  id: string;
  partnerId: string;
  phoneHash: string;
  phoneCiphertext: string;
  context: string;
  secretCiphertext: string;
  expiresAt: Date;
  attempts: number;
  maxAttempts: number;
  consumedAt: Date | null;
}

export interface PhoneGuard {
  consecutiveFailures: number;
  lockouts: number;
  lockedUntil: Date | null;
}

/** What an attempt may do while it holds the phone's guard row. */
export interface GuardedAttempt {
  guard: PhoneGuard;
  /** Claims one attempt of the challenge; its new count, or null when none is left (or it was consumed). */
  claimAttempt(challengeId: string): Promise<number | null>;
  updateGuard(changes: Partial<PhoneGuard>): Promise<void>;
}

export class ChallengeRepository {
  constructor(private readonly db: Database) {}

  /** Serialises challenge issuing for one phone until the caller's transaction ends. */
  async lockPhoneForIssue(phoneHash: string): Promise<void> {
    await this.db.client.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`otp-issue:${phoneHash}`}, 0))::text`;
  }

  async issuedSince(phoneHash: string, since: Date): Promise<Date[]> {
    const rows = await this.db.client.otpChallenge.findMany({
      where: { phoneHash, createdAt: { gte: since } },
      orderBy: { createdAt: 'asc' },
      select: { createdAt: true },
    });
    return rows.map((row) => row.createdAt);
  }

  async create(challenge: Omit<StoredChallenge, 'attempts' | 'consumedAt'> & { createdAt: Date }): Promise<void> {
    await this.db.client.otpChallenge.create({ data: challenge });
  }

  async byId(id: string): Promise<StoredChallenge | null> {
    return this.db.client.otpChallenge.findUnique({
      where: { id },
      select: { id: true, partnerId: true, phoneHash: true, phoneCiphertext: true, context: true, secretCiphertext: true, expiresAt: true, attempts: true, maxAttempts: true, consumedAt: true },
    });
  }

  async guard(phoneHash: string): Promise<PhoneGuard | null> {
    return this.db.client.otpPhoneGuard.findUnique({ where: { phoneHash }, select: { consecutiveFailures: true, lockouts: true, lockedUntil: true } });
  }

  /**
   * Runs `fn` holding the phone's guard row lock, in a transaction of its own on the detached pool: it
   * commits whatever the caller's transaction does, so a wrong guess is never rolled back.
   */
  withPhoneGuard<T>(phoneHash: string, fn: (attempt: GuardedAttempt) => Promise<T>): Promise<T> {
    return this.db.detached((client) =>
      client.$transaction(async (tx: Tx) => {
        await tx.$executeRaw`INSERT INTO otp_phone_guard (phone_hash, consecutive_failures, lockouts, updated_at)
          VALUES (${phoneHash}, 0, 0, now()) ON CONFLICT (phone_hash) DO NOTHING`;
        const [row] = await tx.$queryRaw<Array<{ consecutive_failures: number; lockouts: number; locked_until: Date | null }>>`
          SELECT consecutive_failures, lockouts, locked_until FROM otp_phone_guard WHERE phone_hash = ${phoneHash} FOR UPDATE`;
        return fn({
          guard: { consecutiveFailures: row.consecutive_failures, lockouts: row.lockouts, lockedUntil: row.locked_until },
          claimAttempt: async (challengeId) => {
            const [claimed] = await tx.$queryRaw<Array<{ attempts: number }>>`
              UPDATE otp_challenge SET attempts = attempts + 1
              WHERE id = ${challengeId} AND consumed_at IS NULL AND attempts < max_attempts RETURNING attempts`;
            return claimed ? claimed.attempts : null;
          },
          updateGuard: async (changes) => {
            await tx.otpPhoneGuard.update({ where: { phoneHash }, data: changes });
          },
        });
      }),
    );
  }

  /** Consumes the challenge in the caller's transaction; false when it was consumed already. */
  async consume(id: string, consumer: string, at: Date): Promise<boolean> {
    const { count } = await this.db.client.otpChallenge.updateMany({ where: { id, consumedAt: null }, data: { consumedAt: at, consumedBy: consumer } });
    return count === 1;
  }
}

import { Database, sqlStateOf } from '../../lib/db/database';
import { Table } from '../../lib/db/table';

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
  /** The application the challenge is bound to (see ChallengeOptions), or null. */
  subject: string | null;
  appToken: string | null;
}

export interface PhoneGuard {
  consecutiveFailures: number;
  lockouts: number;
  lockedUntil: Date | null;
}

/** A wrong code to count (a right one goes through `useMatched`). */
export interface FailedAttempt {
  phoneHash: string;
  challengeId: string;
  now: Date;
  maxConsecutiveFailures: number;
  /** The lock-out for the phone's 1st, 2nd, … lock-out; the last entry repeats. */
  lockoutScheduleMs: number[];
}

export type MatchedRefusal = { kind: 'CONSUMED' } | { kind: 'EXHAUSTED' } | { kind: 'LOCKED'; lockedUntil: Date };

export type FailedAttemptVerdict = { kind: 'LOCKED'; lockedUntil: Date } | { kind: 'EXHAUSTED' } | { kind: 'MISMATCH'; attempts: number };

const CHALLENGE = new Table<StoredChallenge & { createdAt: Date; consumedBy: string | null }>('otp_challenge', {
  id: 'id',
  partnerId: 'partner_id',
  phoneHash: 'phone_hash',
  phoneCiphertext: 'phone_ciphertext',
  context: 'context',
  secretCiphertext: 'secret_ciphertext',
  expiresAt: 'expires_at',
  attempts: 'attempts',
  maxAttempts: 'max_attempts',
  consumedAt: 'consumed_at',
  consumedBy: 'consumed_by',
  createdAt: 'created_at',
  subject: 'subject',
  appToken: 'app_token',
});

const GUARD_COLUMNS = `consecutive_failures AS "consecutiveFailures", lockouts, locked_until AS "lockedUntil"`;

/** OTP challenges and the per-phone guard rows; every statement is a hand-written prepared one (the OTP check is on the hot path). */
export class ChallengeRepository {
  constructor(private readonly db: Database) {}

  async create(challenge: Omit<StoredChallenge, 'attempts' | 'consumedAt'> & { createdAt: Date }): Promise<void> {
    const { sql, values } = CHALLENGE.insert(challenge);
    await this.db.write(sql, values);
  }

  async byId(id: string): Promise<StoredChallenge | null> {
    const [row] = await this.db.query<StoredChallenge>(`SELECT ${CHALLENGE.selectList()} FROM otp_challenge WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** Whether a challenge of `context` bound to `subject` is issued and still usable at `now`. */
  async anyUsable(subject: string, context: string, now: Date): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM otp_challenge WHERE subject = $1 AND context = $2 AND consumed_at IS NULL AND expires_at > $3 AND attempts < max_attempts LIMIT 1`,
      [subject, context, now],
    );
    return rows.length > 0;
  }

  async guard(phoneHash: string): Promise<PhoneGuard | null> {
    const [row] = await this.db.query<PhoneGuard>(`SELECT ${GUARD_COLUMNS} FROM otp_phone_guard WHERE phone_hash = $1`, [phoneHash]);
    return row ?? null;
  }

  /**
   * A wrong code, counted atomically by the database function `otp_attempt` (see its migration) in a
   * statement that commits on its own, whatever the caller's transaction does: a wrong guess is never rolled
   * back, and one phone's attempts are counted one at a time.
   */
  async countFailedAttempt(attempt: FailedAttempt): Promise<FailedAttemptVerdict> {
    const [row] = await this.db.independentQuery<{ verdict: FailedAttemptVerdict['kind']; attempts: number | null; lockedUntil: Date | null }>(
      `SELECT verdict, attempts, locked_until AS "lockedUntil" FROM otp_attempt($1, $2, $3, $4, $5::bigint[])`,
      [attempt.phoneHash, attempt.challengeId, attempt.now, attempt.maxConsecutiveFailures, attempt.lockoutScheduleMs],
    );
    switch (row.verdict) {
      case 'LOCKED':
        return { kind: 'LOCKED', lockedUntil: row.lockedUntil! };
      case 'EXHAUSTED':
        return { kind: 'EXHAUSTED' };
      case 'MISMATCH':
        return { kind: 'MISMATCH', attempts: row.attempts! };
    }
  }

  /**
   * A matched code, counted with the action it authorises (database function `otp_use_matched`): in the
   * caller's transaction, pipelined, it claims an attempt and consumes the challenge under the phone's guard
   * row lock. A refusal fails the transaction with the error `refused` makes of it.
   */
  async useMatched(attempt: { phoneHash: string; challengeId: string; consumer: string; now: Date }, refused: (refusal: MatchedRefusal) => Error): Promise<void> {
    await this.db.write(
      `SELECT otp_use_matched($1, $2, $3, $4)`,
      [attempt.phoneHash, attempt.challengeId, attempt.consumer, attempt.now],
      (err) => {
        const detail = (err as { detail?: string }).detail;
        switch (sqlStateOf(err)) {
          case 'CP001':
            return refused({ kind: 'CONSUMED' });
          case 'CP003':
            return refused({ kind: 'LOCKED', lockedUntil: new Date(detail ?? attempt.now) });
          case 'CP004':
            return refused({ kind: 'EXHAUSTED' });
          default:
            return err;
        }
      },
    );
  }
}


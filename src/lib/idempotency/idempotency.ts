import { createHash } from 'node:crypto';
import { Sealer } from '../crypto';
import { UnitOfWork } from '../db/database';
import { IdempotencyKey, IdempotencyRepository } from './idempotency.repository';

/** The request id was used before for a different request (another body or operation). */
export class IdempotencyConflictError extends Error {
  constructor(readonly requestId: string) {
    super(`requestId ${requestId} was already used for a different request`);
    this.name = 'IdempotencyConflictError';
  }
}

/** Ends the transaction of a request whose key was taken, so that whatever it did speculatively rolls back. */
class KeyTaken extends Error {}

/**
 * Request-level idempotency for write operations, whatever the protocol: the protocol supplies the key
 * (partner, request id), a fingerprint of what makes two requests the same, and the function that does
 * the work and renders the answer. The claim, the work and the stored answer commit in ONE transaction:
 * a retry replays the stored answer byte for byte, a concurrent duplicate waits and then replays, a
 * different request under the same key is an IdempotencyConflictError, and a failed request leaves
 * nothing behind, so its retry is processed afresh. Reads are not recorded: they change nothing.
 *
 * The work starts without waiting for the claim's answer, so its first statements leave with the claim in
 * one write. That is safe because all of it is in the transaction, which is rolled back when the key turns
 * out to be taken: the only effect that outlives a rollback, an OTP attempt, comes after the challenge
 * look-up, and a taken key means the earlier request succeeded and consumed its challenge, so the attempt
 * is refused before it is counted.
 *
 * Answers hold tokens and personal data, so they are stored only sealed (AES-256-GCM), bound to their key
 * (partner and request id): a stored answer cannot be read without the data key, nor replayed under another
 * key. Sealing is the one cost a write adds; a replay opens the answer and returns it byte for byte.
 */
export class Idempotency {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly records: IdempotencyRepository,
    private readonly sealer: Sealer,
  ) {}

  async once(key: IdempotencyKey, operation: string, fingerprint: string, produce: (claimed: Promise<boolean>) => Promise<string>): Promise<string> {
    return (await this.run(key, operation, fingerprint, produce)).answer;
  }

  /**
   * As {@link once}, also telling whether the answer is a replay of an earlier request's (its work was not done
   * again). `produce` is handed whether the key was claimed (false: a duplicate, whose work will be rolled back
   * and the earlier answer replayed): work with an effect that outlives a rollback (an OTP attempt counted) awaits
   * it first and stops when it is false.
   */
  async run(key: IdempotencyKey, operation: string, fingerprint: string, produce: (claimed: Promise<boolean>) => Promise<string>): Promise<{ answer: string; replayed: boolean }> {
    try {
      return await this.uow.transaction(async () => {
        const claiming = this.records.claim(key, operation, fingerprint);
        const claimed = claiming.then((claim) => claim !== null);
        claimed.catch(() => undefined);
        const producing = produce(claimed);
        producing.catch(() => undefined);
        const claim = await claiming;
        if (claim === null) {
          await producing.catch(() => undefined);
          throw new KeyTaken();
        }
        const answer = await producing;
        await this.records.complete(claim, this.sealer.seal(answer, boundTo(key)));
        return { answer, replayed: false };
      });
    } catch (err) {
      if (!(err instanceof KeyTaken)) throw err;
      const previous = await this.records.find(key);
      if (!previous || previous.fingerprint !== fingerprint || previous.operation !== operation) throw new IdempotencyConflictError(key.requestId);
      return { answer: this.sealer.open(previous.responseCiphertext, boundTo(key)), replayed: true };
    }
  }
}

/** The associated data of a stored answer: its row's key (partner ids hold no `:`, so the split is unambiguous). */
const boundTo = (key: IdempotencyKey) => `idempotency:${key.partnerId}:${key.requestId}`;

/** SHA-256 over JSON with object keys sorted, so two equal requests fingerprint the same whatever their key order. */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

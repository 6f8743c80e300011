import { createHash } from 'node:crypto';
import { UnitOfWork } from '../db/database';
import { IdempotencyKey, IdempotencyRepository } from './idempotency.repository';

/** The request id was used before for a different request (another body or operation). */
export class IdempotencyConflictError extends Error {
  constructor(readonly requestId: string) {
    super(`requestId ${requestId} was already used for a different request`);
    this.name = 'IdempotencyConflictError';
  }
}

/**
 * Request-level idempotency for write operations, whatever the protocol: the protocol supplies the key
 * (partner, request id), a fingerprint of what makes two requests the same, and the function that does
 * the work and renders the answer. The claim, the work and the stored answer commit in ONE transaction:
 * a retry replays the stored answer byte for byte, a concurrent duplicate waits and then replays, a
 * different request under the same key is an IdempotencyConflictError, and a failed request leaves
 * nothing behind, so its retry is processed afresh. Reads are not recorded: they change nothing.
 */
export class Idempotency {
  constructor(private readonly uow: UnitOfWork, private readonly records: IdempotencyRepository) {}

  once(key: IdempotencyKey, operation: string, fingerprint: string, produce: () => Promise<string>): Promise<string> {
    return this.uow.transaction(async () => {
      const claim = await this.records.claim(key, operation, fingerprint);
      if (claim === null) {
        const previous = await this.records.find(key);
        if (!previous || previous.fingerprint !== fingerprint || previous.operation !== operation) throw new IdempotencyConflictError(key.requestId);
        return previous.responseBody;
      }
      const answer = await produce();
      await this.records.complete(claim, answer);
      return answer;
    });
  }
}

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

import type { UnitOfWork } from '../../lib/db/database';
import { Idempotency, IdempotencyConflictError, fingerprintOf } from '../../lib/idempotency/idempotency';
import { AppError, AppErrorCode } from '../errors';
import type { OwedAnswer, PartnerAnswers } from './partner-answers';

/** A partner's write request, as every surface identifies it. */
export interface PartnerRequest {
  partnerId: string;
  /** The partner's id of the request: its idempotency key (with the partner). */
  requestId: string;
  /** The surface's name of the operation (two requests under one id must name the same one). */
  operation: string;
  /** What makes two requests the same (see {@link requestFingerprint}); a different one under the same id is refused. */
  fingerprint: string;
  /** The operation of the answer owed later, if any: a duplicate request gets the stored answer sent again. */
  answeredWith?: string | null;
}

/** What the work of an accepted request answers: the immediate answer (an ack, or the whole answer), and the answer owed later. */
export interface RequestOutcome<T> {
  answer: T;
  owed?: OwedAnswer | null;
}

/** The fingerprint of a request: SHA-256 over its JSON with object keys sorted. */
export const requestFingerprint = (value: unknown): string => fingerprintOf(value);

/**
 * Accepts partners' write requests, whatever the surface: idempotent per partner and request id, with the work,
 * the immediate answer and the intent of the answer owed later committed in ONE transaction. A retry gets the
 * first answer again byte for byte (and the owed answer is sent again); a different request under a used id is
 * refused (AppError REQUEST_ID_REUSED, nothing done); a failed request leaves nothing behind.
 */
export class PartnerRequests {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly idempotency: Idempotency,
    private readonly answers: PartnerAnswers,
  ) {}

  /**
   * Runs `work` once for the request. `claimed` tells the work whether the request holds its key (false: a
   * duplicate whose work will be rolled back): work with an effect that outlives a rollback awaits it first.
   * The immediate answer must be JSON.
   */
  async accept<T>(request: PartnerRequest, work: (claimed: Promise<boolean>) => Promise<RequestOutcome<T>>): Promise<{ answer: T; replayed: boolean }> {
    const { partnerId, requestId } = request;
    try {
      const outcome = await this.idempotency.run({ partnerId, requestId }, request.operation, request.fingerprint, async (claimed) => {
        const { answer, owed } = await work(claimed);
        if (owed) await this.answers.owe(partnerId, requestId, owed);
        return JSON.stringify(answer);
      });
      if (outcome.replayed && request.answeredWith) await this.answers.sendAgain(partnerId, request.answeredWith, requestId);
      return { answer: JSON.parse(outcome.answer) as T, replayed: outcome.replayed };
    } catch (err) {
      if (err instanceof IdempotencyConflictError) throw new AppError(AppErrorCode.REQUEST_ID_REUSED, err.message);
      throw err;
    }
  }

}

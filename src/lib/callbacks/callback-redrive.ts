import type { Clock } from '../clock';
import type { UnitOfWork } from '../db/database';
import type { PartnerCallback, PartnerCallbackRepository } from './partner-callback.repository';

/** When an undelivered callback counts as given up by the queue, and how often it is staged again. */
export interface CallbackRedrivePolicy {
  /**
   * Untouched for this long (no attempt, no re-drive since), an undelivered callback is staged again. Longer than
   * the queue's whole retry schedule (10 attempts, back-off from 0.5 s: about 8.5 minutes), so a callback the queue
   * is still retrying is left to it.
   */
  afterMs: number;
  /** At most this many re-drives per callback; then it is left for an operator (logged at the last one). */
  maxRedrives: number;
  /** At most this many callbacks staged per sweep. */
  batchSize: number;
}

export const DEFAULT_CALLBACK_REDRIVE_POLICY: CallbackRedrivePolicy = { afterMs: 15 * 60_000, maxRedrives: 24, batchSize: 50 };

export interface CallbackRedriveReport {
  /** Callbacks staged again by this sweep. */
  redriven: string[];
  /** Of those, the ones staged for the last time (`maxRedrives` reached): an operator must look if this one fails too. */
  lastRedrive: string[];
}

/**
 * Sweeps for partner callbacks that were never delivered and that nothing is trying any more (the queue used up
 * its attempts, or the job was lost with Redis) and stages each again, protocol-agnostic: `stage` is the protocol's
 * (for OCEN, its `ocen.callback` job), called in the transaction that counts the re-drive, so a callback is staged
 * once per re-drive even with several sweepers. Delivery stays idempotent (a delivered callback is not sent again).
 */
export class CallbackRedrive {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly callbacks: PartnerCallbackRepository,
    private readonly stage: (callback: Pick<PartnerCallback, 'id' | 'partnerId' | 'operation'>) => Promise<unknown>,
    private readonly clock: Clock,
    private readonly policy: CallbackRedrivePolicy = DEFAULT_CALLBACK_REDRIVE_POLICY,
  ) {}

  async sweep(): Promise<CallbackRedriveReport> {
    const now = this.clock.now();
    const before = new Date(now.getTime() - this.policy.afterMs);
    return this.uow.transaction(async () => {
      const claimed = await this.callbacks.claimStalled(before, now, this.policy.maxRedrives, this.policy.batchSize);
      for (const callback of claimed) await this.stage(callback);
      return {
        redriven: claimed.map((c) => c.id),
        lastRedrive: claimed.filter((c) => c.redrives >= this.policy.maxRedrives).map((c) => c.id),
      };
    });
  }
}

import { AppError, AppErrorCode } from '../errors';
import { Database } from '../../lib/db/database';
import { StateMachine } from '../../lib/state-machine';

/** Where an aggregate's state lives: a Prisma model with an `id` and a state column. */
export interface StateColumn<S extends string> {
  machine: StateMachine<S>;
  model: 'application' | 'kyc' | 'repaymentMandate' | 'loanAccount';
  column: string;
}

/**
 * The one writer of every status in the system. A move is validated against the aggregate's transition
 * table, applied with a compare-and-set on the current state (a concurrent writer loses with
 * CONCURRENT_MODIFICATION, never overwrites), and recorded in `state_transition`, all in the caller's
 * transaction.
 */
export class TransitionWriter {
  constructor(private readonly db: Database) {}

  /** Records the initial state of a row the caller has just created. */
  async recordInitial<S extends string>(target: StateColumn<S>, entityId: string, state: S, reason?: string): Promise<void> {
    target.machine.assertInitial(state);
    await this.db.client.stateTransition.create({
      data: { aggregate: target.machine.aggregate, entityId, fromState: null, toState: state, reason },
    });
  }

  async move<S extends string>(
    target: StateColumn<S>,
    entityId: string,
    from: S,
    to: S,
    changes: Record<string, unknown> = {},
    reason?: string,
  ): Promise<void> {
    target.machine.assert(from, to);
    await this.db.transaction(async () => {
      const delegate = (this.db.client as unknown as Record<string, { updateMany(args: unknown): Promise<{ count: number }> }>)[target.model];
      const { count } = await delegate.updateMany({
        where: { id: entityId, [target.column]: from },
        data: { ...changes, [target.column]: to },
      });
      if (count !== 1) {
        throw new AppError(AppErrorCode.CONCURRENT_MODIFICATION, `${target.machine.aggregate} ${entityId} is no longer ${from}`);
      }
      await this.db.client.stateTransition.create({
        data: { aggregate: target.machine.aggregate, entityId, fromState: from, toState: to, reason },
      });
    });
  }

  async history(aggregate: string, entityId: string) {
    return this.db.client.stateTransition.findMany({ where: { aggregate, entityId }, orderBy: { id: 'asc' } });
  }
}

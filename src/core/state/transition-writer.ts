import { AppError, AppErrorCode } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { StateMachine } from './state-machine';
import { StateTransitionRecord, StateTransitionRepository, StatefulModel } from './state-transition.repository';

/** Where an aggregate's state lives: a table with an `id` and a state column. */
export interface StateColumn<S extends string> {
  machine: StateMachine<S>;
  model: StatefulModel;
  column: string;
}

/**
 * The one writer of every status in the system. A move is validated against the aggregate's transition
 * table, applied with a compare-and-set on the current state (a concurrent writer loses with
 * CONCURRENT_MODIFICATION, never overwrites), and recorded in `state_transition`, all in the caller's
 * transaction.
 */
export class TransitionWriter {
  constructor(private readonly uow: UnitOfWork, private readonly repository: StateTransitionRepository) {}

  /** Records the initial state of a row the caller has just created. */
  async recordInitial<S extends string>(target: StateColumn<S>, entityId: string, state: S, reason?: string): Promise<void> {
    target.machine.assertInitial(state);
    await this.repository.record({ aggregate: target.machine.aggregate, entityId, fromState: null, toState: state, reason });
  }

  async move<S extends string>(target: StateColumn<S>, entityId: string, from: S, to: S, changes: Record<string, unknown> = {}, reason?: string): Promise<void> {
    target.machine.assert(from, to);
    await this.uow.transaction(async () => {
      if (!(await this.repository.compareAndSet(target.model, target.column, entityId, from, to, changes))) {
        throw new AppError(AppErrorCode.CONCURRENT_MODIFICATION, `${target.machine.aggregate} ${entityId} is no longer ${from}`);
      }
      await this.repository.record({ aggregate: target.machine.aggregate, entityId, fromState: from, toState: to, reason });
    });
  }

  history(aggregate: string, entityId: string): Promise<StateTransitionRecord[]> {
    return this.repository.history(aggregate, entityId);
  }
}

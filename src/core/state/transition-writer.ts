import { StateMachine } from './state-machine';
import { StateTransitionRecord, StateTransitionRepository, StatefulModel } from './state-transition.repository';

/** Where an aggregate's state lives: a table with an `id` and a state column. */
export interface StateColumn<S extends string> {
  machine: StateMachine<S>;
  model: StatefulModel;
  column: string;
}

export interface InitialState {
  target: StateColumn<string>;
  state: string;
  reason?: string;
}

/** An initial state for `recordInitials`, checked against the machine's states at compile time. */
export function initial<S extends string>(target: StateColumn<S>, state: S, reason?: string): InitialState {
  return { target: target as unknown as StateColumn<string>, state, reason };
}

/**
 * The one writer of every status in the system. A move is validated against the aggregate's transition
 * table, applied with a compare-and-set on the current state and recorded in `state_transition` in the same
 * statement, in the caller's transaction. The statement is pipelined: a concurrent writer that got there
 * first makes the transaction fail with CONCURRENT_MODIFICATION when it ends; it never overwrites.
 */
export class TransitionWriter {
  constructor(private readonly repository: StateTransitionRepository) {}

  /** Records the initial state of a row the caller has just created. */
  async recordInitial<S extends string>(target: StateColumn<S>, entityId: string, state: S, reason?: string): Promise<void> {
    await this.recordInitials(entityId, initial(target, state, reason));
  }

  /** Records the initial states of the machines of one row the caller has just created, in one statement. */
  async recordInitials(entityId: string, ...initials: InitialState[]): Promise<void> {
    for (const { target, state } of initials) target.machine.assertInitial(state);
    await this.repository.record(initials.map(({ target, state, reason }) => ({ aggregate: target.machine.aggregate, entityId, fromState: null, toState: state, reason })));
  }

  async move<S extends string>(target: StateColumn<S>, entityId: string, from: S, to: S, changes: Record<string, unknown> = {}, reason?: string): Promise<void> {
    target.machine.assert(from, to);
    await this.repository.move(target.model, target.column, { aggregate: target.machine.aggregate, entityId, from, to, reason }, changes);
  }

  history(aggregate: string, entityId: string): Promise<StateTransitionRecord[]> {
    return this.repository.history(aggregate, entityId);
  }
}

import { AppError, AppErrorCode } from '../errors';

/**
 * A state machine as data: the allowed moves of one aggregate. `assert` is the single validator;
 * an illegal move is an error, never a silent no-op.
 */
export class StateMachine<S extends string> {
  constructor(
    readonly aggregate: string,
    readonly initial: readonly S[],
    readonly transitions: Readonly<Record<S, readonly S[]>>,
  ) {}

  get states(): S[] {
    return Object.keys(this.transitions) as S[];
  }

  can(from: S, to: S): boolean {
    return this.transitions[from]?.includes(to) ?? false;
  }

  isTerminal(state: S): boolean {
    return this.transitions[state].length === 0;
  }

  assert(from: S, to: S): void {
    if (!this.can(from, to)) {
      throw new AppError(AppErrorCode.ILLEGAL_STATE_TRANSITION, `${this.aggregate} cannot move from ${from} to ${to}`);
    }
  }

  assertInitial(state: S): void {
    if (!this.initial.includes(state)) {
      throw new AppError(AppErrorCode.ILLEGAL_STATE_TRANSITION, `${this.aggregate} cannot start in ${state}`);
    }
  }
}

import { StateMachine } from '../state/state-machine';

export type DisbursementState = 'REQUESTED' | 'SUCCEEDED' | 'FAILED';

/** A payout: REQUESTED (intent committed before the rail is called) until the rail's answer is recorded. */
export const disbursementMachine = new StateMachine<DisbursementState>('disbursement', ['REQUESTED'], {
  REQUESTED: ['SUCCEEDED', 'FAILED'],
  SUCCEEDED: [],
  FAILED: [],
});

export const disbursementState = { machine: disbursementMachine, model: 'disbursement', column: 'state' } as const;

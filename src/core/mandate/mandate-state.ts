import { StateMachine } from '../state/state-machine';

export type MandateState = 'PENDING' | 'ACTIVE' | 'FAILED';

/** Repayment mandate: PENDING until the user authorises it at the bank; a FAILED mandate may be set up again. */
export const mandateMachine = new StateMachine<MandateState>('repayment_mandate', ['PENDING'], {
  PENDING: ['ACTIVE', 'FAILED'],
  FAILED: ['PENDING'],
  ACTIVE: [],
});

export const mandateState = { machine: mandateMachine, model: 'repaymentMandate', column: 'state' } as const;

import { StateMachine } from '../state/state-machine';

export type ApprovalState = 'IN_PROCESS' | 'INCOME_VERIFICATION' | 'APPROVED' | 'REJECTED';

/** Credit approval: IN_PROCESS is initial; APPROVED and REJECTED are terminal. */
export const approvalMachine = new StateMachine<ApprovalState>('credit_approval', ['IN_PROCESS'], {
  IN_PROCESS: ['APPROVED', 'REJECTED', 'INCOME_VERIFICATION'],
  INCOME_VERIFICATION: ['APPROVED', 'REJECTED'],
  APPROVED: [],
  REJECTED: [],
});

export const approvalState = { machine: approvalMachine, model: 'application', column: 'approvalState' } as const;

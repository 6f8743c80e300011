import { ApprovalState } from '../../generated/prisma/client';
import { StateMachine } from '../../lib/state-machine';

/** Credit approval (CreditApprovalApplicationStateInfo.State): IN_PROCESS is initial; APPROVED and REJECTED are terminal. */
export const approvalMachine = new StateMachine<ApprovalState>('credit_approval', ['IN_PROCESS'], {
  IN_PROCESS: ['APPROVED', 'REJECTED', 'INCOME_VERIFICATION'],
  INCOME_VERIFICATION: ['APPROVED', 'REJECTED'],
  APPROVED: [],
  REJECTED: [],
});

export const approvalState = { machine: approvalMachine, model: 'application', column: 'approvalState' } as const;

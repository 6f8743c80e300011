import { StateMachine } from '../state/state-machine';

export type ApplicationState = 'CREDIT_APPROVAL_PENDING' | 'IN_PROGRESS' | 'SUBMITTED' | 'DISBURSED' | 'REJECTED';

/**
 * The loan application: waits for the credit decision, then the borrower completes KYC and the mandate
 * (IN_PROGRESS), signs (SUBMITTED), and is disbursed (DISBURSED, terminal) or rejected on the way (REJECTED, terminal).
 */
export const applicationMachine = new StateMachine<ApplicationState>('application', ['CREDIT_APPROVAL_PENDING'], {
  CREDIT_APPROVAL_PENDING: ['IN_PROGRESS', 'REJECTED'],
  IN_PROGRESS: ['SUBMITTED', 'REJECTED'],
  SUBMITTED: ['DISBURSED', 'REJECTED'],
  DISBURSED: [],
  REJECTED: [],
});

export const applicationState = { machine: applicationMachine, model: 'application', column: 'applicationState' } as const;

import { StateMachine } from '../state/state-machine';

export type LoanState = 'ACTIVE' | 'INACTIVE' | 'CLOSED' | 'DELINQUENT';

/** A loan account: ACTIVE on disbursement; servicing moves it to DELINQUENT and back, or closes it. */
export const loanMachine = new StateMachine<LoanState>('loan_account', ['ACTIVE'], {
  ACTIVE: ['DELINQUENT', 'INACTIVE', 'CLOSED'],
  DELINQUENT: ['ACTIVE', 'CLOSED'],
  INACTIVE: ['ACTIVE', 'CLOSED'],
  CLOSED: [],
});

export const loanState = { machine: loanMachine, model: 'loanAccount', column: 'state' } as const;

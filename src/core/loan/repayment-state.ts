import { StateMachine } from '../state/state-machine';

export type RepaymentState = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/**
 * A repayment: PENDING from the moment its intent is recorded (the borrower is sent to the payment page) until
 * the payment provider answers, then SUCCEEDED (applied to the loan in the same transaction) or FAILED. Both are
 * final: a payment that failed is tried again as a new repayment.
 */
export const repaymentMachine = new StateMachine<RepaymentState>('loan_repayment', ['PENDING'], {
  PENDING: ['SUCCEEDED', 'FAILED'],
  SUCCEEDED: [],
  FAILED: [],
});

export const repaymentState = { machine: repaymentMachine, model: 'loanRepayment', column: 'state' } as const;

import { StateMachine } from '../state/state-machine';

export type ApplicationState = 'CREDIT_APPROVAL_PENDING' | 'IN_PROGRESS' | 'SIGNED' | 'GRANTED' | 'SUBMITTED' | 'DISBURSED' | 'REJECTED';

/**
 * The loan application: waits for the credit decision, then the borrower completes KYC (and the mandate) while
 * IN_PROGRESS, and the disbursement is requested (SUBMITTED), then paid (DISBURSED, terminal), or the application
 * is rejected on the way (REJECTED, terminal).
 *
 * Two orders reach SUBMITTED:
 * - sign last (the Google Pay surface): KYC and the mandate first, then the OTP-signed submission, which requests
 *   the disbursement at once: IN_PROGRESS → SUBMITTED;
 * - sign first (OCEN 4.0): the borrower accepts the agreement by OTP after KYC (SIGNED), the lender grants the
 *   loan and issues its id (GRANTED), the repayment mandate and disbursement account are set up, and the loan
 *   agent triggers the disbursement: IN_PROGRESS → SIGNED → GRANTED → SUBMITTED.
 */
export const applicationMachine = new StateMachine<ApplicationState>('application', ['CREDIT_APPROVAL_PENDING'], {
  CREDIT_APPROVAL_PENDING: ['IN_PROGRESS', 'REJECTED'],
  IN_PROGRESS: ['SUBMITTED', 'SIGNED', 'REJECTED'],
  SIGNED: ['GRANTED', 'REJECTED'],
  GRANTED: ['SUBMITTED', 'REJECTED'],
  SUBMITTED: ['DISBURSED', 'REJECTED'],
  DISBURSED: [],
  REJECTED: [],
});

export const applicationState = { machine: applicationMachine, model: 'application', column: 'applicationState' } as const;

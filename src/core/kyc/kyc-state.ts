import { StateMachine } from '../state/state-machine';

export type KycState = 'NOT_STARTED' | 'IN_PROGRESS' | 'AWAITING_APPROVAL' | 'APPROVED' | 'REJECTED' | 'EXPIRED';
export type KycMethod = 'EKYC' | 'VIDEO_KYC' | 'CKYC' | 'OFFLINE';

/**
 * The methods a new KYC journey offers besides CKYC (offered first when the borrower has a CKYC record): those the
 * bank's KYC page can complete. VIDEO_KYC is not offered (nothing completes it); it stays in KycMethod for older rows.
 */
export const OFFERED_METHODS: readonly KycMethod[] = ['EKYC', 'OFFLINE'];

/** A KYC attempt: the user starts a step, completes it, and the bank approves or rejects; an unfinished journey expires. */
export const kycMachine = new StateMachine<KycState>('kyc', ['NOT_STARTED'], {
  NOT_STARTED: ['IN_PROGRESS', 'EXPIRED'],
  IN_PROGRESS: ['AWAITING_APPROVAL', 'REJECTED', 'EXPIRED'],
  AWAITING_APPROVAL: ['APPROVED', 'REJECTED'],
  APPROVED: ['EXPIRED'],
  REJECTED: [],
  EXPIRED: [],
});

export const kycState = { machine: kycMachine, model: 'kyc', column: 'state' } as const;

import { StateMachine } from '../state/state-machine';

/**
 * An account-aggregator consent asked by this lender (as FIU). REQUESTED: recorded, the AA not yet asked
 * (or its answer lost: asked again with the same reference). PENDING: the AA holds it, awaiting the borrower.
 * READY: the borrower approved it (the data may be fetched). FAILED: rejected, revoked or expired
 * (`failureReason` says which), or refused by the AA; terminal (a new consent is asked instead).
 */
export type ConsentState = 'REQUESTED' | 'PENDING' | 'READY' | 'FAILED';

export const consentMachine = new StateMachine<ConsentState>('aa_consent', ['REQUESTED'], {
  REQUESTED: ['PENDING', 'FAILED'],
  PENDING: ['READY', 'FAILED'],
  READY: ['FAILED'],
  FAILED: [],
});

export const consentState = { machine: consentMachine, model: 'aaConsent', column: 'state' } as const;

import { StateMachine } from '../state/state-machine';

export type DisputeState = 'RAISED' | 'ACKNOWLEDGED' | 'RESOLVED' | 'REJECTED';

/**
 * A dispute: RAISED by the partner (or the bank's staff), ACKNOWLEDGED when the staff take it up, then closed with
 * a resolution note: RESOLVED (the bank acted on it) or REJECTED (the bank found nothing to correct). A dispute that
 * needs no investigation (a duplicate, not about this loan) may be REJECTED straight from RAISED; resolving needs
 * an acknowledgement first. RESOLVED and REJECTED are terminal: a new complaint is a new dispute.
 */
export const disputeMachine = new StateMachine<DisputeState>('dispute', ['RAISED'], {
  RAISED: ['ACKNOWLEDGED', 'REJECTED'],
  ACKNOWLEDGED: ['RESOLVED', 'REJECTED'],
  RESOLVED: [],
  REJECTED: [],
});

export const disputeState = { machine: disputeMachine, model: 'dispute', column: 'state' } as const;

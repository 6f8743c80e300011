import { MandateState } from './mandate-state';

/** A repayment e-mandate attempt; the application names the current one. */
export interface Mandate {
  id: string;
  applicationId: string;
  state: MandateState;
}

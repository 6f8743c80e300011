import { MandateState } from './mandate-state';

/** A repayment e-mandate attempt; the application names the current one. */
export interface Mandate {
  id: string;
  applicationId: string;
  state: MandateState;
  /** The partner collects the repayments itself (OCEN hasCollectionSupport); false on the Google Pay surface. */
  partnerCollects: boolean;
}

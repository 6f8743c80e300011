import type { ConsentFetchType } from './account-aggregator';
import type { ConsentState } from './consent-state';

/** An account-aggregator consent for 1..n applications of one partner (what the repository reads back). */
export interface Consent {
  id: string;
  partnerId: string;
  state: ConsentState;
  fetchType: ConsentFetchType;
  vuaCiphertext: string;
  aaHandle: string | null;
  approvalUrl: string | null;
  failureReason: string | null;
  attempts: number;
  averageMonthlyCreditsMicros: bigint | null;
  bounceCount: number | null;
  monthsCovered: number | null;
  summaryFetchedAt: Date | null;
  createdAt: Date;
}

/** A consent as a partner sees it: its applications (their partner references) and the AA's handle and url. */
export interface ConsentView {
  id: string;
  state: ConsentState;
  fetchType: ConsentFetchType;
  /** The borrower's AA id, as given. */
  vua: string;
  handle: string | null;
  url: string | null;
  failureReason: string | null;
  /** The partner's references of the applications the consent is for. */
  externalReferences: string[];
  /** Whether the bank-statement summary has been fetched and applied. */
  summaryFetched: boolean;
}

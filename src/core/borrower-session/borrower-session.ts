import type { AuthTokenContext } from '../auth-token/auth-token.service';

/** A step of the loan that the borrower completes on the bank's own pages. */
export type BorrowerStep = AuthTokenContext;

export const BORROWER_STEPS: readonly BorrowerStep[] = ['KYC', 'REPAYMENT_SETUP', 'INCOME_VERIFICATION'];

/**
 * What a link to the bank's pages carries in its URL fragment: getAuthToken's (and OCEN's) signed auth token,
 * or the link token of kyc/initiate (`urlToken`) or initiateRepaymentSetup (`urlToken` + `authCode`).
 */
export type PageCredential =
  | { kind: 'authToken'; authToken: string }
  | { kind: 'urlToken'; urlToken: string; authCode?: string };

/** A live page session: one application, one step. */
export interface PageSession {
  applicationId: string;
  step: BorrowerStep;
  /** Where to send the borrower when the step is done; null: the page says it is done. */
  returnUrl: string | null;
  expiresAt: Date;
}

/** A session just opened: `secret` goes into the HttpOnly cookie and nowhere else. */
export interface OpenedPageSession extends PageSession {
  secret: string;
}

/**
 * Opens a step's link token (kyc/initiate's urlToken, initiateRepaymentSetup's urlToken + authCode): the
 * application it is for and when it expires. Throws PAGE_LINK_INVALID or PAGE_LINK_EXPIRED.
 */
export type LinkOpener = (urlToken: string, authCode: string | undefined) => Promise<{ applicationId: string; expiresAt: Date }>;

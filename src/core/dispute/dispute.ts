import { DisputeState } from './dispute-state';

/**
 * Disputes, protocol-neutral. How each surface maps onto this contract:
 *
 * **OCEN v3** (iSPIRT/OCEN `Dispute Management/`, Version 0.0.1; `Core/schema/Version 0.0.1/dispute.json`):
 *
 * | v3 wire | core |
 * |---|---|
 * | `raiseDisputeRequest.loanId` | `subject: { kind: 'LOAN', lenderReference: loanId }` (the loan id handed out by grantLoanResponse is our lender reference) |
 * | `raiseDisputeRequest.dispute.id` | `partnerReference` (the loan agent's id of the dispute; required by us, though v3 leaves it optional: without it a retried request could not be told from a new dispute) |
 * | `dispute.description` | `description` (required by us: a dispute must say what is wrong) |
 * | `dispute.url` | `evidenceUrl` |
 * | (none) | `category`: v3 carries no category; the v3 surface sends `OTHER` and the bank's staff read the description |
 * | `dispute.extensibleData` | not kept |
 * | `disputeStatusRequest.dispute.id` | `DisputeService.status(partnerId, partnerReference)` |
 * | `dispute.status` (answers) | `state`, mapped by the v3 surface: RAISED → NEW, ACKNOWLEDGED → PROCESSING, RESOLVED → RESOLVED, REJECTED → CLOSED; v3's NEED_MORE_INFO is never sent (v3 has no way for the agent to add information to a dispute) |
 * | `dispute.description` (answers) | the resolution note once closed, else the description raised |
 *
 * **OCEN 4.0** names disputes in prose only (the "Dispute APIs" of the API list; no path or schema in loan.json).
 * Our choice: the same core operations, reachable from 4.0 by `loanId` (a granted loan, `kind: 'LOAN'`) or, before
 * a loan exists, by `loanApplicationId` (`kind: 'APPLICATION'`, the partner's application reference); no 4.0 route
 * is served until the network defines one (a `/dispute/raiseDisputeRequest` with the 4.0 envelope would map as v3).
 *
 * **Google Pay** has no dispute API; the same `kind: 'APPLICATION'` subject (its application id) would serve one.
 */

/** What the dispute is about. The protocols send `OTHER` when their wire has no category (OCEN v3). */
export type DisputeCategory =
  /** The loan was not paid out, or paid out short or to the wrong account. */
  | 'DISBURSEMENT'
  /** A repayment was not applied, applied twice, or applied wrongly. */
  | 'REPAYMENT'
  /** A fee, penalty or other charge the borrower contests. */
  | 'CHARGES'
  /** The interest charged differs from the agreed terms. */
  | 'INTEREST'
  /** The repayment mandate debited what or when it should not. */
  | 'MANDATE'
  /** The loan's terms differ from what the borrower agreed (the Key Fact Statement). */
  | 'LOAN_TERMS'
  /** The borrower says the loan or a transaction was not theirs. */
  | 'FRAUD'
  /** Anything else; the description says what. */
  | 'OTHER';

export const DISPUTE_CATEGORIES: readonly DisputeCategory[] = ['DISBURSEMENT', 'REPAYMENT', 'CHARGES', 'INTEREST', 'MANDATE', 'LOAN_TERMS', 'FRAUD', 'OTHER'];

/** Who raised the dispute: the partner through its API (on the borrower's behalf or its own), or the bank's staff (a complaint received directly). */
export type DisputeRaiser = 'PARTNER' | 'STAFF';

/**
 * What a dispute is about, as the partner names it:
 * - `LOAN`: a granted loan, by the lender reference the partner was given as its loan id (OCEN `loanId`). Refused
 *   (NOT_FOUND) while the application has not been granted: there is no loan yet.
 * - `APPLICATION`: an application, by the partner's own reference (OCEN `loanApplicationId`, Google Pay's application id).
 */
export type DisputeSubject = { kind: 'LOAN'; lenderReference: string } | { kind: 'APPLICATION'; externalReference: string };

export interface RaiseDispute {
  partnerId: string;
  /** The partner's identifier of the dispute, unique per partner: raising again with it answers the same dispute. 1–100 characters. */
  partnerReference: string;
  subject: DisputeSubject;
  category: DisputeCategory;
  /** What is wrong, in the partner's (or borrower's) words. 1–2000 characters. */
  description: string;
  /** A link (http or https) to a supporting document or page, if any. */
  evidenceUrl?: string | null;
  /** PARTNER unless the bank's staff raise it. */
  raisedBy?: DisputeRaiser;
}

/** A dispute as every surface and the staff console read it. */
export interface Dispute {
  /** Ours; for the staff console (partners name a dispute by their `partnerReference`). */
  id: string;
  partnerId: string;
  partnerReference: string;
  applicationId: string;
  /** The partner's reference of the application (OCEN `loanApplicationId`). */
  applicationReference: string;
  /** The lender reference of the application (OCEN `loanId` once granted). */
  lenderReference: string;
  /** The loan account, when one existed when the dispute was raised. */
  loanId: string | null;
  raisedBy: DisputeRaiser;
  category: DisputeCategory;
  description: string;
  evidenceUrl: string | null;
  state: DisputeState;
  /** The staff's note to the partner, once RESOLVED or REJECTED. */
  resolution: string | null;
  acknowledgedAt: Date | null;
  /** When it was RESOLVED or REJECTED. */
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The answer to `raise`: the dispute, and whether this call created it (false: the same dispute raised before). */
export interface RaisedDispute {
  dispute: Dispute;
  created: boolean;
}

/** A staff member acting on a dispute (recorded in the dispute's history). */
export interface StaffAction {
  /** The staff member's identifier, as the staff console authenticated them. */
  staffId: string;
}


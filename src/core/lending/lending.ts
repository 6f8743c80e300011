import type { OfferService } from '../offer/offer.service';
import type { LoanServicingService } from '../loan/servicing.service';
import type { ApplicationFacts } from './application-facts';
import type { ApplicationOpening } from './application-opening';
import type { LoanAcceptanceService } from './loan-acceptance.service';
import type { PartnerAnswers } from './partner-answers';
import type { PartnerRequests } from './partner-requests';
import type { RepaymentPlans } from './repayment-plans';
import type { SubmissionService } from './submission.service';

/**
 * The journey services every partner-facing surface calls, one per step of a loan (Google Pay, OCEN 4.0, OCEN v3
 * and any later surface): a surface reads its wire into their inputs, calls one, and maps the result back. They own
 * the transactions, the repositories, the idempotency of a partner's request, the answers owed to partners and the
 * decisions. The composition root builds them once.
 */
export interface Lending {
  /** Accepting a partner's write request: idempotent per partner and request id, its work and the answer owed in one transaction. */
  requests: PartnerRequests;
  /** The answers owed to partners: built once in the worker by the surface's channel, stored, delivered until delivered. */
  answers: PartnerAnswers;
  /** Opening an application, and its credit decision. */
  opening: ApplicationOpening;
  /** Reading an application: one view of every machine (OCEN's status, Google Pay's), or the one-query status of a poll. */
  facts: ApplicationFacts;
  /** Choosing an offer (and reading the current one). */
  offers: OfferService;
  /** Signing by OTP with its Key Fact Statement (the OCEN order), and granting the signed loan. */
  acceptance: LoanAcceptanceService;
  /** The repayment plan of the chosen terms (also the loan's end date), and starting its e-mandate for a partner's plan. */
  repaymentPlans: RepaymentPlans;
  /** Signing with the submission (the Google Pay order), and releasing the payout (disbursement). */
  submissions: SubmissionService;
  /** Reading a disbursed loan, its statement and a borrower's loans; repayments and repayment condition changes. */
  servicing: LoanServicingService;
}

import type { CollectionService } from '../../core/servicing/collection.service';
import type { LoanPositions } from '../../core/servicing/loan-position';
import type { Lending } from '../../core/lending/lending';
import type { AuthTokenService } from '../../core/auth-token/auth-token.service';
import type { KycService } from '../../core/kyc/kyc.service';
import type { LoanService } from '../../core/loan/loan.service';
import type { MandateService } from '../../core/mandate/mandate.service';
import type { PayoutAccountService } from '../../core/payout/payout-account.service';
import type { Application } from '../../core/application/application';
import type { DisputeService } from '../../core/dispute/dispute.service';
import type { ConsentService } from '../../core/consent/consent.service';
import type { Clock } from '../../lib/clock';
import type * as W from '../../generated/ocen-v3/ocen-v3-types';
import { V3Refusal } from './ocen-v3-envelope';
import type { V3Operation } from './ocen-v3-schemas';

/** The request body of each hosted operation and the `...Response` it is answered with (generated from the official schemas). */
export interface V3Wire {
  'loanApplication/createLoanApplicationsRequest': [W.BulkCreateLoanApplicationRequest, W.BulkCreateLoanApplicationResponse];
  'consent/consentHandleRequest': [W.ConsentHandleRequest, W.ConsentHandleResponse];
  'consent/consentStatusRequest': [W.ConsentStatusRequest, W.ConsentStatusResponse];
  'offer/generateOffersRequest': [W.GenerateOfferRequest, W.GenerateOfferResponse];
  'offer/setOfferRequest': [W.SetOfferRequest, W.SetOfferResponse];
  'loan/triggerLoanAcceptanceRequest': [W.TriggerLoanAcceptanceRequest, W.TriggerLoanAcceptanceResponse];
  'loan/verifyLoanAcceptanceRequest': [W.VerifyLoanAcceptanceRequest, W.VerifyLoanApplicationResponse];
  'loan/grantLoanRequest': [W.GrantLoanRequest, W.GrantLoanResponse];
  'repayment/setRepaymentPlanRequest': [W.SetRepayementPlanRequest, W.SetRepaymentPlanResponse];
  'disbursement/setDisbursementAccountRequest': [W.SetDisbursementAccountRequest, W.SetDisbursementAccountResponse];
  'disbursement/triggerDisbursementRequest': [W.TriggerDisbursementRequest, W.TriggerDisbursementResponse];
  'disbursement/triggerDisbursementStatusRequest': [W.TriggerDisbursementStatusRequest, W.TriggerDisbursementStatusResponse];
  'loan/getLoanRequest': [W.GetLoanRequest, W.GetLoanResponse];
  'loan/listLoansRequest': [W.ListLoansRequest, W.ListLoansResponse];
  'loan/loanStatementRequest': [W.LoanStatementRequest, W.LoanStatementResponse];
  'loan/LoanSummaryRequest': [W.LoanSummaryRequest, W.LoanSummryResponse];
  'loan/dispute/raiseDisputeRequest': [W.RaiseDisputeRequest, W.RaiseDisputeResponse];
  'loan/dispute/disputeStatusRequest': [W.DisputeStatusRequest, W.DisputeStatusResponse];
}

export type V3RequestOf<O extends V3Operation> = V3Wire[O][0];
/** What an operation builds of its `...Response`: everything but the envelope the lender adds. */
export type V3AnswerOf<O extends V3Operation> = Omit<V3Wire[O][1], 'metadata' | 'requestId' | 'response'>;

/**
 * What the v3 operations work on: the core's journey services (src/core/lending, the same ones OCEN 4.0's operations
 * call) and the feature services of the steps v3 has; nothing of HTTP or of the network, no repository.
 */
export interface V3Core extends Pick<Lending, 'facts' | 'opening' | 'offers' | 'acceptance' | 'repaymentPlans' | 'submissions' | 'servicing'> {
  kyc: KycService;
  authTokens: AuthTokenService;
  mandates: MandateService;
  payoutAccounts: PayoutAccountService;
  loans: LoanService;
  /** The lender's own mandate collections (confirmRepaymentRequest reads them). */
  collections: Pick<CollectionService, 'collection'>;
  /** A disbursed loan as partners see it on the business date (the facts Google Pay's account/get reads too). */
  positions: Pick<LoanPositions, 'ofLoan'>;
  /** Account-aggregator consents (the lender as FIU). */
  consents: Pick<ConsentService, 'request' | 'advance' | 'byId' | 'byHandle'>;
  /** Disputes about a loan (raiseDispute, disputeStatus). */
  disputes: Pick<DisputeService, 'raise' | 'status'>;
  lenderName: string;
  /** Our org id towards v3 loan agents (the lender's `primaryId`, type FIU, in getLoanResponse). */
  orgId: string;
  /** The product every v3 loan application is for (the same as OCEN 4.0's). */
  productId: string;
  clock: Clock;
}

/** One accepted request, inside the transaction that accepts it. */
export interface V3Accepting<O extends V3Operation> {
  partnerId: string;
  requestId: string;
  /** The message, valid against the operation's official schema (members it does not define dropped). */
  body: V3RequestOf<O>;
  /** False for a duplicate whose work is rolled back: work with an effect that outlives a rollback awaits it first. */
  claimed: Promise<boolean>;
}

/** The answer being built, in the worker (no transaction open). */
export interface V3Answering {
  partnerId: string;
  requestId: string;
  now: Date;
}

/**
 * One v3 operation: `accept` (in the accepting transaction; never calls the outside world; throws V3Refusal)
 * answers the subjects and the JSON context the answer is built from; `answer` (in the worker; may throw
 * AnswerNotReady to be retried) builds the operation's members of its `...Response`.
 */
export interface V3OperationHandler<O extends V3Operation, C> {
  request: O;
  accept(request: V3Accepting<O>): Promise<{ subjects: string[]; context: C }>;
  answer(answering: V3Answering, context: C): Promise<V3AnswerOf<O>>;
}

/** Declares a handler with its request type and its context checked between `accept` and `answer`. */
export const defineV3Operation = <O extends V3Operation, C>(handler: V3OperationHandler<O, C>): V3OperationHandler<V3Operation, unknown> => handler;

/** The agent's application; another agent's (or none) is the same refusal. */
export async function v3ApplicationOf(core: Pick<V3Core, 'facts'>, partnerId: string, loanApplicationId: string): Promise<Application> {
  const application = await core.facts.find({ partnerId, externalReference: loanApplicationId });
  if (!application) throw new V3Refusal('UNKNOWN_LOAN_APPLICATION', `No loan application ${JSON.stringify(loanApplicationId)} of this loan agent`, 404);
  return application;
}

const GRANTED_OR_LATER = new Set<Application['applicationState']>(['GRANTED', 'SUBMITTED', 'DISBURSED']);

/** The agent's application behind a v3 `loanId` (our lender reference, handed out by grantLoanResponse). */
export async function v3LoanOf(core: Pick<V3Core, 'facts'>, partnerId: string, loanId: string): Promise<Application> {
  const application = await core.facts.byLenderReference(partnerId, loanId);
  if (!application || !GRANTED_OR_LATER.has(application.applicationState)) throw new V3Refusal('UNKNOWN_LOAN', `No loan ${JSON.stringify(loanId)} of this loan agent`, 404);
  return application;
}

import type { CollectionService } from '../../core/servicing/collection.service';
import type { LoanPositions } from '../../core/servicing/loan-position';
import type { Logger } from 'pino';
import type { Application } from '../../core/application/application';
import type { Lending } from '../../core/lending/lending';
import { AnswerNotReady } from '../../core/lending/partner-answers';
import type { MandateService } from '../../core/mandate/mandate.service';
import type { PayoutAccountService } from '../../core/payout/payout-account.service';
import type { LoanService } from '../../core/loan/loan.service';
import type { KycService } from '../../core/kyc/kyc.service';
import type { AuthTokenService } from '../../core/auth-token/auth-token.service';
import type { ConsentService } from '../../core/consent/consent.service';
import type { IncomeDocumentService } from '../../core/income/income-document.service';
import type { Clock } from '../../lib/clock';
import { OcenMessage, OcenOperation, OcenPayload, ProductData, Untrusted, untrusted } from './ocen-wire';

/**
 * Why a request is not accepted: the ack's `error` is `CODE: message` (the spec defines no codes, docs/ocen.md
 * §2.2), answered with `status`. Nothing of a refused request is recorded.
 */
export class OcenRefusal extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
    this.name = 'OcenRefusal';
  }
}

/** The answer cannot be built yet (for example, the credit decision is pending): the callback job is retried. */
export class OcenNotReady extends AnswerNotReady {
  constructor(message: string) {
    super(message);
    this.name = 'OcenNotReady';
  }
}

/**
 * What the operations work on: the core's journey services (src/core/lending) and the feature services of the steps
 * OCEN has and Google Pay has not (consent, KYC methods, mandate, payout account, income documents); nothing of HTTP
 * or of the network, no repository.
 */
export interface OcenCore extends Pick<Lending, 'facts' | 'opening' | 'offers' | 'acceptance' | 'repaymentPlans' | 'submissions' | 'servicing'> {
  /** The repayment e-mandate (setRepaymentPlan). */
  mandates: MandateService;
  /** The borrower's account the loan is paid out to (setDisbursementAccount). */
  payoutAccounts: PayoutAccountService;
  /** The payout and its report. */
  loans: LoanService;
  /** The lender's own mandate collections (confirmRepaymentRequest reads them). */
  collections: Pick<CollectionService, 'collection'>;
  /** A disbursed loan as partners see it on the business date (the facts Google Pay's account/get reads too). */
  positions: Pick<LoanPositions, 'ofLoan'>;
  kyc: KycService;
  /** The bank's borrower pages (the KYC page's link). */
  authTokens: AuthTokenService;
  /** This bank's name, as the agreement and the SMS name it. */
  lenderName: string;
  /** Account-aggregator consents (the lender as FIU). */
  consents: ConsentService;
  /** Documents sent as evidence of income (sendAdditionalDocuments, pledged documents). */
  incomeDocuments: IncomeDocumentService;
  clock: Clock;
  logger: Logger;
  /** The product every OCEN loan application is for. */
  productId: string;
  /** The network's analytics service (heartbeats and the lender's metrics); never blocks a loan. */
  analytics: OcenAnalytics;
}

/** A disbursement, as reported in the lender's `loanDisbursementMetric` (docs/ocen.md §6.2). */
export interface LoanDisbursedMetric {
  /** The request's, as sent. */
  productData: Untrusted<ProductData>;
  loanId: string;
  loanApplicationId: string;
  /** Rupees (the metric's `amount` is a double). */
  amount: number;
  tenureDays: number;
  /** Percent per year. */
  interestRate: number;
}

/**
 * The network's analytics service (`OCEN_ANALYTICS_URL`), fire-and-forget: every method returns at once and
 * never throws; what cannot be sent is dropped (bounded queue) and logged. Without the setting it does nothing.
 */
export interface OcenAnalytics {
  /** After a disbursement was made for a loan agent's triggerDisbursement. */
  loanDisbursed(metric: LoanDisbursedMetric): void;
}


/** One accepted request of `Operation`, inside the transaction that accepts it. */
export interface OcenRequest<Operation extends OcenOperation = OcenOperation> {
  /** The loan agent (a partner of this lender, id = its participant id). */
  partnerId: string;
  requestId: string;
  /**
   * The request, normalised to the current envelope and checked leniently against the patched loan.json: typed as
   * the schema says (members it does not define may be present, untyped; formats are not checked).
   */
  body: OcenMessage<Operation>;
  /**
   * Whether this request holds its idempotency key; false for a duplicate, whose work is rolled back and whose
   * first answer is replayed. Work with an effect that outlives a rollback (an OTP attempt, counted on its own)
   * awaits it first and does nothing when it is false.
   */
  claimed: Promise<boolean>;
}

/** What the answer to an accepted request is built from later. */
export interface Accepted<C> {
  /** The loan application ids the answer is about (for reading callbacks back, e.g. at `/sandbox/ocen/callbacks`). */
  subjects: string[];
  /** Stored sealed with the intent; must be JSON (no bigint, no Date). */
  context: C;
}

/** The callback being built, in the worker (no transaction open). */
export interface OcenAnswering {
  partnerId: string;
  requestId: string;
  now: Date;
  /** The request's `productData` (as sent: read defensively). */
  productData: Untrusted<ProductData>;
}

/**
 * One OCEN operation the lender hosts: the request it accepts and the `...Response` it answers with.
 *
 * - `accept` runs in the transaction that records the request (with its idempotency key and the intent of the
 *   answer): it checks what the request asks against core state, throws OcenRefusal when it cannot be accepted
 *   (the ack carries the refusal, nothing is kept), does the core work that must happen now, and answers what
 *   the answer will be built from. It never calls the outside world (the transaction is open). Its `body` is the
 *   request's message as the schema types it.
 * - `answer` (not called when `response` is null: the ack is the whole answer) runs in the worker, once per callback (the body is stored and every delivery sends the same
 *   bytes): the operation-specific members of the `...Response`. The lender adds `metadata` and `productData`
 *   and, where the schema defines one, `response: {status: SUCCESS}` unless the answer sets its own `response`
 *   (any member set undefined is left out). Its type is the response's message ({@link OcenAnswer}): a missing
 *   required member, a value outside an enum or the envelope does not compile (a member the schema does not
 *   define is refused when the body is built, by assertOutgoing). It may call the outside world
 *   (through core services that record intent and result), and throws OcenNotReady to be retried later.
 */
export interface OcenOperationHandler<Request extends OcenOperation = OcenOperation, Response extends OcenOperation | null = OcenOperation | null, C = unknown> {
  request: Request;
  /** The answer's operation; null for a request that is only acked (e.g. a loan agent's own answer to our request). */
  response: Response;
  accept(request: OcenRequest<Request>): Promise<Accepted<C>>;
  answer(answering: OcenAnswering, context: C): Promise<OcenAnswerOf<Response>>;
}

/**
 * What `answer` builds for the `...Response` operation `Response`: its body without `metadata` and `productData`
 * (the lender adds them), and with `response` only when the answer sets its own (the lender adds
 * `{status: SUCCESS}` when the schema defines one). A member set undefined is left out.
 */
export type OcenAnswer<Response extends OcenOperation> = OcenPayload<Response>
  & Partial<Pick<OcenMessage<Response>, 'response' & keyof OcenMessage<Response>>>
  & { metadata?: never; productData?: never };

/** {@link OcenAnswer} of each operation of `Response` (distributes over a union); nothing for an ack-only request. */
export type OcenAnswerOf<Response extends OcenOperation | null> = Response extends OcenOperation ? OcenAnswer<Response> : Record<string, never>;

/**
 * Declares a handler; its request and response operations and its context are inferred (from `request`,
 * `response` and what `accept` answers), so `accept` reads the request's message and `answer` must build the
 * response's, e.g. `defineOcenOperation({ request: 'offers/setOffersRequest', response: 'offers/setOffersResponse', ... })`.
 */
export const defineOcenOperation = <Request extends OcenOperation, Response extends OcenOperation | null, C>(
  handler: OcenOperationHandler<Request, Response, C>,
): OcenOperationHandler<Request, Response, C> => handler;

/** The agent's application; another agent's (or none) is the same refusal, so nothing is learnt of it. */
export async function applicationOf(core: Pick<OcenCore, 'facts'>, partnerId: string, loanApplicationId: string): Promise<Application> {
  const application = await core.facts.find({ partnerId, externalReference: loanApplicationId });
  if (!application) throw new OcenRefusal('UNKNOWN_LOAN_APPLICATION', `No loan application ${JSON.stringify(loanApplicationId)} of this loan agent`, 404);
  return application;
}

/** Application states in which the loan has been granted, i.e. its loan id (the lender reference) has been issued. */
const GRANTED_OR_LATER = new Set<Application['applicationState']>(['GRANTED', 'SUBMITTED', 'DISBURSED']);

/**
 * Whether the application's loan id (its lender reference) has been handed out: granted or later, or, with
 * `includeRejected`, rejected with signed terms (a payout that failed).
 */
export function loanIdIssued(application: Pick<Application, 'applicationState' | 'currentSubmissionId'>, includeRejected = false): boolean {
  return GRANTED_OR_LATER.has(application.applicationState) || (includeRejected && application.applicationState === 'REJECTED' && application.currentSubmissionId !== null);
}

/**
 * The agent's application behind an OCEN `loanId` (our lender reference, handed out by grantLoanResponse). A loan id
 * not yet granted, of another agent, or unknown is the same refusal. A loan whose disbursement failed (REJECTED
 * after SUBMITTED) is still found when `includeRejected` is set, so its status can be read.
 */
export async function loanOf(core: Pick<OcenCore, 'facts'>, partnerId: string, loanId: string, includeRejected = false): Promise<Application> {
  const application = await core.facts.byLenderReference(partnerId, loanId);
  if (!application || !loanIdIssued(application, includeRejected)) throw new OcenRefusal('UNKNOWN_LOAN', `No loan ${JSON.stringify(loanId)} of this loan agent`, 404);
  return application;
}

/** A list member of a request, each item an {@link Untrusted} `T` (not a list: none). */
export function untrustedItems<T>(value: unknown): Untrusted<T>[] {
  return Array.isArray(value) ? value.map((item) => untrusted<T>(item)) : [];
}

/** A string member of a request (lenient: numbers are read as their text), or undefined. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The request's `loanApplicationId`, required. */
export function loanApplicationIdOf(body: { readonly loanApplicationId?: unknown }): string {
  const id = textOf(body.loanApplicationId);
  if (!id) throw new OcenRefusal('INVALID_REQUEST', 'loanApplicationId is required', 400);
  return id;
}

/** The request's `loanId`, required. */
export function loanIdOf(body: { readonly loanId?: unknown }): string {
  const id = textOf(body.loanId);
  if (!id) throw new OcenRefusal('INVALID_REQUEST', 'loanId is required', 400);
  return id;
}

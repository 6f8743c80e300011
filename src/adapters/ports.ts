/**
 * # The adapter contract of credit-partner
 *
 * Everything an adapter author needs, in one module: the ports of the core (the interfaces an adapter implements),
 * the `AdapterModule` a deployment names in `ADAPTERS_MODULE`, the `AdapterContext` it is given, and `AdapterError`.
 * A bank's package (`@bank/credit-partner-adapters`, say) imports the types from here (`import type`) and needs
 * nothing else of the server at run time: an error with a boolean `retryable` property is classified like an
 * `AdapterError`.
 *
 * ## The rules every port's calls follow
 *
 * - **No transaction.** The core calls a port with no database transaction open (it records its intent and
 *   commits, calls, then records the answer in a new transaction), and the server refuses a call made inside one
 *   before it reaches the adapter. An adapter must not use the server's database either: a transaction opened
 *   during a call fails (`TransactionInOutsideCallError`). The only exception is the repayment collector, which is
 *   pure and local.
 * - **Idempotent by reference.** Each effectful call carries our `reference` (or `messageId`), the same on every
 *   retry of one piece of work; send it to the outside service as its idempotency key, so the same reference is acted
 *   on once and answered the same way each time. Where a port has a `status` look-up, the core asks it before it
 *   sends a call again (an earlier try may have reached the service and lost its answer).
 * - **Bounded.** Every call settles (answers or throws) within the adapter's own timeout; a call still running
 *   holds a worker slot or a borrower's request. The conformance kit checks it against `--timeout-ms`
 *   (default 15 s; the adapter's own timeout must be shorter: the generic HTTP adapters' is 10 s).
 * - **Errors say whether to retry.** Throw `AdapterError` with `retryable: true` when the same call may succeed
 *   later (unreachable, timed out, 5xx, 429), `retryable: false` when it will fail again (the service refused the
 *   request: 4xx). A network failure or timeout that is thrown as it is counts as retryable; anything else is
 *   unclassified, which the core treats as retryable within a job's attempts, and which the kit reports as a
 *   failure. In a job, a final error ends the job at once; a retryable one is retried with backoff (a payout that
 *   keeps failing is reported to an operator by the reconciler, never abandoned). In a request, a retryable
 *   error answers 503 (retry later), a final one 500.
 * - **A business answer is not an error.** "Not found", "declined", "failed", "wrong OTP" are answers of the types
 *   below, never thrown.
 * - **No secrets in messages.** Error messages end up in logs: never put a key, token, account number or PAN in them.
 *
 * Ports by name (the names `ADAPTERS_MODULE` modules supply, /readyz and the boot refusal use):
 *
 * | name | interface | used by |
 * |---|---|---|
 * | `bureau` | CreditBureau | the credit decision (worker job) |
 * | `ckyc` | CkycRegistry | KYC: the CKYC search and download (partner requests) |
 * | `aadhaar` | AadhaarEkyc | KYC: Aadhaar OTP e-KYC (the borrower's KYC page) |
 * | `rail` | DisbursementRail | the payout (worker job) |
 * | `mandateRail` | MandateRail | the repayment mandate: penny-drop, authorisation (borrower page, worker job); collections: debits, cancellation (worker jobs) |
 * | `collector` | RepaymentCollector | repayments: the payment page and the collection account (pure, local) |
 * | `accountAggregator` | AccountAggregator | income by consent (worker job) |
 * | `documentVerifier` | DocumentVerifier | income by document (worker job) |
 * | `sms` | SmsSender | OTP challenges (worker job) |
 * | `documentStore` | DocumentStore | uploaded documents (optional: a sealed local store in DOCUMENTS_DIR by default) |
 */
import type { Redis } from 'ioredis';
import type { CreditBureau, BureauVerdict } from '../core/approval/credit-bureau';
import type { CkycRegistry, CkycRecord, PersonName } from '../core/kyc/ckyc-registry';
import type { AadhaarEkyc, AadhaarOtpVerification } from '../core/kyc/aadhaar-ekyc';
import type { DisbursementRail, RailAnswer, TransferOrder } from '../core/loan/disbursement-rail';
import type {
  MandateRail, AccountCheck, AccountCheckAnswer, MandateOrder, MandateRailAnswer, MandateMethod, MandateFrequency, MandatePayer,
  DebitOrder, DebitAnswer, DebitBounceCode, MandateCancellation, MandateCancellationAnswer,
} from '../core/mandate/mandate-rail';
import type { RepaymentCollector, CollectionAccount } from '../core/loan/repayment-collector';
import type { AccountAggregator, AaConsentStatus, BankStatementSummary, ConsentFetchType } from '../core/consent/account-aggregator';
import type { DocumentVerifier, DocumentVerdict } from '../core/income/document-verifier';
import type { SmsSender } from '../core/challenge/sms-sender';
import type { DocumentStore, DocumentToStore, StoredDocument, StoredDocumentRef } from '../core/shared/document-store';
import type { PayoutAccount } from '../core/payout/payout-account';
import type { IncomeDocument } from '../core/income/income-document';

export type {
  CreditBureau, BureauVerdict,
  CkycRegistry, CkycRecord, PersonName,
  AadhaarEkyc, AadhaarOtpVerification,
  DisbursementRail, RailAnswer, TransferOrder, PayoutAccount,
  MandateRail, AccountCheck, AccountCheckAnswer, MandateOrder, MandateRailAnswer, MandateMethod, MandateFrequency, MandatePayer,
  DebitOrder, DebitAnswer, DebitBounceCode, MandateCancellation, MandateCancellationAnswer,
  RepaymentCollector, CollectionAccount,
  AccountAggregator, AaConsentStatus, BankStatementSummary, ConsentFetchType,
  DocumentVerifier, DocumentVerdict, IncomeDocument,
  SmsSender,
  DocumentStore, DocumentToStore, StoredDocument, StoredDocumentRef,
};
export { AdapterError, classifyAdapterError } from '../lib/adapter-error';
export type { AdapterErrorClass } from '../lib/adapter-error';

/** Every port of the core, by name. */
export interface Ports {
  bureau: CreditBureau;
  ckyc: CkycRegistry;
  aadhaar: AadhaarEkyc;
  rail: DisbursementRail;
  mandateRail: MandateRail;
  collector: RepaymentCollector;
  accountAggregator: AccountAggregator;
  documentVerifier: DocumentVerifier;
  sms: SmsSender;
  documentStore: DocumentStore;
}

export type PortName = keyof Ports;

/** What one adapter module supplies: any of the ports (one module may supply several, or one). */
export type AdapterSet = Partial<Ports>;

/**
 * The methods each port must have: checked when a module is loaded (a module missing one stops the boot, naming
 * the port and the method). The order is the table's above.
 */
export const PORT_METHODS: { readonly [P in PortName]: ReadonlyArray<keyof Ports[P] & string> } = {
  bureau: ['check'],
  ckyc: ['search', 'download'],
  aadhaar: ['requestOtp', 'verifyOtp'],
  rail: ['transfer', 'status'],
  mandateRail: ['verifyAccount', 'authorise', 'status', 'debit', 'debitStatus', 'cancel'],
  collector: ['paymentUrl', 'account'],
  accountAggregator: ['requestConsent', 'consentStatus', 'fetchSummary'],
  documentVerifier: ['verify'],
  sms: ['send'],
  documentStore: ['put', 'get'],
};

export const PORT_NAMES = Object.keys(PORT_METHODS) as PortName[];

/** Ports a deployment must supply (`documentStore` has a default: the sealed local store in DOCUMENTS_DIR). */
export const REQUIRED_PORTS: readonly PortName[] = PORT_NAMES.filter((name) => name !== 'documentStore');

/** What each port is, in words (boot errors, the kit's report). */
export const PORT_TITLES: { readonly [P in PortName]: string } = {
  bureau: 'credit bureau',
  ckyc: 'CKYC registry (CERSAI)',
  aadhaar: 'Aadhaar e-KYC (UIDAI through the AUA/KUA)',
  rail: 'disbursement rail',
  mandateRail: 'mandate rail (e-NACH / UPI Autopay)',
  collector: 'repayment collector',
  accountAggregator: 'account aggregator (the lender as FIU)',
  documentVerifier: 'income document verifier',
  sms: 'SMS gateway',
  documentStore: 'document store',
};

/** The logger an adapter is given (pino's shape): a fields object first, then the message. Never log secrets or personal data. */
export interface AdapterLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/**
 * What a module's `createAdapters` is given. Everything an adapter needs of the server is here; nothing else of
 * it should be imported.
 */
export interface AdapterContext {
  /** `sandbox` or `production` (APP_ENV). */
  appEnv: 'sandbox' | 'production';
  /** A setting of the process environment, trimmed; undefined when unset or blank. Read your own (`MYBANK_RAIL_URL`). */
  env(name: string): string | undefined;
  /** The public base URL of this server (PUBLIC_BASE_URL, no trailing slash), for pages and callbacks the outside service is sent to. */
  publicBaseUrl: string;
  /** This bank's name (LENDER_NAME). */
  lenderName: string;
  /** A logger whose lines carry `adapterModule`. */
  logger: AdapterLogger;
  /** The server's clock. */
  clock: { now(): Date };
  /**
   * The `fetch` to make outside HTTP calls with (the global one in the server). The conformance kit replaces it to
   * answer a call with a failure (refused, a timeout, 503, 429, 400) and check how the adapter classifies it.
   */
  fetch: typeof fetch;
  /**
   * The server's Redis connection, for an adapter that keeps state across processes (the sandbox's do). Opened on
   * first use; its commands fail at once while Redis is unreachable. Prefix every key with `redisKeyPrefix`.
   */
  readonly redis: Redis;
  /** The deployment's Redis key prefix (QUEUE_PREFIX). */
  redisKeyPrefix: string;
  /**
   * For test doubles only (the sandbox's penny-drop and Aadhaar e-KYC answer the borrower's own name, so that name
   * matches pass): the name on record behind a reference the core sent. Null when the reference names nothing.
   */
  records: {
    /** The name on record for the mandate behind a mandate-rail reference (`verifyAccount`, `authorise`). */
    nameBehindMandateReference(reference: string): Promise<string | null>;
    /**
     * The four digits of the PAN (characters 6–9) of the borrower whose mandate has this UMRN (`debit`: the
     * sandbox's persona 9006 bounces its first debit). Null when the UMRN names no mandate of this deployment.
     */
    panDigitsBehindUmrn(umrn: string): Promise<string | null>;
    /** The applicant's name behind an Aadhaar e-KYC attempt reference (`requestOtp`). */
    nameBehindAadhaarReference(reference: string): Promise<string | null>;
  };
}

/**
 * An adapter module: what `ADAPTERS_MODULE` names (an npm package, or a file), loaded with `require` (CommonJS, or
 * ESM without top-level await) when the server starts. It exports `createAdapters` (named, or on a default export):
 *
 * ```ts
 * // the types only (erased at run time), e.g. with this repository as a development dependency
 * import type { AdapterContext, AdapterSet } from 'credit-partner/src/adapters/ports';
 * export function createAdapters(context: AdapterContext): AdapterSet {
 *   return { bureau: new MyBureau(context.env('MYBANK_BUREAU_URL')!), rail: new MyRail(...) };
 * }
 * ```
 *
 * `createAdapters` is synchronous and calls nothing outside: the server starts whether or not the services are
 * reachable (connect on first use). It is called once per process (and once per run of the conformance kit).
 * It may leave ports out, supplying only some; a later module in `ADAPTERS_MODULE` overrides an earlier one for a
 * port both supply. Every port returned must have its methods (`PORT_METHODS`); an unknown port name is an error.
 */
export interface AdapterModule {
  createAdapters(context: AdapterContext): AdapterSet;
  /** Shown in logs and the kit's report; default: the name it was loaded by. */
  name?: string;
}

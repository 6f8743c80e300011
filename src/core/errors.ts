/**
 * The one error type of the domain. It names domain fields (`loanAmount`, `consents`), never a wire path:
 * each protocol adapter maps codes and fields to its own wire error in one place (the aggregator API:
 * src/protocols/gpay/gpay-errors.ts). Transport problems (malformed body, protocol version, timestamp,
 * idempotency) are the protocols' own (src/protocols/shared/protocol-error.ts). Every code says when it is
 * thrown and how the caller should react.
 */
export enum AppErrorCode {
  /** A field the operation needs is absent. Caller: send the field; retrying unchanged fails again. */
  MISSING_REQUIRED_FIELD = 'MISSING_REQUIRED_FIELD',
  /** A field has a value of the wrong type, format or range. Caller: fix the value. */
  INVALID_FIELD_VALUE = 'INVALID_FIELD_VALUE',
  /**
   * An identifier (application, offer, challenge, account, CKYC id, product, dispute) is unknown to this server, or
   * belongs to another partner; also a dispute raised about a loan not granted yet, or about another partner's
   * application or loan (the same answer: nothing says it exists). Caller: check the identifier; do not retry unchanged.
   */
  NOT_FOUND = 'NOT_FOUND',
  /** The caller could not be identified as a partner of this server. Caller: check its partner id; do not retry unchanged. */
  PARTNER_UNKNOWN = 'PARTNER_UNKNOWN',
  /** The partner is known but suspended by the bank. Caller: contact the bank; every request is refused until it is reactivated. */
  PARTNER_SUSPENDED = 'PARTNER_SUSPENDED',
  /**
   * The partner sent more requests this minute than its `rateLimitPerMinute` (counted across API processes; the
   * minute starts with its first request). Nothing was done. Caller: wait `retryAfterSeconds` (also the
   * `Retry-After` header), then retry with the same request id.
   */
  PARTNER_RATE_LIMITED = 'PARTNER_RATE_LIMITED',
  /** The entity is not in a state that allows the operation (e.g. submit before KYC approval). Caller: complete the missing step, then retry with a new request id. */
  PRECONDITION_FAILED = 'PRECONDITION_FAILED',
  /** A state machine was asked for a move its transition table does not allow. Caller: read the current state and continue from there. */
  ILLEGAL_STATE_TRANSITION = 'ILLEGAL_STATE_TRANSITION',
  /** The partner already has an application with this reference. Caller: poll that application's status instead. */
  DUPLICATE_APPLICATION = 'DUPLICATE_APPLICATION',
  /**
   * DisputeService.raise: the partner already raised a dispute with this reference, about another application or
   * loan, or with another category, description or evidence link (the same request again answers the dispute raised
   * before instead). Nothing was recorded. Caller: read that dispute's status, or raise the new one under a new reference.
   */
  DISPUTE_REFERENCE_REUSED = 'DISPUTE_REFERENCE_REUSED',
  /** A required consent (T&C acceptance) is absent or not accepted. Caller: obtain the user's consent and send it. */
  CONSENT_REQUIRED = 'CONSENT_REQUIRED',
  /**
   * The OTP does not match: an SMS challenge's, or the Aadhaar e-KYC OTP (KycService.verifyAadhaarOtp; nothing
   * else changed, `details.attemptsLeft` says how many tries remain). Caller: let the user re-enter it; after the
   * per-challenge limit (Aadhaar: 3 wrong OTPs) a new challenge (a new Aadhaar OTP) is needed.
   */
  CHALLENGE_INVALID = 'CHALLENGE_INVALID',
  /** The challenge is older than its validity (5 minutes), or UIDAI says the Aadhaar OTP expired. Caller: initiate a new challenge (request a new Aadhaar OTP). */
  CHALLENGE_EXPIRED = 'CHALLENGE_EXPIRED',
  /** The challenge was already used for an operation; codes are single use. Caller: initiate a new challenge. */
  CHALLENGE_ALREADY_USED = 'CHALLENGE_ALREADY_USED',
  /** Too many wrong codes for this challenge (or this Aadhaar OTP); it is dead even for the right code. Caller: initiate a new challenge (request a new Aadhaar OTP). */
  CHALLENGE_ATTEMPTS_EXHAUSTED = 'CHALLENGE_ATTEMPTS_EXHAUSTED',
  /** The challenge was issued for another phone number, journey step or partner. Caller: initiate a challenge for this step and phone. */
  CHALLENGE_CONTEXT_MISMATCH = 'CHALLENGE_CONTEXT_MISMATCH',
  /**
   * Thrown for a phone number, whichever partner asks: by initiateChallenge when the phone has been sent as many
   * challenges as a window allows (OTP_PHONE_LIMITS, by default 10 per 15 minutes and 20 per 24 hours, counted
   * across partners and API processes), and by initiateChallenge and OTP verification while the phone is locked
   * after consecutive wrong codes (30 s, doubling per lock-out up to 1 hour). Nothing was issued or counted.
   * Caller: wait `retryAfterSeconds` (also the `Retry-After` header), then retry; the same request id may be reused.
   */
  CHALLENGE_RATE_LIMITED = 'CHALLENGE_RATE_LIMITED',
  /**
   * An uploaded document is not one of the accepted types, judged by its content (PDF, JPEG, PNG magic bytes),
   * whatever its name or declared type, or it is empty. Nothing was stored. Caller: upload a PDF, JPEG or PNG.
   */
  DOCUMENT_TYPE_NOT_ACCEPTED = 'DOCUMENT_TYPE_NOT_ACCEPTED',
  /** An uploaded document is larger than allowed (`details.maxBytes`; KYC: MAX_KYC_DOCUMENT_BYTES). Nothing was stored. Caller: upload a smaller file. */
  DOCUMENT_TOO_LARGE = 'DOCUMENT_TOO_LARGE',
  /** The offer's validity window has passed (or not begun). Caller: the user needs a new application. */
  OFFER_EXPIRED = 'OFFER_EXPIRED',
  /**
   * The offer the partner chose is not one this lender made for the application: another (or an earlier) offer
   * id, a tenure the offer does not allow, or an amount other than the one offered for the request (OfferService.choose).
   * Nothing was recorded. Caller: choose one of the offers of the latest offers answer, unchanged.
   */
  OFFER_UNKNOWN = 'OFFER_UNKNOWN',
  /**
   * The repayment plan the partner named is not the plan of the application's chosen (or signed) terms, or no
   * terms were chosen yet (RepaymentPlans.start; `details.expected` is the plan's offer id and tenure when there
   * is one). Nothing was recorded and no mandate started. Caller: send the repayment plan of the chosen offer as
   * the lender listed it (OCEN: grantLoanResponse `loanDetails.offer.repayment.plans[0]`).
   */
  REPAYMENT_PLAN_UNKNOWN = 'REPAYMENT_PLAN_UNKNOWN',
  /**
   * Signing (Google Pay SubmitApplication, OCEN verifyLoanAcceptance) names no Key Fact Statement: the borrower
   * must have been shown one for these terms first (RBI KFS circular, April 2024). Caller: obtain a KFS (Google
   * Pay: offer/keyFactStatement; OCEN: loanAgreementRequest), show it, and send its id (Google Pay: the version
   * of the `KFS` entry of tncAcceptanceMetadata, accepted); nothing was consumed.
   */
  KFS_REQUIRED = 'KFS_REQUIRED',
  /**
   * The Key Fact Statement named at signing is past its validity (3 working days from issue, Indian bank
   * holidays excluded). Caller: obtain a new KFS, show it to the borrower, and sign with its id.
   */
  KFS_EXPIRED = 'KFS_EXPIRED',
  /**
   * The Key Fact Statement named at signing was issued for another offer, amount, tenure or rate than the terms
   * being signed. Caller: obtain a KFS for exactly these terms, show it, and sign with its id.
   */
  KFS_TERMS_MISMATCH = 'KFS_TERMS_MISMATCH',
  /** The EMI the caller computed differs from the bank's by more than ₹1. Caller: recompute with the offer's rate (reducing balance, monthly rate = annual/12, rounded to the paisa). */
  EMI_MISMATCH = 'EMI_MISMATCH',
  /**
   * The bank account given for an e-NACH mandate is held in another name: the name the bank answered to the
   * penny-drop does not match the borrower's name on record (see `namesMatch` in src/core/mandate/name-match.ts).
   * Nothing was recorded and the mandate is unchanged. Caller: ask for an account in the borrower's own name
   * (or UPI Autopay).
   */
  ACCOUNT_NAME_MISMATCH = 'ACCOUNT_NAME_MISMATCH',
  /** Another request changed the same entity at the same moment. Caller: retry with the same request id. */
  CONCURRENT_MODIFICATION = 'CONCURRENT_MODIFICATION',
  /**
   * The partner's request id was used before for a different request (another body or operation): nothing was
   * done. Caller: send a new request id for a new request; a retry of the first one must repeat it exactly.
   */
  REQUEST_ID_REUSED = 'REQUEST_ID_REUSED',
  /**
   * A link to the borrower's pages carries a token that is not ours, is for another step or application, or is
   * malformed (thrown when the page exchanges it for a page session; for the repayment-setup link, also an authCode
   * that is not the one handed out with its urlToken, or a link the application's mandate no longer carries). Page: 401 with what to do; the borrower
   * opens the link again from the partner's app, which asks for a fresh one.
   */
  PAGE_LINK_INVALID = 'PAGE_LINK_INVALID',
  /**
   * The link's token is past its expiry (also the repayment-setup link, 60 s after initiateRepaymentSetup or
   * setRepaymentPlan handed it out). Page: 410; the borrower goes back to the app for a new link.
   */
  PAGE_LINK_EXPIRED = 'PAGE_LINK_EXPIRED',
  /** The link's token was already exchanged once (each is single use). Page: 410; the borrower goes back to the app for a new link. */
  PAGE_LINK_USED = 'PAGE_LINK_USED',
  /** A borrower page was asked for without a live page session for its step (none, expired, or another step). Page: 401; open the link again. */
  PAGE_SESSION_EXPIRED = 'PAGE_SESSION_EXPIRED',
  /** A borrower page's form came without its anti-forgery token, or with another session's. Page: 403; nothing was done; reload the page and send again. */
  PAGE_FORM_FORGED = 'PAGE_FORM_FORGED',
  /**
   * The ledger refused a journal entry (src/core/ledger): it does not balance (its postings do not sum to 0), has
   * a zero or sub-paisa posting or fewer than two, was posted outside the transaction of the state change it
   * records, or reuses an idempotency key already posted with a different body. A programming error: nothing was
   * committed (the database refuses an unbalanced entry at commit as well). Caller: retry with the same request
   * id; if it persists, report it to the bank.
   */
  LEDGER_ENTRY_REFUSED = 'LEDGER_ENTRY_REFUSED',
  /** A dependency (PostgreSQL, Redis, an unconfigured outside adapter) is unavailable. Caller: retry later with the same request id. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  /** An unexpected fault; nothing was committed. Caller: retry with the same request id. */
  INTERNAL = 'INTERNAL',
}

/**
 * The domain fields errors may name. Each protocol maps them to its own wire paths (one table per protocol),
 * so a core error never depends on one partner API's field names.
 */
export type DomainField =
  | 'productId'
  | 'offerId'
  | 'loanAmount'
  | 'tenureMonths'
  | 'consents'
  | 'calculatedEmi'
  | 'calculatedProcessingFee'
  | 'borrowerPhone'
  | 'challengeCode'
  | 'returnUrl'
  | 'externalReference'
  | 'challengeReference'
  | 'accountToken'
  | 'repaymentAmount'
  | 'instalmentNumber'
  | 'paymentId'
  | 'repaymentDate'
  | 'urlToken'
  | 'aadhaarNumber'
  | 'aadhaarOtp'
  | 'consentVersion'
  | 'document'
  | 'documentKind'
  | 'mandateMethod'
  | 'vpa'
  | 'accountNumber'
  | 'ifsc'
  | 'kfsId'
  | 'disputeReference'
  | 'disputeCategory'
  | 'disputeDescription'
  | 'evidenceUrl'
  | 'loanReference'
  | 'resolution';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Domain fields the error is about (protocol adapters may also put their own wire paths here). */
    readonly fields: string[] = [],
    /** Extra machine-readable detail, e.g. `retryAfterSeconds`. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** An unknown identifier; `field` names it when it came from the request. */
export const notFound = (what: string, field?: DomainField) => new AppError(AppErrorCode.NOT_FOUND, `Unknown ${what}`, field ? [field] : []);
export const precondition = (message: string) => new AppError(AppErrorCode.PRECONDITION_FAILED, message);
export const invalidField = (field: DomainField, message: string) => new AppError(AppErrorCode.INVALID_FIELD_VALUE, message, [field]);

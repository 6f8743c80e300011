/**
 * The one error type of the domain. Protocol adapters map each code to their own wire error in one place
 * (for the Google Pay-style API: src/protocols/gpay/gpay-errors.ts). Every code says when it is thrown and
 * how the caller should react.
 */
export enum AppErrorCode {
  /** A field the operation needs is absent. Caller: send the field; retrying unchanged fails again. */
  MISSING_REQUIRED_FIELD = 'MISSING_REQUIRED_FIELD',
  /** A field has a value of the wrong type, format or range, or the body has a field the schema does not know. Caller: fix the value. */
  INVALID_FIELD_VALUE = 'INVALID_FIELD_VALUE',
  /** The body is not parseable JSON. Caller: send well-formed JSON with Content-Type application/json. */
  MALFORMED_REQUEST = 'MALFORMED_REQUEST',
  /** The body is larger than the server accepts (64 KiB). Caller: send a smaller body. */
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** `protocolVersion.major` is not one this server speaks. Caller: use a supported major version (1). */
  UNSUPPORTED_PROTOCOL_VERSION = 'UNSUPPORTED_PROTOCOL_VERSION',
  /** `requestTimestamp` is not within the allowed window (±60 s) of the server's clock. Caller: resend with a fresh timestamp (same requestId). */
  REQUEST_TIMESTAMP_OUT_OF_RANGE = 'REQUEST_TIMESTAMP_OUT_OF_RANGE',
  /** The requestId was used before with a different body or operation. Caller: use a new requestId for a new request. */
  IDEMPOTENCY_VIOLATION = 'IDEMPOTENCY_VIOLATION',
  /** An identifier (application, offer, challenge, account, CKYC id) is unknown to this server. Caller: check the identifier; do not retry unchanged. */
  NOT_FOUND = 'NOT_FOUND',
  /** The entity is not in a state that allows the operation (e.g. submit before KYC approval). Caller: complete the missing step, then retry with a new requestId. */
  PRECONDITION_FAILED = 'PRECONDITION_FAILED',
  /** A state machine was asked for a move its transition table does not allow. Caller: read the current state (getStatus) and continue from there. */
  ILLEGAL_STATE_TRANSITION = 'ILLEGAL_STATE_TRANSITION',
  /** An application with this googleApplicationId already exists. Caller: poll getApprovalStatus for it instead. */
  DUPLICATE_APPLICATION = 'DUPLICATE_APPLICATION',
  /** A required consent (T&C acceptance) is absent or not accepted. Caller: obtain the user's consent and send it. */
  CONSENT_REQUIRED = 'CONSENT_REQUIRED',
  /** The OTP does not match. Caller: let the user re-enter it; after the per-challenge limit a new challenge is needed. */
  CHALLENGE_INVALID = 'CHALLENGE_INVALID',
  /** The challenge is older than its validity (10 minutes). Caller: initiate a new challenge. */
  CHALLENGE_EXPIRED = 'CHALLENGE_EXPIRED',
  /** The challenge was already used for an operation; codes are single use. Caller: initiate a new challenge. */
  CHALLENGE_ALREADY_USED = 'CHALLENGE_ALREADY_USED',
  /** Too many wrong codes for this challenge; it is dead even for the right code. Caller: initiate a new challenge. */
  CHALLENGE_ATTEMPTS_EXHAUSTED = 'CHALLENGE_ATTEMPTS_EXHAUSTED',
  /** The challenge was issued for another phone number or another journey step. Caller: initiate a challenge for this step and phone. */
  CHALLENGE_CONTEXT_MISMATCH = 'CHALLENGE_CONTEXT_MISMATCH',
  /** Too many challenges or wrong codes for this phone; it is locked for a while (back-off doubles each time). Caller: wait for the time given, then retry. */
  CHALLENGE_RATE_LIMITED = 'CHALLENGE_RATE_LIMITED',
  /** The offer's validity window has passed (or not begun). Caller: the user needs a new application. */
  OFFER_EXPIRED = 'OFFER_EXPIRED',
  /** The EMI the caller computed differs from the bank's by more than ₹1. Caller: recompute with the offer's rate (reducing balance, monthly rate = annual/12, rounded to the paisa). */
  EMI_MISMATCH = 'EMI_MISMATCH',
  /** Another request changed the same entity at the same moment. Caller: retry with the same requestId. */
  CONCURRENT_MODIFICATION = 'CONCURRENT_MODIFICATION',
  /** A dependency (PostgreSQL, Redis) is unreachable. Caller: retry later with the same requestId. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  /** An unexpected fault; nothing was committed. Caller: retry with the same requestId. */
  INTERNAL = 'INTERNAL',
}

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Field paths the error is about (e.g. `data.loanDetails.amount.amountMicros`). */
    readonly fields: string[] = [],
    /** Extra machine-readable detail, e.g. `retryAfterSeconds`. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError(AppErrorCode.NOT_FOUND, `Unknown ${what}`);
export const precondition = (message: string) => new AppError(AppErrorCode.PRECONDITION_FAILED, message);
export const invalidField = (field: string, message: string) => new AppError(AppErrorCode.INVALID_FIELD_VALUE, message, [field]);

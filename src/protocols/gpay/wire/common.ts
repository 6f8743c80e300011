/**
 * An int64 as a decimal string: an optional minus sign and 1 to 19 digits, within −2^63 … 2^63 − 1 (a value
 * outside that range is 400 INVALID_FIELD_VALUE). What this server emits.
 * @pattern ^-?[0-9]{1,19}$
 * @example "100000000000"
 */
export type Int64String = string;

/**
 * An int64 as a JSON number: accepted only as a safe integer (|n| ≤ 2^53 − 1); a larger number has lost
 * precision in JSON, so send it as a string.
 * @isLong
 * @minimum -9007199254740991
 * @maximum 9007199254740991
 * @example 100000000000
 */
export type SafeInteger = number;

/**
 * An int64 as the wire carries it: a decimal string (preferred, and what this server emits) or a JSON number
 * (accepted only when it is a safe integer, ≤ 2^53 − 1).
 * @example "100000000000"
 */
export type Int64 = Int64String | SafeInteger;

/**
 * A calendar date, YYYY-MM-DD, that exists: 2024-02-29 does, 2023-02-29 and 2024-04-31 do not (400
 * INVALID_FIELD_VALUE).
 * @pattern ^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$
 * @format date
 * @example "1990-05-15"
 */
export type CalendarDate = string;

export interface Timestamp {
  /** Milliseconds since the Unix epoch (int64); in a requestHeader it must be within ±60 s of the server's clock. */
  epochMillis: Int64;
}

export interface TimestampOut {
  /** Milliseconds since the Unix epoch (int64, as a string). */
  epochMillis: string;
}

export interface ProtocolVersion {
  /**
   * Major version of the protocol. This server speaks major version 1.
   * @isInt
   * @minimum 1
   */
  major: number;
}

export interface RequestHeader {
  /**
   * Unique identifier of this request; the idempotency key. A retry keeps it (with a new timestamp).
   * @pattern ^[A-Za-z0-9:_-]{1,100}$
   * @example "req-7f9c2a:001"
   */
  requestId: string;
  /** When the caller sent the request; must be within ±60 s of the server's clock. Not part of the idempotency fingerprint. */
  requestTimestamp: Timestamp;
  protocolVersion: ProtocolVersion;
  /**
   * The caller's integrator account, when it sends one.
   * @maxLength 100
   */
  paymentIntegratorAccountId?: string;
}

export interface ResponseHeader {
  /** The requestId of the request this answers. */
  requestId: string;
  responseTimestamp: TimestampOut;
}

/**
 * An amount of money. `amountMicros` is the amount × 10^6 (₹1 = 1000000). The amounts this server reads (the
 * loan amount, the income, the EMI, the processing fee) must be positive and whole paise (a multiple of
 * 10000 micros), else 400 INVALID_FIELD_VALUE.
 */
export interface Money {
  /**
   * ISO 4217 currency code; only INR is supported.
   * @pattern ^INR$
   */
  currencyCode: string;
  /** Amount in micros (int64), as a string or a safe-integer number. */
  amountMicros: Int64;
}

/** An amount of money as this server emits it: micros as a decimal string. */
export interface MoneyOut {
  currencyCode: 'INR';
  /** Amount in micros (int64, as a string). */
  amountMicros: string;
}

export interface PhoneNumber {
  /**
   * Country calling code, digits only.
   * @pattern ^[0-9]{1,3}$
   * @example "91"
   */
  countryCode: string;
  /**
   * National number, digits only.
   * @pattern ^[0-9]{6,14}$
   * @example "9876543210"
   */
  nationalNumber: string;
}

/** Identifies the user in the bank's system. */
export interface UserIdentifier {
  phoneNumber: PhoneNumber;
}

export interface ChallengeToken {
  /** Only SMS_OTP is verified; an EMAIL_OTP token is ignored. */
  type: 'SMS_OTP' | 'EMAIL_OTP';
  /**
   * The code the user entered.
   * @pattern ^[0-9]{4,10}$
   */
  value: string;
}

/** The answer to an InitiateChallenge: its tokenReferenceId and the code(s) the user entered. */
export interface Challenge {
  /**
   * @minLength 1
   * @maxLength 100
   */
  tokenReferenceId: string;
  /** @minItems 1 */
  tokens: ChallengeToken[];
}

/** A user's acceptance of a terms-and-conditions document. */
export interface TncAcceptance {
  /** @maxLength 100 */
  version?: string;
  /** MITC, USER_DATA_SHARING_CONSENT, CKYC_DATA_FETCH, … */
  type: 'MITC' | 'USER_DATA_SHARING_CONSENT' | 'CKYC_DATA_FETCH' | 'KFS' | 'LOAN_AGREEMENT';
  acceptance: boolean;
}

/**
 * A Google-side application identifier.
 * @pattern ^[A-Za-z0-9_:-]{1,100}$
 * @example "AB2134"
 */
export type GoogleApplicationId = string;

// An empty object on the wire (a oneof member with no fields); tsoa needs an interface to emit `type: object`.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EmptyContext {}

export interface Tenure {
  periodType: 'MONTH';
  /**
   * @isInt
   * @minimum 1
   * @maximum 600
   */
  length: number;
}

export interface TenureOut {
  periodType: 'MONTH';
  length: number;
}

/** Why an application was rejected (ApplicationRejectionReason.Reason). */
export type RejectionReason =
  | 'BUREAU_RECORD'
  | 'CREDIT_RISK_ASSESSMENT'
  | 'CO_LENDER_REJECT'
  | 'KYC_REJECT'
  | 'LANGUAGE_BARRIER'
  | 'BANKING_RELATIONSHIP'
  | 'UNSERVICEABLE_LOCATION'
  | 'BORROWER_REJECTED'
  | 'DUPLICATE_APPLICATION'
  | 'USER_UNREACHABLE'
  | 'OTHERS'
  | 'PENDING_CUSTOMER_ACTION'
  | 'INVALID_DATA_WITH_VENDOR';

export interface RejectedStateContext {
  reason: RejectionReason;
  description: string;
}

/** The wire error codes (Google integrator ErrorResponseCode), with the HTTP status each travels with. */
export type ErrorResponseCode =
  | 'INVALID_API_VERSION'
  | 'REQUEST_TIMESTAMP_OUT_OF_RANGE'
  | 'INVALID_IDENTIFIER'
  | 'IDEMPOTENCY_VIOLATION'
  | 'INVALID_FIELD_VALUE'
  | 'MISSING_REQUIRED_FIELD'
  | 'PRECONDITION_VIOLATION'
  | 'USER_ACTION_IN_PROGRESS'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'INVALID_PAYLOAD_SIGNATURE'
  | 'INVALID_PAYLOAD_ENCRYPTION'
  | 'INTERNAL';

export interface ErrorResponse {
  /** The class of error; HTTP status: 400 for most, 401 UNAUTHENTICATED (unknown partner) or INVALID_PAYLOAD_SIGNATURE (a signed body that does not verify), 400 INVALID_PAYLOAD_ENCRYPTION (an encrypted body that does not decrypt), 403 PERMISSION_DENIED (suspended partner), 404 INVALID_IDENTIFIER, 412 IDEMPOTENCY_VIOLATION, 409 USER_ACTION_IN_PROGRESS, 413 and 415 (body too large, not JSON), 429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, 500 INTERNAL. */
  errorResponseCode?: ErrorResponseCode;
  /** For support staff and logs; never shown to users. */
  errorDescription: string;
  /** This server's precise reason: an AppErrorCode (see README "Error codes"), e.g. CHALLENGE_EXPIRED, or IL234 for CKYC not found. */
  paymentIntegratorErrorCode: string;
  /** Field paths the error is about. */
  fieldViolations?: string[];
  /** Seconds to wait before retrying (with RESOURCE_EXHAUSTED). */
  retryAfterSeconds?: number;
  /** A business result carried as an error (HTTP 200), e.g. `ckycDataNotFound`. */
  errorResponseResult?: { ckycDataNotFound?: EmptyContext };
}

export interface ErrorEnvelope {
  responseHeader: ResponseHeader;
  errorResponse: ErrorResponse;
}

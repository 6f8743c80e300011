import { NextFunction, Request, Response } from 'express';
import { Logger } from 'pino';
import { ValidateError } from '@tsoa/runtime';
import { AppError, AppErrorCode, DomainField } from '../../core/errors';
import { Clock } from '../../lib/clock';
import { ProtocolError, ProtocolErrorCode } from '../shared/protocol-error';
import { fromBodyParserError } from '../shared/body';
import { isDependencyUnavailable } from '../../lib/unavailable';
import { ErrorEnvelope, ErrorResponseCode } from './wire/common';
import { wirePath } from '../shared/tsoa-array-paths';

type WireError = { status: number; code: ErrorResponseCode };

/** The one place where an error becomes a wire error of this protocol: HTTP status and errorResponseCode per code. */
const WIRE: Record<AppErrorCode | ProtocolErrorCode, WireError> = {
  [AppErrorCode.MISSING_REQUIRED_FIELD]: { status: 400, code: 'MISSING_REQUIRED_FIELD' },
  [AppErrorCode.INVALID_FIELD_VALUE]: { status: 400, code: 'INVALID_FIELD_VALUE' },
  [AppErrorCode.NOT_FOUND]: { status: 404, code: 'INVALID_IDENTIFIER' },
  [AppErrorCode.PARTNER_UNKNOWN]: { status: 401, code: 'UNAUTHENTICATED' },
  [AppErrorCode.PARTNER_SUSPENDED]: { status: 403, code: 'PERMISSION_DENIED' },
  [AppErrorCode.PARTNER_RATE_LIMITED]: { status: 429, code: 'RESOURCE_EXHAUSTED' },
  [AppErrorCode.PRECONDITION_FAILED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.ILLEGAL_STATE_TRANSITION]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.DUPLICATE_APPLICATION]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.DISPUTE_REFERENCE_REUSED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.CONSENT_REQUIRED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.CHALLENGE_INVALID]: { status: 400, code: 'INVALID_FIELD_VALUE' },
  [AppErrorCode.CHALLENGE_EXPIRED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.CHALLENGE_ALREADY_USED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.CHALLENGE_ATTEMPTS_EXHAUSTED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.CHALLENGE_CONTEXT_MISMATCH]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.CHALLENGE_RATE_LIMITED]: { status: 429, code: 'RESOURCE_EXHAUSTED' },
  [AppErrorCode.DOCUMENT_TYPE_NOT_ACCEPTED]: { status: 415, code: 'INVALID_FIELD_VALUE' },
  [AppErrorCode.DOCUMENT_TOO_LARGE]: { status: 413, code: 'INVALID_FIELD_VALUE' },
  [AppErrorCode.OFFER_EXPIRED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.OFFER_UNKNOWN]: { status: 404, code: 'INVALID_IDENTIFIER' },
  [AppErrorCode.REPAYMENT_PLAN_UNKNOWN]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.KFS_REQUIRED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.KFS_EXPIRED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.KFS_TERMS_MISMATCH]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.EMI_MISMATCH]: { status: 400, code: 'INVALID_FIELD_VALUE' },
  // The mandate page's error (not raised by this API's operations; mapped so that every code has a wire form).
  [AppErrorCode.ACCOUNT_NAME_MISMATCH]: { status: 400, code: 'INVALID_FIELD_VALUE' },
  [AppErrorCode.CONCURRENT_MODIFICATION]: { status: 409, code: 'USER_ACTION_IN_PROGRESS' },
  // Answered as the protocol's IDEMPOTENCY_VIOLATION (see classify); listed so that every code has a wire form.
  [AppErrorCode.REQUEST_ID_REUSED]: { status: 412, code: 'IDEMPOTENCY_VIOLATION' },
  // Errors of the borrower's pages (never answered on this API; listed for completeness).
  [AppErrorCode.PAGE_LINK_INVALID]: { status: 401, code: 'UNAUTHENTICATED' },
  [AppErrorCode.PAGE_LINK_EXPIRED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.PAGE_LINK_USED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.PAGE_SESSION_EXPIRED]: { status: 401, code: 'UNAUTHENTICATED' },
  [AppErrorCode.PAGE_FORM_FORGED]: { status: 403, code: 'PERMISSION_DENIED' },
  [AppErrorCode.SERVICE_UNAVAILABLE]: { status: 503, code: 'UNAVAILABLE' },
  // A ledger entry refused is a fault of this server, like INTERNAL: nothing was committed.
  [AppErrorCode.LEDGER_ENTRY_REFUSED]: { status: 500, code: 'INTERNAL' },
  [AppErrorCode.INTERNAL]: { status: 500, code: 'INTERNAL' },
  [ProtocolErrorCode.MALFORMED_REQUEST]: { status: 400, code: 'INVALID_FIELD_VALUE' },
  [ProtocolErrorCode.UNSUPPORTED_MEDIA_TYPE]: { status: 415, code: 'INVALID_FIELD_VALUE' },
  [ProtocolErrorCode.PAYLOAD_TOO_LARGE]: { status: 413, code: 'INVALID_FIELD_VALUE' },
  [ProtocolErrorCode.UNSUPPORTED_PROTOCOL_VERSION]: { status: 400, code: 'INVALID_API_VERSION' },
  [ProtocolErrorCode.REQUEST_TIMESTAMP_OUT_OF_RANGE]: { status: 400, code: 'REQUEST_TIMESTAMP_OUT_OF_RANGE' },
  [ProtocolErrorCode.IDEMPOTENCY_VIOLATION]: { status: 412, code: 'IDEMPOTENCY_VIOLATION' },
  [ProtocolErrorCode.NO_SUCH_OPERATION]: { status: 404, code: 'INVALID_IDENTIFIER' },
  [ProtocolErrorCode.ILL_FORMED_TEXT]: { status: 400, code: 'INVALID_FIELD_VALUE' },
  [ProtocolErrorCode.INVALID_PAYLOAD_SIGNATURE]: { status: 401, code: 'INVALID_PAYLOAD_SIGNATURE' },
  [ProtocolErrorCode.INVALID_PAYLOAD_ENCRYPTION]: { status: 400, code: 'INVALID_PAYLOAD_ENCRYPTION' },
};

/** Domain fields as this API's wire paths. */
const WIRE_FIELDS: Record<DomainField, string> = {
  productId: 'data.productId',
  offerId: 'data.offerId',
  loanAmount: 'data.loanApplicationDetails.loanAmount.amountMicros',
  tenureMonths: 'data.loanApplicationDetails.tenure.length',
  consents: 'data.tncAcceptanceMetadata',
  calculatedEmi: 'data.loanApplicationDetails.calculatedEmiAmount',
  calculatedProcessingFee: 'data.loanApplicationDetails.calculatedApplicationFees',
  borrowerPhone: 'data.userIdentifier',
  challengeCode: 'data.challenge.tokens',
  returnUrl: 'data.redirectionUrl',
  externalReference: 'data.googleApplicationId',
  challengeReference: 'data.challenge.tokenReferenceId',
  accountToken: 'data.accountToken',
  kfsId: 'data.tncAcceptanceMetadata',
  // Loan servicing is not on this API (OCEN only): the domain names stand as they are.
  repaymentAmount: 'repaymentAmount',
  instalmentNumber: 'instalmentNumber',
  paymentId: 'paymentId',
  repaymentDate: 'repaymentDate',
  // The borrower's KYC page is the bank's own (not on this API): the domain names stand as they are.
  urlToken: 'urlToken',
  aadhaarNumber: 'aadhaarNumber',
  aadhaarOtp: 'aadhaarOtp',
  consentVersion: 'consentVersion',
  document: 'document',
  documentKind: 'documentKind',
  // The mandate page's fields (the borrower types them on the bank's page, not through this API).
  mandateMethod: 'mandateMethod',
  vpa: 'vpa',
  accountNumber: 'accountNumber',
  ifsc: 'ifsc',
  // Disputes are not on this API (OCEN v3 and the staff console): the domain names stand as they are.
  disputeReference: 'disputeReference',
  disputeCategory: 'disputeCategory',
  disputeDescription: 'disputeDescription',
  evidenceUrl: 'evidenceUrl',
  loanReference: 'loanReference',
  resolution: 'resolution',
};

const REQUEST_ID = /^[A-Za-z0-9:_-]{1,100}$/;

/** tsoa's validation error: a missing field or a wrong one, naming every path. */
export function fromValidateError(err: ValidateError): AppError {
  const fields = Object.keys(err.fields).map(wirePath);
  const messages = Object.entries(err.fields).map(([path, detail]) => `${wirePath(path)}: ${detail.message}`);
  const missing = Object.values(err.fields).every((detail) => /is required/.test(detail.message));
  return new AppError(missing ? AppErrorCode.MISSING_REQUIRED_FIELD : AppErrorCode.INVALID_FIELD_VALUE, messages.join('; '), fields);
}

/** Anything thrown while serving a request, as an AppError or a ProtocolError. */
export function classify(err: unknown): AppError | ProtocolError {
  if (err instanceof AppError && err.code === AppErrorCode.REQUEST_ID_REUSED) return new ProtocolError(ProtocolErrorCode.IDEMPOTENCY_VIOLATION, err.message);
  if (err instanceof AppError || err instanceof ProtocolError) return err;
  if (err instanceof ValidateError) return fromValidateError(err);
  const bodyError = fromBodyParserError(err);
  if (bodyError) return bodyError;
  if (isDependencyUnavailable(err)) return new AppError(AppErrorCode.SERVICE_UNAVAILABLE, 'A dependency is unavailable; retry later with the same requestId');
  return new AppError(AppErrorCode.INTERNAL, 'Internal error; nothing was committed. Retry with the same requestId');
}

export function toErrorEnvelope(err: AppError | ProtocolError, requestId: string, now: Date): { status: number; body: ErrorEnvelope } {
  const wire = WIRE[err.code];
  const details = err instanceof AppError ? err.details : {};
  const retryAfterSeconds = typeof details.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined;
  const fields = err.fields.map((field) => WIRE_FIELDS[field as DomainField] ?? field);
  return {
    status: wire.status,
    body: {
      responseHeader: { requestId, responseTimestamp: { epochMillis: String(now.getTime()) } },
      errorResponse: {
        errorResponseCode: wire.code,
        errorDescription: err.message,
        paymentIntegratorErrorCode: err.code,
        ...(fields.length ? { fieldViolations: fields } : {}),
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      },
    },
  };
}

/** The surface's error middleware: every failure in this API's error envelope, never HTML or a bare 500. */
export function gpayErrorHandler(clock: Clock, logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = classify(err);
    if (error.code === AppErrorCode.INTERNAL || error.code === AppErrorCode.LEDGER_ENTRY_REFUSED || error.code === AppErrorCode.SERVICE_UNAVAILABLE) logger.error({ err, path: req.path }, 'request failed');
    const candidate = (req.body as { requestHeader?: { requestId?: unknown } } | undefined)?.requestHeader?.requestId;
    const requestId = typeof candidate === 'string' && REQUEST_ID.test(candidate) ? candidate : '';
    const { status, body } = toErrorEnvelope(error, requestId, clock.now());
    if (typeof body.errorResponse.retryAfterSeconds === 'number') res.setHeader('retry-after', String(body.errorResponse.retryAfterSeconds));
    res.status(status).json(body);
  };
}

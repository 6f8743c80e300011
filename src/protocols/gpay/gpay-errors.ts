import { ValidateError } from '@tsoa/runtime';
import { AppError, AppErrorCode } from '../../core/errors';
import { ErrorEnvelope, ErrorResponseCode } from './wire/common';

/** The one place where a domain error becomes a wire error of this protocol. */
const WIRE: Record<AppErrorCode, { status: number; code: ErrorResponseCode }> = {
  [AppErrorCode.MISSING_REQUIRED_FIELD]: { status: 400, code: 'MISSING_REQUIRED_FIELD' },
  [AppErrorCode.INVALID_FIELD_VALUE]: { status: 400, code: 'INVALID_FIELD_VALUE' },
  [AppErrorCode.MALFORMED_REQUEST]: { status: 400, code: 'INVALID_FIELD_VALUE' },
  [AppErrorCode.PAYLOAD_TOO_LARGE]: { status: 413, code: 'INVALID_FIELD_VALUE' },
  [AppErrorCode.UNSUPPORTED_PROTOCOL_VERSION]: { status: 400, code: 'INVALID_API_VERSION' },
  [AppErrorCode.REQUEST_TIMESTAMP_OUT_OF_RANGE]: { status: 400, code: 'REQUEST_TIMESTAMP_OUT_OF_RANGE' },
  [AppErrorCode.IDEMPOTENCY_VIOLATION]: { status: 412, code: 'IDEMPOTENCY_VIOLATION' },
  [AppErrorCode.NOT_FOUND]: { status: 404, code: 'INVALID_IDENTIFIER' },
  [AppErrorCode.PRECONDITION_FAILED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.ILLEGAL_STATE_TRANSITION]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.DUPLICATE_APPLICATION]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.CONSENT_REQUIRED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.CHALLENGE_INVALID]: { status: 400, code: 'INVALID_FIELD_VALUE' },
  [AppErrorCode.CHALLENGE_EXPIRED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.CHALLENGE_ALREADY_USED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.CHALLENGE_ATTEMPTS_EXHAUSTED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.CHALLENGE_CONTEXT_MISMATCH]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.CHALLENGE_RATE_LIMITED]: { status: 429, code: 'RESOURCE_EXHAUSTED' },
  [AppErrorCode.OFFER_EXPIRED]: { status: 400, code: 'PRECONDITION_VIOLATION' },
  [AppErrorCode.EMI_MISMATCH]: { status: 400, code: 'INVALID_FIELD_VALUE' },
  [AppErrorCode.CONCURRENT_MODIFICATION]: { status: 409, code: 'USER_ACTION_IN_PROGRESS' },
  [AppErrorCode.SERVICE_UNAVAILABLE]: { status: 503, code: 'UNAVAILABLE' },
  [AppErrorCode.INTERNAL]: { status: 500, code: 'INTERNAL' },
};

export function wireStatusOf(code: AppErrorCode): number {
  return WIRE[code].status;
}

/** tsoa's `body.data.user.addresses.$0.pan` as the wire path `data.user.addresses[0].pan` (the body itself is `body`). */
export function wirePath(tsoaPath: string): string {
  return tsoaPath.replace(/^(requestBody|body)\.?/, '').replace(/\.\$([0-9]+)/g, '[$1]') || 'body';
}

/** tsoa's validation error as a domain error: a missing field or a wrong/unknown one, naming every path. */
export function fromValidateError(err: ValidateError): AppError {
  const fields = Object.keys(err.fields).map(wirePath);
  const messages = Object.entries(err.fields).map(([path, detail]) => `${wirePath(path)}: ${detail.message}`);
  const missing = Object.values(err.fields).every((detail) => /is required/.test(detail.message));
  return new AppError(missing ? AppErrorCode.MISSING_REQUIRED_FIELD : AppErrorCode.INVALID_FIELD_VALUE, messages.join('; '), fields);
}

export function toErrorEnvelope(err: AppError, requestId: string, now: Date): { status: number; body: ErrorEnvelope } {
  const wire = WIRE[err.code];
  const retryAfterSeconds = typeof err.details.retryAfterSeconds === 'number' ? err.details.retryAfterSeconds : undefined;
  return {
    status: wire.status,
    body: {
      responseHeader: { requestId, responseTimestamp: { epochMillis: String(now.getTime()) } },
      errorResponse: {
        errorResponseCode: wire.code,
        errorDescription: err.message,
        paymentIntegratorErrorCode: err.code,
        ...(err.fields.length ? { fieldViolations: err.fields } : {}),
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      },
    },
  };
}

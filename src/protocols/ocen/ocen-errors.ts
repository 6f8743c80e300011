import { AppError, AppErrorCode } from '../../core/errors';
import { OcenRefusal } from './ocen-operation';

/**
 * The one place where a core error becomes an OCEN refusal (the ack's `error` is `CODE: message`, answered with
 * the HTTP status): what every operation throws, unless the operation refused first in its own words.
 * An error that is not an AppError (a fault of this server) is returned as it is: INTERNAL_ERROR, nothing committed.
 */
export function refusalOf(err: unknown): unknown {
  if (!(err instanceof AppError)) return err;
  switch (err.code) {
    case AppErrorCode.DUPLICATE_APPLICATION: return new OcenRefusal('DUPLICATE_LOAN_APPLICATION', 'A loan application with this loanApplicationId exists already', 409);
    case AppErrorCode.REQUEST_ID_REUSED: return new OcenRefusal('REQUEST_ID_REUSED', `metadata.${err.message}`, 409);
    case AppErrorCode.NOT_FOUND: return new OcenRefusal('NOT_FOUND', err.message, 404);
    case AppErrorCode.OFFER_EXPIRED: return new OcenRefusal('OFFER_EXPIRED', err.message, 422);
    case AppErrorCode.INVALID_FIELD_VALUE: return new OcenRefusal('INVALID_REQUEST', err.message, 400);
    case AppErrorCode.CHALLENGE_RATE_LIMITED: return new OcenRefusal(err.code, err.message, 429);
    case AppErrorCode.LEDGER_ENTRY_REFUSED: return err; // a fault of this server: INTERNAL_ERROR, nothing committed
    default: return new OcenRefusal(err.code, err.message, 422);
  }
}

/** A refusal of the partner's identity (its first call, or a suspended partner): 403 with the core's code. */
export function partnerRefusalOf(err: unknown): unknown {
  return err instanceof AppError ? new OcenRefusal(err.code, err.message, 403) : err;
}

/**
 * An operation's own wording of one core error (e.g. NOT_FOUND of a payment id as UNKNOWN_PAYMENT): `refusal` when
 * `err` is an AppError with `code` (and, with `field`, about that domain field); otherwise `err` unchanged, for
 * {@link refusalOf}.
 */
export function refusedAs(err: unknown, code: AppErrorCode, refusal: (err: AppError) => OcenRefusal, field?: string): unknown {
  if (err instanceof AppError && err.code === code && (field === undefined || err.fields.includes(field))) return refusal(err);
  return err;
}

import { AppError, AppErrorCode } from '../../core/errors';
import type { MessageKey, Translate } from './page-renderer';

/** A problem with one field of a page's form, shown beside the field and in the summary above the form. */
export interface FieldError {
  /** The input's id (the summary links to it). */
  field: string;
  message: string;
}

/** Field errors as the views read them: `errors` for the summary, `errorOf[field]` beside each input. */
export function formErrors(errors: FieldError[]): { errors: FieldError[]; errorOf: Record<string, string> } {
  return { errors, errorOf: Object.fromEntries(errors.map((e) => [e.field, e.message])) };
}

/** Whether a failure is the borrower's input (shown on the form again) rather than a page error. */
export function isInputError(err: unknown): err is AppError {
  return err instanceof AppError && (err.code === AppErrorCode.INVALID_FIELD_VALUE || err.code === AppErrorCode.MISSING_REQUIRED_FIELD);
}

/** One message for a field, in the page's language. */
export const fieldError = (t: Translate, field: string, key: MessageKey, params?: Record<string, string | number>): FieldError => ({ field, message: t(key, params) });

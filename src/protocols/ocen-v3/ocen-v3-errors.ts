import { AppError, AppErrorCode } from '../../core/errors';
import { OCEN_OTP_SESSION_STATUS } from '../shared/ocen-family';
import { V3Refusal } from './ocen-v3-envelope';

/**
 * The one place where a core error becomes an OCEN v3 refusal (the ack's `error` is `CODE: reason`, answered with
 * the HTTP status; v3 defines no codes, the core's are used): what every operation throws, unless the operation
 * refused first in its own words ({@link v3OperationRefusals}).
 * An error that is not an AppError (a fault of this server) is returned as it is: INTERNAL_ERROR, nothing committed.
 */
export function v3RefusalOf(err: unknown): unknown {
  if (!(err instanceof AppError)) return err;
  switch (err.code) {
    case AppErrorCode.REQUEST_ID_REUSED: return new V3Refusal('REQUEST_ID_REUSED', err.message, 409);
    case AppErrorCode.DUPLICATE_APPLICATION: return new V3Refusal('DUPLICATE_LOAN_APPLICATION', 'A loan application with this loanApplicationId exists already', 409);
    case AppErrorCode.NOT_FOUND: return new V3Refusal('NOT_FOUND', err.message, 404);
    case AppErrorCode.INVALID_FIELD_VALUE:
    case AppErrorCode.MISSING_REQUIRED_FIELD: return new V3Refusal('INVALID_REQUEST', err.message, 400);
    case AppErrorCode.DISPUTE_REFERENCE_REUSED: return new V3Refusal(err.code, err.message, 409);
    case AppErrorCode.CHALLENGE_RATE_LIMITED: return new V3Refusal(err.code, err.message, 429);
    case AppErrorCode.LEDGER_ENTRY_REFUSED: return err; // a fault of this server: INTERNAL_ERROR, nothing committed
    default: return new V3Refusal(err.code, err.message, 422);
  }
}

/**
 * Whether the core refused a signer's `metadata.orgId` (no such partner, or suspended): the router then answers as
 * for a bad signature (401 UNKNOWN_KEY), telling an unknown agent nothing more.
 */
export function isPartnerRefusal(err: unknown): boolean {
  return err instanceof AppError && (err.code === AppErrorCode.PARTNER_UNKNOWN || err.code === AppErrorCode.PARTNER_SUSPENDED);
}

/**
 * An operation's own wording of one core error: `refusal` when `err` is an AppError with `code` (and, with `field`,
 * about that domain field); otherwise `err` unchanged, for {@link v3RefusalOf}.
 */
function v3RefusedAs(err: unknown, code: AppErrorCode, refusal: (err: AppError) => V3Refusal, field?: string): unknown {
  if (err instanceof AppError && err.code === code && (field === undefined || err.fields.includes(field))) return refusal(err);
  return err;
}

/**
 * The refusals an operation words itself, one core error each (anything else passes on unchanged to
 * {@link v3RefusalOf}): `catch (err) { throw v3OperationRefusals.loanNotSigned(err); }`.
 */
export const v3OperationRefusals = {
  /** setOfferRequest naming an offer that is not one of ours for the application (OfferService.choose). */
  unknownOffer: (err: unknown, offerId: unknown, loanApplicationId: string) =>
    v3RefusedAs(err, AppErrorCode.OFFER_UNKNOWN, () => new V3Refusal(
      'OFFER_UNKNOWN',
      `Offer ${JSON.stringify(offerId)} is not one of this lender's current offers for loan application ${loanApplicationId}: send one of the offers of the latest generateOffersResponse, unchanged`,
      422,
    )),
  /** grantLoanRequest before the agreement is signed. */
  loanNotSigned: (err: unknown) => v3RefusedAs(err, AppErrorCode.PRECONDITION_FAILED, (e) => new V3Refusal('LOAN_NOT_SIGNED', e.message, 409)),
  /**
   * setRepaymentPlanRequest naming a plan that is not the chosen offer's (RepaymentPlans.start): the refusal names
   * the plan id to send (`expectedPlanId`, when terms were chosen) and where the agent finds the plan.
   */
  unknownPlan: (err: unknown, planId: unknown, loanApplicationId: string, expectedPlanId: (offerId: string, tenureMonths: number) => string) =>
    v3RefusedAs(err, AppErrorCode.REPAYMENT_PLAN_UNKNOWN, (e) => {
      const expected = e.details.expected as { offerId: string; tenureMonths: number } | undefined;
      const send = expected
        ? `send plan ${JSON.stringify(expectedPlanId(expected.offerId, expected.tenureMonths))}, the repayment plan of the chosen offer as grantLoanResponse lists it (repayment.plan)`
        : 'choose an offer first (setOfferRequest), then send its repayment plan as grantLoanResponse lists it (repayment.plan)';
      return new V3Refusal('REPAYMENT_PLAN_UNKNOWN', `Plan ${JSON.stringify(planId)} is not the repayment plan of loan application ${loanApplicationId}: ${send}`, 422);
    }),
  /** triggerDisbursementRequest for another amount than the signed terms pay out. */
  amountMismatch: (err: unknown) =>
    v3RefusedAs(err, AppErrorCode.INVALID_FIELD_VALUE, (e) => new V3Refusal('AMOUNT_MISMATCH', e.message, 422), 'disbursementAmount'),
  /** consentStatusRequest naming a consent handle unknown, or another agent's. */
  unknownConsent: (err: unknown, handle: string) =>
    v3RefusedAs(err, AppErrorCode.NOT_FOUND, () => new V3Refusal('UNKNOWN_CONSENT', `No consent ${JSON.stringify(handle)} of this loan agent`, 404)),
};

/** The OTP session status answering a core error of signing, or undefined when the error is a refusal (see {@link v3RefusalOf}). */
export function v3OtpSessionStatusOf(err: unknown): 'INVALID_SESSION' | 'INCORRECT_OTP' | undefined {
  return err instanceof AppError ? OCEN_OTP_SESSION_STATUS[err.code] : undefined;
}

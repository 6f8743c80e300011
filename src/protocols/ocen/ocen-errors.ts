import { AppError, AppErrorCode } from '../../core/errors';
import { OCEN_OTP_SESSION_STATUS } from '../shared/ocen-family';
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
    case AppErrorCode.OFFER_UNKNOWN: return new OcenRefusal('OFFER_UNKNOWN', err.message, 422);
    case AppErrorCode.REPAYMENT_PLAN_UNKNOWN: return new OcenRefusal('REPAYMENT_PLAN_UNKNOWN', err.message, 422);
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

/**
 * The refusals an operation words itself, one core error each (anything else passes on unchanged to
 * {@link refusalOf}): `catch (err) { throw operationRefusals.loanNotSigned(err); }`.
 */
export const operationRefusals = {
  /** grantLoan before the agreement is signed. */
  loanNotSigned: (err: unknown) => refusedAs(err, AppErrorCode.PRECONDITION_FAILED, (e) => new OcenRefusal('LOAN_NOT_SIGNED', e.message, 409)),
  /** triggerDisbursement for another amount than the signed terms pay out. */
  amountMismatch: (err: unknown) => refusedAs(err, AppErrorCode.INVALID_FIELD_VALUE, (e) => new OcenRefusal('AMOUNT_MISMATCH', e.message, 422), 'disbursementAmount'),
  /** setOffers naming an offer that is not one of ours for the application (OfferService.choose). */
  unknownOffer: (err: unknown, offerId: unknown, loanApplicationId: string) =>
    refusedAs(err, AppErrorCode.OFFER_UNKNOWN, () => new OcenRefusal('OFFER_UNKNOWN', `Offer ${JSON.stringify(offerId)} is not one of this lender's current offers for loan application ${loanApplicationId}: send one of the offers of the latest generateOffersResponse, unchanged`, 422)),
  /**
   * setRepaymentPlan naming a plan that is not the chosen offer's (RepaymentPlans.start): the refusal names the
   * plan id to send (`expectedPlanId`, when terms were chosen) and where the agent finds the plan.
   */
  unknownPlan: (err: unknown, planId: unknown, expectedPlanId: (offerId: string, tenureMonths: number) => string) =>
    refusedAs(err, AppErrorCode.REPAYMENT_PLAN_UNKNOWN, (e) => {
      const expected = e.details.expected as { offerId: string; tenureMonths: number } | undefined;
      const send = expected
        ? `send plan ${JSON.stringify(expectedPlanId(expected.offerId, expected.tenureMonths))}, the repayment plan of the chosen offer as grantLoanResponse lists it (loanDetails.offer.repayment.plans[0])`
        : 'choose an offer first (setOffersRequest), then send its repayment plan as grantLoanResponse lists it (loanDetails.offer.repayment.plans[0])';
      return new OcenRefusal('REPAYMENT_PLAN_UNKNOWN', `Plan ${JSON.stringify(planId)} is not the repayment plan of this loan: ${send}`, 422);
    }),
  /** A repayment's payment id unknown on this loan. */
  unknownPayment: (err: unknown, paymentId: string) =>
    refusedAs(err, AppErrorCode.NOT_FOUND, () => new OcenRefusal('UNKNOWN_PAYMENT', `No payment ${JSON.stringify(paymentId)} of this loan`, 404)),
  /** A consent handle unknown, or another agent's. */
  unknownConsent: (err: unknown, handle: string) =>
    refusedAs(err, AppErrorCode.NOT_FOUND, () => new OcenRefusal('UNKNOWN_CONSENT', `No consent ${JSON.stringify(handle)} of this loan agent`, 404)),
  /** A granted loan that has no serviced loan yet (not paid out). */
  loanNotDisbursed: (err: unknown, lenderReference: string) =>
    refusedAs(err, AppErrorCode.NOT_FOUND, () => new OcenRefusal('LOAN_NOT_DISBURSED', `Loan ${lenderReference} has not been disbursed yet`, 409)),
};

/** The OTP session status answering a core error of signing, or undefined when the error is a refusal (see {@link refusalOf}). */
export function otpSessionStatusOf(err: unknown): 'INVALID_SESSION' | 'INCORRECT_OTP' | undefined {
  return err instanceof AppError ? OCEN_OTP_SESSION_STATUS[err.code] : undefined;
}

import { AppError, AppErrorCode } from '../../src/core/errors';
import { V3Refusal } from '../../src/protocols/ocen-v3/ocen-v3-envelope';
import { isPartnerRefusal, v3OperationRefusals, v3OtpSessionStatusOf, v3RefusalOf } from '../../src/protocols/ocen-v3/ocen-v3-errors';

const refusal = (err: unknown) => {
  expect(err).toBeInstanceOf(V3Refusal);
  const { code, message, status } = err as V3Refusal;
  return { code, message, status };
};

describe('OCEN v3 error mapping', () => {
  it.each([
    [AppErrorCode.REQUEST_ID_REUSED, 'REQUEST_ID_REUSED', 409],
    [AppErrorCode.NOT_FOUND, 'NOT_FOUND', 404],
    [AppErrorCode.INVALID_FIELD_VALUE, 'INVALID_REQUEST', 400],
    [AppErrorCode.MISSING_REQUIRED_FIELD, 'INVALID_REQUEST', 400],
    [AppErrorCode.DISPUTE_REFERENCE_REUSED, 'DISPUTE_REFERENCE_REUSED', 409],
    [AppErrorCode.CHALLENGE_RATE_LIMITED, 'CHALLENGE_RATE_LIMITED', 429],
    [AppErrorCode.PRECONDITION_FAILED, 'PRECONDITION_FAILED', 422],
  ])('when the core refuses with %s, then the ack is %s with status %i and the core message', (core, code, status) => {
    expect(refusal(v3RefusalOf(new AppError(core, 'why')))).toEqual({ code, message: 'why', status });
  });

  it('when an application id is a duplicate, then the refusal says so in v3 words', () => {
    expect(refusal(v3RefusalOf(new AppError(AppErrorCode.DUPLICATE_APPLICATION, 'internal wording')))).toEqual({
      code: 'DUPLICATE_LOAN_APPLICATION', message: 'A loan application with this loanApplicationId exists already', status: 409,
    });
  });

  it('when the error is a fault of this server (not an AppError, or a refused ledger entry), then it passes through unchanged', () => {
    const fault = new Error('boom');
    const ledger = new AppError(AppErrorCode.LEDGER_ENTRY_REFUSED, 'unbalanced');
    expect(v3RefusalOf(fault)).toBe(fault);
    expect(v3RefusalOf(ledger)).toBe(ledger);
  });

  it('when an operation words a core error itself, then that error gets its wording and any other passes on unchanged', () => {
    expect(refusal(v3OperationRefusals.loanNotSigned(new AppError(AppErrorCode.PRECONDITION_FAILED, 'not signed')))).toEqual({ code: 'LOAN_NOT_SIGNED', message: 'not signed', status: 409 });
    expect(refusal(v3OperationRefusals.unknownOffer(new AppError(AppErrorCode.OFFER_UNKNOWN, 'x'), 'o-1', 'la-1'))).toMatchObject({ code: 'OFFER_UNKNOWN', status: 422, message: expect.stringContaining('Offer "o-1"') });
    expect(refusal(v3OperationRefusals.unknownConsent(new AppError(AppErrorCode.NOT_FOUND, 'x'), 'h-1'))).toEqual({ code: 'UNKNOWN_CONSENT', message: 'No consent "h-1" of this loan agent', status: 404 });
    const other = new AppError(AppErrorCode.NOT_FOUND, 'x');
    expect(v3OperationRefusals.loanNotSigned(other)).toBe(other);
  });

  it('when the amount refused is not the disbursement amount, then it is not worded AMOUNT_MISMATCH', () => {
    expect(refusal(v3OperationRefusals.amountMismatch(new AppError(AppErrorCode.INVALID_FIELD_VALUE, 'differs', ['disbursementAmount'])))).toEqual({ code: 'AMOUNT_MISMATCH', message: 'differs', status: 422 });
    const other = new AppError(AppErrorCode.INVALID_FIELD_VALUE, 'bad', ['ifsc']);
    expect(v3OperationRefusals.amountMismatch(other)).toBe(other);
  });

  it('when a plan is not the chosen one, then the refusal names the plan to send, or asks to choose an offer first', () => {
    const planId = (offerId: string, tenure: number) => `${offerId}-${tenure}-EMI`;
    const withTerms = new AppError(AppErrorCode.REPAYMENT_PLAN_UNKNOWN, 'x', [], { expected: { offerId: 'o-1', tenureMonths: 12 } });
    expect(refusal(v3OperationRefusals.unknownPlan(withTerms, 'p-9', 'la-1', planId)).message).toBe('Plan "p-9" is not the repayment plan of loan application la-1: send plan "o-1-12-EMI", the repayment plan of the chosen offer as grantLoanResponse lists it (repayment.plan)');
    expect(refusal(v3OperationRefusals.unknownPlan(new AppError(AppErrorCode.REPAYMENT_PLAN_UNKNOWN, 'x'), 'p-9', 'la-1', planId)).message).toMatch(/: choose an offer first \(setOfferRequest\)/);
  });

  it('when signing refuses the OTP, then a wrong code is INCORRECT_OTP, a dead session INVALID_SESSION, and anything else a refusal', () => {
    expect(v3OtpSessionStatusOf(new AppError(AppErrorCode.CHALLENGE_INVALID, 'x'))).toBe('INCORRECT_OTP');
    expect(v3OtpSessionStatusOf(new AppError(AppErrorCode.CHALLENGE_EXPIRED, 'x'))).toBe('INVALID_SESSION');
    expect(v3OtpSessionStatusOf(new AppError(AppErrorCode.CHALLENGE_RATE_LIMITED, 'x'))).toBeUndefined();
    expect(v3OtpSessionStatusOf(new Error('boom'))).toBeUndefined();
  });

  it('when the core refuses a signer as unknown or suspended, then it is a partner refusal; other errors are not', () => {
    expect(isPartnerRefusal(new AppError(AppErrorCode.PARTNER_UNKNOWN, 'x'))).toBe(true);
    expect(isPartnerRefusal(new AppError(AppErrorCode.PARTNER_SUSPENDED, 'x'))).toBe(true);
    expect(isPartnerRefusal(new AppError(AppErrorCode.NOT_FOUND, 'x'))).toBe(false);
    expect(isPartnerRefusal(new Error('x'))).toBe(false);
  });
});

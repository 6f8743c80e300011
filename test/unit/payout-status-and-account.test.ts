import { AppError } from '../../src/core/errors';
import { checkPayoutAccount, maskPayoutAccount } from '../../src/core/payout/payout-account';
import { LoanApplicationFacts, loanApplicationStatus } from '../../src/protocols/ocen/ocen-mappers';

/** The rows of OCEN's status mapping about the repayment setup, the disbursement account and the payout; the payout account's checks and masking. */

const approved = (applicationState: LoanApplicationFacts['application']['applicationState']) => ({ application: { approvalState: 'APPROVED' as const, applicationState } });

describe('LoanApplicationStatus after signing', () => {
  it.each([
    ['SIGNED', {}, 'LOAN_AGREEMENT_COMPLETED'],
    ['SIGNED', { mandate: 'PENDING' }, 'REPAYMENT_SETUP_INITIATED'],
    ['SIGNED', { mandate: 'ACTIVE' }, 'REPAYMENT_SETUP_COMPLETED'],
    ['SIGNED', { mandate: 'FAILED' }, 'REPAYMENT_SETUP_FAILED'],
    ['GRANTED', {}, 'GRANTED'],
    ['GRANTED', { mandate: 'PENDING' }, 'REPAYMENT_SETUP_INITIATED'],
    ['GRANTED', { mandate: 'ACTIVE' }, 'REPAYMENT_SETUP_COMPLETED'],
    ['GRANTED', { mandate: 'ACTIVE', disbursementAccount: true }, 'SET_DISBURSEMENT_ACCOUNT_COMPLETED'],
    ['GRANTED', { mandate: 'FAILED', disbursementAccount: true }, 'REPAYMENT_SETUP_FAILED'],
    ['SUBMITTED', { mandate: 'ACTIVE', disbursementAccount: true, disbursement: 'REQUESTED' }, 'DISBURSEMENT_INITIATED'],
    ['DISBURSED', { disbursement: 'SUCCEEDED' }, 'DISBURSEMENT_COMPLETED'],
    ['REJECTED', { disbursement: 'FAILED' }, 'DISBURSED_FAILED'],
  ] as const)('when the application is %s with %j, then the status is %s', (state, facts, expected) => {
    expect(loanApplicationStatus({ ...approved(state), ...facts })).toBe(expected);
  });
});

describe('the payout account', () => {
  it('when a bank account is given with spaces and a lower-case IFSC, then it is normalised and masked to its last four digits', () => {
    const account = checkPayoutAccount({ type: 'ACCOUNT', ifsc: 'hdfc0001234', accountNumber: '5010 0012 3456', holderName: ' Asha Rao ' });
    expect(account).toEqual({ type: 'ACCOUNT', ifsc: 'HDFC0001234', accountNumber: '501000123456', holderName: 'Asha Rao' });
    expect(maskPayoutAccount(account)).toBe('XXXXXXXX3456');
  });

  it('when a UPI address is given, then its handle is masked but for two characters', () => {
    expect(maskPayoutAccount(checkPayoutAccount({ type: 'VPA', vpa: 'ab@upi' }))).toBe('ab**@upi');
    expect(maskPayoutAccount(checkPayoutAccount({ type: 'VPA', vpa: 'asha.rao@okbank' }))).toBe('as******@okbank');
  });

  it('when the account number is 9 or 18 digits, then it is taken; 8 or 19, refused', () => {
    const withNumber = (accountNumber: string) => () => checkPayoutAccount({ type: 'ACCOUNT', ifsc: 'SBIN0000001', accountNumber, holderName: 'A' });
    expect(withNumber('123456789')).not.toThrow();
    expect(withNumber('123456789012345678')).not.toThrow();
    expect(withNumber('12345678')).toThrow(AppError);
    expect(withNumber('1234567890123456789')).toThrow(AppError);
  });

  it('when the account type is not one OCEN knows, then it is refused', () => {
    expect(() => checkPayoutAccount({ type: 'ACCOUNT', ifsc: 'SBIN0000001', accountNumber: '123456789', holderName: 'A', accountKind: 'PIGGY_BANK' })).toThrow(AppError);
  });
});

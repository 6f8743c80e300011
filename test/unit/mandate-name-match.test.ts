import { nameTokens, namesMatch } from '../../src/core/mandate/name-match';
import { checkMandatePayer, maskPayer } from '../../src/core/mandate/mandate-payer';
import { AppError } from '../../src/core/errors';

describe('the penny-drop name match', () => {
  it.each([
    ['Asha Rao', 'ASHA RAO'],
    ['Mrs. Namrta N. Shah', 'NAMRTA SHAH'],
    ['MRS NAMRTA NIMESH SHAH', 'Shah, Namrta Nimesh'],
    ['Shri  Rohan   D\'Souza', 'ROHAN DSOUZA'],
    ['José Pérez', 'JOSE PEREZ'],
    ['Dr Asha Rao', 'asha rao'],
  ])('when %j and %j are compared, then they match (case, spaces, punctuation, salutations, order)', (a, b) => {
    expect(namesMatch(a, b)).toBe(true);
    expect(namesMatch(b, a)).toBe(true);
  });

  it.each([
    ['Asha Rao', 'RAHUL SHARMA'],
    ['NAMRTA SHAH', 'NAMRTA SHAHANI'],
    ['Asha Rao', 'ASHA RAJU'],
    ['Asha Asha', 'ASHA RAO'],
    ['...', 'ASHA'],
  ])('when %j and %j are compared, then they do not match', (a, b) => {
    expect(namesMatch(a, b)).toBe(false);
  });

  it('drops salutations only at the front, and never the whole name', () => {
    expect(nameTokens('Mr. Ms Dhoni')).toEqual(['DHONI']);
    expect(nameTokens('Miss')).toEqual(['MISS']);
    expect(nameTokens('Asha Dr Rao')).toEqual(['ASHA', 'DR', 'RAO']);
  });
});

describe('the mandate payer', () => {
  it('normalises what the borrower typed', () => {
    expect(checkMandatePayer({ method: 'ENACH', accountNumber: ' 5010 0012 3456 78 ', ifsc: ' hdfc0001234 ' })).toEqual({ method: 'ENACH', accountNumber: '50100012345678', ifsc: 'HDFC0001234' });
    expect(checkMandatePayer({ method: 'UPI_AUTOPAY', vpa: ' asha.rao@okbank ' })).toEqual({ method: 'UPI_AUTOPAY', vpa: 'asha.rao@okbank' });
  });

  it.each([
    [{ method: 'UPI_AUTOPAY', vpa: '@okbank' }, 'vpa'],
    [{ method: 'UPI_AUTOPAY' }, 'vpa'],
    [{ method: 'ENACH', accountNumber: '50100012345678', ifsc: 'HDF00001234' }, 'ifsc'],
    [{ method: 'ENACH', accountNumber: '50100012345678' }, 'ifsc'],
    [{ method: 'ENACH', ifsc: 'HDFC0001234', accountNumber: '1234-5678-90' }, 'accountNumber'],
    [{ method: undefined }, 'mandateMethod'],
  ])('when given %j, then INVALID_FIELD_VALUE names %s', (input, field) => {
    let error: unknown;
    try {
      checkMandatePayer(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).fields).toEqual([field]);
  });

  it('masks all but the last four digits of an account and all but two characters of a UPI name', () => {
    expect(maskPayer({ method: 'ENACH', accountNumber: '50100012345678', ifsc: 'HDFC0001234' })).toBe('XXXXXXXXXX5678');
    expect(maskPayer({ method: 'UPI_AUTOPAY', vpa: 'ab@upi' })).toBe('ab**@upi');
  });
});

import { isValidAadhaarNumber, maskAadhaar, normalizeAadhaar, verhoeffCheckDigit, verhoeffValid } from '../../src/core/kyc/verhoeff';

describe('the Verhoeff check of Aadhaar numbers', () => {
  it('when given the published examples, then the check digits are the known ones (236 → 3, 12345 → 1)', () => {
    expect(verhoeffCheckDigit('236')).toBe('3');
    expect(verhoeffValid('2363')).toBe(true);
    expect(verhoeffCheckDigit('12345')).toBe('1');
    expect(verhoeffValid('123451')).toBe(true);
  });

  it.each(['234123412346', '499812345673', '765432109878'])('when %s (well-formed, valid check digit), then it is a valid Aadhaar number', (number) => {
    expect(isValidAadhaarNumber(number)).toBe(true);
  });

  it.each([
    ['a wrong check digit', '234123412345'],
    ['two digits swapped', '243123412346'],
    ['one digit changed', '234123412356'],
    ['a first digit of 1', '123412341234'],
    ['a first digit of 0', '012345678901'],
    ['11 digits', '23412341234'],
    ['13 digits', '2341234123461'],
    ['letters', '23412341234A'],
    ['nothing', ''],
  ])('when the number has %s, then it is refused', (_label, number) => {
    expect(isValidAadhaarNumber(number)).toBe(false);
  });

  it('when every single-digit error or adjacent swap is made to a valid number, then the check catches it', () => {
    const valid = '499812345673';
    for (let i = 0; i < valid.length; i++) {
      for (let digit = 0; digit <= 9; digit++) {
        const changed = `${valid.slice(0, i)}${digit}${valid.slice(i + 1)}`;
        if (changed !== valid) expect({ changed, valid: verhoeffValid(changed) }).toEqual({ changed, valid: false });
      }
      if (i + 1 < valid.length && valid[i] !== valid[i + 1]) {
        const swapped = `${valid.slice(0, i)}${valid[i + 1]}${valid[i]}${valid.slice(i + 2)}`;
        expect({ swapped, valid: verhoeffValid(swapped) }).toEqual({ swapped, valid: false });
      }
    }
  });

  it('when written in groups of four, then spaces and hyphens are dropped; it is shown only masked to its last four digits', () => {
    expect(normalizeAadhaar('2341 2341 2346')).toBe('234123412346');
    expect(normalizeAadhaar('2341-2341-2346')).toBe('234123412346');
    expect(isValidAadhaarNumber(normalizeAadhaar('2341 2341 2346'))).toBe(true);
    expect(maskAadhaar('2346')).toBe('XXXX XXXX 2346');
  });
});

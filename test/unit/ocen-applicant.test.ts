import { microsOfRupees, readApplicant } from '../../src/protocols/ocen/ocen-mappers';

/** The core's applicant read from an OCEN LoanApplication: amounts as exact micros, anything unreadable a problem, never an exception. */
const application = (terms: Record<string, unknown>, extensibleData: Record<string, unknown> = {}) => ({
  loanApplicationId: 'la-1',
  borrower: {
    primaryId: 'ABCDE1234F',
    primaryIdType: 'PAN',
    contactDetails: [{ type: 'PRIMARY', phone: '9876543210' }],
    extensibleData: { dateOfBirth: '1990-04-01', monthlyIncome: 50000, employmentType: 'SALARIED', ...extensibleData },
  },
  terms,
});

describe('reading an OCEN loan application', () => {
  it('when the amounts are rupees with at most two decimals, then they are exact micros', () => {
    const reading = readApplicant(application({ requestedAmount: 100000.5, currency: 'INR' }, { monthlyIncome: 50000.25 }));
    expect(reading).toMatchObject({ requestedAmountMicros: 100_000_500_000n, applicant: { employment: { monthlyIncomeMicros: '50000250000' } } });
  });

  it.each([1e300, 1e13, -1, 0, 0.001, Number.NaN, '100000', null])('when the requested amount is %p, then it is a problem, not an overflow', (requestedAmount) => {
    expect(readApplicant(application({ requestedAmount }))).toEqual({ problem: expect.stringMatching(/^terms.requestedAmount/) });
  });

  it.each([1e300, -5, 12.345])('when the monthly income is %p, then it is a problem', (monthlyIncome) => {
    expect(readApplicant(application({ requestedAmount: 100000 }, { monthlyIncome }))).toEqual({ problem: expect.stringMatching(/^borrower.extensibleData/) });
  });

  it('reads at most ₹1e12 (int64 micros hold about ₹9.2e12)', () => {
    expect(microsOfRupees(1e12)).toBe(1_000_000_000_000_000_000n);
    expect(microsOfRupees(1e12 + 1)).toBeUndefined();
    expect(microsOfRupees(0, true)).toBe(0n);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { MICROS_PER_PAISA, formatRupees, percentOf, roundHalfUpDiv, roundToPaisa } from '../../src/core/money/money';
import { buildSchedule, emiMicros, monthlyInterestMicros, validateTerms } from '../../src/core/money/emi';
import { addMonthsClamped } from '../../src/core/shared/dates';
import { loanCharges } from '../../src/core/loan/charges';

const rupees = (n: bigint) => n * 1_000_000n;

describe('money arithmetic (integer micros, explicit rounding)', () => {
  it('rounds half away from zero, on both signs', () => {
    expect(roundHalfUpDiv(5n, 2n)).toBe(3n);
    expect(roundHalfUpDiv(-5n, 2n)).toBe(-3n);
    expect(roundHalfUpDiv(4n, 3n)).toBe(1n);
    expect(roundHalfUpDiv(-4n, 3n)).toBe(-1n);
    expect(() => roundHalfUpDiv(1n, 0n)).toThrow(RangeError);
  });

  it('rounds micros to the paisa half-up', () => {
    expect(roundToPaisa(14_999n)).toBe(10_000n);
    expect(roundToPaisa(15_000n)).toBe(20_000n);
    expect(roundToPaisa(4_999n)).toBe(0n);
  });

  it('takes a percentage in E5 of an amount, to the paisa', () => {
    expect(percentOf(rupees(100_000n), 200_000)).toBe(rupees(2_000n));
    expect(percentOf(rupees(2_000n), 1_800_000n)).toBe(rupees(360n));
    // 18% of ₹3,33,333.33 = ₹59,999.9994 → ₹60,000.00
    expect(percentOf(333_333_330_000n, 1_800_000)).toBe(60_000_000_000n);
    expect(percentOf(1_110_000n, 1_800_000) % MICROS_PER_PAISA).toBe(0n);
  });

  it('formats rupees with Indian grouping for people', () => {
    expect(formatRupees(rupees(100_000n))).toBe('₹1,00,000.00');
    expect(formatRupees(rupees(12_345_678n) + 500_000n)).toBe('₹1,23,45,678.50');
    expect(formatRupees(50_000n)).toBe('₹0.05');
    expect(formatRupees(-rupees(999n))).toBe('-₹999.00');
  });
});

describe('EMI (reducing balance, monthly rate = annual / 12, half-up to the paisa)', () => {
  it('when ₹1,00,000 is borrowed at 12% for 12 months, then the EMI is ₹8,884.88', () => {
    expect(emiMicros({ principalMicros: rupees(100_000n), annualRateE5: 1_200_000n, tenureMonths: 12 })).toBe(8_884_880_000n);
  });

  it('when ₹1,00,000 is borrowed at 16% for 12 months, then the EMI is ₹9,073.09', () => {
    // 100000 × r(1+r)^12 / ((1+r)^12 − 1) with r = 0.16/12 = 9073.0888… → ₹9,073.09
    expect(emiMicros({ principalMicros: rupees(100_000n), annualRateE5: 1_600_000n, tenureMonths: 12 })).toBe(9_073_090_000n);
  });

  it('when the rate is 0%, then the EMI is the principal spread evenly, to the paisa', () => {
    expect(emiMicros({ principalMicros: rupees(100_000n), annualRateE5: 0n, tenureMonths: 3 })).toBe(33_333_330_000n);
    const schedule = buildSchedule({ principalMicros: rupees(100_000n), annualRateE5: 0n, tenureMonths: 3 }, '2026-12-22');
    expect(schedule.map((l) => l.principalMicros)).toEqual([33_333_330_000n, 33_333_330_000n, 33_333_340_000n]);
  });

  it('charges a month of interest on the balance, to the paisa', () => {
    expect(monthlyInterestMicros(rupees(100_000n), 1_600_000n)).toBe(1_333_330_000n);
  });

  it('refuses terms that are not a loan', () => {
    expect(() => validateTerms({ principalMicros: 0n, annualRateE5: 1n, tenureMonths: 12 })).toThrow(RangeError);
    expect(() => validateTerms({ principalMicros: 1n, annualRateE5: 1n, tenureMonths: 12 })).toThrow(/whole number of paise/);
    expect(() => validateTerms({ principalMicros: rupees(1n), annualRateE5: 1n, tenureMonths: 0 })).toThrow(/tenure/);
    expect(() => validateTerms({ principalMicros: rupees(1n), annualRateE5: 1n, tenureMonths: 1.5 })).toThrow(/tenure/);
    expect(() => validateTerms({ principalMicros: rupees(1n), annualRateE5: -1n, tenureMonths: 12 })).toThrow(/rate/);
    expect(() => validateTerms({ principalMicros: rupees(1n), annualRateE5: 10_000_001n, tenureMonths: 12 })).toThrow(/rate/);
  });

  it('when ₹1,00,000 at 16% is scheduled over 12 months, then the last instalment absorbs the rounding and principals sum exactly', () => {
    const schedule = buildSchedule({ principalMicros: rupees(100_000n), annualRateE5: 1_600_000n, tenureMonths: 12 }, '2026-12-22');
    expect(schedule).toHaveLength(12);
    expect(schedule[0]).toMatchObject({ dueDate: '2026-12-22', emiMicros: 9_073_090_000n, interestMicros: 1_333_330_000n, principalMicros: 7_739_760_000n });
    expect(schedule.reduce((sum, l) => sum + l.principalMicros, 0n)).toBe(rupees(100_000n));
    expect(schedule[11].closingPrincipalMicros).toBe(0n);
    expect(schedule[11].dueDate).toBe('2027-11-22');
  });
});

describe('processing fee and GST', () => {
  const terms = { processingFeeRateE5: 200_000, processingFeeMinMicros: rupees(500n), gstRateE5: 1_800_000 };
  it('when ₹1,00,000 is disbursed, then 2% fee and 18% GST on it are deducted', () => {
    expect(loanCharges(rupees(100_000n), terms)).toEqual({ processingFeeMicros: rupees(2_000n), gstMicros: rupees(360n), netDisbursalMicros: rupees(97_640n) });
  });
  it('when 2% is below the minimum fee, then the minimum applies', () => {
    expect(loanCharges(rupees(10_000n), terms)).toEqual({ processingFeeMicros: rupees(500n), gstMicros: rupees(90n), netDisbursalMicros: rupees(9_410n) });
  });
});

describe('due dates', () => {
  it('keep the day of month, clamped to the month end, through leap years', () => {
    expect(addMonthsClamped('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonthsClamped('2026-01-31', 2)).toBe('2026-03-31');
    expect(addMonthsClamped('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonthsClamped('2026-12-15', 1)).toBe('2027-01-15');
    expect(addMonthsClamped('2026-02-28', 1, 31)).toBe('2026-03-31');
    expect(addMonthsClamped('2026-05-10', -5)).toBe('2025-12-10');
  });
});

describe('no floating-point money', () => {
  it.each(['src/core/money/money.ts', 'src/core/money/emi.ts', 'src/core/loan/charges.ts', 'src/protocols/gpay/wire-values.ts'])(
    '%s uses no float arithmetic on amounts',
    (file) => {
      const source = fs.readFileSync(path.resolve(__dirname, '../..', file), 'utf8');
      expect(source).not.toMatch(/parseFloat|toFixed|Math\.(round|floor|ceil|pow)|Number\(\s*(amount|micros|principal)/);
    },
  );
});

import fs from 'node:fs';
import path from 'node:path';
import {
  MICROS_PER_PAISA,
  MICROS_PER_RUPEE,
  formatMicros,
  formatRupees,
  isWholePaise,
  percentOf,
  roundHalfUpDiv,
  roundToPaisa,
  sumMicros,
} from '../../src/core/money/money';
import {
  type LoanTerms,
  buildSchedule,
  emiMicros,
  monthlyInterestMicros,
  totalInterestMicros,
  validateTerms,
} from '../../src/core/money/emi';
import { addMonthsClamped } from '../../src/core/shared/dates';

const rupees = (whole: bigint): bigint => whole * MICROS_PER_RUPEE;
const paise = (count: bigint): bigint => count * MICROS_PER_PAISA;
const lakh = rupees(100_000n);

describe('units', () => {
  it('when amounts are counted in micros, then ₹1 is 1,000,000 and 1 paisa is 10,000', () => {
    expect(MICROS_PER_RUPEE).toBe(1_000_000n);
    expect(MICROS_PER_PAISA).toBe(10_000n);
    expect(MICROS_PER_RUPEE / MICROS_PER_PAISA).toBe(100n);
  });
});

describe('roundHalfUpDiv', () => {
  it.each([
    [5n, 2n, 3n],
    [-5n, 2n, -3n],
    [7n, 2n, 4n],
    [-7n, 2n, -4n],
    [15_000n, 10_000n, 2n],
    [-15_000n, 10_000n, -2n],
  ])('when %p / %p is exactly half-way, then it rounds away from zero to %p', (numerator, denominator, expected) => {
    expect(roundHalfUpDiv(numerator, denominator)).toBe(expected);
  });

  it.each([
    [4n, 3n, 1n],
    [-4n, 3n, -1n],
    [5n, 3n, 2n],
    [-5n, 3n, -2n],
    [14_999n, 10_000n, 1n],
    [-14_999n, 10_000n, -1n],
    [6n, 3n, 2n],
    [-6n, 3n, -2n],
    [0n, 7n, 0n],
  ])('when %p / %p is not half-way, then it rounds to the nearest integer (%p)', (numerator, denominator, expected) => {
    expect(roundHalfUpDiv(numerator, denominator)).toBe(expected);
  });

  it('when the denominator is zero or negative, then it throws a RangeError', () => {
    expect(() => roundHalfUpDiv(1n, 0n)).toThrow(RangeError);
    expect(() => roundHalfUpDiv(1n, -2n)).toThrow(RangeError);
  });
});

describe('paise', () => {
  it('when micros are rounded to the paisa, then half a paisa or more rounds away from zero', () => {
    expect(roundToPaisa(14_999n)).toBe(10_000n);
    expect(roundToPaisa(15_000n)).toBe(20_000n);
    expect(roundToPaisa(4_999n)).toBe(0n);
    expect(roundToPaisa(5_000n)).toBe(10_000n);
    expect(roundToPaisa(-5_000n)).toBe(-10_000n);
    expect(roundToPaisa(-4_999n)).toBe(0n);
    expect(roundToPaisa(rupees(7n))).toBe(rupees(7n));
  });

  it('when an amount is a multiple of 10,000 micros, then it is whole paise, and otherwise not', () => {
    expect(isWholePaise(0n)).toBe(true);
    expect(isWholePaise(paise(1n))).toBe(true);
    expect(isWholePaise(-paise(3n))).toBe(true);
    expect(isWholePaise(1n)).toBe(false);
    expect(isWholePaise(10_001n)).toBe(false);
    expect(isWholePaise(-9_999n)).toBe(false);
  });
});

describe('percentOf', () => {
  it('when 2% is taken of ₹1,00,000, then it is ₹2,000.00', () => {
    expect(percentOf(lakh, 200_000)).toBe(rupees(2_000n));
    expect(percentOf(lakh, 200_000n)).toBe(rupees(2_000n));
  });

  it('when 12.75% is taken of ₹1,00,000, then it is ₹12,750.00', () => {
    expect(percentOf(lakh, 1_275_000n)).toBe(rupees(12_750n));
  });

  it('when 18% of ₹3,33,333.33 is ₹59,999.9994, then it is rounded to ₹60,000.00', () => {
    expect(percentOf(333_333_330_000n, 1_800_000)).toBe(rupees(60_000n));
  });

  it('when the exact result is half a paisa, then it rounds away from zero', () => {
    // 1% of ₹0.50 = ₹0.005
    expect(percentOf(paise(50n), 100_000n)).toBe(paise(1n));
    expect(percentOf(-paise(50n), 100_000n)).toBe(-paise(1n));
    // 1% of ₹0.49 = ₹0.0049
    expect(percentOf(paise(49n), 100_000n)).toBe(0n);
  });

  it('when the rate is a fractional number, then it throws a RangeError instead of rounding the rate', () => {
    expect(() => percentOf(lakh, 1.5)).toThrow(RangeError);
    expect(() => percentOf(lakh, Number.NaN)).toThrow(RangeError);
  });
});

describe('formatting', () => {
  it('when an amount goes on the wire, then it is the integer micros as a decimal string', () => {
    expect(formatMicros(0n)).toBe('0');
    expect(formatMicros(lakh)).toBe('100000000000');
    expect(formatMicros(-12_500_000n)).toBe('-12500000');
    expect(formatMicros(9_223_372_036_854_775_807n)).toBe('9223372036854775807');
  });

  it('when ₹1,00,000 is shown to a person, then it reads "₹1,00,000.00"', () => {
    expect(formatRupees(lakh)).toBe('₹1,00,000.00');
  });

  it('when 5 paise is shown, then it reads "₹0.05"', () => {
    expect(formatRupees(paise(5n))).toBe('₹0.05');
  });

  it('when amounts are large, then digits are grouped the Indian way (3, then 2s)', () => {
    expect(formatRupees(0n)).toBe('₹0.00');
    expect(formatRupees(rupees(999n))).toBe('₹999.00');
    expect(formatRupees(rupees(1_000n))).toBe('₹1,000.00');
    expect(formatRupees(rupees(12_345_678n) + paise(50n))).toBe('₹1,23,45,678.50');
    expect(formatRupees(rupees(10_000_000n))).toBe('₹1,00,00,000.00');
  });

  it('when the amount is negative, then the minus sign comes before the rupee sign', () => {
    expect(formatRupees(-rupees(999n))).toBe('-₹999.00');
    expect(formatRupees(-(rupees(1_234n) + paise(50n)))).toBe('-₹1,234.50');
    expect(formatRupees(-lakh)).toBe('-₹1,00,000.00');
  });

  it('when an amount has sub-paisa micros, then it is shown rounded half-up to the paisa, never as "-₹0.00"', () => {
    expect(formatRupees(5_000n)).toBe('₹0.01');
    expect(formatRupees(-5_000n)).toBe('-₹0.01');
    expect(formatRupees(4_999n)).toBe('₹0.00');
    expect(formatRupees(-4_999n)).toBe('₹0.00');
  });
});

describe('sumMicros', () => {
  it('when amounts are summed, then the total is exact, for any iterable, and 0 for none', () => {
    expect(sumMicros([])).toBe(0n);
    expect(sumMicros([1n, 2n, -3n, 9_223_372_036_854_775_807n, 1n])).toBe(9_223_372_036_854_775_808n);
    expect(sumMicros(new Set([paise(1n), paise(2n)]))).toBe(paise(3n));
    function* amounts(): Generator<bigint> {
      yield rupees(1n);
      yield rupees(2n);
    }
    expect(sumMicros(amounts())).toBe(rupees(3n));
  });
});

describe('EMI', () => {
  const terms = (principalMicros: bigint, annualRateE5: bigint, tenureMonths: number): LoanTerms => ({ principalMicros, annualRateE5, tenureMonths });

  it('when the rate is 12% over 12 months, then the EMI of ₹1,00,000 is ₹8,884.88', () => {
    // exact: 8,884.8788678… → ₹8,884.88
    expect(emiMicros(terms(lakh, 1_200_000n, 12))).toBe(8_884_880_000n);
  });

  it('when the rate is 28% over 12 months, then the EMI of ₹1,00,000 is ₹9,650.60', () => {
    // r = 0.28 / 12; 100000 · r(1+r)^12 / ((1+r)^12 − 1) = 9,650.598861020266… (exact rational, 50 digits) → ₹9,650.60
    expect(emiMicros(terms(lakh, 2_800_000n, 12))).toBe(9_650_600_000n);
  });

  it('when the rate is 16% over 12 months, then the EMI of ₹1,00,000 is ₹9,073.09', () => {
    // exact: 9,073.0857859… → ₹9,073.09
    expect(emiMicros(terms(lakh, 1_600_000n, 12))).toBe(9_073_090_000n);
  });

  it('when the tenure is one month, then the EMI is the principal plus one month of interest', () => {
    expect(emiMicros(terms(lakh, 1_200_000n, 1))).toBe(rupees(101_000n));
  });

  it('when the rate is 0%, then the EMI is the principal divided by the tenure, rounded half-up to the paisa', () => {
    expect(emiMicros(terms(lakh, 0n, 3))).toBe(33_333_330_000n);
    expect(emiMicros(terms(rupees(1_200n), 0n, 12))).toBe(rupees(100n));
    // ₹1,000.02 / 4 = ₹250.005 → ₹250.01
    expect(emiMicros(terms(paise(100_002n), 0n, 4))).toBe(paise(25_001n));
  });

  it('when a month of interest is charged, then it is balance × annual / 12, rounded half-up to the paisa', () => {
    expect(monthlyInterestMicros(lakh, 1_200_000n)).toBe(rupees(1_000n));
    // 16% / 12 of ₹1,00,000 = ₹1,333.333…
    expect(monthlyInterestMicros(lakh, 1_600_000n)).toBe(1_333_330_000n);
    expect(monthlyInterestMicros(lakh, 1_600_000)).toBe(1_333_330_000n);
    // 12% / 12 of ₹0.50 = ₹0.005 → ₹0.01
    expect(monthlyInterestMicros(paise(50n), 1_200_000n)).toBe(paise(1n));
    expect(monthlyInterestMicros(lakh, 0n)).toBe(0n);
  });
});

describe('validateTerms', () => {
  const ok: LoanTerms = { principalMicros: lakh, annualRateE5: 1_200_000n, tenureMonths: 12 };

  it('when the terms are a loan, then they pass, including the boundaries', () => {
    expect(() => validateTerms(ok)).not.toThrow();
    expect(() => validateTerms({ ...ok, principalMicros: paise(1n) })).not.toThrow();
    expect(() => validateTerms({ ...ok, tenureMonths: 1 })).not.toThrow();
    expect(() => validateTerms({ ...ok, tenureMonths: 600 })).not.toThrow();
    expect(() => validateTerms({ ...ok, annualRateE5: 0n })).not.toThrow();
    expect(() => validateTerms({ ...ok, annualRateE5: 10_000_000n })).not.toThrow();
  });

  it.each([
    ['zero', 0n],
    ['negative', -lakh],
    ['one micro', 1n],
    ['not whole paise', lakh + 1n],
    ['half a paisa', 5_000n],
  ])('when the principal is %s, then it is refused with a RangeError', (_label, principalMicros) => {
    expect(() => validateTerms({ ...ok, principalMicros })).toThrow(RangeError);
    expect(() => validateTerms({ ...ok, principalMicros })).toThrow(/principal/);
  });

  it.each([0, -1, 601, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('when the tenure is %p months, then it is refused with a RangeError', (tenureMonths) => {
    expect(() => validateTerms({ ...ok, tenureMonths })).toThrow(RangeError);
    expect(() => validateTerms({ ...ok, tenureMonths })).toThrow(/tenure/);
  });

  it.each([-1n, 10_000_001n, 20_000_000n])('when the rate is %p in E5 (below 0% or above 100%), then it is refused with a RangeError', (annualRateE5) => {
    expect(() => validateTerms({ ...ok, annualRateE5 })).toThrow(RangeError);
    expect(() => validateTerms({ ...ok, annualRateE5 })).toThrow(/rate/);
  });

  it('when the terms are invalid, then the EMI and the schedule are refused too', () => {
    expect(() => emiMicros({ ...ok, tenureMonths: 0 })).toThrow(RangeError);
    expect(() => buildSchedule({ ...ok, principalMicros: 1n }, '2026-01-31')).toThrow(RangeError);
  });
});

describe('buildSchedule', () => {
  it('when ₹1,00,000 at 12% is scheduled over 12 months, then each month is EMI = interest + principal and the last absorbs the rounding', () => {
    const schedule = buildSchedule({ principalMicros: lakh, annualRateE5: 1_200_000n, tenureMonths: 12 }, '2026-01-15');
    expect(schedule).toHaveLength(12);
    expect(schedule[0]).toEqual({
      sequence: 1,
      dueDate: '2026-01-15',
      emiMicros: 8_884_880_000n,
      principalMicros: 7_884_880_000n,
      interestMicros: rupees(1_000n),
      openingPrincipalMicros: lakh,
      closingPrincipalMicros: 92_115_120_000n,
    });
    // Independently computed with exact rationals: the last instalment is ₹8,796.88 + ₹87.97 = ₹8,884.85.
    expect(schedule[11]).toEqual({
      sequence: 12,
      dueDate: '2026-12-15',
      emiMicros: 8_884_850_000n,
      principalMicros: 8_796_880_000n,
      interestMicros: 87_970_000n,
      openingPrincipalMicros: 8_796_880_000n,
      closingPrincipalMicros: 0n,
    });
    expect(sumMicros(schedule.map((line) => line.principalMicros))).toBe(lakh);
    expect(totalInterestMicros(schedule)).toBe(6_618_530_000n);
  });

  it('when ₹1,00,000 at 28% is scheduled over 12 months, then the total interest is ₹15,807.19 and the last instalment ₹9,650.59', () => {
    const schedule = buildSchedule({ principalMicros: lakh, annualRateE5: 2_800_000n, tenureMonths: 12 }, '2026-01-15');
    expect(schedule[0].interestMicros).toBe(2_333_330_000n);
    expect(schedule[11].emiMicros).toBe(9_650_590_000n);
    expect(totalInterestMicros(schedule)).toBe(15_807_190_000n);
  });

  it('when the rate is 0%, then every instalment is the rounded EMI except the last, which takes the remainder', () => {
    const schedule = buildSchedule({ principalMicros: lakh, annualRateE5: 0n, tenureMonths: 3 }, '2026-12-22');
    expect(schedule.map((line) => line.principalMicros)).toEqual([33_333_330_000n, 33_333_330_000n, 33_333_340_000n]);
    expect(schedule.map((line) => line.interestMicros)).toEqual([0n, 0n, 0n]);
    expect(schedule.map((line) => line.dueDate)).toEqual(['2026-12-22', '2027-01-22', '2027-02-22']);
    expect(totalInterestMicros(schedule)).toBe(0n);
  });

  it('when the first due date is the 31st, then later due dates keep the 31st, clamped to shorter months', () => {
    const schedule = buildSchedule({ principalMicros: lakh, annualRateE5: 1_200_000n, tenureMonths: 6 }, '2026-01-31');
    expect(schedule.map((line) => line.dueDate)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30']);
  });

  it('when the first due date is not a real date, then the schedule is refused with a RangeError', () => {
    const terms = { principalMicros: lakh, annualRateE5: 1_200_000n, tenureMonths: 12 };
    for (const bad of ['2026-02-30', '2026-1-31', '31/01/2026', '', '2026-01-31T00:00:00Z']) {
      expect(() => buildSchedule(terms, bad)).toThrow(RangeError);
    }
  });

  it('when the rounded EMI only covers the interest (₹1,000 at 36% over 30 years), then the schedule is refused rather than ending in a balloon', () => {
    // exact EMI ₹30.000717… → ₹30.00, which is exactly the first month's interest of ₹30.00
    const terms = { principalMicros: rupees(1_000n), annualRateE5: 3_600_000n, tenureMonths: 360 };
    expect(emiMicros(terms)).toBe(rupees(30n));
    expect(() => buildSchedule(terms, '2026-01-31')).toThrow(RangeError);
    expect(() => buildSchedule(terms, '2026-01-31')).toThrow(/no principal/);
  });

  it('when the rounded EMI compounds into overpaying the loan before the last month (₹1,000 at 21.86581% over 30 years), then the schedule is refused rather than going negative', () => {
    const terms = { principalMicros: rupees(1_000n), annualRateE5: 2_186_581n, tenureMonths: 360 };
    expect(() => buildSchedule(terms, '2026-01-31')).toThrow(RangeError);
    expect(() => buildSchedule(terms, '2026-01-31')).toThrow(/overpay|early/);
  });
});

describe('addMonthsClamped', () => {
  it('when a month is added to the 31st, then the day is clamped to the end of a shorter month', () => {
    expect(addMonthsClamped('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonthsClamped('2026-01-31', 2)).toBe('2026-03-31');
    expect(addMonthsClamped('2026-03-31', 1)).toBe('2026-04-30');
  });

  it('when the year is a leap year, then February ends on the 29th (2028, 2000) but not in 2100', () => {
    expect(addMonthsClamped('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonthsClamped('2028-01-29', 1)).toBe('2028-02-29');
    expect(addMonthsClamped('2000-01-31', 1)).toBe('2000-02-29');
    expect(addMonthsClamped('2100-01-31', 1)).toBe('2100-02-28');
  });

  it('when the start is 2028-02-29, then later years clamp to the 28th except leap years, and the own day (29) is kept after February', () => {
    expect(addMonthsClamped('2028-02-29', 12)).toBe('2029-02-28');
    expect(addMonthsClamped('2028-02-29', 48)).toBe('2032-02-29');
    expect(addMonthsClamped('2028-02-29', 1)).toBe('2028-03-29');
    expect(addMonthsClamped('2028-02-29', -12)).toBe('2027-02-28');
  });

  it('when an anchor day is given, then it is used instead of the (possibly clamped) day of the date', () => {
    expect(addMonthsClamped('2026-02-28', 1, 31)).toBe('2026-03-31');
    expect(addMonthsClamped('2028-02-29', 1, 31)).toBe('2028-03-31');
    expect(addMonthsClamped('2026-02-28', 2, 30)).toBe('2026-04-30');
  });

  it('when months cross a year boundary or go backwards, then the year follows', () => {
    expect(addMonthsClamped('2026-12-15', 1)).toBe('2027-01-15');
    expect(addMonthsClamped('2026-05-10', -5)).toBe('2025-12-10');
    expect(addMonthsClamped('2026-01-10', -1)).toBe('2025-12-10');
    expect(addMonthsClamped('2026-01-10', 0)).toBe('2026-01-10');
    expect(addMonthsClamped('2026-01-10', 360)).toBe('2056-01-10');
  });

  it('when the process time zone is far from UTC, then the dates are the same (calendar math, no local time)', () => {
    const saved = process.env.TZ;
    try {
      for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kolkata']) {
        process.env.TZ = zone;
        expect(addMonthsClamped('2026-01-31', 1)).toBe('2026-02-28');
        expect(addMonthsClamped('2026-12-31', 1)).toBe('2027-01-31');
        expect(addMonthsClamped('2028-02-29', 12)).toBe('2029-02-28');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('when the input is not a real date or the months or anchor are not whole, then it throws a RangeError', () => {
    expect(() => addMonthsClamped('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addMonthsClamped('2026-1-5', 1)).toThrow(RangeError);
    expect(() => addMonthsClamped('not a date', 1)).toThrow(RangeError);
    expect(() => addMonthsClamped('2026-01-31', 1.5)).toThrow(RangeError);
    expect(() => addMonthsClamped('2026-01-31', Number.NaN)).toThrow(RangeError);
    expect(() => addMonthsClamped('2026-01-31', 1, 0)).toThrow(RangeError);
    expect(() => addMonthsClamped('2026-01-31', 1, 32)).toThrow(RangeError);
    expect(() => addMonthsClamped('9999-12-31', 1)).toThrow(RangeError);
  });
});

describe('no floating-point money', () => {
  it.each(['src/core/money/money.ts', 'src/core/money/emi.ts'])('when %s is read as text, then it contains no parseFloat, Number(, Math. or toFixed', (file) => {
    const source = fs.readFileSync(path.resolve(__dirname, '../..', file), 'utf8');
    for (const banned of ['parseFloat', 'Number(', 'Math.', 'toFixed']) expect(source).not.toContain(banned);
  });
});

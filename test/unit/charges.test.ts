import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { loanCharges } from '../../src/core/loan/charges';
import { percentOf } from '../../src/core/money/money';

const rupees = (n: bigint) => n * 1_000_000n;

describe('processing fee and GST', () => {
  const terms = { processingFeeRateE5: 200_000, processingFeeMinMicros: rupees(500n), processingFeeMaxMicros: rupees(10_000n), gstRateE5: 1_800_000 };
  it('when ₹1,00,000 is disbursed, then 2% fee and 18% GST on it are deducted', () => {
    expect(loanCharges(rupees(100_000n), terms)).toEqual({ processingFeeMicros: rupees(2_000n), gstMicros: rupees(360n), netDisbursalMicros: rupees(97_640n) });
  });
  it('when 2% is below the minimum fee, then the minimum applies', () => {
    expect(loanCharges(rupees(10_000n), terms)).toEqual({ processingFeeMicros: rupees(500n), gstMicros: rupees(90n), netDisbursalMicros: rupees(9_410n) });
  });
  it('when 2% is above the maximum fee, then the maximum applies', () => {
    expect(loanCharges(rupees(7_50_000n), terms)).toEqual({ processingFeeMicros: rupees(10_000n), gstMicros: rupees(1_800n), netDisbursalMicros: rupees(7_38_200n) });
  });
  it('when the minimum exceeds the maximum, then the terms are refused', () => {
    expect(() => loanCharges(rupees(10_000n), { ...terms, processingFeeMaxMicros: rupees(499n) })).toThrow(RangeError);
  });

  it('for any amount and terms with min ≤ max: min ≤ fee ≤ max, the fee is the rate when that is within them, GST is on the fee, nothing is lost', () => {
    const paise = (max: number) => fc.bigInt({ min: 0n, max: BigInt(max) }).map((p) => p * 10_000n);
    fc.assert(
      fc.property(paise(1e9), fc.integer({ min: 0, max: 10_000_000 }), paise(1e6), paise(1e6), fc.integer({ min: 0, max: 2_800_000 }), (amount, rateE5, a, b, gstRateE5) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const charges = loanCharges(amount, { processingFeeRateE5: rateE5, processingFeeMinMicros: min, processingFeeMaxMicros: max, gstRateE5 });
        const byRate = percentOf(amount, rateE5);
        expect(charges.processingFeeMicros >= min && charges.processingFeeMicros <= max).toBe(true);
        if (byRate >= min && byRate <= max) expect(charges.processingFeeMicros).toBe(byRate);
        else expect(charges.processingFeeMicros).toBe(byRate < min ? min : max);
        expect(charges.gstMicros).toBe(percentOf(charges.processingFeeMicros, gstRateE5));
        expect(charges.processingFeeMicros + charges.gstMicros + charges.netDisbursalMicros).toBe(amount);
      }),
    );
  });
});

describe('no floating-point money', () => {
  it.each(['src/core/loan/charges.ts', 'src/protocols/gpay/wire-values.ts', 'src/core/lending/submission.service.ts'])(
    '%s uses no float arithmetic on amounts',
    (file) => {
      const source = fs.readFileSync(path.resolve(__dirname, '../..', file), 'utf8');
      expect(source).not.toMatch(/parseFloat|toFixed|Math\.(round|floor|ceil|pow)|Number\(\s*(amount|micros|principal)/);
    },
  );
});

import fs from 'node:fs';
import path from 'node:path';
import { loanCharges } from '../../src/core/loan/charges';

const rupees = (n: bigint) => n * 1_000_000n;

describe('processing fee and GST', () => {
  const terms = { processingFeeRateE5: 200_000, processingFeeMinMicros: rupees(500n), gstRateE5: 1_800_000 };
  it('when ₹1,00,000 is disbursed, then 2% fee and 18% GST on it are deducted', () => {
    expect(loanCharges(rupees(100_000n), terms)).toEqual({ processingFeeMicros: rupees(2_000n), gstMicros: rupees(360n), netDisbursalMicros: rupees(97_640n) });
  });
  it('when 2% is below the minimum fee, then the minimum applies', () => {
    expect(loanCharges(rupees(10_000n), terms)).toEqual({ processingFeeMicros: rupees(500n), gstMicros: rupees(90n), netDisbursalMicros: rupees(9_410n) });
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

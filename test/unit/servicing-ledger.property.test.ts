import fc from 'fast-check';
import { MICROS_PER_PAISA } from '../../src/core/money/money';
import { buildSchedule } from '../../src/core/money/emi';
import { addDays } from '../../src/core/shared/dates';
import { type InstalmentDue, type LoanDues, allocateRepayment } from '../../src/core/loan/allocation';
import { LEDGER_ACCOUNT_NAMES, LedgerAccount, normalBalance } from '../../src/core/ledger/accounts';
import { loanBalancesOf, trialBalanceOf } from '../../src/core/ledger/balances';
import { chargeEntry, disbursementEntry, excessRefundEntry, interestEntry, repaymentEntry, writeOffEntry } from '../../src/core/ledger/entries';
import { JournalEntry, Posting, entryProblem } from '../../src/core/ledger/journal';

/**
 * What test/unit/ledger.property.test.ts leaves out (issue 16's acceptance, property-tested with fast-check):
 * - the REPAYMENT entry as the servicing service posts it (repaymentEntry) for a repayment of ANY kind (charges,
 *   overdue and current dues, prepayment, excess) balances and credits exactly its allocation; an interest
 *   reversal (a negative interestEntry, the cooling-off exit's) balances too;
 * - a loan's balances derived by loanBalancesOf equal the sums of the postings for ANY set of entries of every
 *   kind the code builds, whatever their order or grouping, and the trial balance of any set of them is 0.
 */

const PAISA = MICROS_PER_PAISA;
const RUNS = { numRuns: 300 };
const paise = (min: bigint, max: bigint) => fc.bigInt({ min, max }).map((p) => p * PAISA);
const sum = (values: readonly bigint[]) => values.reduce((s, v) => s + v, 0n);
const on = (entry: JournalEntry, account: LedgerAccount) => sum(entry.postings.filter((p) => p.account === account).map((p) => p.amountMicros));
const BASE = { loanId: 'L', valueDate: '2027-03-20', reference: 'r' };

/** A loan on some business date with some of it paid and some charges levied: what a repayment of any kind meets. */
const duesArb: fc.Arbitrary<LoanDues> = fc
  .record({
    principalMicros: paise(100_000n, 100_000_000n),
    annualRateE5: fc.bigInt({ min: 0n, max: 3_600_000n }),
    tenureMonths: fc.integer({ min: 1, max: 24 }),
    dayOffset: fc.integer({ min: 0, max: 800 }),
    paidShares: fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 100n }), fc.bigInt({ min: 0n, max: 100n })), { minLength: 24, maxLength: 24 }),
    charges: fc.array(fc.record({ day: fc.integer({ min: 0, max: 800 }), outstandingMicros: paise(0n, 200_000n) }), { maxLength: 4 }),
  })
  .map(({ principalMicros, annualRateE5, tenureMonths, dayOffset, paidShares, charges }) => {
    const asOf = addDays('2027-01-10', dayOffset);
    const instalments: InstalmentDue[] = buildSchedule({ principalMicros, annualRateE5, tenureMonths }, '2027-02-10').map((line, k) => {
      if (line.dueDate > asOf) return { ...line, principalPaidMicros: 0n, interestPaidMicros: 0n };
      const [i, p] = paidShares[k];
      return { ...line, interestPaidMicros: ((line.interestMicros / PAISA) * i / 100n) * PAISA, principalPaidMicros: ((line.principalMicros / PAISA) * p / 100n) * PAISA };
    });
    return {
      asOf,
      charges: charges.filter((c) => c.day <= dayOffset).map((c, n) => ({ id: `c${n}`, leviedOn: addDays('2027-01-10', c.day), outstandingMicros: c.outstandingMicros })),
      instalments,
      principalOutstandingMicros: sum(instalments.map((l) => l.principalMicros - l.principalPaidMicros)),
    };
  });

describe('the repayment entry of a repayment of any kind', () => {
  it('when any amount is paid on any loan on any day, then its REPAYMENT entry balances, debits clearing with the whole amount and credits each receivable exactly what the allocation gave it', () => {
    fc.assert(fc.property(duesArb, paise(1n, 200_000_000n), (dues, amount) => {
      const allocation = allocateRepayment(amount, dues);
      const entry = repaymentEntry({ ...BASE, repaymentId: 'R', amountMicros: amount, chargesMicros: allocation.chargesMicros, interestMicros: allocation.interestMicros, principalMicros: allocation.principalMicros, excessMicros: allocation.excessMicros, narration: 'Repayment' });
      expect(entryProblem(entry)).toBeNull();
      expect(on(entry, 'COLLECTION_CLEARING')).toBe(amount);
      expect([-on(entry, 'CHARGES_RECEIVABLE'), -on(entry, 'INTEREST_RECEIVABLE'), -on(entry, 'LOAN_PRINCIPAL'), -on(entry, 'BORROWER_EXCESS')])
        .toEqual([allocation.chargesMicros, allocation.interestMicros, allocation.principalMicros, allocation.excessMicros]);
    }), RUNS);
  });

  it('when interest booked beyond what a payoff charges is reversed (a negative amount), then the entry still balances and moves receivable and income back by the same amount', () => {
    fc.assert(fc.property(paise(1n, 100_000_000n), (amount) => {
      const reversal = interestEntry({ ...BASE, idempotencyKey: 'k', amountMicros: -amount, narration: 'Interest not charged' });
      expect(entryProblem(reversal)).toBeNull();
      expect([on(reversal, 'INTEREST_RECEIVABLE'), on(reversal, 'INTEREST_INCOME')]).toEqual([-amount, amount]);
    }), RUNS);
  });
});

/** One entry of any kind the code builds, for any amounts (whole paise). */
const entryArb: fc.Arbitrary<JournalEntry> = fc.oneof(
  fc.tuple(paise(1n, 10_000_000n), paise(0n, 100_000n), paise(0n, 20_000n)).map(([net, fee, gst]) =>
    disbursementEntry({ ...BASE, principalMicros: net + fee + gst, netPayoutMicros: net, processingFeeMicros: fee, processingFeeGstMicros: gst })),
  fc.tuple(paise(1n, 1_000_000n), fc.boolean()).map(([amount, reversal]) => interestEntry({ ...BASE, idempotencyKey: 'k', amountMicros: reversal ? -amount : amount, narration: 'Interest' })),
  fc.tuple(paise(1n, 100_000n), paise(0n, 20_000n)).map(([charge, gst]) => chargeEntry({ ...BASE, idempotencyKey: 'k', chargeMicros: charge, gstMicros: gst, narration: 'Charge' })),
  fc.tuple(paise(0n, 100_000n), paise(0n, 100_000n), paise(0n, 5_000_000n), paise(0n, 100_000n)).filter((parts) => sum(parts) > 0n).map(([charges, interest, principal, excess]) =>
    repaymentEntry({ ...BASE, repaymentId: 'R', amountMicros: charges + interest + principal + excess, chargesMicros: charges, interestMicros: interest, principalMicros: principal, excessMicros: excess, narration: 'Repayment' })),
  paise(1n, 100_000n).map((amount) => excessRefundEntry({ ...BASE, idempotencyKey: 'k', amountMicros: amount })),
  fc.tuple(paise(0n, 5_000_000n), paise(0n, 100_000n), paise(0n, 100_000n)).filter((parts) => sum(parts) > 0n).map(([principal, interest, charges]) =>
    writeOffEntry({ ...BASE, idempotencyKey: 'k', principalMicros: principal, interestMicros: interest, chargesMicros: charges })),
);

describe('balances derived from any set of entries', () => {
  it('when any entries of any kind are posted, then every one balances, the trial balance is 0, and each balance of the loan is the sum of its postings, whatever their order or grouping', () => {
    fc.assert(fc.property(fc.array(entryArb, { maxLength: 30 }), fc.integer({ min: 0, max: 1_000 }), (entries, seed) => {
      for (const entry of entries) expect(entryProblem(entry)).toBeNull();
      const postings = entries.flatMap((e) => e.postings.map((p: Posting) => ({ account: p.account, kind: e.kind, amountMicros: p.amountMicros })));
      const raw = (account: LedgerAccount, kind?: JournalEntry['kind']) => sum(postings.filter((p) => p.account === account && (kind === undefined || p.kind === kind)).map((p) => p.amountMicros));

      const balances = loanBalancesOf(postings);
      expect(balances).toEqual({
        principalOutstandingMicros: raw('LOAN_PRINCIPAL'),
        interestReceivableMicros: raw('INTEREST_RECEIVABLE'),
        chargesReceivableMicros: raw('CHARGES_RECEIVABLE'),
        excessMicros: normalBalance('BORROWER_EXCESS', raw('BORROWER_EXCESS')),
        owedMicros: raw('LOAN_PRINCIPAL') + raw('INTEREST_RECEIVABLE') + raw('CHARGES_RECEIVABLE') + raw('BORROWER_EXCESS'),
        principalRepaidMicros: -raw('LOAN_PRINCIPAL', 'REPAYMENT'),
        interestRepaidMicros: -raw('INTEREST_RECEIVABLE', 'REPAYMENT'),
        chargesRepaidMicros: -raw('CHARGES_RECEIVABLE', 'REPAYMENT'),
        collectedMicros: raw('COLLECTION_CLEARING', 'REPAYMENT'),
      });
      // What was collected is exactly what the repayments credited: not a paisa created or lost.
      expect(balances.principalRepaidMicros + balances.interestRepaidMicros + balances.chargesRepaidMicros - raw('BORROWER_EXCESS', 'REPAYMENT')).toBe(balances.collectedMicros);

      // Any order and any grouping (the database sums by account and kind, or hands rows one by one).
      const shuffled = [...postings].sort((a, b) => ((Number(a.amountMicros % 997n) + seed) % 13) - ((Number(b.amountMicros % 997n) + seed) % 13));
      expect(loanBalancesOf(shuffled)).toEqual(balances);
      const grouped = new Map<string, bigint>();
      for (const p of postings) grouped.set(`${p.account}|${p.kind}`, (grouped.get(`${p.account}|${p.kind}`) ?? 0n) + p.amountMicros);
      expect(loanBalancesOf([...grouped].map(([key, amountMicros]) => {
        const [account, kind] = key.split('|');
        return { account: account as LedgerAccount, kind: kind as JournalEntry['kind'], amountMicros };
      }))).toEqual(balances);

      const trial = trialBalanceOf(LEDGER_ACCOUNT_NAMES.map((account) => ({
        account,
        debitMicros: sum(postings.filter((p) => p.account === account && p.amountMicros > 0n).map((p) => p.amountMicros)),
        creditMicros: -sum(postings.filter((p) => p.account === account && p.amountMicros < 0n).map((p) => p.amountMicros)),
      })));
      expect(trial.totalMicros).toBe(0n);
      for (const account of ['LOAN_PRINCIPAL', 'INTEREST_RECEIVABLE', 'CHARGES_RECEIVABLE'] as const) expect(trial.lines.find((l) => l.account === account)!.balanceMicros).toBe(raw(account));
    }), RUNS);
  });
});

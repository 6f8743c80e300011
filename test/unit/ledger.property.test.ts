import fc from 'fast-check';
import { MICROS_PER_PAISA } from '../../src/core/money/money';
import { buildSchedule } from '../../src/core/money/emi';
import { type InstalmentDue, allocateRepayment, remainingOf } from '../../src/core/loan/allocation';
import { repaymentEntries } from '../../src/core/loan/loan-ledger';
import { LEDGER_ACCOUNT_NAMES, LedgerAccount, normalBalance } from '../../src/core/ledger/accounts';
import { loanBalancesOf, trialBalanceOf } from '../../src/core/ledger/balances';
import { chargeEntry, disbursementEntry, excessRefundEntry, interestEntry, writeOffEntry } from '../../src/core/ledger/entries';
import { JournalEntry, PostedEntry, Posting, entryProblem, sameMovement } from '../../src/core/ledger/journal';
import { borrowerStatement } from '../../src/core/ledger/statement';

/**
 * The ledger's rules for any amounts: every entry the code can build balances, a repayment's postings are
 * exactly its allocation (not a paisa created or lost), and the balances shown are the sums of the postings.
 */

const PAISA = MICROS_PER_PAISA;
const RUNS = { numRuns: 200 };
const paise = (max: bigint, min = 0n) => fc.bigInt({ min, max }).map((p) => p * PAISA);
const sum = (postings: readonly Posting[]) => postings.reduce((s, p) => s + p.amountMicros, 0n);
const on = (entry: JournalEntry, account: LedgerAccount) => sum(entry.postings.filter((p) => p.account === account));
const allPostings = (entries: readonly JournalEntry[]) => entries.flatMap((e) => e.postings.map((p) => ({ ...p, kind: e.kind })));

describe('every journal entry the code builds', () => {
  it('when a loan of any amount is disbursed with any fee and GST, then its entry balances: the principal lent equals the payout, the fee and the GST', () => {
    fc.assert(fc.property(paise(10_000_000_000n, 1n), paise(100_000_000n), paise(20_000_000n), (net, fee, gst) => {
      const entry = disbursementEntry({ loanId: 'l', valueDate: '2026-12-01', reference: 'r', principalMicros: net + fee + gst, netPayoutMicros: net, processingFeeMicros: fee, processingFeeGstMicros: gst });
      expect(entryProblem(entry)).toBeNull();
      expect(on(entry, 'LOAN_PRINCIPAL')).toBe(net + fee + gst);
      expect(-on(entry, 'DISBURSEMENT_CLEARING')).toBe(net);
    }), RUNS);
  });

  it('when interest is earned, a charge levied, an excess refunded or receivables written off, then each entry balances for any amounts', () => {
    fc.assert(fc.property(paise(1_000_000_000n, 1n), paise(500_000_000n), paise(500_000_000n), (a, b, c) => {
      const base = { idempotencyKey: 'k', loanId: 'l', valueDate: '2026-12-01', reference: 'r' };
      const entries = [
        interestEntry({ ...base, amountMicros: a, narration: 'Interest' }),
        chargeEntry({ ...base, chargeMicros: a, gstMicros: b, narration: 'Bounce charge' }),
        excessRefundEntry({ ...base, amountMicros: a }),
        writeOffEntry({ ...base, principalMicros: a, interestMicros: b, chargesMicros: c }),
      ];
      for (const entry of entries) expect(entryProblem(entry)).toBeNull();
    }), RUNS);
  });

  it('when postings do not sum to 0, are zero, are less than whole paise, or are fewer than two, then the entry is refused', () => {
    const entry = (postings: Posting[]): JournalEntry => ({ idempotencyKey: 'k', loanId: 'l', valueDate: '2026-12-01', kind: 'CHARGE', reference: 'r', narration: 'n', postings });
    const postingArb = fc.record({
      account: fc.constantFrom(...LEDGER_ACCOUNT_NAMES),
      amountMicros: fc.oneof(fc.bigInt({ min: -(10n ** 8n), max: 10n ** 8n }).map((p) => p * PAISA), fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n })),
    });
    fc.assert(fc.property(
      fc.array(postingArb, { minLength: 0, maxLength: 6 }),
      fc.boolean(),
      (drawn, closeIt) => {
        // Often the last posting closes the entry, so balanced entries are drawn as well as unbalanced ones.
        const postings = closeIt && drawn.length > 0 ? [...drawn, { account: 'GST_PAYABLE' as const, amountMicros: -sum(drawn) }] : drawn;
        const valid = postings.length >= 2 && sum(postings) === 0n && postings.every((p) => p.amountMicros !== 0n && p.amountMicros % PAISA === 0n);
        expect(entryProblem(entry(postings)) === null).toBe(valid);
      },
    ), RUNS);
    expect(entryProblem(entry([{ account: 'LOAN_PRINCIPAL', amountMicros: PAISA }, { account: 'DISBURSEMENT_CLEARING', amountMicros: -PAISA }]))).toBeNull();
    expect(entryProblem(entry([{ account: 'LOAN_PRINCIPAL', amountMicros: PAISA }, { account: 'DISBURSEMENT_CLEARING', amountMicros: -2n * PAISA }]))).toMatch(/sum to -10000 micros/);
  });

  it('when the same key comes with other money, then it is another movement; other words are the same movement', () => {
    const one = interestEntry({ idempotencyKey: 'k', loanId: 'l', valueDate: '2026-12-01', reference: 'r', amountMicros: PAISA, narration: 'Interest' });
    expect(sameMovement(one, { ...one, narration: 'other words', reference: 'other' })).toBe(true);
    expect(sameMovement(one, interestEntry({ idempotencyKey: 'k', loanId: 'l', valueDate: '2026-12-01', reference: 'r', amountMicros: 2n * PAISA, narration: 'Interest' }))).toBe(false);
    expect(sameMovement(one, { ...one, valueDate: '2026-12-02' })).toBe(false);
  });
});

/** A loan's life: disbursed on a real schedule (emi.ts), then some repayments of any amounts, each posted as the service posts it. */
const lifeArb = fc.record({
  principalMicros: paise(100_000_000n, 100_000n),
  annualRateE5: fc.bigInt({ min: 0n, max: 3_600_000n }),
  tenureMonths: fc.integer({ min: 1, max: 24 }),
  feeShareE5: fc.bigInt({ min: 0n, max: 300_000n }),
  payments: fc.array(paise(150_000_000n, 1n), { minLength: 0, maxLength: 6 }),
});

type Life = { principalMicros: bigint; annualRateE5: bigint; tenureMonths: number; feeShareE5: bigint; payments: bigint[] };

function live({ principalMicros, annualRateE5, tenureMonths, feeShareE5, payments }: Life) {
  let lines: InstalmentDue[] = buildSchedule({ principalMicros, annualRateE5, tenureMonths }, '2027-01-10').map((l) => ({ ...l, principalPaidMicros: 0n, interestPaidMicros: 0n }));
  const fee = ((principalMicros * feeShareE5) / 10_000_000n / PAISA) * PAISA;
  const gst = ((fee * 18n) / 100n / PAISA) * PAISA;
  const entries: JournalEntry[] = [disbursementEntry({ loanId: 'L', valueDate: '2026-12-10', reference: 'DSB', principalMicros, netPayoutMicros: principalMicros - fee - gst, processingFeeMicros: fee, processingFeeGstMicros: gst })];
  const allocations = [];
  for (const [i, amount] of payments.entries()) {
    // Valued after the last due date: everything is due, so each repayment pays instalments (no prepayment).
    const allocation = allocateRepayment(amount, { asOf: '2099-12-31', charges: [], instalments: lines, principalOutstandingMicros: lines.reduce((s, l) => s + l.principalMicros - l.principalPaidMicros, 0n) });
    allocations.push({ amount, allocation });
    // Nothing accrued in this model: all the interest a repayment pays is booked as earned with it.
    entries.push(...repaymentEntries({ id: `R${i}`, loanId: 'L', reference: `RPY${i}`, method: 'UPI', amountMicros: amount }, allocation, allocation.interestMicros, `2027-0${1 + (i % 9)}-10`));
    lines = lines.map((line) => {
      const paid = allocation.lines.find((l) => l.sequence === line.sequence);
      return paid ? { ...line, principalPaidMicros: line.principalPaidMicros + paid.principalMicros, interestPaidMicros: line.interestPaidMicros + paid.interestMicros } : line;
    });
  }
  return { lines, entries, allocations };
}

describe('a loan\'s life in the ledger', () => {
  it('when any amounts are repaid, then each repayment entry debits clearing with the whole amount and credits exactly the allocation: not a paisa created or lost', () => {
    fc.assert(fc.property(lifeArb, (life) => {
      const { entries, allocations } = live(life);
      for (const entry of entries) expect(entryProblem(entry)).toBeNull();
      const repayments = entries.filter((e) => e.kind === 'REPAYMENT');
      expect(repayments).toHaveLength(allocations.length);
      repayments.forEach((entry, i) => {
        const { amount, allocation } = allocations[i];
        expect(on(entry, 'COLLECTION_CLEARING')).toBe(amount);
        expect(-on(entry, 'LOAN_PRINCIPAL')).toBe(allocation.principalMicros);
        expect(-on(entry, 'INTEREST_RECEIVABLE')).toBe(allocation.interestMicros);
        expect(-on(entry, 'CHARGES_RECEIVABLE')).toBe(allocation.chargesMicros);
        expect(-on(entry, 'BORROWER_EXCESS')).toBe(allocation.excessMicros);
      });
    }), RUNS);
  });

  it('when the balances are derived, then they equal the sums of the postings and the schedule: principal outstanding, nothing receivable left, the excess and everything collected; the trial balance is 0', () => {
    fc.assert(fc.property(lifeArb, (life) => {
      const { lines, entries, allocations } = live(life);
      const postings = allPostings(entries);
      const balances = loanBalancesOf(postings.map((p) => ({ account: p.account, kind: p.kind, amountMicros: p.amountMicros })));
      const raw = (account: LedgerAccount) => sum(postings.filter((p) => p.account === account));
      expect(balances.principalOutstandingMicros).toBe(raw('LOAN_PRINCIPAL'));
      expect(balances.principalOutstandingMicros).toBe(lines.reduce((s, l) => s + l.principalMicros - l.principalPaidMicros, 0n));
      expect(balances.interestReceivableMicros).toBe(0n);
      expect(balances.excessMicros).toBe(normalBalance('BORROWER_EXCESS', raw('BORROWER_EXCESS')));
      expect(balances.excessMicros).toBe(allocations.reduce((s, a) => s + a.allocation.excessMicros, 0n));
      expect(balances.collectedMicros).toBe(life.payments.reduce((s, a) => s + a, 0n));
      expect(balances.principalRepaidMicros + balances.interestRepaidMicros + balances.chargesRepaidMicros + balances.excessMicros).toBe(balances.collectedMicros);
      expect(balances.owedMicros).toBe(lines.reduce((s, l) => s + l.principalMicros - l.principalPaidMicros, 0n) - balances.excessMicros);

      // Any grouping of the postings gives the same balances (the database sums by account and kind).
      const grouped = new Map<string, bigint>();
      for (const p of postings) grouped.set(`${p.account}|${p.kind}`, (grouped.get(`${p.account}|${p.kind}`) ?? 0n) + p.amountMicros);
      const totals = [...grouped].map(([key, amountMicros]) => ({ account: key.split('|')[0] as LedgerAccount, kind: key.split('|')[1] as JournalEntry['kind'], amountMicros }));
      expect(loanBalancesOf(totals)).toEqual(balances);

      const trial = trialBalanceOf(LEDGER_ACCOUNT_NAMES.map((account) => ({
        account,
        debitMicros: sum(postings.filter((p) => p.account === account && p.amountMicros > 0n)),
        creditMicros: -sum(postings.filter((p) => p.account === account && p.amountMicros < 0n)),
      })));
      expect(trial.totalMicros).toBe(0n);
      expect(trial.lines.find((l) => l.account === 'LOAN_PRINCIPAL')!.balanceMicros).toBe(balances.principalOutstandingMicros);
    }), RUNS);
  });

  it('when the statement is read, then each line moves the balance by its amount and the last balance is what the borrower owes; a window keeps the earlier lines in its balances', () => {
    fc.assert(fc.property(lifeArb, (life) => {
      const { lines, entries } = live(life);
      const posted: PostedEntry[] = entries.map((e, i) => ({ ...e, id: BigInt(i + 1), createdAt: new Date(0) }));
      const statement = borrowerStatement(posted);
      let balance = 0n;
      for (const line of statement) {
        balance += line.direction === 'DEBIT' ? line.amountMicros : -line.amountMicros;
        expect(line.amountMicros > 0n).toBe(true);
        expect(line.balanceAfterMicros).toBe(balance);
      }
      const balances = loanBalancesOf(allPostings(entries));
      expect(balance).toBe(balances.owedMicros);
      const opening = ['DISBURSEMENT_CLEARING', 'FEE_INCOME', 'GST_PAYABLE'].filter((a) => entries[0].postings.some((p) => p.account === a));
      expect(statement.slice(0, opening.length).map((l) => l.account)).toEqual(opening);
      if (lines.every((l) => remainingOf(l) === 0n)) expect(balance).toBe(-balances.excessMicros);
      const windowed = borrowerStatement(posted, '2027-01-01');
      expect(windowed).toEqual(statement.filter((l) => l.valueDate >= '2027-01-01'));
    }), RUNS);
  });
});

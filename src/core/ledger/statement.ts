import { LedgerAccount, LedgerEntryKind, isBorrowerAccount } from './accounts';
import { PostedEntry } from './journal';

/**
 * One line of a loan statement, as the borrower sees it: a DEBIT raises what they owe, a CREDIT lowers it.
 */
export interface StatementLine {
  entryId: bigint;
  kind: LedgerEntryKind;
  /** The account on the bank's side of the line (DISBURSEMENT_CLEARING: the payout; FEE_INCOME: the fee; ...). */
  account: LedgerAccount;
  direction: 'DEBIT' | 'CREDIT';
  /** Positive. */
  amountMicros: bigint;
  /** What the borrower owes after the line (principal + interest + charges − excess); negative when they are owed. */
  balanceAfterMicros: bigint;
  /** YYYY-MM-DD. */
  valueDate: string;
  reference: string;
  narration: string;
}

/**
 * The loan statement read from the ledger: entries in value-date order (then as posted), and in each entry one
 * line per posting on an account that is not the borrower's (the bank's side of the movement), in posting
 * order. A posting of −x there moves the borrower's position by +x (the entry balances), so the running
 * balance after an entry's lines is exactly the sum of the borrower's accounts' postings so far; a movement
 * between borrower accounts only (an excess applied to a charge, say) changes nothing they owe and shows no line.
 *
 * Disbursement: three DEBIT lines (net payout, fee, GST) ending at the sanctioned principal; interest earned:
 * a DEBIT; a repayment: one CREDIT of the whole amount received. Lines whose value date is outside [from, to]
 * are left out, but their amounts count in the balances of the lines shown.
 */
export function borrowerStatement(entries: readonly PostedEntry[], from?: string, to?: string): StatementLine[] {
  const ordered = [...entries].sort((a, b) => (a.valueDate < b.valueDate ? -1 : a.valueDate > b.valueDate ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const lines: StatementLine[] = [];
  let balance = 0n;
  for (const entry of ordered) {
    for (const posting of entry.postings) {
      if (isBorrowerAccount(posting.account)) continue;
      balance -= posting.amountMicros;
      if ((from && entry.valueDate < from) || (to && entry.valueDate > to)) continue;
      lines.push({
        entryId: entry.id,
        kind: entry.kind,
        account: posting.account,
        direction: posting.amountMicros < 0n ? 'DEBIT' : 'CREDIT',
        amountMicros: posting.amountMicros < 0n ? -posting.amountMicros : posting.amountMicros,
        balanceAfterMicros: balance,
        valueDate: entry.valueDate,
        reference: entry.reference,
        narration: posting.memo ?? entry.narration,
      });
    }
  }
  return lines;
}

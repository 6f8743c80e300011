/**
 * The chart of accounts of the loan book. Every amount of money this server moves is a journal entry of
 * postings on these accounts (journal.ts), and every balance it shows is a sum of postings.
 *
 * Signs: a posting's amount is signed, **debit positive, credit negative**, so an account's raw balance is the
 * plain sum of its postings and the sum over all accounts is always 0. `normal` is the side an account
 * ordinarily stands on: a DEBIT-normal account (an asset, an expense) shows its raw balance, a CREDIT-normal one
 * (a liability, an income) shows it negated (normalBalance).
 *
 * `borrower: true` marks the accounts that together are the borrower's position towards the bank (what they
 * owe, less what the bank owes them): the loan statement is read from the other side of them (statement.ts).
 *
 * Postings of a loan's entry carry the loan's id (every account, clearing and income included), so each loan's
 * postings sum to 0 on their own; a bank-level entry (a sweep of a clearing account) carries none.
 */
export const LEDGER_ACCOUNTS = {
  LOAN_PRINCIPAL: {
    type: 'ASSET',
    normal: 'DEBIT',
    borrower: true,
    holds: 'Principal lent and not yet repaid or written off. Debited with the sanctioned amount at disbursement (the processing fee and its GST are deducted from the payout, so they are lent too), credited by the principal part of each repayment.',
  },
  INTEREST_RECEIVABLE: {
    type: 'ASSET',
    normal: 'DEBIT',
    borrower: true,
    holds: 'Interest earned and not yet paid. Debited when interest is earned (today: when a repayment pays it; with the business-day clock: by the daily accrual), credited by the interest part of each repayment.',
  },
  CHARGES_RECEIVABLE: {
    type: 'ASSET',
    normal: 'DEBIT',
    borrower: true,
    holds: 'Charges levied on the loan (bounce, penal, foreclosure), GST included, and not yet paid. Debited when a charge is levied, credited by the charges part of a repayment.',
  },
  BORROWER_EXCESS: {
    type: 'LIABILITY',
    normal: 'CREDIT',
    borrower: true,
    holds: 'Money paid beyond everything due: owed back to the borrower (borrower suspense). Credited by the excess of a repayment, debited when it is refunded or applied to a later due.',
  },
  INTEREST_INCOME: {
    type: 'INCOME',
    normal: 'CREDIT',
    borrower: false,
    holds: 'Interest the bank has earned on its loans. Credited together with INTEREST_RECEIVABLE.',
  },
  FEE_INCOME: {
    type: 'INCOME',
    normal: 'CREDIT',
    borrower: false,
    holds: 'Processing fees earned (net of GST). Credited at disbursement when the fee is deducted from the payout.',
  },
  CHARGES_INCOME: {
    type: 'INCOME',
    normal: 'CREDIT',
    borrower: false,
    holds: 'Bounce, penal and foreclosure charges earned (net of GST). Credited together with CHARGES_RECEIVABLE.',
  },
  GST_PAYABLE: {
    type: 'LIABILITY',
    normal: 'CREDIT',
    borrower: false,
    holds: 'GST collected on fees and charges, owed to the government. Credited when the fee or charge is booked.',
  },
  DISBURSEMENT_CLEARING: {
    type: 'LIABILITY',
    normal: 'CREDIT',
    borrower: false,
    holds: 'Money sent out through the payout rail (loans paid out, excess refunded), to be settled against the bank\'s funding account (outside this server). Credited by each payout.',
  },
  COLLECTION_CLEARING: {
    type: 'ASSET',
    normal: 'DEBIT',
    borrower: false,
    holds: 'Money received through the collection rail (repayments, mandate debits), to be swept into the bank\'s books. Debited by each repayment with its whole amount.',
  },
  WRITE_OFF_EXPENSE: {
    type: 'EXPENSE',
    normal: 'DEBIT',
    borrower: false,
    holds: 'Receivables written off as lost. Debited by a write-off against the receivables it clears (none is written off yet).',
  },
} as const satisfies Record<string, { type: 'ASSET' | 'LIABILITY' | 'INCOME' | 'EXPENSE'; normal: 'DEBIT' | 'CREDIT'; borrower: boolean; holds: string }>;

export type LedgerAccount = keyof typeof LEDGER_ACCOUNTS;

/** Every account, in the chart's order (the order of the database enum "LedgerAccount"). */
export const LEDGER_ACCOUNT_NAMES = Object.keys(LEDGER_ACCOUNTS) as LedgerAccount[];

/** The accounts that make up the borrower's position (see the chart). */
export const BORROWER_ACCOUNTS = LEDGER_ACCOUNT_NAMES.filter((account) => LEDGER_ACCOUNTS[account].borrower);

export const isBorrowerAccount = (account: LedgerAccount): boolean => LEDGER_ACCOUNTS[account].borrower;

/** An account's raw balance (debit positive) on its normal side: positive when it stands where it ordinarily does. */
export function normalBalance(account: LedgerAccount, rawMicros: bigint): bigint {
  return LEDGER_ACCOUNTS[account].normal === 'DEBIT' ? rawMicros : -rawMicros;
}

/**
 * What a journal entry records (the database enum "LedgerEntryKind"):
 * - DISBURSEMENT: a loan paid out, with the fee and GST deducted from the payout.
 * - INTEREST: interest earned (today when a repayment pays it; the daily accrual will post the same kind).
 * - REPAYMENT: money received towards a loan, shared out over charges, interest, principal and excess.
 * - CHARGE: a charge levied (bounce, penal, foreclosure) with its GST.
 * - REFUND: excess paid back to the borrower.
 * - WRITE_OFF: receivables written off.
 */
export const LEDGER_ENTRY_KINDS = ['DISBURSEMENT', 'INTEREST', 'REPAYMENT', 'CHARGE', 'REFUND', 'WRITE_OFF'] as const;
export type LedgerEntryKind = (typeof LEDGER_ENTRY_KINDS)[number];

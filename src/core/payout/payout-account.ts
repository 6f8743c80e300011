import { AppError, AppErrorCode } from '../errors';

/**
 * The borrower's account a loan is paid out to: a bank account (IFSC, number, holder's name) or a UPI address.
 * Held only sealed at rest (see PayoutAccountService); `accountKind` is the bank's kind of account when known.
 */
export type PayoutAccount =
  | { type: 'ACCOUNT'; ifsc: string; accountNumber: string; holderName: string; accountKind?: PayoutAccountKind }
  | { type: 'VPA'; vpa: string; holderName?: string };

export const PAYOUT_ACCOUNT_KINDS = ['CURRENT', 'SAVING', 'OVERDRAFT', 'ESCROW', 'WALLET'] as const;
export type PayoutAccountKind = (typeof PAYOUT_ACCOUNT_KINDS)[number];

/** What is known of a payout account without opening it: its type and masked form (`XXXXXX6249`, `as****@okbank`). */
export interface PayoutAccountSummary {
  type: PayoutAccount['type'];
  maskedAccount: string;
}

/** IFSC: four letters (the bank), a zero, six letters or digits (the branch). */
const IFSC = /^[A-Z]{4}0[A-Z0-9]{6}$/;
/** Indian bank account numbers: 9 to 18 digits. */
const ACCOUNT_NUMBER = /^[0-9]{9,18}$/;
/** A UPI address: handle@provider. */
const VPA = /^[A-Za-z0-9][A-Za-z0-9._-]{1,255}@[A-Za-z][A-Za-z0-9]{1,63}$/;

const invalid = (message: string) => new AppError(AppErrorCode.INVALID_FIELD_VALUE, message, ['payoutAccount']);

/**
 * A payout account as given by a partner, checked: IFSC format, account number of 9 to 18 digits and a holder's
 * name for a bank account; `handle@provider` for a UPI address. Spaces in an account number are dropped and the
 * IFSC is upper-cased; anything else wrong is INVALID_FIELD_VALUE (field `payoutAccount`).
 */
export function checkPayoutAccount(input: {
  type: string;
  ifsc?: string;
  accountNumber?: string;
  holderName?: string;
  vpa?: string;
  accountKind?: string;
}): PayoutAccount {
  const holderName = input.holderName?.trim();
  if (holderName !== undefined && (holderName.length > 140 || [...holderName].some((c) => c.charCodeAt(0) < 0x20))) throw invalid('The account holder\'s name must be at most 140 printable characters');
  if (input.type === 'ACCOUNT') {
    const ifsc = (input.ifsc ?? '').trim().toUpperCase();
    const accountNumber = (input.accountNumber ?? '').replace(/\s+/g, '');
    if (!IFSC.test(ifsc)) throw invalid('The IFSC must be 4 letters, a 0 and 6 letters or digits (e.g. HDFC0001234)');
    if (!ACCOUNT_NUMBER.test(accountNumber)) throw invalid('The account number must be 9 to 18 digits');
    if (!holderName) throw invalid('A bank account needs the account holder\'s name');
    const kind = input.accountKind as PayoutAccountKind | undefined;
    if (kind !== undefined && !PAYOUT_ACCOUNT_KINDS.includes(kind)) throw invalid(`The account type must be one of ${PAYOUT_ACCOUNT_KINDS.join(', ')}`);
    return { type: 'ACCOUNT', ifsc, accountNumber, holderName, ...(kind ? { accountKind: kind } : {}) };
  }
  if (input.type === 'VPA') {
    const vpa = (input.vpa ?? '').trim();
    if (!VPA.test(vpa)) throw invalid('The UPI address must be handle@provider');
    return { type: 'VPA', vpa, ...(holderName ? { holderName } : {}) };
  }
  throw invalid('The payout account must be a bank ACCOUNT or a VPA');
}

/** The masked form kept in clear: all but the last four digits of an account number, the handle of a UPI address but its first two characters. */
export function maskPayoutAccount(account: PayoutAccount): string {
  if (account.type === 'ACCOUNT') return `${'X'.repeat(account.accountNumber.length - 4)}${account.accountNumber.slice(-4)}`;
  const [handle, provider] = account.vpa.split('@');
  return `${handle.slice(0, 2)}${'*'.repeat(Math.max(handle.length - 2, 2))}@${provider}`;
}

/** The identity of an account, for its keyed hash (a change of account is a different hash). */
export function payoutAccountIdentity(account: PayoutAccount): string {
  return account.type === 'ACCOUNT' ? `ACCOUNT:${account.ifsc}:${account.accountNumber}` : `VPA:${account.vpa.toLowerCase()}`;
}

import { Sealer, randomToken } from '../../lib/crypto';
import { IdentityHasher } from '../shared/identity';

/** How a loan's account token is kept: never in clear. */
export interface StoredAccountToken {
  /** HMAC-SHA256 of the token (purpose `loan-account-token`): what account/get looks the loan up by. */
  accountTokenHash: string;
  /** The token sealed (AES-256-GCM) to its loan: getStatus, a read answered afresh on every poll, hands it out again. */
  accountTokenCiphertext: string;
}

/**
 * The loan account token: the partner's bearer handle on a disbursed loan (account/get). Issued once, at
 * disbursement; stored only as a keyed hash for look-ups plus a sealed copy bound to the loan, because
 * getStatus must hand the same token out on every poll after disbursement.
 */
export class AccountTokens {
  constructor(
    private readonly sealer: Sealer,
    private readonly identity: IdentityHasher,
  ) {}

  issue(loanId: string): StoredAccountToken {
    const token = `acct_${randomToken(24)}`;
    return { accountTokenHash: this.hash(token), accountTokenCiphertext: this.sealer.seal(token, boundTo(loanId)) };
  }

  hash(token: string): string {
    return this.identity.secret('loan-account-token', token);
  }

  open(loanId: string, ciphertext: string): string {
    return this.sealer.open(ciphertext, boundTo(loanId));
  }
}

const boundTo = (loanId: string) => `account-token:${loanId}`;

import { safeEqual } from '../../lib/crypto';
import { IdentityHasher } from '../shared/identity';

const LOAN_ID = /^[A-Za-z0-9-]{1,64}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;

/**
 * The capability in a no-dues certificate's address: `<loanId>.<mac>`, the mac the keyed hash (HMAC-SHA256,
 * purpose `no-dues-certificate`) of the loan's id. Whoever holds the link (the borrower, through the partner)
 * reads the certificate; nobody can make one for another loan.
 *
 * Not the loan's account token: that is the partner's bearer handle for account/get, kept out of logs, and an
 * address travels into browser history and access logs. Deterministic and stateless (nothing stored): the same
 * link on every hand-out, like the KFS's; it stays valid while the hashing key does.
 */
export class NoDuesCertificateLinks {
  constructor(private readonly identity: IdentityHasher) {}

  /** The token of a loan's certificate. */
  tokenFor(loanId: string): string {
    if (!LOAN_ID.test(loanId)) throw new RangeError(`Not a loan id: ${loanId}`);
    return `${loanId}.${this.mac(loanId)}`;
  }

  /** The loan a token names, or null when it is malformed or its mac does not match (compared in constant time). */
  loanIdOf(token: string): string | null {
    const dot = token.indexOf('.');
    if (dot < 0) return null;
    const loanId = token.slice(0, dot);
    const mac = token.slice(dot + 1);
    if (!LOAN_ID.test(loanId) || !MAC.test(mac)) return null;
    return safeEqual(mac, this.mac(loanId)) ? loanId : null;
  }

  /** The HTML page's path: `/borrower/loans/<token>/no-dues-certificate` (append `.pdf` for the PDF). */
  pathFor(loanId: string): string {
    return noDuesCertificatePath(this.tokenFor(loanId));
  }

  private mac(loanId: string): string {
    return this.identity.secret('no-dues-certificate', loanId);
  }
}

/** The borrower page of the certificate a token names; `.pdf` appended is its PDF. */
export const noDuesCertificatePath = (token: string): string => `/borrower/loans/${token}/no-dues-certificate`;

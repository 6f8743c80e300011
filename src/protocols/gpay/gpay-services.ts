import type { LoanPositions } from '../../core/servicing/loan-position';
import type { AuthTokenService } from '../../core/auth-token/auth-token.service';
import type { ChallengeService } from '../../core/challenge/challenge.service';
import type { KfsService } from '../../core/kfs/kfs.service';
import type { CkycService } from '../../core/kyc/ckyc.service';
import type { KycService } from '../../core/kyc/kyc.service';
import type { Lending } from '../../core/lending/lending';
import type { LoanService } from '../../core/loan/loan.service';
import type { MandateService } from '../../core/mandate/mandate.service';
import type { Config } from '../../lib/config';
import type { GpayExchange } from './gpay-exchange';

/**
 * What the Google Pay-style controllers use: the exchange (envelope, idempotency through the core's PartnerRequests), the
 * core's journey services (getStatus and getApprovalStatus read ApplicationFacts, as OCEN's answers do) and the
 * feature services of its other steps (the composition root supplies them).
 */
export interface GpayServices extends Pick<Lending, 'opening' | 'facts' | 'offers' | 'submissions'> {
  config: Pick<Config, 'publicBaseUrl'>;
  gpay: GpayExchange;
  challenges: ChallengeService;
  kyc: KycService;
  ckyc: CkycService;
  authTokens: AuthTokenService;
  kfs: KfsService;
  mandates: MandateService;
  loans: LoanService;
  /** A loan as account/get shows it: outstanding by part, arrears, next due, transactions (from the ledger). */
  loanPositions: LoanPositions;
}

import type { ApprovalService } from '../../core/approval/approval.service';
import type { AuthTokenService } from '../../core/auth-token/auth-token.service';
import type { ChallengeService } from '../../core/challenge/challenge.service';
import type { KfsService } from '../../core/kfs/kfs.service';
import type { CkycService } from '../../core/kyc/ckyc.service';
import type { KycService } from '../../core/kyc/kyc.service';
import type { ApplicationFacts } from '../../core/lending/application-facts';
import type { LoanService } from '../../core/loan/loan.service';
import type { MandateService } from '../../core/mandate/mandate.service';
import type { OfferService } from '../../core/offer/offer.service';
import type { SubmissionService } from '../../core/lending/submission.service';
import type { Config } from '../../lib/config';
import type { GpayExchange } from './gpay-exchange';

/** What the Google Pay-style controllers use: the exchange (envelope, idempotency) and the core's services (the composition root supplies them). */
export interface GpayServices {
  config: Pick<Config, 'publicBaseUrl'>;
  gpay: GpayExchange;
  challenges: ChallengeService;
  approvals: ApprovalService;
  offers: OfferService;
  kyc: KycService;
  ckyc: CkycService;
  authTokens: AuthTokenService;
  kfs: KfsService;
  mandates: MandateService;
  submissions: SubmissionService;
  loans: LoanService;
  /** Application facts: getStatus and getApprovalStatus read the same view as OCEN's answers. */
  facts: ApplicationFacts;
}

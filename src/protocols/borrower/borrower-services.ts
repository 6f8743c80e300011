import type { Logger } from 'pino';
import type { BorrowerSessionService } from '../../core/borrower-session/borrower-session.service';
import type { ConsentService } from '../../core/consent/consent.service';
import type { IncomeDocumentService } from '../../core/income/income-document.service';
import type { KfsService } from '../../core/kfs/kfs.service';
import type { KycService } from '../../core/kyc/kyc.service';
import type { MandateService } from '../../core/mandate/mandate.service';
import type { Clock } from '../../lib/clock';
import type { Config } from '../../lib/config';

/** What the bank's borrower pages use of the core (the composition root supplies it). */
export interface BorrowerServices {
  config: Pick<Config, 'lenderName' | 'publicBaseUrl'>;
  logger: Logger;
  clock: Clock;
  borrowerSessions: BorrowerSessionService;
  kyc: KycService;
  mandates: MandateService;
  incomeDocuments: IncomeDocumentService;
  consents: ConsentService;
  kfs: KfsService;
}

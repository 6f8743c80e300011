import { notFound } from '../errors';
import { AccountTokens } from '../loan/account-token';
import { ApplicationRef } from './application';
import { ApplicationRepository } from './application.repository';
import { ApplicationStatus } from './application-status';

/** Status polls: one prepared query, no transaction, nothing written (reads are naturally idempotent). */
export class ApplicationStatusService {
  constructor(
    private readonly applications: ApplicationRepository,
    private readonly accountTokens: AccountTokens,
  ) {}

  async get(ref: ApplicationRef): Promise<ApplicationStatus> {
    const status = await this.applications.status(ref);
    if (!status) throw notFound('application reference', 'externalReference');
    if (!status.sealedAccountToken) return status;
    const { sealedAccountToken, ...rest } = status;
    return { ...rest, accountToken: this.accountTokens.open(sealedAccountToken.loanId, sealedAccountToken.ciphertext) };
  }
}

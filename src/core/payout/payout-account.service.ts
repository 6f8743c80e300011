import { randomUUID } from 'node:crypto';
import { precondition } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { Sealer } from '../../lib/crypto';
import { IdentityHasher } from '../shared/identity';
import { ApplicationRef } from '../application/application';
import { ApplicationRepository } from '../application/application.repository';
import { ApplicationState } from '../application/application-state';
import { PayoutAccount, PayoutAccountSummary, checkPayoutAccount, maskPayoutAccount, payoutAccountIdentity } from './payout-account';
import { PayoutAccountRepository } from './payout-account.repository';

/** While the payout account may be set or replaced: after the credit decision, until the disbursement is requested. */
const SETTABLE: ReadonlySet<ApplicationState> = new Set(['IN_PROGRESS', 'SIGNED', 'GRANTED']);

/**
 * The borrower's account a loan is paid out to. Never in clear at rest: the details are sealed (AES-256-GCM,
 * bound to the application) and opened only to pay out; a masked form and a keyed hash are kept beside them.
 */
export class PayoutAccountService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly accounts: PayoutAccountRepository,
    private readonly sealer: Sealer,
    private readonly identity: IdentityHasher,
  ) {}

  /**
   * Checks the account (INVALID_FIELD_VALUE, see checkPayoutAccount) and sets it as the application's payout
   * account, replacing an earlier one; PRECONDITION_FAILED before the credit decision or once the payout is requested.
   */
  async set(ref: ApplicationRef, input: Parameters<typeof checkPayoutAccount>[0]): Promise<PayoutAccountSummary> {
    const account = checkPayoutAccount(input);
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      if (!SETTABLE.has(application.applicationState)) {
        throw precondition(`The payout account cannot be set while the application is ${application.applicationState}`);
      }
      const summary = { type: account.type, maskedAccount: maskPayoutAccount(account) };
      await this.accounts.put(randomUUID(), {
        applicationId: application.id,
        ...summary,
        accountHash: this.identity.secret('payout-account', payoutAccountIdentity(account)),
        detailsCiphertext: this.sealer.seal(JSON.stringify(account), boundTo(application.id)),
      });
      return summary;
    });
  }

  /** The application's payout account, masked; null when none is set. */
  async summary(applicationId: string): Promise<PayoutAccountSummary | null> {
    const stored = await this.accounts.of(applicationId);
    return stored ? { type: stored.type, maskedAccount: stored.maskedAccount } : null;
  }

  /** The application's payout account, opened (to pay out to it); null when none is set. */
  async open(applicationId: string): Promise<PayoutAccount | null> {
    const stored = await this.accounts.of(applicationId);
    return stored ? (JSON.parse(this.sealer.open(stored.detailsCiphertext, boundTo(applicationId))) as PayoutAccount) : null;
  }
}

const boundTo = (applicationId: string) => `payout-account:${applicationId}`;

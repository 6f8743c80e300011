import { Database } from '../../lib/db/database';
import { PayoutAccountSummary } from './payout-account';

/** A payout account as stored: its details sealed, a masked form and a keyed hash beside them. */
export interface StoredPayoutAccount extends PayoutAccountSummary {
  applicationId: string;
  accountHash: string;
  detailsCiphertext: string;
}

export class PayoutAccountRepository {
  constructor(private readonly db: Database) {}

  /** Sets the application's payout account, replacing the one set before. */
  async put(id: string, account: StoredPayoutAccount): Promise<void> {
    const data = { accountType: account.type, maskedAccount: account.maskedAccount, accountHash: account.accountHash, detailsCiphertext: account.detailsCiphertext };
    await this.db.client.disbursementAccount.upsert({ where: { applicationId: account.applicationId }, create: { id, applicationId: account.applicationId, ...data }, update: data });
  }

  async of(applicationId: string): Promise<StoredPayoutAccount | null> {
    const row = await this.db.client.disbursementAccount.findUnique({ where: { applicationId } });
    return row ? { applicationId, type: row.accountType, maskedAccount: row.maskedAccount, accountHash: row.accountHash, detailsCiphertext: row.detailsCiphertext } : null;
  }
}

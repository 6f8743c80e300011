import { Database } from '../../lib/db/database';
import { Mandate } from './mandate';

export interface MandateLinkHashes {
  urlTokenHash: string;
  authCodeHash: string;
  linkExpiresAt: Date;
}

export class MandateRepository {
  constructor(private readonly db: Database) {}

  async byId(id: string | null): Promise<Mandate | null> {
    return id ? this.db.client.repaymentMandate.findUnique({ where: { id }, select: { id: true, applicationId: true, state: true, partnerCollects: true } }) : null;
  }

  async create(mandate: Mandate & MandateLinkHashes): Promise<void> {
    await this.db.client.repaymentMandate.create({ data: mandate });
  }

  async renewLink(id: string, link: MandateLinkHashes & { partnerCollects?: boolean }): Promise<void> {
    await this.db.client.repaymentMandate.update({ where: { id }, data: link });
  }
}

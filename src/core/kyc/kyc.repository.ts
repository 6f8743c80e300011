import { Database } from '../../lib/db/database';
import { CkycSearch, Kyc } from './kyc';

const KYC = {
  id: true, applicationId: true, state: true, eligibleMethods: true, completedMethod: true, rejectionReason: true, urlTokenHash: true,
  urlTokenExpiresAt: true, approvalValidUntil: true, createdAt: true,
} as const;

export class KycRepository {
  constructor(private readonly db: Database) {}

  async byId(id: string | null): Promise<Kyc | null> {
    return id ? this.db.client.kyc.findUnique({ where: { id }, select: KYC }) : null;
  }

  async create(kyc: Omit<Kyc, 'createdAt' | 'completedMethod' | 'rejectionReason' | 'approvalValidUntil'>): Promise<Kyc> {
    return this.db.client.kyc.create({ data: kyc, select: KYC });
  }

  async renewLink(id: string, urlTokenHash: string, urlTokenExpiresAt: Date): Promise<void> {
    await this.db.client.kyc.update({ where: { id }, data: { urlTokenHash, urlTokenExpiresAt } });
  }

  async recordCkycSearch(search: CkycSearch): Promise<void> {
    await this.db.client.ckycSearch.create({ data: search });
  }

  /** The keyed hashes of the CKYC ids this partner's consented searches for one reference found (null: searched, nothing found). */
  async ckycSearchResults(partnerId: string, externalReference: string): Promise<Array<string | null>> {
    const rows = await this.db.client.ckycSearch.findMany({ where: { partnerId, externalReference }, select: { cKycIdHash: true } });
    return rows.map((row) => row.cKycIdHash);
  }
}

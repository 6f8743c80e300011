import { Database } from '../../lib/db/database';
import { Prisma } from '../../generated/prisma/client';
import type { Kfs, KfsFigures } from './kfs';

/** What the `figures` JSON holds besides the figures: what the KFS named (lender, officer, cooling-off). */
type Snapshot = { figures: KfsFigures; lenderName: string; grievanceOfficer: Kfs['grievanceOfficer']; coolingOffDays: number };

/** bigint members as decimal strings, tagged so that they are read back as bigint. */
const toJson = (value: unknown): Prisma.InputJsonValue => JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
const fromJson = <T>(value: unknown): T => JSON.parse(JSON.stringify(value), (_k, v) => (typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v));

export class KfsRepository {
  constructor(private readonly db: Database) {}

  async create(kfs: Kfs): Promise<void> {
    const snapshot: Snapshot = { figures: kfs.figures, lenderName: kfs.lenderName, grievanceOfficer: kfs.grievanceOfficer, coolingOffDays: kfs.coolingOffDays };
    await this.db.client.keyFactStatement.create({
      data: {
        id: kfs.id,
        applicationId: kfs.applicationId,
        offerId: kfs.offerId,
        amountMicros: kfs.amountMicros,
        tenureMonths: kfs.tenureMonths,
        interestRateE5: kfs.interestRateE5,
        aprE5: kfs.figures.apr.e5,
        figures: toJson(snapshot),
        issuedAt: kfs.issuedAt,
        validUntil: kfs.validUntil,
      },
    });
  }

  async byId(id: string): Promise<Kfs | null> {
    const row = await this.db.client.keyFactStatement.findUnique({ where: { id } });
    return row ? kfsOf(row) : null;
  }

  /** The application's most recently issued KFS. */
  async latestFor(applicationId: string): Promise<Kfs | null> {
    const row = await this.db.client.keyFactStatement.findFirst({ where: { applicationId }, orderBy: [{ issuedAt: 'desc' }, { id: 'desc' }] });
    return row ? kfsOf(row) : null;
  }
}

function kfsOf(row: { id: string; applicationId: string; offerId: string; amountMicros: bigint; tenureMonths: number; interestRateE5: number; figures: unknown; issuedAt: Date; validUntil: Date }): Kfs {
  const snapshot = fromJson<Snapshot>(row.figures);
  return {
    id: row.id,
    applicationId: row.applicationId,
    offerId: row.offerId,
    amountMicros: row.amountMicros,
    tenureMonths: row.tenureMonths,
    interestRateE5: row.interestRateE5,
    issuedAt: row.issuedAt,
    validUntil: row.validUntil,
    ...snapshot,
  };
}

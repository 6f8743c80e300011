import { Database } from '../../lib/db/database';
import { Prisma } from '../../generated/prisma/client';
import { NewPartner, Partner, PartnerDefinition, PartnerKey, PartnerStatus } from './partner';

const SELECT = { id: true, displayName: true, protocol: true, status: true, jwks: true, callbackBaseUrl: true, smsTemplate: true, rateLimitPerMinute: true } as const;

export class PartnerRepository {
  constructor(private readonly db: Database) {}

  async find(id: string): Promise<Partner | null> {
    return toPartner(await this.db.client.partner.findUnique({ where: { id }, select: SELECT }));
  }

  async list(): Promise<Partner[]> {
    const rows = await this.db.client.partner.findMany({ select: SELECT, orderBy: { id: 'asc' } });
    return rows.map((row) => toPartner(row)!);
  }

  /** Creates the partner; false when one with this id exists already (it is left as it is). */
  async createIfAbsent(partner: NewPartner): Promise<boolean> {
    const { count } = await this.db.client.partner.createMany({
      data: [{ ...partner, jwks: (partner.jwks ?? { keys: [] }) as unknown as Prisma.InputJsonObject }],
      skipDuplicates: true,
    });
    return count === 1;
  }

  /** Creates each partner that is absent and updates the listed fields of each that exists, in one transaction. */
  async upsertAll(definitions: PartnerDefinition[]): Promise<{ created: string[]; updated: string[] }> {
    return this.db.transaction(async () => {
      const outcome = { created: [] as string[], updated: [] as string[] };
      for (const definition of definitions) {
        if (await this.createIfAbsent(definition)) {
          outcome.created.push(definition.id);
          continue;
        }
        const { id, jwks, ...listed } = definition;
        const data = Object.fromEntries(Object.entries(listed).filter(([, value]) => value !== undefined));
        await this.db.client.partner.updateMany({ where: { id }, data: { ...data, jwks: jwks as unknown as Prisma.InputJsonObject } });
        outcome.updated.push(id);
      }
      return outcome;
    });
  }

  async setStatus(id: string, status: PartnerStatus): Promise<boolean> {
    const { count } = await this.db.client.partner.updateMany({ where: { id }, data: { status } });
    return count === 1;
  }

  async setKeys(id: string, keys: PartnerKey[]): Promise<void> {
    await this.db.client.partner.update({ where: { id }, data: { jwks: { keys } as unknown as Prisma.InputJsonObject } });
  }
}

function toPartner(row: { jwks: unknown } & Omit<Partner, 'jwks'> | null): Partner | null {
  if (!row) return null;
  const jwks = row.jwks as { keys?: PartnerKey[] } | null;
  return { ...row, jwks: { keys: Array.isArray(jwks?.keys) ? jwks.keys : [] } };
}

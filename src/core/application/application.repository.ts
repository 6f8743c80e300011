import { Prisma } from '../../generated/prisma/client';
import { notFound } from '../errors';
import { Database } from '../../lib/db/database';

export type ApplicationWith<I extends Prisma.ApplicationInclude> = Prisma.ApplicationGetPayload<{ include: I }>;

/** Looks applications up within one aggregator: another aggregator's googleApplicationId is simply unknown. */
export class ApplicationRepository {
  constructor(private readonly db: Database) {}

  async get<I extends Prisma.ApplicationInclude = Record<string, never>>(
    aggregatorId: string,
    googleApplicationId: string,
    include?: I,
  ): Promise<ApplicationWith<I>> {
    const application = await this.db.client.application.findUnique({
      where: { aggregatorId_googleApplicationId: { aggregatorId, googleApplicationId } },
      include,
    });
    if (!application) throw notFound('googleApplicationId');
    return application as ApplicationWith<I>;
  }

  /** Locks the row for the rest of the transaction, so two requests on one application run one after the other. */
  async lock(applicationId: string): Promise<void> {
    await this.db.client.$queryRaw`SELECT id FROM application WHERE id = ${applicationId} FOR UPDATE`;
  }

  async byId<I extends Prisma.ApplicationInclude = Record<string, never>>(id: string, include?: I): Promise<ApplicationWith<I> | null> {
    return (await this.db.client.application.findUnique({ where: { id }, include })) as ApplicationWith<I> | null;
  }
}

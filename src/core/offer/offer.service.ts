import { Offer } from '../../generated/prisma/client';
import { notFound } from '../errors';
import { Database } from '../../lib/db/database';

export class OfferService {
  constructor(private readonly db: Database) {}

  /** The offer with this id, if it belongs to an application of this aggregator. */
  async fetch(aggregatorId: string, offerId: string): Promise<Offer> {
    const offer = await this.db.client.offer.findFirst({ where: { id: offerId, application: { aggregatorId } } });
    if (!offer) throw notFound('offerId');
    return offer;
  }
}

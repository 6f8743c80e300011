import { Database } from '../../lib/db/database';
import { Offer } from './offer';

const SELECT = {
  id: true, applicationId: true, productId: true, minAmountMicros: true, maxAmountMicros: true, amountStepMicros: true, minTenureMonths: true,
  maxTenureMonths: true, tenureStepMonths: true, interestRateE5: true, processingFeeRateE5: true, processingFeeMinMicros: true, gstRateE5: true,
  riskBand: true, startsAt: true, endsAt: true,
} as const;

export class OfferRepository {
  constructor(private readonly db: Database) {}

  async create(offer: Offer): Promise<void> {
    await this.db.client.offer.create({ data: offer });
  }

  async byId(id: string): Promise<Offer | null> {
    return this.db.client.offer.findUnique({ where: { id }, select: SELECT });
  }

  /** The offer, only if it was made to an application of this partner. */
  async forPartner(partnerId: string, offerId: string): Promise<Offer | null> {
    return this.db.client.offer.findFirst({ where: { id: offerId, application: { partnerId } }, select: SELECT });
  }
}

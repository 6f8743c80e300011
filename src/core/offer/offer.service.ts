import { notFound } from '../errors';
import { Offer } from './offer';
import { OfferRepository } from './offer.repository';

export class OfferService {
  constructor(private readonly offers: OfferRepository) {}

  /** The offer with this id, if it belongs to an application of this partner. */
  async fetch(partnerId: string, offerId: string): Promise<Offer> {
    const offer = await this.offers.forPartner(partnerId, offerId);
    if (!offer) throw notFound('offerId', 'offerId');
    return offer;
  }
}

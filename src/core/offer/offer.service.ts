import { AppError, AppErrorCode, notFound } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { Clock } from '../../lib/clock';
import { ApplicationRef } from '../application/application';
import { ApplicationRepository } from '../application/application.repository';
import { Offer, assertTermsWithinOffer, offeredAmountMicros, offersTenure } from './offer';
import { OfferRepository } from './offer.repository';

export interface OfferAcceptance extends ApplicationRef {
  offerId: string;
  amountMicros: bigint;
  tenureMonths: number;
}

/**
 * A partner's choice among the offers it was shown: which offer (our id), the tenure, and the amount it says
 * was offered (absent: the amount offered for the request).
 */
export interface OfferChoice extends ApplicationRef {
  offerId: string;
  tenureMonths: number;
  amountMicros?: bigint;
}

export class OfferService {
  constructor(
    private readonly offers: OfferRepository,
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly clock: Clock,
  ) {}

  /** The offer with this id, if it belongs to an application of this partner. */
  async fetch(partnerId: string, offerId: string): Promise<Offer> {
    const offer = await this.offers.forPartner(partnerId, offerId);
    if (!offer) throw notFound('offerId', 'offerId');
    return offer;
  }

  /** The application's current offer (null while there is none: the decision is pending, or credit was refused). */
  async current(ref: ApplicationRef): Promise<Offer | null> {
    const application = await this.applications.get(ref);
    return application.currentOfferId ? this.offers.byId(application.currentOfferId) : null;
  }

  /**
   * The partner's choice among the offers shown to it (one per tenure, each for the amount offered for the
   * request): it must name the application's current offer, a tenure the offer allows and, when it states one,
   * the amount offered; otherwise OFFER_UNKNOWN (an earlier offer, another application's, or changed terms), and
   * nothing is recorded. The choice is then recorded as {@link accept} does (OFFER_EXPIRED, NOT_FOUND when the
   * application is no longer IN_PROGRESS).
   */
  async choose(choice: OfferChoice): Promise<Offer> {
    const application = await this.applications.get(choice);
    const offer = application.currentOfferId === choice.offerId ? await this.offers.byId(choice.offerId) : null;
    const offered = offer ? offeredAmountMicros(offer, application.requestedAmountMicros) : undefined;
    if (!offer || offered === undefined || !offersTenure(offer, choice.tenureMonths) || (choice.amountMicros !== undefined && choice.amountMicros !== offered)) {
      throw new AppError(AppErrorCode.OFFER_UNKNOWN, `The offer chosen is not one of this lender's current offers for application ${choice.externalReference}`, ['offerId']);
    }
    return this.accept({ partnerId: choice.partnerId, externalReference: choice.externalReference, offerId: offer.id, amountMicros: offered, tenureMonths: choice.tenureMonths });
  }

  /**
   * The borrower chooses terms within the application's current offer before KYC (a surface that asks for the
   * choice separately from signing): the offer must be the current one (another id is NOT_FOUND, whoever made
   * it), in its validity window, and amount and tenure within its limits and steps. Choosing again replaces the
   * choice; signing (SubmitApplication) still checks its own terms.
   */
  async accept(request: OfferAcceptance): Promise<Offer> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(request);
      const offer = application.currentOfferId === request.offerId ? await this.offers.byId(request.offerId) : null;
      if (!offer || application.applicationState !== 'IN_PROGRESS') throw notFound('offerId', 'offerId');
      const now = this.clock.now();
      if (now < offer.startsAt || now >= offer.endsAt) throw new AppError(AppErrorCode.OFFER_EXPIRED, 'The offer is outside its validity window');
      assertTermsWithinOffer(offer, request.amountMicros, request.tenureMonths);
      const amount = request.amountMicros;
      const tenure = request.tenureMonths;
      await this.offers.accept(offer.id, amount, tenure, now);
      return { ...offer, acceptedAmountMicros: amount, acceptedTenureMonths: tenure, acceptedAt: now };
    });
  }
}

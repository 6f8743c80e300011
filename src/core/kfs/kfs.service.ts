import { AppError, AppErrorCode, notFound, precondition } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { Clock } from '../../lib/clock';
import { randomToken } from '../../lib/crypto';
import { istDate } from '../shared/dates';
import { Application, ApplicationRef } from '../application/application';
import { ApplicationRepository } from '../application/application.repository';
import { Offer, assertTermsWithinOffer } from '../offer/offer';
import { OfferRepository } from '../offer/offer.repository';
import { ProductCatalog } from '../product/product-catalog';
import { Kfs, KfsSettings, KfsTerms, contingentChargesOf, kfsFigures } from './kfs';
import { KfsRepository } from './kfs.repository';
import { WorkingDayCalendar } from './working-days';

/** The terms being signed, as checked against the KFS the signature names. */
export interface SigningTerms extends KfsTerms {
  interestRateE5: number;
}

const IST_OFFSET_MS = 330 * 60_000;

/**
 * Key Fact Statements (RBI KFS circular of April 15, 2024): issued for an amount and tenure within the
 * application's current offer, stored as shown, and checked again when the borrower signs.
 *
 * Validity: a KFS issued on Indian calendar day D is valid until the end of the `validityWorkingDays`-th (3rd)
 * working day after D, i.e. until 00:00 IST of the day after it (D itself is not counted; working days per
 * {@link WorkingDayCalendar}). Issued on Friday 2027-01-22, 3 working days are Jan 25 (Mon), Jan 27 (Wed; the 26th
 * is Republic Day) and Jan 28 (Thu): valid until 2027-01-29 00:00 IST. The offer's own validity window still
 * applies at signing (OFFER_EXPIRED).
 */
export class KfsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly offers: OfferRepository,
    private readonly statements: KfsRepository,
    private readonly calendar: WorkingDayCalendar,
    private readonly settings: KfsSettings,
    private readonly clock: Clock,
    private readonly products: Pick<ProductCatalog, 'findVersion'>,
  ) {}

  /**
   * Issues a new KFS for the terms. The offer must be the application's current one (another is NOT_FOUND on
   * `offerId`), in its validity window (OFFER_EXPIRED), and the amount and tenure within its limits and steps
   * (INVALID_FIELD_VALUE on `loanAmount` / `tenureMonths`); the application must be IN_PROGRESS (approved, not yet
   * signed: PRECONDITION_FAILED). Each call issues a new statement with its own id and validity. Its contingent
   * charges (penal, bounce, foreclosure) and cooling-off period are those of the product version the offer pinned,
   * whatever version is current.
   */
  async issue(ref: ApplicationRef, terms: KfsTerms): Promise<Kfs> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      const offer = application.currentOfferId === terms.offerId ? await this.offers.byId(terms.offerId) : null;
      if (!offer) throw notFound('offerId', 'offerId');
      return this.issueFor(application, offer, terms);
    });
  }

  /** {@link issue} for an application and offer the caller has already read (and locked) in its transaction. */
  async issueFor(application: Pick<Application, 'id' | 'applicationState'>, offer: Offer, terms: Pick<KfsTerms, 'amountMicros' | 'tenureMonths'>): Promise<Kfs> {
    if (application.applicationState !== 'IN_PROGRESS') throw precondition(`A Key Fact Statement is issued while the application is IN_PROGRESS; it is ${application.applicationState}`);
    const now = this.clock.now();
    if (now < offer.startsAt || now >= offer.endsAt) throw new AppError(AppErrorCode.OFFER_EXPIRED, 'The offer is outside its validity window');
    assertTermsWithinOffer(offer, terms.amountMicros, terms.tenureMonths);
    const issuedOn = istDate(now);
    const product = await this.products.findVersion(offer.productId, offer.productVersion);
    if (!product) throw new Error(`Offer ${offer.id} pins product ${offer.productId} version ${offer.productVersion}, which does not exist`);
    const kfs: Kfs = {
      id: `KFS${randomToken(12).replace(/[-_]/g, 'x').toUpperCase()}`,
      applicationId: application.id,
      offerId: offer.id,
      amountMicros: terms.amountMicros,
      tenureMonths: terms.tenureMonths,
      interestRateE5: offer.interestRateE5,
      issuedAt: now,
      validUntil: this.validUntil(issuedOn),
      figures: kfsFigures(offer, terms.amountMicros, terms.tenureMonths, issuedOn, contingentChargesOf(product)),
      lenderName: this.settings.lenderName,
      grievanceOfficer: this.settings.grievanceOfficer,
      coolingOffDays: product.coolingOffDays,
    };
    await this.statements.create(kfs);
    return kfs;
  }

  /** The KFS with this id, as issued (NOT_FOUND `kfsId` when unknown). Ids are unguessable: a borrower page may show it by id. */
  async get(kfsId: string): Promise<Kfs> {
    const kfs = await this.statements.byId(kfsId);
    if (!kfs) throw notFound('Key Fact Statement', 'kfsId');
    return kfs;
  }

  /** The application's most recently issued KFS (null when none was issued). */
  async latestFor(applicationId: string): Promise<Kfs | null> {
    return this.statements.latestFor(applicationId);
  }

  /**
   * The KFS a signature names, checked for the terms being signed: none named is KFS_REQUIRED; unknown or
   * issued for another application (of this partner or another) is NOT_FOUND `kfsId`, the same refusal so that
   * nothing is learnt of it; issued for other terms (offer, amount, tenure or rate) KFS_TERMS_MISMATCH; past
   * its validity KFS_EXPIRED. A read.
   */
  async assertValidFor(applicationId: string, kfsId: string | null | undefined, terms: SigningTerms): Promise<Kfs> {
    if (!kfsId) throw new AppError(AppErrorCode.KFS_REQUIRED, 'The borrower must accept a Key Fact Statement for these terms (its id as the version of the KFS acceptance)', ['kfsId']);
    const kfs = await this.statements.byId(kfsId);
    if (!kfs || kfs.applicationId !== applicationId) throw notFound('Key Fact Statement', 'kfsId');
    this.assertStillHolds(kfs, terms);
    return kfs;
  }

  /** The terms and validity checks of {@link assertValidFor} on a KFS already read. */
  assertStillHolds(kfs: Kfs, terms: SigningTerms): void {
    if (kfs.offerId !== terms.offerId || kfs.amountMicros !== terms.amountMicros || kfs.tenureMonths !== terms.tenureMonths || kfs.interestRateE5 !== terms.interestRateE5) {
      throw new AppError(AppErrorCode.KFS_TERMS_MISMATCH, `Key Fact Statement ${kfs.id} was issued for other terms than those being signed`, ['kfsId']);
    }
    if (this.clock.now() >= kfs.validUntil) {
      throw new AppError(AppErrorCode.KFS_EXPIRED, `Key Fact Statement ${kfs.id} expired at ${kfs.validUntil.toISOString()}`, ['kfsId'], { validUntil: kfs.validUntil.toISOString() });
    }
  }

  /** The end of the validity of a KFS issued on `issuedOn` (IST date): 00:00 IST after its last working day. */
  validUntil(issuedOn: string): Date {
    const lastDay = this.calendar.addWorkingDays(issuedOn, this.settings.validityWorkingDays);
    return new Date(Date.parse(`${lastDay}T00:00:00Z`) + 86_400_000 - IST_OFFSET_MS);
  }
}

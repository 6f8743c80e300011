import { Database } from '../../lib/db/database';
import { Table } from '../../lib/db/table';
import { Offer } from './offer';

const OFFER = new Table<Offer>('offer', {
  id: 'id',
  applicationId: 'application_id',
  productId: 'product_id',
  productVersion: 'product_version',
  minAmountMicros: 'min_amount_micros',
  maxAmountMicros: 'max_amount_micros',
  amountStepMicros: 'amount_step_micros',
  minTenureMonths: 'min_tenure_months',
  maxTenureMonths: 'max_tenure_months',
  tenureStepMonths: 'tenure_step_months',
  interestRateE5: 'interest_rate_e5',
  processingFeeRateE5: 'processing_fee_rate_e5',
  processingFeeMinMicros: 'processing_fee_min_micros',
  processingFeeMaxMicros: 'processing_fee_max_micros',
  gstRateE5: 'gst_rate_e5',
  riskBand: 'risk_band',
  startsAt: 'starts_at',
  endsAt: 'ends_at',
  acceptedAmountMicros: 'accepted_amount_micros',
  acceptedTenureMonths: 'accepted_tenure_months',
  acceptedAt: 'accepted_at',
});

export class OfferRepository {
  constructor(private readonly db: Database) {}

  async create(offer: Offer): Promise<void> {
    const { sql, values } = OFFER.insert(offer);
    await this.db.write(sql, values);
  }

  async byId(id: string): Promise<Offer | null> {
    const [row] = await this.db.query<Offer>(`SELECT ${OFFER.selectList()} FROM offer WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** The offer, only if it was made to an application of this partner. */
  async forPartner(partnerId: string, offerId: string): Promise<Offer | null> {
    const [row] = await this.db.query<Offer>(
      `SELECT ${OFFER.selectList('o')} FROM offer o JOIN application a ON a.id = o.application_id WHERE o.id = $1 AND a.partner_id = $2`,
      [offerId, partnerId],
    );
    return row ?? null;
  }

  /** Records the borrower's chosen terms (the offer is locked by the caller's transaction on its application). */
  async accept(offerId: string, amountMicros: bigint, tenureMonths: number, at: Date): Promise<void> {
    await this.db.write(`UPDATE offer SET accepted_amount_micros = $2, accepted_tenure_months = $3, accepted_at = $4 WHERE id = $1`, [offerId, amountMicros, tenureMonths, at]);
  }
}

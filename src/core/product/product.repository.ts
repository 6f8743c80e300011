import { Database } from '../../lib/db/database';
import { Product, ProductTerms, RiskBand } from './product';

/** A risk band as stored in `product_version.risk_bands` (micros as a decimal string: a JSON number is a float). */
interface StoredRiskBand {
  band: string;
  min_monthly_income_micros: string;
  interest_rate_e5: number;
}

type ProductRow = Omit<Product, 'riskBands'> & { riskBands: StoredRiskBand[] };

const COLUMNS = `v.product_id AS "id", v.version AS "version", v.name AS "name",
  v.min_amount_micros AS "minAmountMicros", v.max_amount_micros AS "maxAmountMicros", v.amount_step_micros AS "amountStepMicros",
  v.min_tenure_months AS "minTenureMonths", v.max_tenure_months AS "maxTenureMonths", v.tenure_step_months AS "tenureStepMonths",
  v.risk_bands AS "riskBands", v.rate_type::text AS "rateType",
  v.processing_fee_rate_e5 AS "processingFeeRateE5", v.processing_fee_min_micros AS "processingFeeMinMicros",
  v.processing_fee_max_micros AS "processingFeeMaxMicros", v.gst_rate_e5 AS "gstRateE5",
  v.bounce_charge_micros AS "bounceChargeMicros", v.penal_charge_micros AS "penalChargeMicros",
  v.foreclosure_charge_rate_e5 AS "foreclosureChargeRateE5", v.cooling_off_days AS "coolingOffDays", v.grace_days AS "graceDays",
  v.pre_debit_notice_days AS "preDebitNoticeDays", v.collection_retry_days AS "collectionRetryDays",
  v.offer_validity_hours AS "offerValidityHours", v.effective_from AS "effectiveFrom", p.active AS "active"`;

const SELECT_CURRENT = `SELECT ${COLUMNS} FROM product p JOIN product_version v ON v.product_id = p.id AND v.version = p.current_version WHERE p.id = $1`;
const SELECT_VERSION = `SELECT ${COLUMNS} FROM product p JOIN product_version v ON v.product_id = p.id WHERE p.id = $1 AND v.version = $2`;

/**
 * Adds the next version of a product and makes it current, in one statement: the product row is locked, so two
 * versions added at once get consecutive numbers. No row: the product does not exist.
 */
const ADD_VERSION = `WITH p AS (SELECT id, current_version FROM product WHERE id = $1 FOR UPDATE),
  added AS (
    INSERT INTO product_version (product_id, version, name, min_amount_micros, max_amount_micros, amount_step_micros,
      min_tenure_months, max_tenure_months, tenure_step_months, risk_bands, rate_type,
      processing_fee_rate_e5, processing_fee_min_micros, processing_fee_max_micros, gst_rate_e5,
      bounce_charge_micros, penal_charge_micros, foreclosure_charge_rate_e5,
      cooling_off_days, grace_days, pre_debit_notice_days, collection_retry_days, offer_validity_hours, effective_from)
    SELECT p.id, p.current_version + 1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::"ProductRateType",
      $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21::integer[], $22, $23 FROM p
    RETURNING product_id, version)
UPDATE product SET current_version = added.version FROM added WHERE product.id = added.product_id RETURNING added.version AS "version"`;

function fromRow(row: ProductRow): Product {
  return { ...row, riskBands: row.riskBands.map(toRiskBand) };
}

function toRiskBand(stored: StoredRiskBand): RiskBand {
  return { band: stored.band, minMonthlyIncomeMicros: BigInt(stored.min_monthly_income_micros), interestRateE5: stored.interest_rate_e5 };
}

function storedRiskBands(bands: RiskBand[]): string {
  const stored: StoredRiskBand[] = bands.map((b) => ({ band: b.band, min_monthly_income_micros: b.minMonthlyIncomeMicros.toString(), interest_rate_e5: b.interestRateE5 }));
  return JSON.stringify(stored);
}

/** Products and their versions (tables `product`, `product_version`). */
export class ProductRepository {
  constructor(private readonly db: Database) {}

  /** The product with the terms of its current version (`product.current_version`); null when unknown. */
  async find(id: string): Promise<Product | null> {
    const [row] = await this.db.query<ProductRow>(SELECT_CURRENT, [id]);
    return row ? fromRow(row) : null;
  }

  /**
   * The product with the terms of one version, whichever is current: what an offer or loan pinned
   * (`offer.product_version`, `loan_account.product_version`). Null when the product or version is unknown.
   */
  async findVersion(id: string, version: number): Promise<Product | null> {
    const [row] = await this.db.query<ProductRow>(SELECT_VERSION, [id, version]);
    return row ? fromRow(row) : null;
  }

  /**
   * Adds the next version of the product with these terms and makes it the current one (from `effectiveFrom`,
   * recorded as given). Offers already made and loans already opened keep the version they pinned.
   *
   * @returns the new version's number.
   * @throws Error when the product does not exist; the database's CHECK violation (SQLSTATE 23514) when the terms
   *   are inconsistent (a minimum above its maximum, a foreclosure charge on a FLOATING rate, no risk band, ...).
   */
  async addVersion(id: string, terms: ProductTerms, effectiveFrom: Date): Promise<number> {
    const [row] = await this.db.query<{ version: number }>(ADD_VERSION, [
      id, terms.name, terms.minAmountMicros, terms.maxAmountMicros, terms.amountStepMicros,
      terms.minTenureMonths, terms.maxTenureMonths, terms.tenureStepMonths, storedRiskBands(terms.riskBands), terms.rateType,
      terms.processingFeeRateE5, terms.processingFeeMinMicros, terms.processingFeeMaxMicros, terms.gstRateE5,
      terms.bounceChargeMicros, terms.penalChargeMicros, terms.foreclosureChargeRateE5,
      terms.coolingOffDays, terms.graceDays, terms.preDebitNoticeDays, terms.collectionRetryDays, terms.offerValidityHours, effectiveFrom,
    ]);
    if (!row) throw new Error(`Product ${id} does not exist`);
    return row.version;
  }
}

import { Database } from '../../lib/db/database';
import { Table } from '../../lib/db/table';
import { Product } from './product';

const PRODUCT = new Table<Product>('product', {
  id: 'id',
  name: 'name',
  minAmountMicros: 'min_amount_micros',
  maxAmountMicros: 'max_amount_micros',
  amountStepMicros: 'amount_step_micros',
  minTenureMonths: 'min_tenure_months',
  maxTenureMonths: 'max_tenure_months',
  tenureStepMonths: 'tenure_step_months',
  processingFeeRateE5: 'processing_fee_rate_e5',
  processingFeeMinMicros: 'processing_fee_min_micros',
  gstRateE5: 'gst_rate_e5',
  offerValidityHours: 'offer_validity_hours',
  active: 'active',
});

const SELECT_BY_ID = `SELECT ${PRODUCT.selectList()} FROM product WHERE id = $1`;

export class ProductRepository {
  constructor(private readonly db: Database) {}

  async find(id: string): Promise<Product | null> {
    const [row] = await this.db.query<Product>(SELECT_BY_ID, [id]);
    return row ?? null;
  }
}

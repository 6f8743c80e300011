import { Database } from '../../lib/db/database';
import { Product } from './product';

export class ProductRepository {
  constructor(private readonly db: Database) {}

  async find(id: string): Promise<Product | null> {
    return this.db.client.product.findUnique({ where: { id } });
  }
}

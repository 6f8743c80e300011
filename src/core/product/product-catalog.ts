import { Clock } from '../../lib/clock';
import { Product } from './product';
import { ProductRepository } from './product.repository';

/**
 * The lending products, read through a short cache: every application and every credit decision needs its
 * product, and products change rarely (a change made elsewhere takes effect within `cacheMs`).
 */
export class ProductCatalog {
  private readonly cache = new Map<string, { product: Product | null; until: number }>();

  constructor(private readonly products: ProductRepository, private readonly clock: Clock, private readonly cacheMs: number) {}

  async find(id: string): Promise<Product | null> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.product;
    const product = await this.products.find(id);
    // Unknown ids are not cached: a request cannot grow the cache without bound.
    if (product && this.cacheMs > 0) this.cache.set(id, { product, until: now + this.cacheMs });
    return product;
  }
}

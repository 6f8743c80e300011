import { Clock } from '../../lib/clock';
import { Product } from './product';
import { ProductRepository } from './product.repository';

/**
 * The lending products, read through a short cache: every application and every credit decision needs its
 * product, and products change rarely (a new current version takes effect within `cacheMs`). A pinned version
 * never changes (product_version rows are immutable), so `findVersion` keeps what it read.
 */
export class ProductCatalog {
  private readonly cache = new Map<string, { product: Product | null; until: number }>();
  private readonly versions = new Map<string, Product>();

  constructor(private readonly products: ProductRepository, private readonly clock: Clock, private readonly cacheMs: number) {}

  /** The product with the terms of its current version; null when unknown. */
  async find(id: string): Promise<Product | null> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.product;
    const product = await this.products.find(id);
    // Unknown ids are not cached: a request cannot grow the cache without bound.
    if (product && this.cacheMs > 0) this.cache.set(id, { product, until: now + this.cacheMs });
    return product;
  }

  /** The product with the terms of one version (what an offer or a loan pinned); null when unknown. Its `active` is as first read. */
  async findVersion(id: string, version: number): Promise<Product | null> {
    const key = `${id}\u0000${version}`;
    const hit = this.versions.get(key);
    if (hit) return hit;
    const product = await this.products.findVersion(id, version);
    // Only versions that exist are kept, and there are few: the cache stays small.
    if (product && this.cacheMs > 0) this.versions.set(key, product);
    return product;
  }
}

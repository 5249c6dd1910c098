/**
 * The workload's hot reads through the cache: the product page, a site's top products (what is
 * trending over 30 days) and store ranking, and a buyer's recommendations. Each is the query
 * library's own operation, cached under the tags of the rows it read, so that a write to any of
 * them (by ecomdb or by anyone else: the triggers see every write) deletes it.
 *
 * @example
 *   const cache = await openReadCache({ url: DATABASE_URL, redisUrl: REDIS_URL });
 *   const page = await cachedProductPage(cache.reads, { region: 'MLA', productId: 42 });
 */
import { productPage, recommendProducts, storeSalesRanking, topProducts, type ProductPage, type Recommendation, type StoreSales, type TopProduct } from '../access/index.ts';
import { id, int, site } from '../access/guard.ts';
import type { SiteId } from '../../schema/values.ts';
import { productPageSpec, recommendationsSpec, storeRankingSpec, tag, topProductsSpec } from './keys.ts';
import type { ReadCache } from './store.ts';

export function cachedProductPage(cache: ReadCache, params: { readonly region: SiteId; readonly productId: number }): Promise<ProductPage> {
  const region = site(params.region);
  const productId = id('productId', params.productId);
  return cache.get(productPageSpec(region, productId), (db) => productPage(db, { region, productId }), (p) => [tag('product', region, productId), tag('store', region, p.store.id)]);
}

export function cachedTopProducts(cache: ReadCache, params: { readonly region: SiteId; readonly limit?: number }): Promise<TopProduct[]> {
  const region = site(params.region);
  const limit = int('limit', params.limit ?? 10, 1, 100);
  return cache.get(topProductsSpec(region, limit), (db) => topProducts(db, { region, limit }), (rows) => rows.flatMap((r) => [tag('product', region, r.productId), tag('store', region, r.storeId)]));
}

export function cachedStoreSalesRanking(cache: ReadCache, params: { readonly region: SiteId; readonly limit?: number }): Promise<StoreSales[]> {
  const region = site(params.region);
  const limit = int('limit', params.limit ?? 10, 1, 100);
  return cache.get(storeRankingSpec(region, limit), (db) => storeSalesRanking(db, { region, limit }), (rows) => rows.map((r) => tag('store', region, r.storeId)));
}

export function cachedRecommendations(cache: ReadCache, params: { readonly region: SiteId; readonly userId: number; readonly limit?: number }): Promise<Recommendation[]> {
  const region = site(params.region);
  const userId = id('userId', params.userId);
  const limit = int('limit', params.limit ?? 10, 1, 50);
  return cache.get(
    recommendationsSpec(region, userId, limit),
    (db) => recommendProducts(db, { region, userId, limit }),
    (rows) => [tag('user', region, userId), ...rows.map((r) => tag('product', region, r.productId))],
  );
}

/** The cached reads by the name of the operation they cache. */
export const CACHED_OPERATIONS = {
  productPage: cachedProductPage,
  topProducts: cachedTopProducts,
  storeSalesRanking: cachedStoreSalesRanking,
  recommendProducts: cachedRecommendations,
} as const;

export type CachedOperation = keyof typeof CACHED_OPERATIONS;

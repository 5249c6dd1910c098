/**
 * Product catalog: buyers search a site and open a product page; sellers publish and update
 * listings and run time-bounded discounts.
 *
 * Search is full-text over products.search_vector (title and description in the site's
 * language, GIN-indexed) with websearch_to_tsquery in the same language, ranked by ts_rank:
 * never a `LIKE '%word%'` scan.
 */
import { and, asc, desc, eq, gt, gte, lte, sql, type SQL } from 'drizzle-orm';
import { campaigns, categories, productDiscounts, productImages, products, questions, reviews, searchConfig, stores } from '../../schema/index.ts';
import type { PRODUCT_CONDITIONS, SiteId } from '../../schema/values.ts';
import type { AccessDb } from './db.ts';
import { cents, currencyOf, date, decimal, id, int, oneOf, refuse, site, text } from './guard.ts';
import { discountedPrice, lowStockSince, NOW_MS, requireStoreOwner } from './shared.ts';

type Condition = (typeof PRODUCT_CONDITIONS)[number];

// ---------------------------------------------------------------------------------------------
// Buyer: search

export interface SearchParams {
  readonly region: SiteId;
  /** What the buyer typed, in web-search syntax: `celular samsung -usado`, `"smart tv" or monitor`. */
  readonly words: string;
  /** A category and everything under it. */
  readonly categoryId?: number;
  /** Bounds on the listed price (before discounts), inclusive. */
  readonly minPrice?: string | number;
  readonly maxPrice?: string | number;
  /** Page size, 1 to 100 (default 20). */
  readonly limit?: number;
  /** Results to skip, 0 to 1000 (default 0). */
  readonly offset?: number;
}

export interface SearchHit {
  readonly productId: number;
  readonly storeId: number;
  readonly categoryId: number;
  readonly title: string;
  readonly price: string;
  /** The price after the discount active now. */
  readonly finalPrice: string;
  readonly currency: string;
  readonly stock: number;
  readonly condition: Condition;
  /** ts_rank of the match: higher is more relevant. */
  readonly rank: number;
}

/** The search as a query builder, not yet run (its SQL can be explained). */
export function searchQuery(db: AccessDb, params: SearchParams) {
  const region = site(params.region);
  const words = text('words', params.words, 1, 200);
  const limit = int('limit', params.limit ?? 20, 1, 100);
  const offset = int('offset', params.offset ?? 0, 0, 1000);
  const min = params.minPrice === undefined ? undefined : cents('minPrice', params.minPrice, { orZero: true });
  const max = params.maxPrice === undefined ? undefined : cents('maxPrice', params.maxPrice);
  if (min !== undefined && max !== undefined && min > max) {
    throw refuse('E_ACCESS_INVALID', `minPrice ${decimal(min)} is above maxPrice ${decimal(max)}`, 'swap or widen the bounds', { param: 'minPrice' });
  }
  const query = sql`websearch_to_tsquery(${searchConfig(region)}::regconfig, ${words})`;
  const rank = sql<number>`ts_rank(${products.searchVector}, ${query})`;
  const filters: (SQL | undefined)[] = [
    eq(products.region, region),
    eq(products.status, 'active'),
    sql`${products.searchVector} @@ ${query}`,
    min === undefined ? undefined : gte(products.price, decimal(min)),
    max === undefined ? undefined : lte(products.price, decimal(max)),
  ];
  if (params.categoryId !== undefined) {
    const categoryId = id('categoryId', params.categoryId);
    filters.push(
      sql`${products.categoryId} IN (WITH RECURSIVE tree(id) AS (SELECT ${categoryId}::integer
            UNION ALL SELECT c.id FROM ${categories} AS c JOIN tree ON c.parent_id = tree.id) SELECT id FROM tree)`,
    );
  }
  return db
    .select({
      productId: products.id,
      storeId: products.storeId,
      categoryId: products.categoryId,
      title: products.title,
      price: products.price,
      finalPrice: discountedPrice(db, region),
      currency: products.currency,
      stock: products.stock,
      condition: products.condition,
      rank: rank.mapWith(Number),
    })
    .from(products)
    .where(and(...filters))
    .orderBy(desc(rank), asc(products.id))
    .limit(limit)
    .offset(offset);
}

/** Search a site's active listings by words, category and price range, most relevant first. */
export async function searchProducts(db: AccessDb, params: SearchParams): Promise<SearchHit[]> {
  return searchQuery(db, params);
}

// ---------------------------------------------------------------------------------------------
// Buyer: product page

export interface ProductPage {
  readonly productId: number;
  readonly title: string;
  readonly description: string;
  readonly price: string;
  readonly finalPrice: string;
  readonly currency: string;
  readonly stock: number;
  readonly condition: Condition;
  readonly status: string;
  readonly store: { readonly id: number; readonly name: string; readonly isOfficial: boolean };
  readonly images: readonly string[];
  /** The largest discount active now, if any. */
  readonly discount: { readonly percentage: number; readonly endsAt: Date } | null;
  /** Approved and pending reviews (rejected ones are not shown). */
  readonly rating: { readonly count: number; readonly average: string | null; readonly stars: readonly [number, number, number, number, number] };
  /** The five latest answered questions. */
  readonly questions: readonly { readonly question: string; readonly answer: string; readonly answeredAt: Date }[];
}

/** Everything a product page shows: the listing, its store, images, active discount, stock, rating summary and answered questions. */
export async function productPage(db: AccessDb, params: { readonly region: SiteId; readonly productId: number }): Promise<ProductPage> {
  const region = site(params.region);
  const productId = id('productId', params.productId);
  const [p] = await db
    .select({
      title: products.title,
      description: products.description,
      price: products.price,
      finalPrice: discountedPrice(db, region),
      currency: products.currency,
      stock: products.stock,
      condition: products.condition,
      status: products.status,
      storeId: stores.id,
      storeName: stores.name,
      isOfficial: stores.isOfficial,
    })
    .from(products)
    .innerJoin(stores, and(eq(stores.region, products.region), eq(stores.id, products.storeId)))
    .where(and(eq(products.region, region), eq(products.id, productId)));
  if (!p) throw refuse('E_ACCESS_NOT_FOUND', `no product ${productId} in ${region}`, 'check the product id and the site', { region, productId });
  const [images, [discount], stars, answered] = await Promise.all([
    db.select({ url: productImages.url }).from(productImages).where(and(eq(productImages.region, region), eq(productImages.productId, productId))).orderBy(asc(productImages.position)),
    db
      .select({ percentage: productDiscounts.percentage, endsAt: productDiscounts.endsAt })
      .from(productDiscounts)
      .where(and(eq(productDiscounts.region, region), eq(productDiscounts.productId, productId), lte(productDiscounts.startsAt, sql`now()`), gt(productDiscounts.endsAt, sql`now()`)))
      .orderBy(desc(productDiscounts.percentage), desc(productDiscounts.endsAt))
      .limit(1),
    db
      .select({ rating: reviews.rating, count: sql<number>`count(*)`.mapWith(Number) })
      .from(reviews)
      .where(and(eq(reviews.region, region), eq(reviews.productId, productId), sql`${reviews.moderationStatus} <> 'rejected'`))
      .groupBy(reviews.rating),
    db
      .select({ question: questions.body, answer: questions.answer, answeredAt: questions.answeredAt })
      .from(questions)
      .where(and(eq(questions.region, region), eq(questions.productId, productId), eq(questions.status, 'answered')))
      .orderBy(desc(questions.answeredAt))
      .limit(5),
  ]);
  const counts = [1, 2, 3, 4, 5].map((r) => stars.find((s) => s.rating === r)?.count ?? 0) as [number, number, number, number, number];
  const count = counts.reduce((a, b) => a + b, 0);
  const sum = counts.reduce((a, n, i) => a + n * (i + 1), 0);
  return {
    productId,
    title: p.title,
    description: p.description,
    price: p.price,
    finalPrice: p.finalPrice,
    currency: p.currency,
    stock: p.stock,
    condition: p.condition,
    status: p.status,
    store: { id: p.storeId, name: p.storeName, isOfficial: p.isOfficial },
    images: images.map((i) => i.url),
    discount: discount ?? null,
    rating: { count, average: count === 0 ? null : (sum / count).toFixed(2), stars: counts },
    questions: answered.map((q) => ({ question: q.question, answer: q.answer!, answeredAt: q.answeredAt! })),
  };
}

// ---------------------------------------------------------------------------------------------
// Seller: listings

export interface PublishParams {
  readonly region: SiteId;
  readonly sellerId: number;
  readonly storeId: number;
  /** A leaf of the category tree. */
  readonly categoryId: number;
  readonly title: string;
  readonly description: string;
  readonly price: string | number;
  readonly stock: number;
  /** Alert when the stock falls to or under this (default 5). */
  readonly lowStockThreshold?: number;
  readonly condition?: Condition;
}

/** Publish a listing in the seller's own store, in the site's currency. */
export async function publishListing(db: AccessDb, params: PublishParams): Promise<{ productId: number }> {
  const region = site(params.region);
  const sellerId = id('sellerId', params.sellerId);
  const storeId = id('storeId', params.storeId);
  const categoryId = id('categoryId', params.categoryId);
  const title = text('title', params.title, 1, 200);
  const description = text('description', params.description, 0, 10_000);
  const price = decimal(cents('price', params.price));
  const stock = int('stock', params.stock, 0, 1_000_000_000);
  const threshold = int('lowStockThreshold', params.lowStockThreshold ?? 5, 0, 1_000_000_000);
  const condition = oneOf('condition', params.condition ?? 'new', ['new', 'used', 'refurbished'] as const);
  return db.transaction(async (tx) => {
    await requireStoreOwner(tx, region, sellerId, storeId);
    const [category] = await tx.select({ id: categories.id }).from(categories).where(eq(categories.id, categoryId));
    if (!category) throw refuse('E_ACCESS_NOT_FOUND', `no category ${categoryId}`, 'pick a category of the tree', { categoryId });
    const [child] = await tx.select({ id: categories.id }).from(categories).where(eq(categories.parentId, categoryId)).limit(1);
    if (child) throw refuse('E_ACCESS_INVALID', `category ${categoryId} has subcategories`, 'list the product in a leaf category', { param: 'categoryId', categoryId });
    const [row] = await tx
      .insert(products)
      .values({
        region,
        storeId,
        categoryId,
        title,
        description,
        price,
        currency: currencyOf(region),
        stock,
        lowStockThreshold: threshold,
        condition,
        lowStockSince: stock <= threshold ? sql`now()` : null,
      })
      .returning({ id: products.id });
    return { productId: row!.id };
  });
}

export interface UpdateListingParams {
  readonly region: SiteId;
  readonly sellerId: number;
  readonly productId: number;
  readonly price?: string | number;
  /** The new stock count. */
  readonly stock?: number;
  /** Units to add to the stock as it is when the update runs (safe beside concurrent sales). */
  readonly restock?: number;
  /** Pause or resume the listing, or close it for good. */
  readonly status?: 'active' | 'paused' | 'closed';
  readonly title?: string;
  readonly description?: string;
  readonly lowStockThreshold?: number;
}

export interface Listing {
  readonly productId: number;
  readonly price: string;
  readonly stock: number;
  readonly status: string;
  readonly lowStockThreshold: number;
  /** The open low-stock alert, if any. */
  readonly lowStockSince: Date | null;
}

/** The product, locked for update, if `sellerId` owns its store. */
async function ownedProduct(tx: AccessDb, region: SiteId, sellerId: number, productId: number) {
  // Locked alone: FOR ... OF would need the table's unqualified name, which drizzle qualifies.
  const [row] = await tx
    .select({ status: products.status, price: products.price, storeId: products.storeId })
    .from(products)
    .where(and(eq(products.region, region), eq(products.id, productId)))
    .for('no key update');
  if (!row) throw refuse('E_ACCESS_NOT_FOUND', `no product ${productId} in ${region}`, 'check the product id and the site', { region, productId });
  const [store] = await tx.select({ owner: stores.ownerUserId }).from(stores).where(and(eq(stores.region, region), eq(stores.id, row.storeId)));
  if (store!.owner !== sellerId) {
    throw refuse('E_ACCESS_FORBIDDEN', `product ${productId} belongs to store ${row.storeId}, which user ${sellerId} does not own`, 'update your own listings only', { region, productId, sellerId });
  }
  return row;
}

/**
 * Change a listing: price, stock (set, or add to), pause, resume, close, texts, threshold. A
 * closed listing stays closed; one under review keeps its status until moderation decides. The
 * low-stock alert follows the new stock and threshold.
 */
export async function updateListing(db: AccessDb, params: UpdateListingParams): Promise<Listing> {
  const region = site(params.region);
  const sellerId = id('sellerId', params.sellerId);
  const productId = id('productId', params.productId);
  const price = params.price === undefined ? undefined : decimal(cents('price', params.price));
  const stock = params.stock === undefined ? undefined : int('stock', params.stock, 0, 1_000_000_000);
  const restock = params.restock === undefined ? undefined : int('restock', params.restock, 1, 1_000_000_000);
  if (stock !== undefined && restock !== undefined) throw refuse('E_ACCESS_INVALID', 'stock and restock together', 'set the stock or add to it, not both', { param: 'restock' });
  const status = params.status === undefined ? undefined : oneOf('status', params.status, ['active', 'paused', 'closed'] as const);
  const title = params.title === undefined ? undefined : text('title', params.title, 1, 200);
  const description = params.description === undefined ? undefined : text('description', params.description, 0, 10_000);
  const threshold = params.lowStockThreshold === undefined ? undefined : int('lowStockThreshold', params.lowStockThreshold, 0, 1_000_000_000);
  if ([price, stock, restock, status, title, description, threshold].every((v) => v === undefined)) {
    throw refuse('E_ACCESS_INVALID', 'nothing to change', 'pass at least one of price, stock, restock, status, title, description, lowStockThreshold', { param: 'params' });
  }
  return db.transaction(async (tx) => {
    const current = await ownedProduct(tx, region, sellerId, productId);
    if (current.status === 'closed') throw refuse('E_ACCESS_STATE', `product ${productId} is closed`, 'publish a new listing instead', { region, productId });
    if (status !== undefined && current.status === 'under_review') {
      throw refuse('E_ACCESS_STATE', `product ${productId} is under review`, 'wait for moderation to decide', { region, productId });
    }
    const newStock = stock !== undefined ? sql`${stock}::integer` : restock !== undefined ? sql`${products.stock} + ${restock}::integer` : sql`${products.stock}`;
    const newThreshold = threshold !== undefined ? sql`${threshold}::integer` : sql`${products.lowStockThreshold}`;
    const newStatus = status !== undefined ? sql`${status}::product_catalog.product_status` : sql`${products.status}`;
    const [row] = await tx
      .update(products)
      .set({
        ...(price !== undefined && { price }),
        // clock_timestamp(), not now(): an order that priced this product with the old price,
        // in a transaction that began before this one, committed before this lock was granted.
        ...(price !== undefined && price !== current.price && { priceChangedAt: sql`clock_timestamp()` }),
        ...((stock !== undefined || restock !== undefined) && { stock: sql`${newStock}` }),
        ...(status !== undefined && { status }),
        ...(title !== undefined && { title }),
        ...(description !== undefined && { description }),
        ...(threshold !== undefined && { lowStockThreshold: threshold }),
        lowStockSince: lowStockSince(newStock, newThreshold, newStatus),
      })
      .where(and(eq(products.region, region), eq(products.id, productId)))
      .returning({ price: products.price, stock: products.stock, status: products.status, lowStockThreshold: products.lowStockThreshold, lowStockSince: products.lowStockSince });
    return { productId, ...row! };
  });
}

// ---------------------------------------------------------------------------------------------
// Seller: discounts

export interface DiscountParams {
  readonly region: SiteId;
  readonly sellerId: number;
  readonly productId: number;
  /** Percent off, 1 to 100. */
  readonly percentage: number;
  /** Default: now. Never in the past: orders already placed were priced without it. */
  readonly startsAt?: Date;
  readonly endsAt: Date;
  /** A campaign of the product's own store that runs the discount. */
  readonly campaignId?: number;
}

/** Put a time-bounded percentage off one of the seller's products. */
export async function addDiscount(db: AccessDb, params: DiscountParams): Promise<{ discountId: number }> {
  const region = site(params.region);
  const sellerId = id('sellerId', params.sellerId);
  const productId = id('productId', params.productId);
  const percentage = int('percentage', params.percentage, 1, 100);
  const startsAt = params.startsAt === undefined ? undefined : date('startsAt', params.startsAt);
  const endsAt = date('endsAt', params.endsAt);
  const campaignId = params.campaignId === undefined ? undefined : id('campaignId', params.campaignId);
  if (startsAt !== undefined && startsAt >= endsAt) throw refuse('E_ACCESS_INVALID', 'endsAt is not after startsAt', 'end the discount after it starts', { param: 'endsAt' });
  return db.transaction(async (tx) => {
    const product = await ownedProduct(tx, region, sellerId, productId);
    if (product.status === 'closed') throw refuse('E_ACCESS_STATE', `product ${productId} is closed`, 'discount a listing that is for sale', { region, productId });
    // The database's clock decides "the past": it is the one orders are stamped with.
    const [clock] = await tx
      .select({ startsPast: sql<boolean>`${startsAt?.toISOString() ?? null}::timestamptz < now()`, endsPast: sql<boolean>`${endsAt.toISOString()}::timestamptz <= now()` })
      .from(products)
      .where(and(eq(products.region, region), eq(products.id, productId)));
    if (clock!.startsPast) throw refuse('E_ACCESS_INVALID', 'startsAt is in the past', 'start the discount now or later: orders already placed were priced without it', { param: 'startsAt' });
    if (clock!.endsPast) throw refuse('E_ACCESS_INVALID', 'endsAt is not in the future', 'end the discount after it starts', { param: 'endsAt' });
    if (campaignId !== undefined) {
      const [campaign] = await tx.select({ storeId: campaigns.storeId }).from(campaigns).where(and(eq(campaigns.region, region), eq(campaigns.id, campaignId)));
      if (!campaign) throw refuse('E_ACCESS_NOT_FOUND', `no campaign ${campaignId} in ${region}`, 'check the campaign id', { region, campaignId });
      if (campaign.storeId !== product.storeId) throw refuse('E_ACCESS_FORBIDDEN', `campaign ${campaignId} is another store's`, 'use a campaign of the product\'s store', { region, campaignId });
    }
    const [row] = await tx
      .insert(productDiscounts)
      .values({ region, productId, percentage, startsAt: startsAt ?? NOW_MS, endsAt, campaignId })
      .returning({ id: productDiscounts.id });
    return { discountId: row!.id };
  });
}

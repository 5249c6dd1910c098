/**
 * The BI analyst's reports, per site over the last 30 days: store sales ranking, top products,
 * delivery-time distribution, and conversion from searches to orders.
 *
 * Each report reads its materialized view (schema/views.ts), refreshed by refreshBiViews()
 * without blocking its readers, and readable on a standby; or, with `live: true`, runs the
 * view's own query for the one site on the base tables (what a benchmark compares between the
 * plain and the partitioned layout). Reports only read.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { BI_VIEWS, deliveryTimes30d, products, searchConversion30d, storeSales30d, stores, topProducts30d, type BiView } from '../../schema/index.ts';
import type { SiteId } from '../../schema/values.ts';
import { quoteQualified } from '../ident.ts';
import type { AccessDb } from './db.ts';
import { int, site } from './guard.ts';

export interface ReportParams {
  readonly region: SiteId;
  /** Compute from the base tables now instead of reading the materialized view. */
  readonly live?: boolean;
}

export interface RankedParams extends ReportParams {
  /** 1 to 100 (default 10). */
  readonly limit?: number;
}

/**
 * The rows of `view` for one site, as a FROM item aliased `v`; for a ranked report, only the
 * `top` rows by (rank, key), taken before the names are joined. Computed live, the report's
 * rows come out of a join of orders and their lines on (id, created_at), which the planner
 * takes for one row on the partitioned layout (it multiplies the two columns' selectivities),
 * and it then joined the site's stores to every ranked row by a nested loop over a sequential
 * scan (bench:workload at scale 200, MLB: 12 s instead of 1). Ten rows to join cannot go wrong.
 */
function source(view: BiView, region: SiteId, live: boolean | undefined, limit?: number): SQL {
  // Live and ranked, a view that can compute its top rows alone (view.top) does.
  const text = live ? (limit !== undefined && view.top ? view.top(region, limit) : view.query(region)) : undefined;
  const rows = text !== undefined ? sql`(${sql.raw(text)})` : sql`(SELECT * FROM ${sql.raw(quoteQualified(view.schema, view.name))} WHERE region = ${region})`;
  // Ordered as the view's index by rank (region, rank, rankedBy): the first rows are read alone.
  return limit !== undefined && view.rankedBy !== undefined ? sql`(SELECT * FROM ${rows} AS r ORDER BY r.rank, ${sql.raw(`r.${view.rankedBy}`)} LIMIT ${limit}) AS v` : sql`${rows} AS v`;
}

const v = (column: string) => sql.raw(`v.${column}`);
const count = (column: string) => sql<number>`${v(column)}`.mapWith(Number);
const money = (column: string) => sql<string>`${v(column)}::numeric(14,2)::text`;

export interface StoreSales {
  readonly rank: number;
  readonly storeId: number;
  readonly storeName: string;
  readonly orders: number;
  readonly units: number;
  readonly revenue: string;
  readonly currency: string;
}

/** The site's stores ranked by revenue over the last 30 days. */
export async function storeSalesRanking(db: AccessDb, params: RankedParams): Promise<StoreSales[]> {
  return storeSalesRankingQuery(db, params);
}

/** The query of storeSalesRanking(), unexecuted (to EXPLAIN it, or to add to it). */
export function storeSalesRankingQuery(db: AccessDb, params: RankedParams) {
  const region = site(params.region);
  const limit = int('limit', params.limit ?? 10, 1, 100);
  return db
    .select({ rank: count('rank'), storeId: count('store_id'), storeName: stores.name, orders: count('orders'), units: count('units'), revenue: money('revenue'), currency: sql<string>`${v('currency')}` })
    .from(source(storeSales30d, region, params.live, limit))
    .innerJoin(stores, and(eq(stores.region, region), eq(stores.id, sql`${v('store_id')}`)))
    .orderBy(v('rank'), v('store_id'))
    .limit(limit);
}

export interface TopProduct {
  readonly rank: number;
  readonly productId: number;
  readonly title: string;
  readonly storeId: number;
  readonly orders: number;
  readonly units: number;
  readonly revenue: string;
  readonly currency: string;
}

/** The site's best-selling products by units over the last 30 days. */
export async function topProducts(db: AccessDb, params: RankedParams): Promise<TopProduct[]> {
  return topProductsQuery(db, params);
}

/** The query of topProducts(), unexecuted (to EXPLAIN it, or to add to it). */
export function topProductsQuery(db: AccessDb, params: RankedParams) {
  const region = site(params.region);
  const limit = int('limit', params.limit ?? 10, 1, 100);
  return db
    .select({
      rank: count('rank'),
      productId: count('product_id'),
      title: products.title,
      storeId: count('store_id'),
      orders: count('orders'),
      units: count('units'),
      revenue: money('revenue'),
      currency: sql<string>`${v('currency')}`,
    })
    .from(source(topProducts30d, region, params.live, limit))
    .innerJoin(products, and(eq(products.region, region), eq(products.id, sql`${v('product_id')}`)))
    .orderBy(v('rank'), v('product_id'))
    .limit(limit);
}

export interface DeliveryTimes {
  /** Shipments delivered in the window. */
  readonly shipments: number;
  /** Whole days from order to delivery; the last bucket holds that many days or more. */
  readonly buckets: readonly { readonly days: number; readonly shipments: number; readonly share: number }[];
  /** The day by which half (p50), 90 % (p90) of the shipments were delivered; null without shipments. */
  readonly p50: number | null;
  readonly p90: number | null;
}

/** How long the site's buyers waited for deliveries of the last 30 days. */
export async function deliveryTimes(db: AccessDb, params: ReportParams): Promise<DeliveryTimes> {
  const region = site(params.region);
  const rows = await db.select({ days: count('days'), shipments: count('shipments') }).from(source(deliveryTimes30d, region, params.live)).orderBy(v('days'));
  const total = rows.reduce((n, r) => n + r.shipments, 0);
  const percentile = (p: number) => {
    let seen = 0;
    for (const r of rows) if ((seen += r.shipments) >= p * total) return r.days;
    return null;
  };
  return {
    shipments: total,
    buckets: rows.map((r) => ({ ...r, share: total === 0 ? 0 : r.shipments / total })),
    p50: total === 0 ? null : percentile(0.5),
    p90: total === 0 ? null : percentile(0.9),
  };
}

export interface SearchConversion {
  readonly searches: number;
  /** Users who searched in the window. */
  readonly searchers: number;
  /** Of them, those who placed an order (not cancelled) after their first search of the window. */
  readonly buyers: number;
  /** buyers / searchers (0 without searchers). */
  readonly conversion: number;
}

/** How many of the site's searchers of the last 30 days went on to order. */
export async function searchConversion(db: AccessDb, params: ReportParams): Promise<SearchConversion> {
  const region = site(params.region);
  const [row] = await db
    .select({ searches: count('searches'), searchers: count('searchers'), buyers: count('buyers'), conversion: count('conversion') })
    .from(source(searchConversion30d, region, params.live));
  return row ?? { searches: 0, searchers: 0, buyers: 0, conversion: 0 };
}

/**
 * Refresh every BI view. CONCURRENTLY (the default) builds the new contents beside the old and
 * swaps them in: readers are never blocked, at the price of a slower refresh. Returns the
 * milliseconds each view took.
 */
export async function refreshBiViews(db: AccessDb, options: { readonly concurrently?: boolean } = {}): Promise<{ view: string; ms: number }[]> {
  const out: { view: string; ms: number }[] = [];
  for (const view of BI_VIEWS) {
    const started = performance.now();
    await db.execute(sql.raw(`REFRESH MATERIALIZED VIEW ${options.concurrently === false ? '' : 'CONCURRENTLY '}${quoteQualified(view.schema, view.name)}`));
    out.push({ view: `${view.schema}.${view.name}`, ms: performance.now() - started });
  }
  return out;
}

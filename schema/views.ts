/**
 * The BI analyst's materialized views: sales, products, deliveries and searches of the last 30
 * days, per site. Each lives in the schema of the component it reports on, and has a unique
 * index over its key, which `REFRESH MATERIALIZED VIEW CONCURRENTLY` needs: a refresh then
 * never blocks the readers (on the primary, or on a standby, where they replicate like tables).
 *
 * The two ranked views also have an index on (region, rank, key): a report reads a site's
 * first ten rows by rank, and without it would sort all the site's rows (78,300 products of
 * MLB at scale 245) to keep ten.
 *
 * A view's query is written once, with an optional site filter: without it, it defines the
 * view (every site); with it, it is the same report computed live for one site, which lets a
 * benchmark compare the plain and the partitioned layout on the base tables.
 *
 * Reference rows are found by name (order status 'paid', ...), never by id.
 */
import { quoteLiteral } from '../src/ident.ts';
import type { SiteId } from './values.ts';

export interface BiView {
  /** The component schema the view belongs to. */
  readonly schema: string;
  readonly name: string;
  readonly comment: string;
  /** The columns of its unique index: one row per key. */
  readonly key: readonly string[];
  /**
   * A ranked view's tie-breaker: the key column that orders rows of equal rank. The view then
   * also has an index on (region, rank, tie-breaker), so that a site's first rows are read
   * alone, in order, instead of the site's every row sorted to keep a few.
   */
  readonly rankedBy?: string;
  /** The query; with `site`, restricted to that site. */
  query(site?: SiteId): string;
  /**
   * A ranked view's `limit` best rows of one site by (rank, key), when they cost less than the
   * whole query: the same rows and columns as the view's query would rank first.
   */
  top?(site: SiteId, limit: number): string;
}

/** The window every view covers. */
export const BI_WINDOW = `interval '30 days'`;

/** Orders that count as sales: paid for, whether or not shipped yet. */
const SOLD = `os.name IN ('paid', 'shipped', 'delivered')`;

/** `AND <alias>.region = 'MLB'` for a site, nothing for every site. */
function siteFilter(alias: string, site?: SiteId): string {
  return site === undefined ? '' : `\n  AND ${alias}.region = ${quoteLiteral(site)}`;
}

/**
 * Sold lines of the window. Both order_details.order_created_at and orders.created_at are
 * bounded: each is its table's month column on the partitioned layout, so both prune.
 *
 * A line is joined to its order on (region, id) alone, though the order's key also holds
 * created_at: an order id is unique by itself (one sequence), so the line's order_created_at
 * equals its order's created_at without saying so. Said, the planner multiplies the
 * selectivities of the two equalities and, on the partitioned layout, takes the join for one row:
 * it then sorts instead of hashing and probes products line by line (README, bench:workload).
 */
function soldLines(site?: SiteId, join = ''): string {
  return `FROM order_processing.orders AS o
JOIN order_processing.order_statuses AS os ON os.id = o.status_id
JOIN order_processing.order_details AS od
  ON od.region = o.region AND od.order_id = o.id${join && `\n${join}`}
WHERE o.created_at >= now() - ${BI_WINDOW}
  AND od.order_created_at >= now() - ${BI_WINDOW}
  AND ${SOLD}${siteFilter('o', site)}`;
}

/**
 * The products of the sold lines: joined by (region, id), and for one site with the site as a
 * constant too, so that a partitioned products table is pruned to the site when planned.
 */
function productJoin(on: string, site?: SiteId): string {
  return `JOIN product_catalog.products AS p ON p.region = ${on}.region AND p.id = ${on}.product_id${site === undefined ? '' : ` AND p.region = ${quoteLiteral(site)}`}`;
}

export const storeSales30d: BiView = {
  schema: 'seller_management',
  name: 'store_sales_30d',
  comment: 'BI: each store\'s sales of the last 30 days per site (paid, shipped or delivered orders), ranked by revenue within the site. Refreshed with REFRESH MATERIALIZED VIEW CONCURRENTLY.',
  key: ['region', 'store_id'],
  rankedBy: 'store_id',
  query: (site) => `SELECT o.region, p.store_id, o.currency,
       count(DISTINCT od.order_id) AS orders,
       sum(od.quantity) AS units,
       sum(od.quantity * od.unit_price) AS revenue,
       rank() OVER (PARTITION BY o.region ORDER BY sum(od.quantity * od.unit_price) DESC) AS rank
${soldLines(site, productJoin('od', site))}
GROUP BY o.region, p.store_id, o.currency`,
};

/** `sold`, a CTE: the sold lines of the window summed per product. */
function soldPerProduct(site?: SiteId): string {
  return `sold AS (
  SELECT od.region, od.product_id, o.currency,
         count(*) AS orders,
         sum(od.quantity) AS units,
         sum(od.quantity * od.unit_price) AS revenue
  ${soldLines(site).replaceAll('\n', '\n  ')}
  GROUP BY od.region, od.product_id, o.currency
)`;
}

export const topProducts30d: BiView = {
  schema: 'product_catalog',
  name: 'top_products_30d',
  comment: 'BI: each product\'s sales of the last 30 days per site (paid, shipped or delivered orders), ranked by units within the site. Refreshed with REFRESH MATERIALIZED VIEW CONCURRENTLY.',
  key: ['region', 'product_id'],
  rankedBy: 'product_id',
  // The lines are summed per product first, and the products (for their store) joined to those
  // sums: one product lookup per product sold, not per line sold.
  query: (site) => `WITH ${soldPerProduct(site)}
SELECT s.region, s.product_id, p.store_id, s.currency, s.orders, s.units, s.revenue,
       rank() OVER (PARTITION BY s.region ORDER BY s.units DESC) AS rank
FROM sold AS s
${productJoin('s', site)}`,
  // The site's best sellers: the first rows by units taken from the sums alone (a top-N sort, not
  // a sort of every product sold), ranked among themselves, and the products joined to them only
  // (a product's store does not change its rank). Ranking the first rows alone gives each its rank
  // among all: every product that sold more is ahead of it, so among them.
  top: (site, limit) => `WITH ${soldPerProduct(site)},
ranked AS (
  SELECT s.*, rank() OVER (ORDER BY s.units DESC) AS rank
  FROM (SELECT * FROM sold ORDER BY units DESC, product_id LIMIT ${Math.trunc(limit)}) AS s
)
SELECT r.region, r.product_id, p.store_id, r.currency, r.orders, r.units, r.revenue, r.rank
FROM ranked AS r
${productJoin('r', site)}`,
};

/** Deliveries of 15 days or more share the last bucket. */
export const DELIVERY_DAYS_CAP = 15;

export const deliveryTimes30d: BiView = {
  schema: 'shipping_logistics',
  name: 'delivery_times_30d',
  comment: `BI: how long buyers waited, per site: shipments delivered in the last 30 days by whole days from the order to its delivery (${DELIVERY_DAYS_CAP} = ${DELIVERY_DAYS_CAP} or more). Refreshed with REFRESH MATERIALIZED VIEW CONCURRENTLY.`,
  key: ['region', 'days'],
  query: (site) => `SELECT s.region,
       CAST(least(floor(extract(epoch FROM s.delivered_at - s.order_created_at) / 86400), ${DELIVERY_DAYS_CAP}) AS integer) AS days,
       count(*) AS shipments
FROM shipping_logistics.shipments AS s
WHERE s.delivered_at >= now() - ${BI_WINDOW}${siteFilter('s', site)}
GROUP BY 1, 2`,
};

export const searchConversion30d: BiView = {
  schema: 'recommendations',
  name: 'search_conversion_30d',
  comment: 'BI: conversion from searches to orders of the last 30 days, per site: users who searched, and how many of them placed an order (not cancelled) after their first search of the window. Refreshed with REFRESH MATERIALIZED VIEW CONCURRENTLY.',
  key: ['region'],
  query: (site) => `WITH searchers AS (
  SELECT h.region, h.user_id, count(*) AS searches, min(h.searched_at) AS first_search
  FROM recommendations.user_search_history AS h
  WHERE h.searched_at >= now() - ${BI_WINDOW}${siteFilter('h', site)}
  GROUP BY h.region, h.user_id
), buyers AS (
  SELECT o.region, o.buyer_id, max(o.created_at) AS last_order
  FROM order_processing.orders AS o
  JOIN order_processing.order_statuses AS os ON os.id = o.status_id
  WHERE o.created_at >= now() - ${BI_WINDOW}
    AND os.name <> 'cancelled'${siteFilter('o', site)}
  GROUP BY o.region, o.buyer_id
)
SELECT s.region,
       sum(s.searches) AS searches,
       count(*) AS searchers,
       count(b.buyer_id) AS buyers,
       round(count(b.buyer_id) / CAST(count(*) AS numeric), 4) AS conversion
FROM searchers AS s
LEFT JOIN buyers AS b ON b.region = s.region AND b.buyer_id = s.user_id AND b.last_order > s.first_search
GROUP BY s.region`,
};

/** Every BI view, in the order migrations create them. */
export const BI_VIEWS: readonly BiView[] = [storeSales30d, topProducts30d, deliveryTimes30d, searchConversion30d];

/**
 * The key space a benchmark draws from, read once from the seeded database before the clients
 * start: per site, the active products (with their store and price), the stores and their
 * owners, the buyers who can order (active, with a default address), the coupons still usable,
 * and a sample of recent orders waiting for payment, shipment or delivery. Ids are held in typed
 * arrays, sorted: a million keys take a few megabytes, and a key's position is a binary search.
 */
import { SITE_IDS, isSiteId, type SiteId } from '../../schema/values.ts';
import type { Session } from '../db/types.ts';
import { EcomdbError, pgFields } from '../errors.ts';
import { WELCOME_CODE_PATTERN } from '../../seeds/text.ts';
import { assertSeedFinished } from '../seed/marker.ts';

/** An order the bench may act on (pay, cancel, ship, deliver, track). */
export interface OrderKey {
  readonly region: SiteId;
  readonly id: number;
  readonly createdAt: Date;
  readonly buyerId: number;
  /** The owner of the store of its first line's product: who may ship it. */
  readonly sellerId: number | null;
  readonly total: string;
  readonly couponId: number | null;
}

export type SampledStatus = 'payment_required' | 'paid' | 'shipped';

export interface SiteKeys {
  readonly region: SiteId;
  /** Active products, by id; `stores` and `prices` (cents) at the same positions. */
  readonly products: { readonly ids: Float64Array; readonly stores: Float64Array; readonly prices: Float64Array };
  /** Stores by id, with their owners at the same positions. */
  readonly stores: { readonly ids: Float64Array; readonly owners: Float64Array };
  /** Users who can buy: active, role `user`, with a default address. */
  readonly buyers: Float64Array;
  /** Codes of the coupons usable now (active, unexpired, not used up). */
  readonly coupons: readonly string[];
  /** Recent orders per status, newest first. */
  readonly orders: Readonly<Record<SampledStatus, readonly OrderKey[]>>;
}

export interface KeySpace {
  readonly sites: readonly SiteKeys[];
  /** Top-level categories, for searches narrowed to one. */
  readonly categories: readonly number[];
}

/** Orders sampled per site and status. */
export const ORDER_SAMPLE = 500;

/** The position of `id` in a sorted array of ids, or -1. */
export function positionOf(ids: Float64Array, id: number): number {
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid]!;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The owner of the store that sells the product at `position`. */
export function sellerOf(site: SiteKeys, position: number): number {
  const store = positionOf(site.stores.ids, site.products.stores[position]!);
  return site.stores.owners[store]!;
}

type PerSite<T> = { region: string } & T;

const NOT_SEEDED_HINT = 'seed it first: ecomdb up, or ecomdb migrate then ecomdb seed (--scale 1 is enough to try)';

/** Read the key space; E_BENCH_NOT_SEEDED when the database holds no marketplace to drive. */
export async function readKeySpace(session: Pick<Session, 'query'>, sample = ORDER_SAMPLE): Promise<KeySpace> {
  await assertSeedFinished(session);
  try {
    return await read(session, sample);
  } catch (error) {
    const code = pgFields(error).code;
    // 42P01 undefined table, 3F000 undefined schema: never migrated.
    if (code === '42P01' || code === '3F000') {
      throw new EcomdbError('E_BENCH_NOT_SEEDED', `the database has no marketplace tables (${pgFields(error).message})`, { hint: NOT_SEEDED_HINT, details: { sqlstate: code }, cause: error });
    }
    throw error;
  }
}

async function read(session: Pick<Session, 'query'>, sample: number): Promise<KeySpace> {
  const products = await session.query<PerSite<{ ids: number[]; stores: number[]; prices: number[] }>>(
    `SELECT region, array_agg(id::float8 ORDER BY id) AS ids, array_agg(store_id::float8 ORDER BY id) AS stores,
            array_agg(round(price * 100)::float8 ORDER BY id) AS prices
       FROM product_catalog.products WHERE status = 'active' GROUP BY region`,
  );
  const stores = await session.query<PerSite<{ ids: number[]; owners: number[] }>>(
    `SELECT region, array_agg(id::float8 ORDER BY id) AS ids, array_agg(owner_user_id::float8 ORDER BY id) AS owners
       FROM seller_management.stores GROUP BY region`,
  );
  const buyers = await session.query<PerSite<{ ids: number[] }>>(
    `SELECT u.region, array_agg(u.id::float8 ORDER BY u.id) AS ids
       FROM user_management.users AS u
       JOIN user_management.roles AS r ON r.id = u.role_id AND r.name = 'user'
      WHERE u.status = 'active'
        AND EXISTS (SELECT 1 FROM user_management.addresses AS a WHERE a.region = u.region AND a.user_id = u.id AND a.is_default)
      GROUP BY u.region`,
  );
  // An hour of margin: a coupon that expires during the run is refused, which the bench counts, but it is not what it wants to measure.
  // Welcome coupons are left out: they belong on a buyer's first order only (data rule welcome-coupon-first-order).
  const coupons = await session.query<PerSite<{ codes: string[] }>>(
    `SELECT region, array_agg(code ORDER BY id) AS codes FROM order_processing.coupons
      WHERE is_active AND expires_at > now() + interval '1 hour' AND use_count < max_uses
        AND upper(code) !~ '${WELCOME_CODE_PATTERN}' GROUP BY region`,
  );
  const orders = await session.query<{ region: string; id: number; created_at: Date; buyer_id: number; status: SampledStatus; total: string; coupon_id: number | null; seller_id: number | null }>(
    `SELECT x.region, x.id::float8 AS id, x.created_at, x.buyer_id::float8 AS buyer_id, x.status, x.total::text AS total,
            x.coupon_id::float8 AS coupon_id, seller.owner::float8 AS seller_id
       FROM (SELECT o.region, o.id, o.created_at, o.buyer_id, os.name AS status, o.total, o.coupon_id,
                    row_number() OVER (PARTITION BY o.region, os.name ORDER BY o.created_at DESC, o.id DESC) AS n
               FROM order_processing.orders AS o
               JOIN order_processing.order_statuses AS os ON os.id = o.status_id
              WHERE o.created_at >= now() - interval '30 days'
                AND os.name IN ('payment_required', 'paid', 'shipped')) AS x
       LEFT JOIN LATERAL (
              SELECT s.owner_user_id AS owner
                FROM order_processing.order_details AS d
                JOIN product_catalog.products AS p ON p.region = d.region AND p.id = d.product_id
                JOIN seller_management.stores AS s ON s.region = p.region AND s.id = p.store_id
               WHERE d.region = x.region AND d.order_id = x.id AND d.order_created_at = x.created_at
               ORDER BY d.product_id LIMIT 1) AS seller ON true
      WHERE x.n <= $1
      ORDER BY x.region, x.status, x.created_at DESC, x.id DESC`,
    [sample],
  );
  const categories = await session.query<{ id: number }>(`SELECT id FROM product_catalog.categories WHERE parent_id IS NULL ORDER BY id`);

  const of = <T>(rows: readonly PerSite<T>[], region: string) => rows.find((r) => r.region === region);
  const sites: SiteKeys[] = [];
  for (const region of SITE_IDS) {
    const p = of(products, region);
    const s = of(stores, region);
    const b = of(buyers, region);
    if (!p || !s || !b || !isSiteId(region)) continue;
    const mine = orders.filter((o) => o.region === region);
    const keys = (status: SampledStatus): OrderKey[] =>
      mine
        .filter((o) => o.status === status)
        .map((o) => ({ region, id: o.id, createdAt: o.created_at, buyerId: o.buyer_id, sellerId: o.seller_id, total: o.total, couponId: o.coupon_id }));
    sites.push({
      region,
      products: { ids: Float64Array.from(p.ids), stores: Float64Array.from(p.stores), prices: Float64Array.from(p.prices) },
      stores: { ids: Float64Array.from(s.ids), owners: Float64Array.from(s.owners) },
      buyers: Float64Array.from(b.ids),
      coupons: of(coupons, region)?.codes ?? [],
      orders: { payment_required: keys('payment_required'), paid: keys('paid'), shipped: keys('shipped') },
    });
  }
  if (sites.length === 0) {
    throw new EcomdbError('E_BENCH_NOT_SEEDED', 'the database holds no site with active products, stores and buyers: there is no marketplace to drive', {
      hint: NOT_SEEDED_HINT,
      details: { products: products.length, stores: stores.length, buyers: buyers.length },
    });
  }
  return { sites, categories: categories.map((c) => Number(c.id)) };
}

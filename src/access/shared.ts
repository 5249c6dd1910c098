/**
 * What the operations share and the package does not export: the ownership and state checks
 * that refuse with E_ACCESS_* codes, and the SQL fragments for prices, discounts and low-stock
 * alerts, so that every operation computes them the same way.
 */
import { and, eq, gt, gte, lt, lte, max, sql, type SQL } from 'drizzle-orm';
import { orderDetails, orders, payments, productDiscounts, products, shipments, stores, users } from '../../schema/index.ts';
import { ORDER_STATUSES, PAYMENT_WINDOW_DAYS, type SiteId } from '../../schema/values.ts';
import type { AccessDb, OrderRef } from './db.ts';
import { date, id, refuse } from './guard.ts';
import { nameOf, ROLE, type OrderStatus, type Role } from './reference.ts';

/**
 * The transaction's start time, to the millisecond. Rows whose time is part of a key (an order's
 * created_at) are written with it: a JavaScript Date holds milliseconds, so the key an
 * application gets back finds the row again. Within a transaction it never changes, so the
 * discounts and the coupon expiry an order is checked against are those of its created_at.
 */
export const NOW_MS = sql`date_trunc('milliseconds', now())`;

/** The store, if `sellerId` owns it: E_ACCESS_NOT_FOUND or E_ACCESS_FORBIDDEN otherwise. */
export async function requireStoreOwner(db: AccessDb, region: SiteId, sellerId: number, storeId: number): Promise<void> {
  const [store] = await db.select({ owner: stores.ownerUserId }).from(stores).where(and(eq(stores.region, region), eq(stores.id, storeId)));
  if (!store) throw refuse('E_ACCESS_NOT_FOUND', `no store ${storeId} in ${region}`, 'check the store id and the site', { region, storeId });
  if (store.owner !== sellerId) throw refuse('E_ACCESS_FORBIDDEN', `store ${storeId} is not owned by user ${sellerId}`, 'act on your own store', { region, storeId, sellerId });
}

/**
 * E_ACCESS_NOT_FOUND unless the user exists in the site; E_ACCESS_FORBIDDEN unless the account is
 * active (not suspended or closed) and, when `roles` are given, has one of them.
 */
export async function requireActiveUser(db: AccessDb, region: SiteId, userId: number, doing: string, roles?: readonly Role[]): Promise<void> {
  const [user] = await db.select({ roleId: users.roleId, status: users.status }).from(users).where(and(eq(users.region, region), eq(users.id, userId)));
  if (!user) throw refuse('E_ACCESS_NOT_FOUND', `no user ${userId} in ${region}`, 'check the user id and the site', { region, userId });
  if (user.status !== 'active') throw refuse('E_ACCESS_FORBIDDEN', `user ${userId} is ${user.status} and may not ${doing}`, 'only an active account may', { region, userId });
  if (roles && !roles.some((r) => ROLE[r] === user.roleId)) {
    throw refuse('E_ACCESS_FORBIDDEN', `user ${userId} may not ${doing}`, `only a ${roles.join(', ')} may`, { region, userId });
  }
}

// ---------------------------------------------------------------------------------------------
// An existing order

export interface OrderRow {
  readonly buyerId: number;
  readonly statusId: number;
  readonly couponId: number | null;
  readonly total: string;
  readonly currency: string;
}

/** The end of an order's payment window: every payment of the order is made before it. */
export function paymentWindowEnd(order: OrderRef): Date {
  return new Date(order.createdAt.getTime() + PAYMENT_WINDOW_DAYS * 86_400_000);
}

/**
 * The order's key as a condition on a table that cites it by (region, order_id, order_created_at).
 * Order lines are split by month on order_created_at, so the key alone finds their one partition.
 * Payments are split by month on their own created_at, which the key does not bound; two CHECKs
 * do: a payment is made at or after its order (payments_after_order) and within the payment
 * window (payments_within_payment_window). Both bounds are passed as values, not computed in
 * SQL (timestamptz + interval is not immutable), so the planner prunes to the one or two months
 * they span when it plans the statement: planning 7 month partitions of a site cost about
 * 0.8 ms per statement on a scale-40 copy, planning one about 0.2 ms.
 */
export function citesOrder(t: typeof orderDetails | typeof payments | typeof shipments, region: SiteId, order: OrderRef): SQL {
  const key = and(eq(t.region, region), eq(t.orderId, order.id), eq(t.orderCreatedAt, order.createdAt))!;
  return t === payments ? and(key, gte(payments.createdAt, order.createdAt), lt(payments.createdAt, paymentWindowEnd(order)))! : key;
}

/** A checked order reference: a positive id and a valid Date. */
export function orderRef(order: OrderRef | undefined): OrderRef {
  if (order === undefined || order === null) throw refuse('E_ACCESS_INVALID', 'order: missing', 'pass the order as { id, createdAt }', { param: 'order' });
  return { id: id('order.id', order.id), createdAt: date('order.createdAt', order.createdAt) };
}

/**
 * Read (and with `lock`, lock) an order. E_ACCESS_NOT_FOUND when there is none; with `buyerId`,
 * E_ACCESS_FORBIDDEN when it is another buyer's.
 */
export async function findOrder(db: AccessDb, region: SiteId, order: OrderRef, options: { buyerId?: number; lock?: boolean } = {}): Promise<OrderRow> {
  const query = db
    .select({ buyerId: orders.buyerId, statusId: orders.statusId, couponId: orders.couponId, total: orders.total, currency: orders.currency })
    .from(orders)
    .where(and(eq(orders.region, region), eq(orders.id, order.id), eq(orders.createdAt, order.createdAt)));
  const [row] = options.lock ? await query.for('no key update') : await query;
  if (!row) throw refuse('E_ACCESS_NOT_FOUND', `no order ${order.id} placed at ${order.createdAt.toISOString()} in ${region}`, 'check the order id, its createdAt and the site', { region, orderId: order.id });
  if (options.buyerId !== undefined && row.buyerId !== options.buyerId) {
    throw refuse('E_ACCESS_FORBIDDEN', `order ${order.id} is not user ${options.buyerId}'s`, 'act on your own orders', { region, orderId: order.id, buyerId: options.buyerId });
  }
  return row;
}

/** E_ACCESS_STATE unless the order is in one of `allowed`. */
export function requireStatus(row: OrderRow, order: OrderRef, allowed: readonly OrderStatus[], doing: string): void {
  const status = nameOf(ORDER_STATUSES, row.statusId);
  if (!allowed.includes(status)) {
    throw refuse('E_ACCESS_STATE', `cannot ${doing} order ${order.id}: it is ${status}`, `only an order that is ${allowed.join(' or ')} can be`, { orderId: order.id, status });
  }
}

// ---------------------------------------------------------------------------------------------
// Shared SQL

/**
 * The largest discount of a product of `region` active at `at` (NULL when none): a scalar
 * subquery. The site is a constant, not only a correlation: a partitioned database then reads
 * the site's discounts alone, pruned when the query is planned.
 */
export function activeDiscount(db: AccessDb, region: SiteId, at: SQL = sql`now()`) {
  return db
    .select({ percentage: max(productDiscounts.percentage) })
    .from(productDiscounts)
    .where(
      and(
        eq(productDiscounts.region, region),
        eq(productDiscounts.productId, products.id),
        lte(productDiscounts.startsAt, at),
        gt(productDiscounts.endsAt, at),
      ),
    );
}

/** The price of one unit of a product of `region` after the discount active at `at`, rounded to the cent (as the data rules compute it). */
export function discountedPrice(db: AccessDb, region: SiteId, at?: SQL): SQL<string> {
  return sql<string>`round(${products.price} * (100 - coalesce((${activeDiscount(db, region, at)}), 0)) / 100, 2)::text`;
}

/**
 * products.low_stock_since after a write that leaves the row with `stock`, `threshold` and
 * `status` (each an expression over the new values): set when the stock falls to or under the
 * threshold and no alert is open (the first crossing keeps its time), cleared when it rises
 * above it. A closed listing alerts nobody.
 */
export function lowStockSince(stock: SQL, threshold: SQL = sql`${products.lowStockThreshold}`, status: SQL = sql`${products.status}`): SQL<Date | null> {
  return sql`CASE WHEN (${stock}) <= (${threshold}) AND (${status}) <> 'closed' THEN coalesce(${products.lowStockSince}, now()) END`;
}

/**
 * The one value of a one-row, one-column query (`SELECT f(...) AS v`), on either driver:
 * postgres.js returns the rows, PGlite an object that holds them.
 */
export async function scalar<T>(db: AccessDb, query: SQL): Promise<T> {
  const result = (await db.execute(query)) as unknown as { v: T }[] | { rows: { v: T }[] };
  const rows = Array.isArray(result) ? result : result.rows;
  return rows[0]!.v;
}

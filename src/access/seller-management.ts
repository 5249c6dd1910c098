/** Seller management: a seller opens a store, watches its low-stock alerts and its sales. */
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import { orderDetails, orders, products, stores } from '../../schema/index.ts';
import type { SiteId } from '../../schema/values.ts';
import type { AccessDb } from './db.ts';
import { currencyOf, date, id, int, refuse, site, text } from './guard.ts';
import { ORDER_STATUS } from './reference.ts';
import { requireActiveUser, requireStoreOwner } from './shared.ts';
import { DAY_MS } from '../time.ts';

export interface OpenStoreParams {
  readonly region: SiteId;
  readonly sellerId: number;
  /** Unique within the site. */
  readonly name: string;
}

/** Open a store. Only a user with the seller role may own one. */
export async function openStore(db: AccessDb, params: OpenStoreParams): Promise<{ storeId: number }> {
  const region = site(params.region);
  const sellerId = id('sellerId', params.sellerId);
  const name = text('name', params.name, 1, 100);
  return db.transaction(async (tx) => {
    await requireActiveUser(tx, region, sellerId, 'own a store', ['seller']);
    const [store] = await tx.insert(stores).values({ region, ownerUserId: sellerId, name }).onConflictDoNothing({ target: [stores.region, stores.name] }).returning({ id: stores.id });
    if (!store) throw refuse('E_ACCESS_CONFLICT', `a store named "${name}" already exists in ${region}`, 'choose another name', { region, name });
    return { storeId: store.id };
  });
}

export interface StoreParams {
  readonly region: SiteId;
  readonly sellerId: number;
  readonly storeId: number;
}

export interface LowStockAlert {
  readonly productId: number;
  readonly title: string;
  readonly stock: number;
  readonly threshold: number;
  /** When the stock crossed the threshold. */
  readonly since: Date;
}

/** The store's open low-stock alerts, oldest first (one per listing that ran short). */
export async function lowStockAlerts(db: AccessDb, params: StoreParams): Promise<LowStockAlert[]> {
  const region = site(params.region);
  const sellerId = id('sellerId', params.sellerId);
  const storeId = id('storeId', params.storeId);
  await requireStoreOwner(db, region, sellerId, storeId);
  const rows = await db
    .select({ productId: products.id, title: products.title, stock: products.stock, threshold: products.lowStockThreshold, since: products.lowStockSince })
    .from(products)
    .where(and(eq(products.region, region), eq(products.storeId, storeId), isNotNull(products.lowStockSince)))
    .orderBy(asc(products.lowStockSince), asc(products.id));
  return rows.map((r) => ({ ...r, since: r.since! }));
}

export interface SalesReportParams extends StoreParams {
  /** Start of the period (inclusive); default: 30 days before `to`. */
  readonly from?: Date;
  /** End of the period (exclusive); default: now. */
  readonly to?: Date;
}

export interface SalesFigures {
  readonly orders: number;
  readonly units: number;
  /** Sum of quantity × unit price of the store's lines (before order coupons), in the site currency. */
  readonly revenue: string;
}

export interface SalesReport extends SalesFigures {
  readonly currency: string;
  readonly from: Date;
  readonly to: Date;
  /** One entry per UTC day with sales, in order. */
  readonly days: readonly (SalesFigures & { readonly day: string })[];
  /** The store's ten best-selling products of the period, by units. */
  readonly topProducts: readonly { readonly productId: number; readonly title: string; readonly units: number; readonly revenue: string }[];
}

/** Orders that count as sales: paid for, whether or not shipped yet. */
const SOLD = [ORDER_STATUS.paid, ORDER_STATUS.shipped, ORDER_STATUS.delivered];

/**
 * The store's sales over a period: orders paid for (paid, shipped or delivered), per UTC day and
 * per product. Both time columns of the join are bounded, so a partitioned database reads only
 * the months of the period.
 */
export async function storeSalesReport(db: AccessDb, params: SalesReportParams): Promise<SalesReport> {
  const region = site(params.region);
  const sellerId = id('sellerId', params.sellerId);
  const storeId = id('storeId', params.storeId);
  const to = params.to === undefined ? new Date() : date('to', params.to);
  const from = params.from === undefined ? new Date(to.getTime() - 30 * DAY_MS) : date('from', params.from);
  int('period in days', Math.ceil((to.getTime() - from.getTime()) / DAY_MS), 1, 366);
  await requireStoreOwner(db, region, sellerId, storeId);

  const lines = db.$with('lines').as(
    db
      .select({
        orderId: orderDetails.orderId,
        productId: orderDetails.productId,
        title: products.title,
        quantity: orderDetails.quantity,
        amount: sql<string>`${orderDetails.quantity} * ${orderDetails.unitPrice}`.as('amount'),
        day: sql<string>`to_char(${orders.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`.as('day'),
      })
      .from(orderDetails)
      .innerJoin(orders, and(eq(orders.region, orderDetails.region), eq(orders.id, orderDetails.orderId), eq(orders.createdAt, orderDetails.orderCreatedAt)))
      .innerJoin(products, and(eq(products.region, orderDetails.region), eq(products.id, orderDetails.productId)))
      .where(
        and(
          eq(orderDetails.region, region),
          gte(orderDetails.orderCreatedAt, from),
          lt(orderDetails.orderCreatedAt, to),
          gte(orders.createdAt, from),
          lt(orders.createdAt, to),
          eq(products.storeId, storeId),
          inArray(orders.statusId, SOLD),
        ),
      ),
  );
  const figures = {
    orders: sql<number>`count(DISTINCT ${lines.orderId})`.mapWith(Number),
    units: sql<number>`coalesce(sum(${lines.quantity}), 0)`.mapWith(Number),
    revenue: sql<string>`coalesce(sum(${lines.amount}), 0)::numeric(14,2)::text`,
  };
  const [total] = await db.with(lines).select(figures).from(lines);
  const days = await db.with(lines).select({ day: lines.day, ...figures }).from(lines).groupBy(lines.day).orderBy(lines.day);
  const topProducts = await db
    .with(lines)
    .select({ productId: lines.productId, title: lines.title, units: figures.units, revenue: figures.revenue })
    .from(lines)
    .groupBy(lines.productId, lines.title)
    .orderBy(desc(sql`3`), asc(lines.productId))
    .limit(10);
  return { currency: currencyOf(region), from, to, orders: total!.orders, units: total!.units, revenue: total!.revenue, days, topProducts };
}

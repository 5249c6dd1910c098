/**
 * Order processing: a buyer places an order of several lines with an optional coupon, cancels it
 * before shipment, and reads the order history; marketing creates the coupons.
 *
 * No oversell, no coupon over its limit, under any concurrency, without a serializable retry:
 * stock and coupon uses are taken by conditional UPDATEs (`SET stock = stock - q WHERE stock >=
 * q`), which PostgreSQL re-checks against the latest committed row after waiting for its lock.
 * Those UPDATEs live in SECURITY DEFINER functions (schema/security.ts ORDER_FUNCTIONS):
 * order_processing.place_order takes the units (product_catalog.reserve_stock) and the coupon use
 * (order_processing.take_coupon) and writes the order and its lines in the same call, and
 * order_processing.release_order gives them back. A buyer's login may not update stock or use
 * counts nor insert an order or an order line: every line holds units taken for it, so a
 * cancellation gives back only what was taken. The library calls the same functions on every
 * connection (as a role, as the owner, on PGlite).
 *
 * Lock order, the same in every operation so that two of them never wait for each other in a
 * cycle: an order row first (when the operation acts on an existing order), then products by
 * ascending id, then the coupon. placeOrder takes products then the coupon; cancelOrder takes
 * the order, its products, then its coupon; payments and shipments take only the order.
 */
import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { addresses, coupons, orderDetails, orders, payments, products, shipments } from '../../schema/index.ts';
import { ORDER_STATUSES, type SiteId } from '../../schema/values.ts';
import { quoteLiteral } from '../ident.ts';
import type { AccessDb, OrderRef } from './db.ts';
import { cents, centsOf, currencyOf, date, decimal, id, int, oneOf, refuse, site } from './guard.ts';
import { nameOf, ORDER_STATUS, PAYMENT_STATUS, SHIPMENT_STATUS, type OrderStatus } from './reference.ts';
import { citesOrder, findOrder, NOW_MS, orderRef, requireActiveUser, requireStatus, scalar } from './shared.ts';

// ---------------------------------------------------------------------------------------------
// Buyer: place an order

export interface OrderLineInput {
  readonly productId: number;
  /** 1 to 1000 units. */
  readonly quantity: number;
}

export interface PlaceOrderParams {
  readonly region: SiteId;
  readonly buyerId: number;
  /** 1 to 50 lines, one per product. */
  readonly lines: readonly OrderLineInput[];
  /** A coupon of the site, as the buyer typed it (case does not matter). */
  readonly couponCode?: string;
  /** One of the buyer's addresses; default: the buyer's default address. */
  readonly addressId?: number;
}

export interface PlacedLine {
  readonly productId: number;
  readonly quantity: number;
  /** The price of one unit when the order was placed, after the product's discount. */
  readonly unitPrice: string;
}

export interface PlacedOrder extends OrderRef {
  readonly region: SiteId;
  /** payment_required; paid when a coupon took the whole subtotal (nothing to pay). */
  readonly status: 'payment_required' | 'paid';
  readonly couponId: number | null;
  /** Sum of quantity × unit price. */
  readonly subtotal: string;
  /** What the coupon took off the subtotal. */
  readonly discountTotal: string;
  /** What the buyer pays: subtotal less discountTotal. */
  readonly total: string;
  readonly currency: string;
  readonly lines: readonly PlacedLine[];
}

const COUPON_CODE = /^[A-Z0-9][A-Z0-9_-]{2,31}$/;

function checkLines(lines: readonly OrderLineInput[] | undefined): OrderLineInput[] {
  if (!Array.isArray(lines) || lines.length < 1 || lines.length > 50) {
    throw refuse('E_ACCESS_INVALID', 'lines: an order has 1 to 50 lines', 'pass at least one line', { param: 'lines' });
  }
  const checked = lines.map((l, i) => ({ productId: id(`lines[${i}].productId`, l.productId), quantity: int(`lines[${i}].quantity`, l.quantity, 1, 1000) }));
  const ids = new Set(checked.map((l) => l.productId));
  if (ids.size !== checked.length) throw refuse('E_ACCESS_INVALID', 'lines: a product appears on two lines', 'put each product on one line with its total quantity', { param: 'lines' });
  // The lock order: products by ascending id.
  return checked.sort((a, b) => a.productId - b.productId);
}

/** Why a conditional stock update took nothing: the product is missing, not for sale, or short. */
async function stockRefusal(tx: AccessDb, region: SiteId, line: OrderLineInput) {
  const [p] = await tx.select({ status: products.status, stock: products.stock }).from(products).where(and(eq(products.region, region), eq(products.id, line.productId)));
  if (!p) return refuse('E_ACCESS_NOT_FOUND', `no product ${line.productId} in ${region}`, 'check the product id and the site', { region, productId: line.productId });
  if (p.status !== 'active') return refuse('E_ACCESS_STATE', `product ${line.productId} is ${p.status}`, 'only an active listing can be bought', { region, productId: line.productId, status: p.status });
  return refuse('E_ACCESS_OUT_OF_STOCK', `product ${line.productId} has ${p.stock} unit(s) left, ${line.quantity} asked`, 'order fewer units', {
    region,
    productId: line.productId,
    requested: line.quantity,
    available: p.stock,
  });
}

/** Why a conditional coupon update took nothing. */
async function couponRefusal(tx: AccessDb, region: SiteId, code: string) {
  const [c] = await tx
    .select({ isActive: coupons.isActive, expired: sql<boolean>`${coupons.expiresAt} <= ${NOW_MS}` })
    .from(coupons)
    .where(and(eq(coupons.region, region), eq(coupons.code, code)));
  // Active and unexpired, it was used up when the update ran (a cancellation may have given a use back since).
  const reason = !c ? 'unknown' : !c.isActive ? 'inactive' : c.expired ? 'expired' : 'exhausted';
  return refuse('E_ACCESS_COUPON', `coupon ${code} cannot be used in ${region}: ${reason}`, 'order without it, or with another coupon', { region, code, reason });
}

/** What order_processing.place_order returns: the order, or why it took nothing. */
type PlaceResult =
  | { refused: 'stock'; product_id: number | string }
  | { refused: 'coupon' }
  | {
      id: number | string;
      created_at: string;
      status: 'payment_required' | 'paid';
      coupon_id: number | string | null;
      subtotal: string;
      discount_total: string;
      total: string;
      currency: string;
      unit_prices: string[];
    };

/**
 * Place an order: reserve every line's units (no oversell), snapshot each unit price with the
 * product's discount active now, take one use of the coupon (never beyond its limit), and
 * record the order as payment_required with totals that add up. All or nothing: one call of
 * order_processing.place_order, after the buyer and the address are checked.
 */
export async function placeOrder(db: AccessDb, params: PlaceOrderParams): Promise<PlacedOrder> {
  const region = site(params.region);
  const buyerId = id('buyerId', params.buyerId);
  const lines = checkLines(params.lines);
  const code = params.couponCode === undefined ? undefined : String(params.couponCode).trim().toUpperCase();
  if (code !== undefined && !COUPON_CODE.test(code)) throw refuse('E_ACCESS_INVALID', `couponCode: "${code}" is not a coupon code`, 'type the code as printed', { param: 'couponCode' });
  const addressId = params.addressId === undefined ? undefined : id('addressId', params.addressId);

  return db.transaction(async (tx) => {
    await requireActiveUser(tx, region, buyerId, 'buy');
    const [address] = await tx
      .select({ id: addresses.id, userId: addresses.userId })
      .from(addresses)
      .where(and(eq(addresses.region, region), addressId === undefined ? and(eq(addresses.userId, buyerId), eq(addresses.isDefault, true)) : eq(addresses.id, addressId)));
    if (!address) {
      throw addressId === undefined
        ? refuse('E_ACCESS_INVALID', `user ${buyerId} has no default address`, 'pass addressId, or add an address first', { param: 'addressId' })
        : refuse('E_ACCESS_NOT_FOUND', `no address ${addressId} in ${region}`, 'check the address id', { region, addressId });
    }
    if (address.userId !== buyerId) throw refuse('E_ACCESS_FORBIDDEN', `address ${address.id} is not user ${buyerId}'s`, 'ship to one of your own addresses', { region, addressId });

    // Units, prices, the coupon use, the order and its lines in one call (one round trip), as the
    // tables' owner: a buyer's login may not write any of them itself.
    const ids = `{${lines.map((l) => l.productId).join(',')}}`;
    const quantities = `{${lines.map((l) => l.quantity).join(',')}}`;
    const raw = await scalar<PlaceResult | string>(
      tx,
      sql`SELECT order_processing.place_order(${region}::text, ${buyerId}::bigint, ${address.id}::bigint, ${ids}::bigint[], ${quantities}::integer[], ${code ?? null}::text) AS v`,
    );
    const result: PlaceResult = typeof raw === 'string' ? JSON.parse(raw) : raw;
    if ('refused' in result) {
      // Nothing was taken; the reason is read as the caller sees the row.
      if (result.refused === 'coupon') throw await couponRefusal(tx, region, code!);
      throw await stockRefusal(tx, region, lines.find((l) => l.productId === Number(result.product_id))!);
    }
    const status = result.status;
    return {
      region,
      id: Number(result.id),
      createdAt: new Date(result.created_at),
      status,
      couponId: result.coupon_id === null ? null : Number(result.coupon_id),
      subtotal: decimal(centsOf(result.subtotal)),
      discountTotal: decimal(centsOf(result.discount_total)),
      total: decimal(centsOf(result.total)),
      currency: result.currency,
      lines: lines.map((l, i) => ({ ...l, unitPrice: decimal(centsOf(result.unit_prices[i]!)) })),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Buyer: cancel

export interface OrderParams {
  readonly region: SiteId;
  readonly buyerId: number;
  readonly order: OrderRef;
}

export interface CancelledOrder {
  readonly status: 'cancelled';
  /** The units given back to stock, per product. */
  readonly restocked: readonly { readonly productId: number; readonly quantity: number }[];
  /** Whether a coupon use was given back. */
  readonly couponReleased: boolean;
  /** Sum of the approved payments now refunded. */
  readonly refunded: string;
}

/**
 * Cancel an order before it ships: its units go back to stock, its coupon use back to the
 * coupon, its approved payments are refunded (pending ones rejected) and a shipment still being
 * prepared is withdrawn.
 */
export async function cancelOrder(db: AccessDb, params: OrderParams): Promise<CancelledOrder> {
  const region = site(params.region);
  const buyerId = id('buyerId', params.buyerId);
  const order = orderRef(params.order);
  return db.transaction(async (tx) => {
    const row = await findOrder(tx, region, order, { buyerId, lock: true });
    requireStatus(row, order, ['payment_required', 'paid'], 'cancel');
    const lines = await tx
      .select({ productId: orderDetails.productId, quantity: orderDetails.quantity })
      .from(orderDetails)
      .where(citesOrder(orderDetails, region, order))
      .orderBy(asc(orderDetails.productId));
    // Units back to stock, the coupon use back, and the order cancelled, in one call: the order
    // is locked and cancellable (above), so it gives back exactly once.
    const released = await scalar<boolean>(tx, sql`SELECT order_processing.release_order(${region}, ${order.id}::bigint, ${order.createdAt.toISOString()}::timestamptz) AS v`);
    if (!released) throw refuse('E_ACCESS_STATE', `order ${order.id} could not be cancelled`, 'reload the order: it changed meanwhile', { region, orderId: order.id });
    const refunded = await tx
      .update(payments)
      .set({ statusId: PAYMENT_STATUS.refunded })
      .where(and(citesOrder(payments, region, order), eq(payments.statusId, PAYMENT_STATUS.approved)))
      .returning({ amount: payments.amount });
    await tx
      .update(payments)
      .set({ statusId: PAYMENT_STATUS.rejected })
      .where(and(citesOrder(payments, region, order), eq(payments.statusId, PAYMENT_STATUS.pending)));
    await tx
      .delete(shipments)
      .where(and(citesOrder(shipments, region, order), inArray(shipments.statusId, [SHIPMENT_STATUS.pending, SHIPMENT_STATUS.handling, SHIPMENT_STATUS.ready_to_ship])));
    return {
      status: 'cancelled',
      restocked: lines,
      couponReleased: row.couponId !== null,
      refunded: decimal(refunded.reduce((sum, p) => sum + centsOf(p.amount), 0n)),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Buyer: order history

export interface HistoryParams {
  readonly region: SiteId;
  readonly buyerId: number;
  /** Only orders in this status. */
  readonly status?: OrderStatus;
  /** 1 to 100 (default 20). */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly after?: OrderRef;
}

export interface OrderSummary extends OrderRef {
  readonly status: OrderStatus;
  readonly total: string;
  readonly discountTotal: string;
  readonly currency: string;
}

export interface HistoryPage {
  readonly orders: readonly OrderSummary[];
  /** Pass as `after` for the next page; null on the last page. */
  readonly next: OrderRef | null;
}

/**
 * A buyer's orders, newest first, a page at a time. Keyset pagination on (created_at, id) along
 * the index orders (region, buyer_id, created_at): page 1000 costs what page 1 costs.
 *
 * On the partitioned layout a buyer's orders are spread over the site's month partitions, and
 * the index is probed in each one the query can reach. Two bounds on created_at, which the row
 * comparison of the keyset does not give the planner, keep out the months that cannot hold a row
 * of the page (pruned when the statement starts): the months after the current one (the
 * partitions kept ready ahead are empty), and on later pages the months after the cursor.
 */
export async function orderHistory(db: AccessDb, params: HistoryParams): Promise<HistoryPage> {
  const region = site(params.region);
  const buyerId = id('buyerId', params.buyerId);
  const limit = int('limit', params.limit ?? 20, 1, 100);
  const status = params.status === undefined ? undefined : oneOf('status', params.status, ORDER_STATUSES.map((s) => s.name));
  const after = params.after === undefined ? undefined : orderRef(params.after);
  // A prepared statement, with the site written into its text: the one query of the library
  // whose rows may lie in any month of the site, so on the partitioned layout each planning
  // covers all of the site's month partitions (0.6 to 0.75 ms against 0.05 ms on plain tables,
  // by EXPLAIN at scale 200). Prepared, the connection plans it five times, then keeps a generic
  // plan that the site has already pruned to its own months and the time bound prunes when it
  // runs: no planning at all on either layout (docs/design.md, 'Prepared statements'). The site
  // is checked by site() above; a client made with postgres.js's `prepare: false` (behind a
  // transaction-mode pooler) sends it unnamed, as every other statement.
  const rows = await db
    .select({ id: orders.id, createdAt: orders.createdAt, statusId: orders.statusId, total: orders.total, discountTotal: orders.discountTotal, currency: orders.currency })
    .from(orders)
    .where(
      and(
        eq(orders.region, sql.raw(quoteLiteral(region))),
        eq(orders.buyerId, buyerId),
        status === undefined ? undefined : eq(orders.statusId, ORDER_STATUS[status]),
        // No order is placed in the future: the months ahead are left out. The bound is a value
        // (the start of the month after next by this clock, UTC, so a clock behind the server's
        // by up to a month still sees every order), not an expression the server computes, so
        // the planner prunes those months when it plans the statement instead of planning them
        // all and pruning when it starts (now() and date_trunc of a timestamptz are not immutable).
        lt(orders.createdAt, monthAfterNext(new Date())),
        after === undefined ? undefined : sql`${orders.createdAt} <= ${after.createdAt.toISOString()}::timestamptz`,
        after === undefined ? undefined : sql`(${orders.createdAt}, ${orders.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::bigint)`,
      ),
    )
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit + 1)
    .prepare('order_history')
    .execute();
  const page = rows.slice(0, limit).map(({ statusId, ...r }) => ({ ...r, status: nameOf(ORDER_STATUSES, statusId) }));
  const last = page.at(-1);
  return { orders: page, next: rows.length > limit && last ? { id: last.id, createdAt: last.createdAt } : null };
}

// ---------------------------------------------------------------------------------------------
// Marketing: coupons

export interface CouponParams {
  readonly region: SiteId;
  /** A marketing specialist (or platform manager, or administrator) of the site. */
  readonly actorId: number;
  /** Upper-case letters, digits, - and _ (3 to 32); unique within the site. */
  readonly code: string;
  /** Either a percentage (1 to 100) ... */
  readonly percentage?: number;
  /** ... or a fixed amount off, in the site's currency. */
  readonly fixedAmount?: string | number;
  /** How many orders may use it. */
  readonly maxUses: number;
  readonly expiresAt: Date;
}

/** Create a coupon of the site. */
export async function createCoupon(db: AccessDb, params: CouponParams): Promise<{ couponId: number }> {
  const region = site(params.region);
  const actorId = id('actorId', params.actorId);
  const code = String(params.code ?? '').trim().toUpperCase();
  if (!COUPON_CODE.test(code)) throw refuse('E_ACCESS_INVALID', `code: "${code}" is not a coupon code`, 'use 3 to 32 letters, digits, - and _', { param: 'code' });
  if ((params.percentage === undefined) === (params.fixedAmount === undefined)) {
    throw refuse('E_ACCESS_INVALID', 'a coupon is a percentage or a fixed amount', 'pass exactly one of percentage and fixedAmount', { param: 'percentage' });
  }
  const percentage = params.percentage === undefined ? null : int('percentage', params.percentage, 1, 100);
  const fixedAmount = params.fixedAmount === undefined ? null : decimal(cents('fixedAmount', params.fixedAmount));
  const maxUses = int('maxUses', params.maxUses, 1, 100_000_000);
  const expiresAt = date('expiresAt', params.expiresAt);
  if (expiresAt.getTime() <= Date.now()) throw refuse('E_ACCESS_INVALID', 'expiresAt is in the past', 'pass a future expiry', { param: 'expiresAt' });
  return db.transaction(async (tx) => {
    await requireActiveUser(tx, region, actorId, 'create coupons', ['marketing_specialist', 'platform_manager', 'administrator']);
    const [row] = await tx
      .insert(coupons)
      .values({ region, code, percentage, fixedAmount, currency: currencyOf(region), maxUses, expiresAt })
      .onConflictDoNothing({ target: [coupons.region, coupons.code] })
      .returning({ id: coupons.id });
    if (!row) throw refuse('E_ACCESS_CONFLICT', `coupon ${code} already exists in ${region}`, 'choose another code', { region, code });
    return { couponId: row.id };
  });
}

/** The first instant (UTC) of the month after the next one of `now`. */
function monthAfterNext(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
}

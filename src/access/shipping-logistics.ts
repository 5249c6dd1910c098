/** Shipping and logistics: the seller ships a paid order and marks it delivered; the buyer tracks it. */
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { orderDetails, orders, payments, products, shipments, stores } from '../../schema/index.ts';
import { ORDER_STATUSES, PAYMENT_METHODS, PAYMENT_STATUSES, SHIPMENT_STATUSES, type SiteId } from '../../schema/values.ts';
import type { AccessDb, OrderRef } from './db.ts';
import { id, refuse, site, text } from './guard.ts';
import type { OrderParams } from './order-processing.ts';
import { citesOrder, findOrder, orderRef, requireStatus } from './shared.ts';
import { nameOf, ORDER_STATUS, SHIPMENT_STATUS, type OrderStatus, type PaymentMethod, type PaymentStatus, type ShipmentStatus } from './reference.ts';

export interface SellerOrderParams {
  readonly region: SiteId;
  readonly sellerId: number;
  readonly order: OrderRef;
}

/** E_ACCESS_FORBIDDEN unless the order holds a product of a store `sellerId` owns. */
async function requireOrderSeller(tx: AccessDb, region: SiteId, sellerId: number, order: OrderRef): Promise<void> {
  const [mine] = await tx
    .select({ productId: orderDetails.productId })
    .from(orderDetails)
    .innerJoin(products, and(eq(products.region, orderDetails.region), eq(products.id, orderDetails.productId)))
    .innerJoin(stores, and(eq(stores.region, products.region), eq(stores.id, products.storeId)))
    .where(and(citesOrder(orderDetails, region, order), eq(stores.ownerUserId, sellerId)))
    .limit(1);
  if (!mine) throw refuse('E_ACCESS_FORBIDDEN', `order ${order.id} holds no product of user ${sellerId}'s stores`, 'ship your own sales only', { region, orderId: order.id, sellerId });
}

export interface ShipParams extends SellerOrderParams {
  readonly carrier: string;
  /** Unique per carrier. */
  readonly trackingNumber: string;
}

/** Hand a paid order to the carrier: its shipment is in transit, the order shipped. */
export async function shipOrder(db: AccessDb, params: ShipParams): Promise<{ shipmentId: number; shippedAt: Date }> {
  const region = site(params.region);
  const sellerId = id('sellerId', params.sellerId);
  const order = orderRef(params.order);
  const carrier = text('carrier', params.carrier, 1, 100);
  const trackingNumber = text('trackingNumber', params.trackingNumber, 1, 100);
  return db.transaction(async (tx) => {
    const row = await findOrder(tx, region, order, { lock: true });
    requireStatus(row, order, ['paid'], 'ship');
    await requireOrderSeller(tx, region, sellerId, order);
    const [taken] = await tx
      .select({ orderId: shipments.orderId })
      .from(shipments)
      .where(and(eq(shipments.region, region), eq(shipments.carrier, carrier), eq(shipments.trackingNumber, trackingNumber), ne(shipments.orderId, order.id)));
    if (taken) throw refuse('E_ACCESS_CONFLICT', `${carrier} tracking number ${trackingNumber} is already another shipment's`, 'use the tracking number the carrier gave this package', { region, carrier, trackingNumber });
    // A shipment may already be being prepared (pending, handling, ready_to_ship): it leaves now.
    const shipped = { statusId: SHIPMENT_STATUS.shipped, carrier, trackingNumber, shippedAt: sql`now()` };
    const [shipment] = await tx
      .insert(shipments)
      .values({ region, orderId: order.id, orderCreatedAt: order.createdAt, ...shipped })
      .onConflictDoUpdate({ target: [shipments.region, shipments.orderId], set: shipped })
      .returning({ id: shipments.id, shippedAt: shipments.shippedAt });
    await tx
      .update(orders)
      .set({ statusId: ORDER_STATUS.shipped })
      .where(and(eq(orders.region, region), eq(orders.id, order.id), eq(orders.createdAt, order.createdAt)));
    return { shipmentId: shipment!.id, shippedAt: shipment!.shippedAt! };
  });
}

/** The carrier delivered a shipped order: the shipment and the order are delivered. */
export async function deliverOrder(db: AccessDb, params: SellerOrderParams): Promise<{ deliveredAt: Date }> {
  const region = site(params.region);
  const sellerId = id('sellerId', params.sellerId);
  const order = orderRef(params.order);
  return db.transaction(async (tx) => {
    const row = await findOrder(tx, region, order, { lock: true });
    requireStatus(row, order, ['shipped'], 'deliver');
    await requireOrderSeller(tx, region, sellerId, order);
    const [shipment] = await tx
      .update(shipments)
      .set({ statusId: SHIPMENT_STATUS.delivered, deliveredAt: sql`now()` })
      .where(citesOrder(shipments, region, order))
      .returning({ deliveredAt: shipments.deliveredAt });
    await tx
      .update(orders)
      .set({ statusId: ORDER_STATUS.delivered })
      .where(and(eq(orders.region, region), eq(orders.id, order.id), eq(orders.createdAt, order.createdAt)));
    return { deliveredAt: shipment!.deliveredAt! };
  });
}

export interface Tracking extends OrderRef {
  readonly status: OrderStatus;
  readonly total: string;
  readonly currency: string;
  readonly lines: readonly { readonly productId: number; readonly title: string; readonly quantity: number; readonly unitPrice: string }[];
  readonly payments: readonly { readonly method: PaymentMethod; readonly status: PaymentStatus; readonly amount: string }[];
  readonly shipment: {
    readonly status: ShipmentStatus;
    readonly carrier: string;
    readonly trackingNumber: string | null;
    readonly shippedAt: Date | null;
    readonly deliveredAt: Date | null;
  } | null;
}

/** Where the buyer's order stands: its status, lines, payments and shipment. */
export async function trackOrder(db: AccessDb, params: OrderParams): Promise<Tracking> {
  const region = site(params.region);
  const buyerId = id('buyerId', params.buyerId);
  const order = orderRef(params.order);
  const row = await findOrder(db, region, order, { buyerId });
  const [lines, paid, [shipment]] = await Promise.all([
    db
      .select({ productId: orderDetails.productId, title: products.title, quantity: orderDetails.quantity, unitPrice: orderDetails.unitPrice })
      .from(orderDetails)
      .innerJoin(products, and(eq(products.region, orderDetails.region), eq(products.id, orderDetails.productId)))
      .where(citesOrder(orderDetails, region, order))
      .orderBy(asc(orderDetails.productId)),
    db.select({ methodId: payments.methodId, statusId: payments.statusId, amount: payments.amount }).from(payments).where(citesOrder(payments, region, order)).orderBy(asc(payments.id)),
    db
      .select({ statusId: shipments.statusId, carrier: shipments.carrier, trackingNumber: shipments.trackingNumber, shippedAt: shipments.shippedAt, deliveredAt: shipments.deliveredAt })
      .from(shipments)
      .where(citesOrder(shipments, region, order)),
  ]);
  return {
    ...order,
    status: nameOf(ORDER_STATUSES, row.statusId),
    total: row.total,
    currency: row.currency,
    lines,
    payments: paid.map((p) => ({ method: nameOf(PAYMENT_METHODS, p.methodId), status: nameOf(PAYMENT_STATUSES, p.statusId), amount: p.amount })),
    shipment: shipment
      ? { status: nameOf(SHIPMENT_STATUSES, shipment.statusId), carrier: shipment.carrier, trackingNumber: shipment.trackingNumber, shippedAt: shipment.shippedAt, deliveredAt: shipment.deliveredAt }
      : null,
  };
}

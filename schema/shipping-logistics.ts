/** Component 7, Shipping and logistics: getting an order to its buyer. */
import { pgSchema, primaryKey, smallint, text, unique } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref, referenceColumns, referenceTable, references, region, rule, siteRule } from './columns.ts';
import { describe, type Component } from './component.ts';
import { orders } from './order-processing.ts';

export const shippingLogistics = pgSchema('shipping_logistics');

/** States of a shipment, from pending to delivered. */
export const shipmentStatuses = referenceTable(shippingLogistics, 'shipment_statuses');

/** The shipment of an order; one per order. */
export const shipments = shippingLogistics.table(
  'shipments',
  {
    region: region(),
    id: id(),
    orderId: ref('order_id').notNull(),
    orderCreatedAt: at('order_created_at').notNull(),
    statusId: smallint('status_id').notNull(),
    carrier: text('carrier').notNull(),
    trackingNumber: text('tracking_number'),
    shippedAt: at('shipped_at'),
    deliveredAt: at('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'shipments_pkey', columns: [t.region, t.id] }),
    siteRule('shipments'),
    unique('shipments_region_order_id_key').on(t.region, t.orderId),
    unique('shipments_region_carrier_tracking_number_key').on(t.region, t.carrier, t.trackingNumber),
    ...references('shipments', [t.region, t.orderId, t.orderCreatedAt], [orders.region, orders.id, orders.createdAt], 'restrict'),
    ...references('shipments', [t.statusId], [shipmentStatuses.id], 'restrict'),
    rule('shipments', 'carrier', `length(btrim(carrier)) > 0`),
    rule('shipments', 'tracking_number', `length(btrim(tracking_number)) > 0`),
    rule('shipments', 'delivered_after_shipped', `delivered_at IS NULL OR (shipped_at IS NOT NULL AND delivered_at >= shipped_at)`),
    rule('shipments', 'shipped_has_tracking', `shipped_at IS NULL OR tracking_number IS NOT NULL`),
  ],
);

export const shippingLogisticsComponent: Component = {
  schema: shippingLogistics,
  title: 'Shipping and logistics',
  comment: 'Shipments of orders and their statuses.',
  tables: [
    describe(shipmentStatuses, 'A state of a shipment: pending, handling, ready_to_ship, shipped, delivered, not_delivered.', referenceColumns('shipment status')),
    describe(shipments, 'The shipment of an order (one per order), with its carrier and tracking.', {
      region: 'Site of the shipment; equals the site of its order.',
      id: 'Surrogate key, unique within the region.',
      orderId: 'The order shipped; at most one shipment per order.',
      orderCreatedAt: 'When the order was placed: the other half of the order\'s key (orders are partitioned by month on it).',
      statusId: 'Where the shipment stands.',
      carrier: 'Carrier name (Mercado Envios, Correios, OCA, ...).',
      trackingNumber: 'The carrier\'s tracking number, unique per carrier; required once shipped.',
      shippedAt: 'When the carrier took the package.',
      deliveredAt: 'When the buyer received it; not before shipped_at.',
      createdAt: 'When the shipment was created.',
    }),
  ],
};

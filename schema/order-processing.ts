/** Component 4, Order processing: what buyers ordered, at what price, with which coupon. */
import { boolean, integer, pgSchema, primaryKey, smallint, text, unique, index } from 'drizzle-orm/pg-core';
import { amount, at, createdAt, currency, currencyOfRegion, id, money, ref, referenceColumns, referenceTable, references, region, rule, siteRule } from './columns.ts';
import { describe, type Component } from './component.ts';
import { products } from './product-catalog.ts';
import { addresses, users } from './user-management.ts';

export const orderProcessing = pgSchema('order_processing');

/** The life-cycle states of an order. */
export const orderStatuses = referenceTable(orderProcessing, 'order_statuses');

/** A discount code of one site: either a percentage or a fixed amount, with a use limit. */
export const coupons = orderProcessing.table(
  'coupons',
  {
    region: region(),
    id: id(),
    code: text('code').notNull(),
    percentage: smallint('percentage'),
    fixedAmount: money('fixed_amount'),
    currency: currency(),
    maxUses: integer('max_uses').notNull(),
    useCount: integer('use_count').notNull().default(0),
    expiresAt: at('expires_at').notNull(),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'coupons_pkey', columns: [t.region, t.id] }),
    siteRule('coupons'),
    unique('coupons_region_code_key').on(t.region, t.code),
    rule('coupons', 'code', `code ~ '^[A-Z0-9][A-Z0-9_-]{2,31}$'`),
    rule('coupons', 'one_kind', `num_nonnulls(percentage, fixed_amount) = 1`),
    rule('coupons', 'percentage', `percentage BETWEEN 1 AND 100`),
    amount('coupons', 'fixed_amount'),
    currencyOfRegion('coupons'),
    rule('coupons', 'max_uses', `max_uses > 0`),
    rule('coupons', 'use_count', `use_count BETWEEN 0 AND max_uses`),
  ],
);

/** A purchase by one buyer, shipped to one of the buyer's addresses. */
export const orders = orderProcessing.table(
  'orders',
  {
    region: region(),
    id: id(),
    buyerId: ref('buyer_id').notNull(),
    statusId: smallint('status_id').notNull(),
    couponId: ref('coupon_id'),
    shippingAddressId: ref('shipping_address_id').notNull(),
    discountTotal: money('discount_total').notNull().default('0'),
    total: money('total').notNull(),
    currency: currency(),
    createdAt: createdAt(),
  },
  (t) => [
    // created_at is in the key because orders are partitioned by month on it (schema/partitions.ts):
    // PostgreSQL can only enforce a key that contains every partition-key column.
    primaryKey({ name: 'orders_pkey', columns: [t.region, t.id, t.createdAt] }),
    siteRule('orders'),
    // A buyer's order history, newest first, is the hottest query on this table.
    index('orders_region_buyer_id_created_at_idx').on(t.region, t.buyerId, t.createdAt),
    ...references('orders', [t.region, t.buyerId], [users.region, users.id], 'restrict', { covered: true }),
    ...references('orders', [t.statusId], [orderStatuses.id], 'restrict'),
    ...references('orders', [t.region, t.couponId], [coupons.region, coupons.id], 'restrict'),
    // The shipping address must be one of the buyer's own addresses.
    ...references(
      'orders',
      [t.region, t.buyerId, t.shippingAddressId],
      [addresses.region, addresses.userId, addresses.id],
      'restrict',
    ),
    amount('orders', 'total', { orZero: true }),
    amount('orders', 'discount_total', { orZero: true }),
    rule('orders', 'discount_needs_coupon', `coupon_id IS NOT NULL OR discount_total = 0`),
    currencyOfRegion('orders'),
  ],
);

/** One line of an order: a product, a quantity and the unit price paid. */
export const orderDetails = orderProcessing.table(
  'order_details',
  {
    region: region(),
    orderId: ref('order_id').notNull(),
    orderCreatedAt: at('order_created_at').notNull(),
    productId: ref('product_id').notNull(),
    quantity: integer('quantity').notNull(),
    unitPrice: money('unit_price').notNull(),
  },
  (t) => [
    // One line per product per order: the pair is the natural key. order_created_at, the
    // order's half of the key, rides along so that lines live in their order's monthly partition.
    primaryKey({ name: 'order_details_pkey', columns: [t.region, t.orderId, t.orderCreatedAt, t.productId] }),
    siteRule('order_details'),
    ...references('order_details', [t.region, t.orderId, t.orderCreatedAt], [orders.region, orders.id, orders.createdAt], 'cascade', { covered: true }),
    ...references('order_details', [t.region, t.productId], [products.region, products.id], 'restrict'),
    rule('order_details', 'quantity', `quantity > 0`),
    amount('order_details', 'unit_price', { orZero: true }),
  ],
);

export const orderProcessingComponent: Component = {
  schema: orderProcessing,
  title: 'Order processing',
  comment: 'Orders, their lines, their statuses and the coupons applied to them.',
  tables: [
    describe(orderStatuses, 'The life-cycle states of an order (payment_required, paid, shipped, ...).', referenceColumns('order status')),
    describe(coupons, 'A discount code of one site: a percentage or a fixed amount, never both, with a use limit.', {
      region: 'Site where the coupon can be used.',
      id: 'Surrogate key, unique within the region.',
      code: 'The code buyers type (upper case letters, digits, - and _), unique within the site.',
      percentage: 'Percent off the order subtotal (1 to 100), when the coupon is a percentage.',
      fixedAmount: 'Amount off the order subtotal, when the coupon is a fixed amount.',
      currency: 'ISO 4217 currency of the site; the currency of fixed_amount.',
      maxUses: 'How many orders may use the coupon in total.',
      useCount: 'How many orders have used it; never above max_uses.',
      expiresAt: 'The coupon cannot be applied after this moment.',
      isActive: 'Switched off by marketing without deleting the coupon.',
      createdAt: 'When the coupon was created.',
    }),
    describe(orders, 'A purchase by one buyer on one site, shipped to one of the buyer\'s addresses.', {
      region: 'Site of the order: the site of its buyer (co-location rule).',
      id: 'Surrogate key, unique within the region.',
      buyerId: 'The user who placed the order.',
      statusId: 'Current life-cycle state.',
      couponId: 'The coupon applied, if any.',
      shippingAddressId: 'The buyer\'s address the order ships to.',
      discountTotal: 'Amount taken off the sum of the lines by the coupon; zero without a coupon.',
      total: 'Amount to pay: the sum of quantity x unit price of the lines, less discount_total.',
      currency: 'ISO 4217 currency of the site.',
      createdAt: 'When the order was placed.',
    }),
    describe(orderDetails, 'A line of an order. unit_price is copied from the product on purpose: it is the price at the time of sale.', {
      region: 'Site of the line; equals the site of its order and of its product.',
      orderId: 'The order the line belongs to.',
      orderCreatedAt: 'When the order was placed: the other half of the order\'s key; lines are partitioned by month on it, with their order.',
      productId: 'The product bought; one line per product per order.',
      quantity: 'Units bought, at least one.',
      unitPrice: 'Price of one unit at the time of sale, after any product discount.',
    }),
  ],
};

/** Component 6, Payments: how orders are paid, possibly with several methods. */
import { pgSchema, primaryKey, smallint, text, unique } from 'drizzle-orm/pg-core';
import { amount, at, createdAt, currency, currencyOfRegion, id, money, ref, referenceColumns, referenceTable, references, region, rule, siteRule } from './columns.ts';
import { describe, type Component } from './component.ts';
import { orders } from './order-processing.ts';
import { PAYMENT_WINDOW_DAYS } from './values.ts';

export const paymentsSchema = pgSchema('payments');

/** Ways to pay (card, transfer, wallet, cash voucher, ...). */
export const paymentMethods = referenceTable(paymentsSchema, 'payment_methods');

/** States of a payment at the processor. */
export const paymentStatuses = referenceTable(paymentsSchema, 'payment_statuses');

/** One payment towards an order; an order split across methods has several. */
export const payments = paymentsSchema.table(
  'payments',
  {
    region: region(),
    id: id(),
    orderId: ref('order_id').notNull(),
    orderCreatedAt: at('order_created_at').notNull(),
    methodId: smallint('method_id').notNull(),
    statusId: smallint('status_id').notNull(),
    amount: money('amount').notNull(),
    currency: currency(),
    transactionRef: text('transaction_ref').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // Payments are partitioned by month on created_at, so every key contains it. The price:
    // PostgreSQL can no longer refuse the same transaction_ref in two different months.
    primaryKey({ name: 'payments_pkey', columns: [t.region, t.id, t.createdAt] }),
    siteRule('payments'),
    unique('payments_region_transaction_ref_created_at_key').on(t.region, t.transactionRef, t.createdAt),
    // Money history is never deleted with its order.
    ...references('payments', [t.region, t.orderId, t.orderCreatedAt], [orders.region, orders.id, orders.createdAt], 'restrict'),
    ...references('payments', [t.methodId], [paymentMethods.id], 'restrict'),
    ...references('payments', [t.statusId], [paymentStatuses.id], 'restrict'),
    amount('payments', 'amount'),
    currencyOfRegion('payments'),
    rule('payments', 'transaction_ref', `length(btrim(transaction_ref)) > 0`),
    // A payment is made for an order already placed. The query library relies on it to find an
    // order's payments: on the partitioned layout created_at >= the order's created_at leaves out
    // every month before the order's (src/access/shared.ts, citesOrder).
    rule('payments', 'after_order', `created_at >= order_created_at`),
    // ... and within the payment window after it (PAYMENT_WINDOW_DAYS): with both bounds the
    // library finds an order's payments in one or two months. Written as a difference of two
    // timestamps, which does not depend on the session's time zone.
    rule('payments', 'within_payment_window', `created_at - order_created_at < interval '${PAYMENT_WINDOW_DAYS} days'`),
  ],
);

export const paymentsComponent: Component = {
  schema: paymentsSchema,
  title: 'Payments',
  comment: 'Payments of orders, their methods and statuses.',
  tables: [
    describe(paymentMethods, 'A way to pay: credit card, debit card, bank transfer, wallet, cash voucher.', referenceColumns('payment method')),
    describe(paymentStatuses, 'A state of a payment at the processor: pending, approved, rejected, refunded, charged_back.', referenceColumns('payment status')),
    describe(payments, 'One payment towards an order. Split payments are several rows whose approved amounts add up to the order total.', {
      region: 'Site of the payment; equals the site of its order.',
      id: 'Surrogate key, unique within the region.',
      orderId: 'The order being paid.',
      orderCreatedAt: 'When the order was placed: the other half of the order\'s key (orders are partitioned by month on it).',
      methodId: 'How it was paid.',
      statusId: 'Where the payment stands at the processor.',
      amount: 'Amount of this payment, greater than zero.',
      currency: 'ISO 4217 currency of the site.',
      transactionRef: 'The processor\'s reference for the transaction, unique within the site and month.',
      createdAt: 'When the payment was created.',
    }),
  ],
};

/** Payments: a buyer pays an order with one or two methods. */
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { orders, payments } from '../../schema/index.ts';
import { PAYMENT_METHODS, PAYMENT_WINDOW_DAYS, type SiteId } from '../../schema/values.ts';
import type { AccessDb, OrderRef } from './db.ts';
import { cents, centsOf, currencyOf, decimal, id, oneOf, refuse, site, text } from './guard.ts';
import { pgFields } from '../errors.ts';
import { citesOrder, findOrder, orderRef, paymentWindowEnd, requireStatus } from './shared.ts';
import { ORDER_STATUS, PAYMENT_METHOD, PAYMENT_STATUS, type PaymentMethod } from './reference.ts';

export interface PaymentInput {
  readonly method: PaymentMethod;
  readonly amount: string | number;
  /** The processor's answer. */
  readonly outcome: 'approved' | 'rejected' | 'pending';
  /** The processor's reference; default: a new unique one. */
  readonly transactionRef?: string;
}

export interface PayParams {
  readonly region: SiteId;
  readonly buyerId: number;
  readonly order: OrderRef;
  /** One payment, or two with different methods (a split payment). */
  readonly payments: readonly PaymentInput[];
}

export interface PaymentOutcome {
  /** paid once the approved payments cover the total; payment_required until then. */
  readonly status: 'paid' | 'payment_required';
  /** Sum of the order's approved payments, these included. */
  readonly approved: string;
  /** What is still to pay. */
  readonly remaining: string;
  readonly payments: readonly { readonly id: number; readonly status: PaymentInput['outcome'] }[];
}

/**
 * Record the processor's answers for an order's payments. The order becomes paid when its
 * approved payments add up to its total, and then its pending payments are voided (rejected);
 * a rejected or pending payment leaves it waiting.
 * Approved payments beyond the total are refused before anything is written, and so is a payment
 * after the order's payment window (PAYMENT_WINDOW_DAYS after it was placed): E_ACCESS_STATE.
 */
export async function payOrder(db: AccessDb, params: PayParams): Promise<PaymentOutcome> {
  const region = site(params.region);
  const buyerId = id('buyerId', params.buyerId);
  const order = orderRef(params.order);
  if (!Array.isArray(params.payments) || params.payments.length < 1 || params.payments.length > 2) {
    throw refuse('E_ACCESS_INVALID', 'payments: one or two payments', 'pay with one method, or split between two', { param: 'payments' });
  }
  const inputs = params.payments.map((p, i) => ({
    method: oneOf(`payments[${i}].method`, p.method, PAYMENT_METHODS.map((m) => m.name)),
    amount: cents(`payments[${i}].amount`, p.amount),
    outcome: oneOf(`payments[${i}].outcome`, p.outcome, ['approved', 'rejected', 'pending'] as const),
    transactionRef: p.transactionRef === undefined ? undefined : text(`payments[${i}].transactionRef`, p.transactionRef, 1, 100),
  }));
  if (inputs.length === 2 && inputs[0]!.method === inputs[1]!.method) {
    throw refuse('E_ACCESS_INVALID', 'payments: a split payment uses two different methods', 'pay with one method, or two different ones', { param: 'payments' });
  }
  return db.transaction(async (tx) => {
    const row = await findOrder(tx, region, order, { buyerId, lock: true });
    requireStatus(row, order, ['payment_required'], 'pay');
    if (Date.now() >= paymentWindowEnd(order).getTime()) throw windowClosed(region, order);
    const [before] = await tx
      .select({ approved: sql<string>`coalesce(sum(${payments.amount}), 0)::text` })
      .from(payments)
      .where(and(citesOrder(payments, region, order), eq(payments.statusId, PAYMENT_STATUS.approved)));
    const total = centsOf(row.total);
    const approved = centsOf(before!.approved) + inputs.filter((p) => p.outcome === 'approved').reduce((sum, p) => sum + p.amount, 0n);
    if (approved > total) {
      throw refuse('E_ACCESS_INVALID', `approved payments would add up to ${decimal(approved)}, above the order total ${row.total}`, `pay at most ${decimal(total - centsOf(before!.approved))}`, {
        param: 'payments',
        total: row.total,
      });
    }
    const inserted = await tx
      .insert(payments)
      .values(
        inputs.map((p) => ({
          region,
          orderId: order.id,
          orderCreatedAt: order.createdAt,
          methodId: PAYMENT_METHOD[p.method],
          statusId: PAYMENT_STATUS[p.outcome],
          amount: decimal(p.amount),
          currency: currencyOf(region),
          transactionRef: p.transactionRef ?? `${p.method}-${randomUUID()}`,
        })),
      )
      .returning({ id: payments.id })
      // The server's clock decides: a client clock behind it passed the check above.
      .catch((error: unknown) => {
        throw pgFields((error as { cause?: unknown }).cause ?? error).message.includes('payments_within_payment_window') ? windowClosed(region, order) : error;
      });
    const paid = approved === total;
    if (paid) {
      // A pending payment left beside the ones that paid (a cash voucher issued, then a card used
      // instead) is superseded: it is voided (rejected), so that only an order still waiting for
      // payment has a pending one and the voucher can no longer capture money twice.
      await tx
        .update(payments)
        .set({ statusId: PAYMENT_STATUS.rejected })
        .where(and(citesOrder(payments, region, order), eq(payments.statusId, PAYMENT_STATUS.pending)));
      await tx
        .update(orders)
        .set({ statusId: ORDER_STATUS.paid })
        .where(and(eq(orders.region, region), eq(orders.id, order.id), eq(orders.createdAt, order.createdAt)));
    }
    return {
      status: paid ? 'paid' : 'payment_required',
      approved: decimal(approved),
      remaining: decimal(total - approved),
      payments: inserted.map((p, i) => ({ id: p.id, status: paid && inputs[i]!.outcome === 'pending' ? 'rejected' : inputs[i]!.outcome })),
    };
  });
}

/** E_ACCESS_STATE: the order's payment window has closed. */
function windowClosed(region: SiteId, order: OrderRef) {
  return refuse(
    'E_ACCESS_STATE',
    `order ${order.id} can no longer be paid: its payment window of ${PAYMENT_WINDOW_DAYS} days closed at ${paymentWindowEnd(order).toISOString()}`,
    'place a new order',
    { region, orderId: order.id },
  );
}

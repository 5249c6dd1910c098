/** Messaging: a buyer writes to a store, about an order of theirs or before buying. */
import { and, desc, eq, sql } from 'drizzle-orm';
import { conversations, messages, orderDetails, products, stores } from '../../schema/index.ts';
import type { SiteId } from '../../schema/values.ts';
import type { AccessDb, OrderRef } from './db.ts';
import { id, refuse, site, text } from './guard.ts';
import { citesOrder, findOrder, orderRef, requireActiveUser } from './shared.ts';

export interface MessageParams {
  readonly region: SiteId;
  readonly buyerId: number;
  readonly storeId: number;
  readonly body: string;
  /** About this order of the buyer's (it must hold a product of the store); otherwise a pre-sale question. */
  readonly order?: OrderRef;
}

export interface Sent {
  readonly conversationId: number;
  readonly messageId: number;
  readonly sentAt: Date;
}

/**
 * Send a message to a store. About an order, it goes to the order's one conversation (opened on
 * first use); otherwise to the buyer's open pre-sale conversation with the store, or a new one.
 */
export async function messageSeller(db: AccessDb, params: MessageParams): Promise<Sent> {
  const region = site(params.region);
  const buyerId = id('buyerId', params.buyerId);
  const storeId = id('storeId', params.storeId);
  const body = text('body', params.body, 1, 4000);
  const order = params.order === undefined ? undefined : orderRef(params.order);
  return db.transaction(async (tx) => {
    const [store] = await tx.select({ owner: stores.ownerUserId }).from(stores).where(and(eq(stores.region, region), eq(stores.id, storeId)));
    if (!store) throw refuse('E_ACCESS_NOT_FOUND', `no store ${storeId} in ${region}`, 'check the store id and the site', { region, storeId });
    await requireActiveUser(tx, region, buyerId, 'write to a store');
    if (store.owner === buyerId) {
      throw refuse('E_ACCESS_FORBIDDEN', `user ${buyerId} may not write to store ${storeId} as a buyer`, 'an active buyer writes to another user\'s store', { region, buyerId, storeId });
    }
    let conversationId: number;
    if (order) {
      await findOrder(tx, region, order, { buyerId });
      const [line] = await tx
        .select({ productId: orderDetails.productId })
        .from(orderDetails)
        .innerJoin(products, and(eq(products.region, orderDetails.region), eq(products.id, orderDetails.productId)))
        .where(and(citesOrder(orderDetails, region, order), eq(products.storeId, storeId)))
        .limit(1);
      if (!line) throw refuse('E_ACCESS_FORBIDDEN', `order ${order.id} holds nothing from store ${storeId}`, 'write to a store you bought from', { region, orderId: order.id, storeId });
      await tx
        .insert(conversations)
        .values({ region, buyerId, storeId, orderId: order.id, orderCreatedAt: order.createdAt, kind: 'order' })
        .onConflictDoNothing({ target: [conversations.region, conversations.orderId] });
      const [c] = await tx.select({ id: conversations.id, storeId: conversations.storeId }).from(conversations).where(and(eq(conversations.region, region), eq(conversations.orderId, order.id)));
      if (c!.storeId !== storeId) {
        throw refuse('E_ACCESS_CONFLICT', `order ${order.id} is already discussed with store ${c!.storeId}`, 'continue that conversation: an order has one', { region, orderId: order.id });
      }
      conversationId = c!.id;
    } else {
      const [open] = await tx
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(eq(conversations.region, region), eq(conversations.buyerId, buyerId), eq(conversations.storeId, storeId), eq(conversations.kind, 'pre_sale'), eq(conversations.status, 'open')))
        .orderBy(desc(conversations.createdAt))
        .limit(1);
      conversationId = open?.id ?? (await tx.insert(conversations).values({ region, buyerId, storeId, kind: 'pre_sale' }).returning({ id: conversations.id }))[0]!.id;
    }
    const [message] = await tx
      .insert(messages)
      .values({ region, conversationId, senderId: buyerId, body, sentAt: sql`now()` })
      .returning({ id: messages.id, sentAt: messages.sentAt });
    return { conversationId, messageId: message!.id, sentAt: message!.sentAt };
  });
}

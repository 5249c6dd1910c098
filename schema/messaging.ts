/** Component 9, Messaging: conversations between buyers and stores. */
import { index, pgSchema, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref, references, region, rule, siteRule } from './columns.ts';
import { describe, type Component } from './component.ts';
import { orders } from './order-processing.ts';
import { moderationStatus } from './reviews-questions.ts';
import { stores } from './seller-management.ts';
import { users } from './user-management.ts';
import { CONVERSATION_KINDS, CONVERSATION_STATUSES } from './values.ts';

export const messaging = pgSchema('messaging');
export const conversationKind = messaging.enum('conversation_kind', CONVERSATION_KINDS);
export const conversationStatus = messaging.enum('conversation_status', CONVERSATION_STATUSES);

/** A thread between a buyer and a store, about an order or not. */
export const conversations = messaging.table(
  'conversations',
  {
    region: region(),
    id: id(),
    buyerId: ref('buyer_id').notNull(),
    storeId: ref('store_id').notNull(),
    orderId: ref('order_id'),
    orderCreatedAt: at('order_created_at'),
    kind: conversationKind('kind').notNull(),
    status: conversationStatus('status').notNull().default('open'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'conversations_pkey', columns: [t.region, t.id] }),
    siteRule('conversations'),
    unique('conversations_region_order_id_key').on(t.region, t.orderId),
    ...references('conversations', [t.region, t.buyerId], [users.region, users.id], 'cascade'),
    ...references('conversations', [t.region, t.storeId], [stores.region, stores.id], 'cascade'),
    ...references('conversations', [t.region, t.orderId, t.orderCreatedAt], [orders.region, orders.id, orders.createdAt], 'no action'),
    rule('conversations', 'order_key', `(order_id IS NULL) = (order_created_at IS NULL)`),
    rule('conversations', 'order_kind', `(kind = 'order') = (order_id IS NOT NULL)`),
  ],
);

/** One message of a conversation. */
export const messages = messaging.table(
  'messages',
  {
    region: region(),
    id: id(),
    conversationId: ref('conversation_id').notNull(),
    senderId: ref('sender_id').notNull(),
    body: text('body').notNull(),
    sentAt: at('sent_at').notNull().defaultNow(),
    readAt: at('read_at'),
    moderationStatus: moderationStatus('moderation_status').notNull().default('pending'),
  },
  (t) => [
    // Messages are partitioned by month on sent_at, so the key contains it.
    primaryKey({ name: 'messages_pkey', columns: [t.region, t.id, t.sentAt] }),
    siteRule('messages'),
    // A conversation is read in time order.
    index('messages_region_conversation_id_sent_at_idx').on(t.region, t.conversationId, t.sentAt),
    ...references('messages', [t.region, t.conversationId], [conversations.region, conversations.id], 'cascade', { covered: true }),
    ...references('messages', [t.region, t.senderId], [users.region, users.id], 'cascade'),
    rule('messages', 'body', `length(btrim(body)) BETWEEN 1 AND 4000`),
    rule('messages', 'read_after_sent', `read_at >= sent_at`),
  ],
);

export const messagingComponent: Component = {
  schema: messaging,
  title: 'Messaging',
  comment: 'Buyer-store conversations and their messages.',
  tables: [
    describe(conversations, 'A thread between a buyer and a store: about an order (one per order), before a sale, or about the store.', {
      region: 'Site of the conversation; equals the site of its buyer and store.',
      id: 'Surrogate key, unique within the region.',
      buyerId: 'The buyer taking part.',
      storeId: 'The store taking part.',
      orderId: 'The order discussed; present exactly when kind is order, and at most one conversation per order.',
      orderCreatedAt: 'When the order was placed, with order_id: the other half of the order\'s key (orders are partitioned by month on it).',
      kind: 'order, pre_sale or store.',
      status: 'open, closed, or escalated to the platform.',
      createdAt: 'When the conversation began.',
    }),
    describe(messages, 'A message in a conversation, written by its buyer or by its store\'s owner.', {
      region: 'Site of the message; equals the site of its conversation.',
      id: 'Surrogate key, unique within the region.',
      conversationId: 'The conversation the message belongs to.',
      senderId: 'The user who wrote it: the buyer or the store\'s owner.',
      body: 'Message text (1 to 4000 characters).',
      sentAt: 'When it was sent.',
      readAt: 'When the other party read it; not before it was sent.',
      moderationStatus: 'pending until moderation approves or rejects it.',
    }),
  ],
};

/**
 * Seeds component 9: a conversation for one order in ten, plus pre-sale ones, with their
 * messages. A conversation opens after the step of the order it is about (paid, shipped,
 * delivered ...) and its messages fit that step; the buyer is a returning buyer, never the store's owner.
 */
import type { SiteId } from '../schema/values.ts';
import { conversations, messages } from '../schema/index.ts';
import { range, type CopySeed } from './table-seed.ts';
import { messageText, voice, type ConversationState } from './text.ts';
import { DAY, MINUTE_MS, ORDER_STATUS, S, timestamp, type World } from './world.ts';

interface Conversation {
  id: number;
  region: SiteId;
  buyer: number;
  store: number;
  order: number | null;
  /** When the order was placed: the other half of its key. */
  orderAt: number | null;
  at: number;
  status: 'open' | 'closed' | 'escalated';
  state: ConversationState;
}

const STATE: Record<number, ConversationState> = {
  [ORDER_STATUS.payment_required]: 'unpaid',
  [ORDER_STATUS.paid]: 'paid',
  [ORDER_STATUS.shipped]: 'shipped',
  [ORDER_STATUS.delivered]: 'delivered',
  [ORDER_STATUS.cancelled]: 'cancelled',
  [ORDER_STATUS.refunded]: 'refunded',
};

function* allConversations(w: World): Generator<Conversation> {
  const r = w.random;
  const until = w.options.until;
  for (const o of range(w.layout.total('orders'))) {
    if (r.below(10, S.Conversation, o) !== 0) continue;
    const x = w.order(o);
    const state = STATE[x.status]!;
    const sh = x.shipment;
    // The step the buyer writes about: after the payment, the dispatch or the delivery.
    const anchor = state === 'delivered' || state === 'refunded' ? (sh?.deliveredAt ?? sh?.shippedAt ?? x.paidAt ?? x.at) : state === 'shipped' ? (sh?.shippedAt ?? x.at) : state === 'paid' ? (x.paidAt ?? x.at) : x.at;
    const at = Math.min(anchor + MINUTE_MS * (20 + r.below(24 * 60, S.Conversation, o, 1)), until - 10 * MINUTE_MS);
    const done = state === 'delivered' || state === 'cancelled' || state === 'refunded';
    const escalated = r.below(100, S.Conversation, o, 2) < (state === 'refunded' ? 30 : 2);
    yield { id: x.id, region: x.region, buyer: x.buyer, store: w.productStore(x.lines[0]!.product), order: x.id, orderAt: x.at, at, status: done ? (escalated ? 'escalated' : 'closed') : 'open', state };
  }
  const offset = w.layout.total('orders');
  for (const j of range(w.layout.total('preSaleConversations'))) {
    const region = w.layout.blockOf('preSaleConversations', j).region;
    const stores = w.layout.block('stores', region);
    const at = Math.min(w.momentInWindow(region, S.Conversation, offset + j), until - 10 * MINUTE_MS);
    yield {
      id: offset + j + 1, region, buyer: w.buyerAt(region, at, S.Conversation, offset + j),
      store: stores.start + r.skewed(stores.count, 2, S.Conversation, offset + j, 1), order: null, orderAt: null,
      at, status: 'closed', state: 'pre_sale',
    };
  }
}

export const conversationsSeed: CopySeed = {
  kind: 'copy',
  table: conversations,
  columns: ['region', 'id', 'buyer_id', 'store_id', 'order_id', 'order_created_at', 'kind', 'status', 'created_at'],
  expected: (w) => Math.round(w.layout.total('orders') / 10 + w.layout.total('preSaleConversations')),
  *rows(w: World) {
    for (const c of allConversations(w)) {
      yield [c.region, c.id, c.buyer + 1, c.store + 1, c.order, c.orderAt === null ? null : timestamp(c.orderAt), c.order === null ? 'pre_sale' : 'order', c.status, timestamp(c.at)];
    }
  },
};

export const messagesSeed: CopySeed = {
  kind: 'copy',
  table: messages,
  columns: ['region', 'id', 'conversation_id', 'sender_id', 'body', 'sent_at', 'read_at', 'moderation_status'],
  expected: (w) => Math.round(conversationsSeed.expected(w) * 3.5),
  *rows(w: World) {
    const r = w.random;
    for (const c of allConversations(w)) {
      const language = w.language(c.region);
      const voseo = w.voseo(c.region);
      const count = 2 + r.below(4, S.Message, c.id);
      const gap = Math.min(3 * 60 * MINUTE_MS, Math.floor((w.options.until - c.at) / (count + 1)), DAY);
      const owner = w.storeOwner(c.store);
      for (let k = 0; k < count; k++) {
        const fromBuyer = k % 2 === 0;
        const sentAt = c.at + k * gap + r.below(Math.max(1, gap / 2), S.Message, c.id, k + 1);
        const m = r.below(100, S.Message, c.id, 20 + k);
        yield [
          c.region, c.id * 6 + k, c.id, (fromBuyer ? c.buyer : owner) + 1, voice(messageText(language, c.state, fromBuyer, r.int(S.Message, c.id, 40 + k) >>> 4), voseo),
          timestamp(sentAt), k < count - 1 ? timestamp(sentAt + Math.floor(gap / 4)) : null,
          m < 97 ? 'approved' : m < 99 ? 'pending' : 'rejected',
        ];
      }
    }
  },
};

export const messagingSeeds = [conversationsSeed, messagesSeed];

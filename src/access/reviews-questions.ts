/** Reviews and questions: a buyer reviews what was delivered and asks before buying; the seller answers. */
import { and, desc, eq, lte, sql } from 'drizzle-orm';
import { orderDetails, orders, products, questions, reviews, shipments, stores } from '../../schema/index.ts';
import type { SiteId } from '../../schema/values.ts';
import type { AccessDb } from './db.ts';
import { id, int, optionalText, refuse, site, text } from './guard.ts';
import { ORDER_STATUS } from './reference.ts';
import { requireActiveUser } from './shared.ts';

export interface ReviewParams {
  readonly region: SiteId;
  readonly buyerId: number;
  readonly productId: number;
  /** Stars, 1 to 5. */
  readonly rating: number;
  readonly comment?: string;
}

/**
 * Review a product the buyer received: it must be on a delivered order of theirs (the review
 * cites the latest one). One review per buyer and product.
 */
export async function reviewProduct(db: AccessDb, params: ReviewParams): Promise<{ reviewId: number }> {
  const region = site(params.region);
  const buyerId = id('buyerId', params.buyerId);
  const productId = id('productId', params.productId);
  const rating = int('rating', params.rating, 1, 5);
  const comment = optionalText('comment', params.comment, 1, 4000);
  return db.transaction(async (tx) => {
    const [bought] = await tx
      .select({ orderId: orderDetails.orderId, orderCreatedAt: orderDetails.orderCreatedAt })
      .from(orderDetails)
      .innerJoin(orders, and(eq(orders.region, orderDetails.region), eq(orders.id, orderDetails.orderId), eq(orders.createdAt, orderDetails.orderCreatedAt)))
      .innerJoin(shipments, and(eq(shipments.region, orders.region), eq(shipments.orderId, orders.id), eq(shipments.orderCreatedAt, orders.createdAt)))
      .where(
        and(
          eq(orderDetails.region, region),
          eq(orderDetails.productId, productId),
          eq(orders.buyerId, buyerId),
          eq(orders.statusId, ORDER_STATUS.delivered),
          lte(shipments.deliveredAt, sql`now()`),
        ),
      )
      .orderBy(desc(orderDetails.orderCreatedAt))
      .limit(1);
    if (!bought) {
      throw refuse('E_ACCESS_FORBIDDEN', `user ${buyerId} has no delivered order of product ${productId}`, 'review a product after it is delivered to you', { region, buyerId, productId });
    }
    const [row] = await tx
      .insert(reviews)
      .values({ region, buyerId, productId, orderId: bought.orderId, orderCreatedAt: bought.orderCreatedAt, rating, comment })
      .onConflictDoNothing({ target: [reviews.region, reviews.buyerId, reviews.productId] })
      .returning({ id: reviews.id });
    if (!row) throw refuse('E_ACCESS_CONFLICT', `user ${buyerId} already reviewed product ${productId}`, 'one review per product', { region, buyerId, productId });
    return { reviewId: row.id };
  });
}

export interface AskParams {
  readonly region: SiteId;
  readonly askerId: number;
  readonly productId: number;
  readonly body: string;
}

/** Ask a public question about a listing (not about one's own). */
export async function askQuestion(db: AccessDb, params: AskParams): Promise<{ questionId: number }> {
  const region = site(params.region);
  const askerId = id('askerId', params.askerId);
  const productId = id('productId', params.productId);
  const body = text('body', params.body, 1, 2000);
  return db.transaction(async (tx) => {
    const [product] = await tx
      .select({ status: products.status, owner: stores.ownerUserId })
      .from(products)
      .innerJoin(stores, and(eq(stores.region, products.region), eq(stores.id, products.storeId)))
      .where(and(eq(products.region, region), eq(products.id, productId)));
    if (!product || product.status === 'closed') throw refuse('E_ACCESS_NOT_FOUND', `no open listing ${productId} in ${region}`, 'ask about a listing that is published', { region, productId });
    await requireActiveUser(tx, region, askerId, 'ask questions');
    if (product.owner === askerId) {
      throw refuse('E_ACCESS_FORBIDDEN', `user ${askerId} sells product ${productId}`, 'a seller does not ask about their own listing', { region, askerId, productId });
    }
    const [row] = await tx.insert(questions).values({ region, productId, askerId, body }).returning({ id: questions.id });
    return { questionId: row!.id };
  });
}

export interface AnswerParams {
  readonly region: SiteId;
  readonly sellerId: number;
  readonly questionId: number;
  readonly answer: string;
}

/** Answer an unanswered question about one of the seller's listings. */
export async function answerQuestion(db: AccessDb, params: AnswerParams): Promise<{ answeredAt: Date }> {
  const region = site(params.region);
  const sellerId = id('sellerId', params.sellerId);
  const questionId = id('questionId', params.questionId);
  const answer = text('answer', params.answer, 1, 2000);
  return db.transaction(async (tx) => {
    const [q] = await tx
      .select({ status: questions.status, productId: questions.productId })
      .from(questions)
      .where(and(eq(questions.region, region), eq(questions.id, questionId)))
      .for('no key update');
    if (!q) throw refuse('E_ACCESS_NOT_FOUND', `no question ${questionId} in ${region}`, 'check the question id and the site', { region, questionId });
    const [owner] = await tx
      .select({ id: stores.ownerUserId })
      .from(products)
      .innerJoin(stores, and(eq(stores.region, products.region), eq(stores.id, products.storeId)))
      .where(and(eq(products.region, region), eq(products.id, q.productId)));
    if (owner!.id !== sellerId) throw refuse('E_ACCESS_FORBIDDEN', `question ${questionId} is about another store's listing`, 'answer questions about your own listings', { region, questionId, sellerId });
    if (q.status !== 'unanswered') throw refuse('E_ACCESS_STATE', `question ${questionId} is ${q.status}`, 'only an unanswered question can be answered', { region, questionId, status: q.status });
    const [row] = await tx
      .update(questions)
      .set({ status: 'answered', answer, answeredAt: sql`now()` })
      .where(and(eq(questions.region, region), eq(questions.id, questionId)))
      .returning({ answeredAt: questions.answeredAt });
    return { answeredAt: row!.answeredAt! };
  });
}

/** Component 5, Reviews and questions: what buyers say about products, and ask before buying. */
import { pgSchema, primaryKey, smallint, text, unique } from 'drizzle-orm/pg-core';
import { at, createdAt, id, ref, references, region, rule, siteRule } from './columns.ts';
import { describe, type Component } from './component.ts';
import { orderDetails } from './order-processing.ts';
import { products } from './product-catalog.ts';
import { users } from './user-management.ts';
import { MODERATION_STATUSES, QUESTION_STATUSES } from './values.ts';

export const reviewsQuestions = pgSchema('reviews_questions');
export const moderationStatus = reviewsQuestions.enum('moderation_status', MODERATION_STATUSES);
export const questionStatus = reviewsQuestions.enum('question_status', QUESTION_STATUSES);

/** A buyer's rating and opinion of a product; one per buyer per product. */
export const reviews = reviewsQuestions.table(
  'reviews',
  {
    region: region(),
    id: id(),
    buyerId: ref('buyer_id').notNull(),
    productId: ref('product_id').notNull(),
    orderId: ref('order_id'),
    orderCreatedAt: at('order_created_at'),
    rating: smallint('rating').notNull(),
    comment: text('comment'),
    moderationStatus: moderationStatus('moderation_status').notNull().default('pending'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'reviews_pkey', columns: [t.region, t.id] }),
    siteRule('reviews'),
    unique('reviews_region_buyer_id_product_id_key').on(t.region, t.buyerId, t.productId),
    // Erasing an account erases its reviews; erasing a product erases its reviews.
    ...references('reviews', [t.region, t.buyerId], [users.region, users.id], 'cascade', { covered: true }),
    ...references('reviews', [t.region, t.productId], [products.region, products.id], 'cascade'),
    // The order cited must contain the product reviewed: the key is the order line's.
    ...references(
      'reviews',
      [t.region, t.orderId, t.orderCreatedAt, t.productId],
      [orderDetails.region, orderDetails.orderId, orderDetails.orderCreatedAt, orderDetails.productId],
      'no action',
    ),
    rule('reviews', 'order_key', `(order_id IS NULL) = (order_created_at IS NULL)`),
    rule('reviews', 'rating', `rating BETWEEN 1 AND 5`),
    rule('reviews', 'comment', `length(btrim(comment)) BETWEEN 1 AND 4000`),
  ],
);

/** A public question about a product, answered by the product's store. */
export const questions = reviewsQuestions.table(
  'questions',
  {
    region: region(),
    id: id(),
    productId: ref('product_id').notNull(),
    askerId: ref('asker_id').notNull(),
    body: text('body').notNull(),
    status: questionStatus('status').notNull().default('unanswered'),
    answer: text('answer'),
    answeredAt: at('answered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'questions_pkey', columns: [t.region, t.id] }),
    siteRule('questions'),
    ...references('questions', [t.region, t.productId], [products.region, products.id], 'cascade'),
    ...references('questions', [t.region, t.askerId], [users.region, users.id], 'cascade'),
    rule('questions', 'body', `length(btrim(body)) BETWEEN 1 AND 2000`),
    rule('questions', 'answered', `(status = 'answered') = (answer IS NOT NULL) AND (answer IS NULL) = (answered_at IS NULL)`),
    rule('questions', 'answer', `length(btrim(answer)) BETWEEN 1 AND 2000`),
    rule('questions', 'answered_at', `answered_at >= created_at`),
  ],
);

export const reviewsQuestionsComponent: Component = {
  schema: reviewsQuestions,
  title: 'Reviews and questions',
  comment: 'Product reviews by buyers and public questions to sellers.',
  tables: [
    describe(reviews, 'A buyer\'s rating and opinion of a product; one per buyer per product.', {
      region: 'Site of the review; equals the site of its buyer and product.',
      id: 'Surrogate key, unique within the region.',
      buyerId: 'The user who wrote the review.',
      productId: 'The product reviewed.',
      orderId: 'The order in which the buyer bought the product, when known; that order must contain the product.',
      orderCreatedAt: 'When the order was placed, with order_id: the other half of the order\'s key (orders are partitioned by month on it).',
      rating: 'Stars, 1 to 5.',
      comment: 'Free text (1 to 4000 characters), optional.',
      moderationStatus: 'pending until moderation approves or rejects it.',
      createdAt: 'When the review was written.',
    }),
    describe(
      questions,
      'A public question about a product. It is answered by the product\'s own store, so the answerer is not stored again (it would depend on product_id, not on the question).',
      {
        region: 'Site of the question; equals the site of its product.',
        id: 'Surrogate key, unique within the region.',
        productId: 'The product asked about.',
        askerId: 'The user who asked.',
        body: 'The question (1 to 2000 characters).',
        status: 'unanswered, answered, or banned by moderation.',
        answer: 'The store\'s answer; present exactly when status is answered.',
        answeredAt: 'When the store answered; not before the question was asked.',
        createdAt: 'When the question was asked.',
      },
    ),
  ],
};

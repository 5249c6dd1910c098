/** Component 10, Recommendations: what users search for, and what was recommended to them. */
import { boolean, index, pgSchema, primaryKey, real, smallint, text } from 'drizzle-orm/pg-core';
import { at, id, ref, references, region, rule, siteRule } from './columns.ts';
import { describe, type Component } from './component.ts';
import { orders } from './order-processing.ts';
import { products } from './product-catalog.ts';
import { users } from './user-management.ts';
import { RECOMMENDATION_SOURCES } from './values.ts';

export const recommendations = pgSchema('recommendations');
export const recommendationSource = recommendations.enum('recommendation_source', RECOMMENDATION_SOURCES);

/** Every search a user ran: the raw material of recommendations and of search analytics. */
export const userSearchHistory = recommendations.table(
  'user_search_history',
  {
    region: region(),
    id: id(),
    userId: ref('user_id').notNull(),
    queryText: text('query_text').notNull(),
    searchedAt: at('searched_at').notNull().defaultNow(),
  },
  (t) => [
    // Partitioned by month on searched_at, so the key contains it.
    primaryKey({ name: 'user_search_history_pkey', columns: [t.region, t.id, t.searchedAt] }),
    siteRule('user_search_history'),
    index('user_search_history_region_user_id_searched_at_idx').on(t.region, t.userId, t.searchedAt),
    ...references('user_search_history', [t.region, t.userId], [users.region, users.id], 'cascade', { covered: true }),
    rule('user_search_history', 'query_text', `length(btrim(query_text)) BETWEEN 1 AND 200`),
  ],
);

/** A product shown to a user as a recommendation, and what the user did with it. */
export const recommendationLogs = recommendations.table(
  'recommendation_logs',
  {
    region: region(),
    id: id(),
    userId: ref('user_id').notNull(),
    productId: ref('product_id').notNull(),
    source: recommendationSource('source').notNull(),
    score: real('score').notNull(),
    position: smallint('position').notNull(),
    shownAt: at('shown_at').notNull().defaultNow(),
    clicked: boolean('clicked').notNull().default(false),
    convertedOrderId: ref('converted_order_id'),
    convertedOrderCreatedAt: at('converted_order_created_at'),
  },
  (t) => [
    // Partitioned by month on shown_at, so the key contains it.
    primaryKey({ name: 'recommendation_logs_pkey', columns: [t.region, t.id, t.shownAt] }),
    siteRule('recommendation_logs'),
    index('recommendation_logs_region_user_id_shown_at_idx').on(t.region, t.userId, t.shownAt),
    ...references('recommendation_logs', [t.region, t.userId], [users.region, users.id], 'cascade', { covered: true }),
    ...references('recommendation_logs', [t.region, t.productId], [products.region, products.id], 'cascade'),
    ...references(
      'recommendation_logs',
      [t.region, t.convertedOrderId, t.convertedOrderCreatedAt],
      [orders.region, orders.id, orders.createdAt],
      'no action',
      { name: 'converted_order' },
    ),
    rule('recommendation_logs', 'converted_order_key', `(converted_order_id IS NULL) = (converted_order_created_at IS NULL)`),
    rule('recommendation_logs', 'score', `score BETWEEN 0 AND 1`),
    rule('recommendation_logs', 'position', `position >= 1`),
    rule('recommendation_logs', 'converted_after_click', `converted_order_id IS NULL OR clicked`),
  ],
);

export const recommendationsComponent: Component = {
  schema: recommendations,
  title: 'Recommendations',
  comment: 'Search history and the recommendations shown to users.',
  tables: [
    describe(userSearchHistory, 'A search a user ran, kept for recommendations and search analytics.', {
      region: 'Site where the search ran; equals the site of its user.',
      id: 'Surrogate key, unique within the region.',
      userId: 'The user who searched.',
      queryText: 'What the user typed (1 to 200 characters).',
      searchedAt: 'When the search ran.',
    }),
    describe(recommendationLogs, 'A product recommended to a user, where it was shown, and whether it was clicked or bought.', {
      region: 'Site of the recommendation; equals the site of its user and product.',
      id: 'Surrogate key, unique within the region.',
      userId: 'The user the product was shown to.',
      productId: 'The product recommended.',
      source: 'Why it was recommended: search_history, purchase_history, similar_products or trending.',
      score: 'The recommender\'s relevance score, 0 to 1 (a model output, not money: real is exact enough).',
      position: 'Rank in the list shown, from 1.',
      shownAt: 'When it was shown.',
      clicked: 'Whether the user opened the product.',
      convertedOrderId: 'The order that bought it after the click, if any.',
      convertedOrderCreatedAt: 'When that order was placed, with converted_order_id: the other half of the order\'s key.',
    }),
  ],
};

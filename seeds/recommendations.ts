/**
 * Seeds component 10: searches, and the recommendations they led to. A search is what a buyer
 * types to find a product (its noun and brand); the recommendation shows that product, so every
 * log relates to the user's searches; a few more show the region's trending products.
 *
 * A buyer's searches, recommendations and orders tell one story: most orders are preceded by a
 * search of their buyer for what the order's first line buys (minutes to a few days before), and
 * some of those searches showed the product as a recommendation, which the buyer clicked and which
 * records the order as its conversion. These rows are derived from order k's own (seed, index)
 * functions (World.orderLead, World.orderLines): search and log ids past the users' blocks map
 * back to order k, with no extra pass over the tables.
 */
import { recommendationLogs, userSearchHistory } from '../schema/index.ts';
import { range, type CopySeed } from './table-seed.ts';
import { DAY, MINUTE_MS, S, timestamp, type World } from './world.ts';

/** Percent of orders preceded by a search of their buyer for what they bought. */
export const SEARCHED_ORDERS_PERCENT = 80;
/** Percent of those searches that showed the product as a recommendation the order converted. */
export const CONVERTING_SEARCHES_PERCENT = 6;

/**
 * The search that led to order o, if any: its buyer typed the query of the order's first
 * product shortly before (most within hours, a few days at most), never before the account was
 * opened nor before the history window.
 */
function storySearch(w: World, o: number) {
  const r = w.random;
  if (r.below(100, S.Story, o) >= SEARCHED_ORDERS_PERCENT) return null;
  const { region, at, buyer } = w.orderLead(o);
  const floor = Math.max(w.windowStart, w.userCreatedAt(buyer));
  if (at - floor < 2 * MINUTE_MS) return null;
  let searchedAt = at - 2 * MINUTE_MS - Math.floor(r.float(S.Story, o, 1) ** 3 * 3 * DAY);
  if (searchedAt < floor) searchedAt = floor + Math.floor(r.float(S.Story, o, 2) * (at - MINUTE_MS - floor));
  const product = w.orderLines(o, region, at)[0]!.product;
  return { o, region, buyer, at, searchedAt, product, query: w.productQuery(product).toLowerCase() };
}

/** Every order's leading search, in order index order. */
function* storySearches(w: World) {
  for (let o = 0; o < w.layout.total('orders'); o++) {
    const s = storySearch(w, o);
    if (s) yield s;
  }
}

function* searches(w: World) {
  const until = w.options.until;
  for (const u of range(w.layout.total('users'))) {
    // Sellers and staff do not shop: only buyers search.
    const kind = w.userKind(u);
    if (kind !== 'buyer' && kind !== 'newcomer') continue;
    const region = w.userRegion(u);
    const count = w.random.below(6, S.Search, u);
    if (count === 0) continue;
    const created = w.userCreatedAt(u);
    for (let k = 0; k < count; k++) {
      let at = w.momentInWindow(region, S.Search, u * 6 + k);
      // Nobody searches before opening the account: move it into the account's own days.
      if (at < created) at = created + Math.floor(w.random.float(S.Search, u * 6 + k, 7) * Math.max(MINUTE_MS, until - 40 * MINUTE_MS - created));
      const product = w.activeProductIn(region, at, S.Search, u, k + 1);
      yield { u, k, region, product, id: u * 6 + k + 1, at, query: w.productQuery(product).toLowerCase() };
    }
  }
}

export const userSearchHistorySeed: CopySeed = {
  kind: 'copy',
  table: userSearchHistory,
  columns: ['region', 'id', 'user_id', 'query_text', 'searched_at'],
  expected: (w) => Math.round(w.layout.total('users') * 2.5 + (w.layout.total('orders') * SEARCHED_ORDERS_PERCENT) / 100),
  *rows(w: World) {
    for (const s of searches(w)) yield [s.region, s.id, s.u + 1, s.query, timestamp(s.at)];
    // The searches that led to orders: ids past the users' (6 a user), one per order index.
    const base = w.layout.total('users') * 6;
    for (const s of storySearches(w)) yield [s.region, base + s.o + 1, s.buyer + 1, s.query, timestamp(s.searchedAt)];
  },
};

export const recommendationLogsSeed: CopySeed = {
  kind: 'copy',
  table: recommendationLogs,
  columns: ['region', 'id', 'user_id', 'product_id', 'source', 'score', 'position', 'shown_at', 'clicked', 'converted_order_id', 'converted_order_created_at'],
  expected: (w) => Math.round(w.layout.total('users') * 2.8 + (w.layout.total('orders') * SEARCHED_ORDERS_PERCENT * CONVERTING_SEARCHES_PERCENT) / 10_000),
  *rows(w: World) {
    const r = w.random;
    const until = w.options.until;
    for (const s of searches(w)) {
      const shownAt = Math.min(s.at + MINUTE_MS * (1 + r.below(30, S.Recommendation, s.id)), until);
      const score = (0.5 + 0.5 * r.float(S.Recommendation, s.id, 1)).toFixed(4);
      yield [s.region, s.u * 8 + s.k + 1, s.u + 1, s.product + 1, 'search_history', score, 1 + s.k, timestamp(shownAt), r.below(100, S.Recommendation, s.id, 2) < 12, null, null];
      if (s.k === 0 && r.below(3, S.Recommendation, s.u, 3) === 0) {
        const trending = w.activeProductIn(s.region, shownAt, S.Recommendation, s.u, 4);
        yield [s.region, s.u * 8 + 7, s.u + 1, trending + 1, 'trending', (0.3 + 0.4 * r.float(S.Recommendation, s.u, 5)).toFixed(4), 1, timestamp(shownAt), false, null, null];
      }
    }
    // Recommendations that converted: shown right after the search that led to order o, clicked,
    // and recording o (bought after it was shown). Ids past the users' (8 a user), one per order index.
    const base = w.layout.total('users') * 8;
    for (let o = 0; o < w.layout.total('orders'); o++) {
      // Decided first: the order's search is computed only for the orders a recommendation converted.
      if (r.below(100, S.Story, o, 3) >= CONVERTING_SEARCHES_PERCENT) continue;
      const s = storySearch(w, o);
      if (!s) continue;
      const shownAt = s.searchedAt + Math.floor((s.at - s.searchedAt) * (0.1 + 0.3 * r.float(S.Story, s.o, 4)));
      const score = (0.8 + 0.2 * r.float(S.Story, s.o, 5)).toFixed(4);
      yield [s.region, base + s.o + 1, s.buyer + 1, s.product + 1, 'search_history', score, 1, timestamp(shownAt), true, w.orderId(s.o), timestamp(s.at)];
    }
  },
};

export const recommendationsSeeds = [userSearchHistorySeed, recommendationLogsSeed];

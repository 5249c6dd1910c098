/**
 * Seeds component 10: searches, and the recommendations they led to. A search is what a buyer
 * types to find a product (its noun and brand); the recommendation shows that product, so every
 * log relates to the user's searches; a few more show the region's trending products.
 */
import { recommendationLogs, userSearchHistory } from '../schema/index.ts';
import { range, type CopySeed } from './table-seed.ts';
import { MINUTE_MS, S, timestamp, type World } from './world.ts';

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
  expected: (w) => Math.round(w.layout.total('users') * 2.5),
  *rows(w: World) {
    for (const s of searches(w)) yield [s.region, s.id, s.u + 1, s.query, timestamp(s.at)];
  },
};

export const recommendationLogsSeed: CopySeed = {
  kind: 'copy',
  table: recommendationLogs,
  columns: ['region', 'id', 'user_id', 'product_id', 'source', 'score', 'position', 'shown_at', 'clicked', 'converted_order_id', 'converted_order_created_at'],
  expected: (w) => Math.round(w.layout.total('users') * 2.8),
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
  },
};

export const recommendationsSeeds = [userSearchHistorySeed, recommendationLogsSeed];

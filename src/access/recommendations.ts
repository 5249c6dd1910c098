/**
 * Recommendations: a buyer's searches are recorded; recommendations come from the buyer's last
 * searches (full-text, as search does) and, to fill the list, from what sells most in the site
 * (the BI view of the last 30 days' top products).
 */
import { and, asc, desc, eq, gt, max, notInArray, sql } from 'drizzle-orm';
import { products, searchConfig, topProducts30d, userSearchHistory } from '../../schema/index.ts';
import type { SiteId } from '../../schema/values.ts';
import { quoteQualified } from '../ident.ts';
import type { AccessDb } from './db.ts';
import { id, int, site, text } from './guard.ts';
import { discountedPrice, requireActiveUser } from './shared.ts';

export interface SearchRecordParams {
  readonly region: SiteId;
  readonly userId: number;
  /** What the user typed. */
  readonly query: string;
}

/** Record a search of a signed-in user, for their recommendations and the search analytics. */
export async function recordSearch(db: AccessDb, params: SearchRecordParams): Promise<{ searchId: number }> {
  const region = site(params.region);
  const userId = id('userId', params.userId);
  const queryText = text('query', params.query, 1, 200);
  return db.transaction(async (tx) => {
    await requireActiveUser(tx, region, userId, 'search');
    const [row] = await tx.insert(userSearchHistory).values({ region, userId, queryText }).returning({ id: userSearchHistory.id });
    return { searchId: row!.id };
  });
}

export interface Recommendation {
  readonly productId: number;
  readonly title: string;
  readonly finalPrice: string;
  readonly currency: string;
  /** Why it is shown: it matches a recent search, or it sells well in the site. */
  readonly source: 'search_history' | 'trending';
  /** Relevance, 0 to 1. */
  readonly score: number;
}

/** How many recent searches a recommendation draws on. */
const RECENT_SEARCHES = 5;

/**
 * Products for a user: active, in stock, matching their last searches first (most relevant
 * first), then the site's best sellers of the last 30 days.
 */
export async function recommendProducts(db: AccessDb, params: { readonly region: SiteId; readonly userId: number; readonly limit?: number }): Promise<Recommendation[]> {
  const region = site(params.region);
  const userId = id('userId', params.userId);
  const limit = int('limit', params.limit ?? 10, 1, 50);
  const recent = await db
    .select({ queryText: userSearchHistory.queryText })
    .from(userSearchHistory)
    .where(and(eq(userSearchHistory.region, region), eq(userSearchHistory.userId, userId)))
    .groupBy(userSearchHistory.queryText)
    .orderBy(desc(max(userSearchHistory.searchedAt)))
    .limit(RECENT_SEARCHES);
  const available = and(eq(products.region, region), eq(products.status, 'active'), gt(products.stock, 0));
  const out: Recommendation[] = [];
  if (recent.length > 0) {
    // One web-search expression: any of the searches.
    const query = sql`websearch_to_tsquery(${searchConfig(region)}::regconfig, ${recent.map((r) => r.queryText).join(' or ')})`;
    // ts_rank normalised to [0, 1) (option 32: rank / (rank + 1)).
    const rank = sql<number>`ts_rank(${products.searchVector}, ${query}, 32)`.mapWith(Number);
    const matches = await db
      .select({ productId: products.id, title: products.title, finalPrice: discountedPrice(db, region), currency: products.currency, score: rank })
      .from(products)
      .where(and(available, sql`${products.searchVector} @@ ${query}`))
      .orderBy(desc(rank), asc(products.id))
      .limit(limit);
    out.push(...matches.map((m) => ({ ...m, source: 'search_history' as const })));
  }
  if (out.length < limit) {
    const top = sql.raw(quoteQualified(topProducts30d.schema, topProducts30d.name));
    const rank = sql<number>`t.rank`;
    const trending = await db
      .select({ productId: products.id, title: products.title, finalPrice: discountedPrice(db, region), currency: products.currency, score: sql<number>`1.0 / ${rank}`.mapWith(Number) })
      .from(sql`${top} AS t`)
      .innerJoin(products, and(eq(products.region, sql`t.region`), eq(products.id, sql`t.product_id`)))
      .where(and(sql`t.region = ${region}`, available, out.length > 0 ? notInArray(products.id, out.map((o) => o.productId)) : undefined))
      .orderBy(rank, asc(products.id))
      .limit(limit - out.length);
    out.push(...trending.map((t) => ({ ...t, source: 'trending' as const })));
  }
  return out;
}

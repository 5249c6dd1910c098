/** Seeds component 8: campaigns for one store in five; ads for a few products of each, derived in SQL. */
import { ads, campaigns } from '../schema/index.ts';
import { currencyOf } from '../schema/values.ts';
import { range, type CopySeed, type SqlSeed } from './table-seed.ts';
import { CAMPAIGN_NAMES, LEAVES } from './text.ts';
import { DAY, S, money, timestamp, type World } from './world.ts';

const hasCampaign = (w: World, s: number) => w.random.below(5, S.Campaign, s) === 0;

export const campaignsSeed: CopySeed = {
  kind: 'copy',
  table: campaigns,
  columns: ['region', 'id', 'store_id', 'name', 'starts_at', 'ends_at', 'status', 'target_keywords', 'budget', 'currency', 'created_at'],
  expected: (w) => Math.round(w.layout.total('stores') / 5),
  *rows(w: World) {
    const r = w.random;
    for (const s of range(w.layout.total('stores'))) {
      if (!hasCampaign(w, s)) continue;
      const region = w.storeRegion(s);
      const language = w.language(region);
      const startsAt = w.windowStart + r.below((w.options.windowDays - 1) * DAY, S.Campaign, s, 1);
      const endsAt = startsAt + (7 + r.below(24, S.Campaign, s, 2)) * DAY;
      const leaf = LEAVES[r.below(LEAVES.length, S.Campaign, s, 3)]!;
      const status = endsAt <= w.options.until ? 'finished' : r.below(10, S.Campaign, s, 4) === 0 ? 'paused' : 'active';
      const budgetCents = Math.round((200 + r.below(20, S.Campaign, s, 5) * 100) * w.profile(region).usdRate) * 100;
      yield [
        region, s + 1, s + 1, `${r.pick(CAMPAIGN_NAMES[language], S.Campaign, s, 6)} ${new Date(startsAt).getUTCFullYear()}`,
        timestamp(startsAt), timestamp(endsAt), status,
        `${r.pick(leaf.nouns[language], S.Campaign, s, 7)} ${r.pick(leaf.brands, S.Campaign, s, 8)}`.toLowerCase(),
        money(budgetCents), currencyOf(region), timestamp(startsAt - DAY),
      ];
    }
  },
};

export const adsSeed: SqlSeed = {
  kind: 'sql',
  table: ads,
  sql: () => `
-- Each campaign promotes one to three of its store's products (the store's oldest listings).
INSERT INTO marketing.ads (region, id, campaign_id, product_id, image_url, bid, currency, clicks, impressions, created_at)
SELECT c.region, row_number() OVER (ORDER BY c.region, c.id, p.id), c.id, p.id,
       'https://http2.mlstatic.com/D_NQ_NP_AD' || c.id || '-' || p.id || '-O.webp',
       round(greatest(p.price * 0.004, 0.10), 2), c.currency,
       (c.id * 7919 + p.id * 31) % 40000 * ((c.id + p.id) % 5 + 1) / 100, (c.id * 7919 + p.id * 31) % 40000, c.created_at
  FROM marketing.campaigns c
  JOIN (SELECT region, store_id, id, price, row_number() OVER (PARTITION BY region, store_id ORDER BY id) AS rn
          FROM product_catalog.products) p
    ON p.region = c.region AND p.store_id = c.store_id AND p.rn <= 1 + c.id % 3`,
};

export const marketingSeeds = [campaignsSeed, adsSeed];

/**
 * Seeds component 8: campaigns for one store in five, named after the site's sale event they run
 * around (Black Friday 2026 in late November, Hot Sale in May ...); ads for a few products of
 * each, derived in SQL, whose clicks never cost more than the campaign's budget, and the
 * campaign's keywords are what its first ad sells.
 */
import { ads, campaigns } from '../schema/index.ts';
import { currencyOf } from '../schema/values.ts';
import { range, type CopySeed, type SqlSeed } from './table-seed.ts';
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
      const { name, startsAt, endsAt } = w.campaign(s);
      const until = w.options.until;
      const status = endsAt <= until ? 'finished' : startsAt > until ? 'scheduled' : r.below(10, S.Campaign, s, 4) === 0 ? 'paused' : 'active';
      const budgetCents = Math.round((200 + r.below(20, S.Campaign, s, 5) * 100) * w.profile(region).usdRate) * 100;
      yield [
        region, s + 1, s + 1, name,
        timestamp(startsAt), timestamp(endsAt), status,
        // Replaced by what the campaign's first ad sells once the ads are derived (below).
        null,
        money(budgetCents), currencyOf(region), timestamp(Math.min(startsAt - (3 + r.below(20, S.Campaign, s, 6)) * DAY, until - DAY)),
      ];
    }
  },
};

export const adsSeed: SqlSeed = {
  kind: 'sql',
  table: ads,
  sql: () => `
-- Each campaign promotes one to three of its store's products (the store's oldest listings).
-- Clicks are capped so that clicks x bid stays within the campaign's budget shared by its ads;
-- the campaign's keywords become the title of its first ad (a data-modifying WITH runs once).
WITH picked AS (
  SELECT c.region, c.id AS campaign_id, c.currency, c.budget, c.created_at, p.id AS product_id, p.title, p.rn,
         round(greatest(p.price * 0.004, 0.10), 2) AS bid, 1 + c.id % 3 AS ads
    FROM marketing.campaigns c
    JOIN (SELECT region, store_id, id, price, title, row_number() OVER (PARTITION BY region, store_id ORDER BY id) AS rn
            FROM product_catalog.products) p
      ON p.region = c.region AND p.store_id = c.store_id AND p.rn <= 1 + c.id % 3
), keywords AS (
  UPDATE marketing.campaigns c SET target_keywords = lower(k.title)
    FROM picked k WHERE k.region = c.region AND k.campaign_id = c.id AND k.rn = 1
  RETURNING c.id
)
INSERT INTO marketing.ads (region, id, campaign_id, product_id, image_url, bid, currency, clicks, impressions, created_at)
SELECT k.region, row_number() OVER (ORDER BY k.region, k.campaign_id, k.product_id), k.campaign_id, k.product_id,
       'https://http2.mlstatic.com/D_NQ_NP_AD' || k.campaign_id || '-' || k.product_id || '-O.webp',
       k.bid, k.currency,
       least((k.campaign_id * 7919 + k.product_id * 31) % 40000 * ((k.campaign_id + k.product_id) % 5 + 1) / 100,
             floor(k.budget / (k.bid * k.ads))::int),
       (k.campaign_id * 7919 + k.product_id * 31) % 40000, k.created_at
  FROM picked k`,
};

export const marketingSeeds = [campaignsSeed, adsSeed];

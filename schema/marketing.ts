/** Component 8, Marketing: stores' campaigns and the ads they buy. */
import { bigint, pgSchema, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { amount, at, createdAt, currency, currencyOfRegion, id, money, ref, references, region, rule, siteRule } from './columns.ts';
import { describe, type Component } from './component.ts';
import { products } from './product-catalog.ts';
import { stores } from './seller-management.ts';
import { CAMPAIGN_STATUSES } from './values.ts';

export const marketing = pgSchema('marketing');
export const campaignStatus = marketing.enum('campaign_status', CAMPAIGN_STATUSES);

/** A store's advertising campaign over a period and a budget. */
export const campaigns = marketing.table(
  'campaigns',
  {
    region: region(),
    id: id(),
    storeId: ref('store_id').notNull(),
    name: text('name').notNull(),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    status: campaignStatus('status').notNull().default('draft'),
    targetKeywords: text('target_keywords'),
    budget: money('budget').notNull(),
    currency: currency(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'campaigns_pkey', columns: [t.region, t.id] }),
    siteRule('campaigns'),
    unique('campaigns_region_store_id_name_key').on(t.region, t.storeId, t.name),
    ...references('campaigns', [t.region, t.storeId], [stores.region, stores.id], 'cascade', { covered: true }),
    rule('campaigns', 'period', `starts_at < ends_at`),
    rule('campaigns', 'name', `length(btrim(name)) > 0`),
    amount('campaigns', 'budget', { orZero: true }),
    currencyOfRegion('campaigns'),
  ],
);

/** A product promoted by a campaign, with its bid and counters. */
export const ads = marketing.table(
  'ads',
  {
    region: region(),
    id: id(),
    campaignId: ref('campaign_id').notNull(),
    productId: ref('product_id').notNull(),
    imageUrl: text('image_url').notNull(),
    bid: money('bid').notNull(),
    currency: currency(),
    clicks: bigint('clicks', { mode: 'number' }).notNull().default(0),
    impressions: bigint('impressions', { mode: 'number' }).notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'ads_pkey', columns: [t.region, t.id] }),
    siteRule('ads'),
    unique('ads_region_campaign_id_product_id_key').on(t.region, t.campaignId, t.productId),
    ...references('ads', [t.region, t.campaignId], [campaigns.region, campaigns.id], 'cascade', { covered: true }),
    ...references('ads', [t.region, t.productId], [products.region, products.id], 'cascade'),
    rule('ads', 'image_url', `image_url ~ '^https://'`),
    amount('ads', 'bid'),
    currencyOfRegion('ads'),
    rule('ads', 'counters', `clicks >= 0 AND impressions >= 0 AND clicks <= impressions`),
  ],
);

export const marketingComponent: Component = {
  schema: marketing,
  title: 'Marketing',
  comment: 'Advertising campaigns of stores and their ads.',
  tables: [
    describe(campaigns, 'An advertising campaign of a store over a period, with a budget.', {
      region: 'Site of the campaign; equals the site of its store.',
      id: 'Surrogate key, unique within the region.',
      storeId: 'The store that runs the campaign.',
      name: 'Campaign name, unique within the store.',
      startsAt: 'Start of the campaign (inclusive).',
      endsAt: 'End of the campaign (exclusive); after the start.',
      status: 'draft, scheduled, active, paused or finished.',
      targetKeywords: 'One search expression (web-search syntax) matched against buyers\' searches: a single value, not a list.',
      budget: 'Total amount the store will spend, in the site currency.',
      currency: 'ISO 4217 currency of the site.',
      createdAt: 'When the campaign was created.',
    }),
    describe(ads, 'A product promoted by a campaign (one ad per product per campaign), with its bid and metrics.', {
      region: 'Site of the ad; equals the site of its campaign and product.',
      id: 'Surrogate key, unique within the region.',
      campaignId: 'The campaign that pays for the ad.',
      productId: 'The product promoted.',
      imageUrl: 'HTTPS address of the creative.',
      bid: 'Cost-per-click bid, in the site currency.',
      currency: 'ISO 4217 currency of the site.',
      clicks: 'Clicks so far; never more than impressions.',
      impressions: 'Times the ad was shown.',
      createdAt: 'When the ad was created.',
    }),
  ],
};

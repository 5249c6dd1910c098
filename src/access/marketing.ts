/**
 * Marketing: campaigns of a store and the ads that promote its products, their counters, and
 * how a campaign performed. A campaign is run by its store's owner or by a marketing specialist
 * of the site. (Coupons are the order component's: see createCoupon in order-processing.ts.)
 */
import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { ads, campaigns, orderDetails, orders, products, stores } from '../../schema/index.ts';
import type { CAMPAIGN_STATUSES, SiteId } from '../../schema/values.ts';
import type { AccessDb } from './db.ts';
import { cents, centsOf, currencyOf, date, decimal, id, int, optionalText, refuse, site, text } from './guard.ts';
import { ORDER_STATUS } from './reference.ts';
import { requireActiveUser } from './shared.ts';

/** E_ACCESS_FORBIDDEN unless `actorId` owns the store or is one of the site's marketing specialists. */
async function requireCampaignActor(tx: AccessDb, region: SiteId, actorId: number, storeId: number): Promise<void> {
  const [store] = await tx.select({ owner: stores.ownerUserId }).from(stores).where(and(eq(stores.region, region), eq(stores.id, storeId)));
  if (!store) throw refuse('E_ACCESS_NOT_FOUND', `no store ${storeId} in ${region}`, 'check the store id and the site', { region, storeId });
  if (store.owner !== actorId) await requireActiveUser(tx, region, actorId, `run store ${storeId}'s campaigns`, ['marketing_specialist']);
}

/** The campaign's store, once the actor may act on it. */
async function campaignStore(tx: AccessDb, region: SiteId, actorId: number, campaignId: number) {
  const [campaign] = await tx
    .select({ storeId: campaigns.storeId, startsAt: campaigns.startsAt, endsAt: campaigns.endsAt, budget: campaigns.budget, name: campaigns.name, status: campaigns.status })
    .from(campaigns)
    .where(and(eq(campaigns.region, region), eq(campaigns.id, campaignId)));
  if (!campaign) throw refuse('E_ACCESS_NOT_FOUND', `no campaign ${campaignId} in ${region}`, 'check the campaign id and the site', { region, campaignId });
  await requireCampaignActor(tx, region, actorId, campaign.storeId);
  return campaign;
}

export interface CampaignParams {
  readonly region: SiteId;
  readonly actorId: number;
  readonly storeId: number;
  /** Unique within the store. */
  readonly name: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly budget: string | number;
  /** One search expression matched against buyers' searches. */
  readonly targetKeywords?: string;
}

/** Create a campaign: scheduled if it starts later, active if it has started. */
export async function createCampaign(db: AccessDb, params: CampaignParams): Promise<{ campaignId: number; status: (typeof CAMPAIGN_STATUSES)[number] }> {
  const region = site(params.region);
  const actorId = id('actorId', params.actorId);
  const storeId = id('storeId', params.storeId);
  const name = text('name', params.name, 1, 200);
  const startsAt = date('startsAt', params.startsAt);
  const endsAt = date('endsAt', params.endsAt);
  if (startsAt >= endsAt) throw refuse('E_ACCESS_INVALID', 'endsAt is not after startsAt', 'end the campaign after it starts', { param: 'endsAt' });
  if (endsAt.getTime() <= Date.now()) throw refuse('E_ACCESS_INVALID', 'endsAt is in the past', 'plan a campaign that has not ended', { param: 'endsAt' });
  const budget = decimal(cents('budget', params.budget, { orZero: true }));
  const targetKeywords = optionalText('targetKeywords', params.targetKeywords, 1, 200);
  const status = startsAt.getTime() > Date.now() ? 'scheduled' : 'active';
  return db.transaction(async (tx) => {
    await requireCampaignActor(tx, region, actorId, storeId);
    const [row] = await tx
      .insert(campaigns)
      .values({ region, storeId, name, startsAt, endsAt, status, targetKeywords, budget, currency: currencyOf(region) })
      .onConflictDoNothing({ target: [campaigns.region, campaigns.storeId, campaigns.name] })
      .returning({ id: campaigns.id });
    if (!row) throw refuse('E_ACCESS_CONFLICT', `store ${storeId} already has a campaign named "${name}"`, 'choose another name', { region, storeId, name });
    return { campaignId: row.id, status };
  });
}

export interface AdParams {
  readonly region: SiteId;
  readonly actorId: number;
  readonly campaignId: number;
  /** A product of the campaign's store. */
  readonly productId: number;
  readonly imageUrl: string;
  /** Cost per click, in the site's currency. */
  readonly bid: string | number;
}

/** Promote a product of the campaign's store. One ad per product per campaign. */
export async function createAd(db: AccessDb, params: AdParams): Promise<{ adId: number }> {
  const region = site(params.region);
  const actorId = id('actorId', params.actorId);
  const campaignId = id('campaignId', params.campaignId);
  const productId = id('productId', params.productId);
  const imageUrl = text('imageUrl', params.imageUrl, 9, 2000);
  if (!imageUrl.startsWith('https://')) throw refuse('E_ACCESS_INVALID', 'imageUrl: not an https:// address', 'serve the creative over HTTPS', { param: 'imageUrl' });
  const bid = decimal(cents('bid', params.bid));
  return db.transaction(async (tx) => {
    const campaign = await campaignStore(tx, region, actorId, campaignId);
    const [product] = await tx.select({ storeId: products.storeId }).from(products).where(and(eq(products.region, region), eq(products.id, productId)));
    if (!product) throw refuse('E_ACCESS_NOT_FOUND', `no product ${productId} in ${region}`, 'check the product id', { region, productId });
    if (product.storeId !== campaign.storeId) {
      throw refuse('E_ACCESS_FORBIDDEN', `product ${productId} is not sold by store ${campaign.storeId}`, 'promote the campaign store\'s own products', { region, productId, campaignId });
    }
    const [row] = await tx
      .insert(ads)
      .values({ region, campaignId, productId, imageUrl, bid, currency: currencyOf(region) })
      .onConflictDoNothing({ target: [ads.region, ads.campaignId, ads.productId] })
      .returning({ id: ads.id });
    if (!row) throw refuse('E_ACCESS_CONFLICT', `campaign ${campaignId} already promotes product ${productId}`, 'change that ad instead', { region, campaignId, productId });
    return { adId: row.id };
  });
}

export interface AdEventsParams {
  readonly region: SiteId;
  readonly adId: number;
  /** Times shown since the last report. */
  readonly impressions: number;
  /** Clicks since the last report; never more than the impressions in total. */
  readonly clicks: number;
}

/** Add to an ad's counters (as the ad server reports them). */
export async function recordAdEvents(db: AccessDb, params: AdEventsParams): Promise<{ impressions: number; clicks: number }> {
  const region = site(params.region);
  const adId = id('adId', params.adId);
  const impressions = int('impressions', params.impressions, 0, 1_000_000_000);
  const clicks = int('clicks', params.clicks, 0, 1_000_000_000);
  // One conditional UPDATE: concurrent reports add up, and clicks never overtake impressions.
  const [row] = await db
    .update(ads)
    .set({ impressions: sql`${ads.impressions} + ${impressions}::bigint`, clicks: sql`${ads.clicks} + ${clicks}::bigint` })
    .where(and(eq(ads.region, region), eq(ads.id, adId), sql`${ads.clicks} + ${clicks}::bigint <= ${ads.impressions} + ${impressions}::bigint`))
    .returning({ impressions: ads.impressions, clicks: ads.clicks });
  if (row) return row;
  const [ad] = await db.select({ id: ads.id }).from(ads).where(and(eq(ads.region, region), eq(ads.id, adId)));
  if (!ad) throw refuse('E_ACCESS_NOT_FOUND', `no ad ${adId} in ${region}`, 'check the ad id and the site', { region, adId });
  throw refuse('E_ACCESS_INVALID', `ad ${adId} would have more clicks than impressions`, 'report the impressions with their clicks', { param: 'clicks' });
}

export interface AdPerformance {
  readonly adId: number;
  readonly productId: number;
  readonly impressions: number;
  readonly clicks: number;
  /** clicks / impressions, 4 decimals; null without impressions. */
  readonly clickThrough: string | null;
  /** Orders (not cancelled) holding the product, placed during the campaign. */
  readonly conversions: number;
  readonly units: number;
  readonly revenue: string;
  /** clicks × bid. */
  readonly spend: string;
}

export interface CampaignPerformance {
  readonly campaignId: number;
  readonly name: string;
  readonly status: (typeof CAMPAIGN_STATUSES)[number];
  readonly budget: string;
  readonly currency: string;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly revenue: string;
  readonly spend: string;
  readonly ads: readonly AdPerformance[];
}

/**
 * Impressions, clicks and conversions of a campaign, per ad and in total. A conversion is an
 * order (not cancelled) holding the ad's product, placed while the campaign ran: the order
 * history knows no clicks, so the campaign's window is the attribution.
 */
export async function campaignPerformance(db: AccessDb, params: { readonly region: SiteId; readonly actorId: number; readonly campaignId: number }): Promise<CampaignPerformance> {
  const region = site(params.region);
  const actorId = id('actorId', params.actorId);
  const campaignId = id('campaignId', params.campaignId);
  const campaign = await campaignStore(db, region, actorId, campaignId);
  const adRows = await db
    .select({ adId: ads.id, productId: ads.productId, impressions: ads.impressions, clicks: ads.clicks, bid: ads.bid })
    .from(ads)
    .where(and(eq(ads.region, region), eq(ads.campaignId, campaignId)))
    .orderBy(asc(ads.id));
  const sold = adRows.length === 0
    ? []
    : await db
        .select({
          productId: orderDetails.productId,
          conversions: sql<number>`count(*)`.mapWith(Number),
          units: sql<number>`sum(${orderDetails.quantity})`.mapWith(Number),
          revenue: sql<string>`sum(${orderDetails.quantity} * ${orderDetails.unitPrice})::text`,
        })
        .from(orderDetails)
        .innerJoin(orders, and(eq(orders.region, orderDetails.region), eq(orders.id, orderDetails.orderId), eq(orders.createdAt, orderDetails.orderCreatedAt)))
        .where(
          and(
            eq(orderDetails.region, region),
            inArray(orderDetails.productId, adRows.map((a) => a.productId)),
            gte(orderDetails.orderCreatedAt, campaign.startsAt),
            lt(orderDetails.orderCreatedAt, campaign.endsAt),
            gte(orders.createdAt, campaign.startsAt),
            lt(orders.createdAt, campaign.endsAt),
            sql`${orders.statusId} <> ${ORDER_STATUS.cancelled}`,
          ),
        )
        .groupBy(orderDetails.productId);
  const perAd = adRows.map((a): AdPerformance => {
    const s = sold.find((x) => x.productId === a.productId);
    return {
      adId: a.adId,
      productId: a.productId,
      impressions: a.impressions,
      clicks: a.clicks,
      clickThrough: a.impressions === 0 ? null : (a.clicks / a.impressions).toFixed(4),
      conversions: s?.conversions ?? 0,
      units: s?.units ?? 0,
      revenue: decimal(centsOf(s?.revenue ?? '0')),
      spend: decimal(BigInt(a.clicks) * centsOf(a.bid)),
    };
  });
  const sum = (f: (a: AdPerformance) => number) => perAd.reduce((n, a) => n + f(a), 0);
  const sumMoney = (f: (a: AdPerformance) => string) => decimal(perAd.reduce((n, a) => n + centsOf(f(a)), 0n));
  return {
    campaignId,
    name: campaign.name,
    status: campaign.status,
    budget: campaign.budget,
    currency: currencyOf(region),
    impressions: sum((a) => a.impressions),
    clicks: sum((a) => a.clicks),
    conversions: sum((a) => a.conversions),
    revenue: sumMoney((a) => a.revenue),
    spend: sumMoney((a) => a.spend),
    ads: perAd,
  };
}

/**
 * The seller's, the marketing specialist's and the BI analyst's operations on a real database (a
 * PostgreSQL server, the same partitioned by site and month, and PGlite): each does what it says
 * and refuses bad input with its E_ACCESS_* code. At the end the data rules of `verify` hold
 * over everything written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDiscount,
  answerQuestion,
  askQuestion,
  cancelOrder,
  campaignPerformance,
  createAd,
  createCampaign,
  createCoupon,
  deliverOrder,
  deliveryTimes,
  lowStockAlerts,
  openStore,
  payOrder,
  placeOrder,
  productPage,
  publishListing,
  recordAdEvents,
  recordSearch,
  refreshBiViews,
  registerUser,
  searchConversion,
  searchProducts,
  shipOrder,
  storeSalesRanking,
  storeSalesRankingQuery,
  storeSalesReport,
  topProducts,
  topProductsQuery,
  trackOrder,
  updateListing,
  type PlacedOrder,
} from '../../src/access/index.ts';
import { DATA_RULES } from '../../src/verify/data-rules.ts';
import { runRules } from '../../src/verify/run.ts';
import { explainPlan, openTarget, type Target, type TargetKind } from './targets.ts';
import { HASH, makeWorld, productRow, refused, type World } from './world.ts';

const KINDS: TargetKind[] = ['server', 'partitioned', 'pglite'];
const DAY = 86_400_000;

describe.each(KINDS)('seller, marketing and BI operations on %s', (kind) => {
  let t: Target;
  let w: World;
  beforeAll(async () => {
    t = await openTarget(kind, 'access_seller');
    w = await makeWorld(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const paid = async (buyerId: number, lines: { productId: number; quantity: number }[]): Promise<PlacedOrder> => {
    const order = await placeOrder(t.db, { region: w.region, buyerId, lines });
    await payOrder(t.db, { region: w.region, buyerId, order, payments: [{ method: 'credit_card', amount: order.total, outcome: 'approved' }] });
    return order;
  };

  describe('openStore / publishListing / updateListing', () => {
    it('a seller opens a store; a buyer cannot, and a name is unique in the site', async () => {
      const { storeId } = await openStore(t.db, { region: w.region, sellerId: w.seller, name: `Segunda ${w.tag}` });
      expect(storeId).toBeGreaterThan(0);
      await refused(openStore(t.db, { region: w.region, sellerId: w.buyer, name: `Compradora ${w.tag}` }), 'E_ACCESS_FORBIDDEN');
      await refused(openStore(t.db, { region: w.region, sellerId: w.seller2, name: `Segunda ${w.tag}` }), 'E_ACCESS_CONFLICT');
    });

    it('publishes in the site\'s currency, searchable at once; refuses another seller\'s store, a category with subcategories, a bad price', async () => {
      const base = { region: w.region, sellerId: w.seller, storeId: w.store, categoryId: w.category, title: 'Funda de silicona para Galaxy A15', description: 'Funda flexible.', price: '15.50', stock: 40 };
      const { productId } = await publishListing(t.db, base);
      const [row] = await t.query<{ currency: string; price: string }>(`select currency, price::text as price from product_catalog.products where region = $1 and id = $2`, [w.region, productId]);
      expect(row).toEqual({ currency: 'ARS', price: '15.50' });
      expect((await searchProducts(t.db, { region: w.region, words: 'fundas de silicona' })).map((h) => h.productId)).toEqual([productId]);
      await refused(publishListing(t.db, { ...base, sellerId: w.seller2 }), 'E_ACCESS_FORBIDDEN');
      await refused(publishListing(t.db, { ...base, categoryId: w.topCategory }), 'E_ACCESS_INVALID');
      await refused(publishListing(t.db, { ...base, categoryId: 999_999 }), 'E_ACCESS_NOT_FOUND');
      await refused(publishListing(t.db, { ...base, price: '0' }), 'E_ACCESS_INVALID');
      await refused(publishListing(t.db, { ...base, price: '1.005' }), 'E_ACCESS_INVALID');
      await refused(publishListing(t.db, { ...base, stock: -1 }), 'E_ACCESS_INVALID');
    });

    it('changes price (marking when), sets and adds stock, pauses and resumes; a paused listing cannot be bought', async () => {
      const changed = await updateListing(t.db, { region: w.region, sellerId: w.seller, productId: w.charger, price: '85.00' });
      expect(changed).toMatchObject({ price: '85.00', stock: 100, status: 'active' });
      const [marked] = await t.query<{ changed: boolean }>(`select price_changed_at is not null as changed from product_catalog.products where region = $1 and id = $2`, [w.region, w.charger]);
      expect(marked!.changed).toBe(true);
      expect((await updateListing(t.db, { region: w.region, sellerId: w.seller, productId: w.charger, stock: 50 })).stock).toBe(50);
      expect((await updateListing(t.db, { region: w.region, sellerId: w.seller, productId: w.charger, restock: 7 })).stock).toBe(57);
      await updateListing(t.db, { region: w.region, sellerId: w.seller, productId: w.charger, status: 'paused' });
      await refused(placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] }), 'E_ACCESS_STATE');
      await updateListing(t.db, { region: w.region, sellerId: w.seller, productId: w.charger, status: 'active' });
      const order = await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] });
      expect(order.lines[0]!.unitPrice).toBe('85.00');
    });

    it('refuses a seller updating another store\'s listing, a closed listing, nothing to change, and stock with restock', async () => {
      const before = await productRow(t, w.region, w.headset);
      await refused(updateListing(t.db, { region: w.region, sellerId: w.seller, productId: w.headset, price: '1.00' }), 'E_ACCESS_FORBIDDEN');
      expect(await productRow(t, w.region, w.headset)).toEqual(before);
      await refused(updateListing(t.db, { region: w.region, sellerId: w.seller, productId: 999_999, price: '1.00' }), 'E_ACCESS_NOT_FOUND');
      await refused(updateListing(t.db, { region: w.region, sellerId: w.seller, productId: w.charger }), 'E_ACCESS_INVALID');
      await refused(updateListing(t.db, { region: w.region, sellerId: w.seller, productId: w.charger, stock: 1, restock: 1 }), 'E_ACCESS_INVALID');
      await refused(updateListing(t.db, { region: w.region, sellerId: w.seller, productId: w.charger, status: 'under_review' as never }), 'E_ACCESS_INVALID');
      const { productId } = await publishListing(t.db, { region: w.region, sellerId: w.seller, storeId: w.store, categoryId: w.category, title: 'Soporte de auto', description: '', price: 9, stock: 9 });
      await updateListing(t.db, { region: w.region, sellerId: w.seller, productId, status: 'closed' });
      await refused(updateListing(t.db, { region: w.region, sellerId: w.seller, productId, status: 'active' }), 'E_ACCESS_STATE');
    });
  });

  describe('low-stock alerts', () => {
    it('one alert per crossing of the threshold: raised by the sale that crosses it, kept by later sales, cleared by a restock, raised again', async () => {
      const alerts = () => lowStockAlerts(t.db, { region: w.region, sellerId: w.seller, storeId: w.store });
      const phoneAlert = async () => (await alerts()).find((a) => a.productId === w.phone);
      // The cable was published under its threshold: its alert is open from the start.
      expect((await alerts()).map((a) => a.productId)).toContain(w.cable);
      expect(await phoneAlert()).toBeUndefined();
      await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.phone, quantity: 7 }] }); // 10 -> 3
      expect(await phoneAlert()).toBeUndefined();
      await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.phone, quantity: 1 }] }); // 3 -> 2: crosses
      const first = await phoneAlert();
      expect(first).toMatchObject({ stock: 2, threshold: 2 });
      const last = await placeOrder(t.db, { region: w.region, buyerId: w.buyer2, lines: [{ productId: w.phone, quantity: 1 }] }); // 2 -> 1
      expect((await phoneAlert())!.since).toEqual(first!.since);
      await updateListing(t.db, { region: w.region, sellerId: w.seller, productId: w.phone, restock: 10 }); // 1 -> 11
      expect(await phoneAlert()).toBeUndefined();
      await updateListing(t.db, { region: w.region, sellerId: w.seller, productId: w.phone, lowStockThreshold: 20 }); // 11 <= 20
      const again = await phoneAlert();
      expect(again!.since.getTime()).toBeGreaterThan(first!.since.getTime());
      // A cancellation that gives units back above the threshold clears it too.
      await updateListing(t.db, { region: w.region, sellerId: w.seller, productId: w.phone, lowStockThreshold: 11 });
      expect(await phoneAlert()).toBeDefined();
      await cancelOrder(t.db, { region: w.region, buyerId: w.buyer2, order: last });
      expect(await phoneAlert()).toBeUndefined();
      await refused(lowStockAlerts(t.db, { region: w.region, sellerId: w.seller2, storeId: w.store }), 'E_ACCESS_FORBIDDEN');
    });
  });

  describe('addDiscount', () => {
    it('discounts from now until the end; refuses a start in the past, another store\'s product or campaign, 0 %', async () => {
      const { discountId } = await addDiscount(t.db, { region: w.region, sellerId: w.seller, productId: w.cable, percentage: 20, endsAt: new Date(Date.now() + DAY) });
      expect(discountId).toBeGreaterThan(0);
      expect((await productPage(t.db, { region: w.region, productId: w.cable })).finalPrice).toBe('40.00');
      const later = { region: w.region, sellerId: w.seller, productId: w.cable, percentage: 5, endsAt: new Date(Date.now() + 2 * DAY) };
      await refused(addDiscount(t.db, { ...later, startsAt: new Date(Date.now() - DAY) }), 'E_ACCESS_INVALID');
      await refused(addDiscount(t.db, { ...later, startsAt: new Date(Date.now() + 3 * DAY) }), 'E_ACCESS_INVALID');
      await refused(addDiscount(t.db, { ...later, percentage: 0 }), 'E_ACCESS_INVALID');
      await refused(addDiscount(t.db, { ...later, sellerId: w.seller2 }), 'E_ACCESS_FORBIDDEN');
      const { campaignId } = await createCampaign(t.db, { region: w.region, actorId: w.seller2, storeId: w.store2, name: `Ajena ${w.tag}`, startsAt: new Date(), endsAt: new Date(Date.now() + DAY), budget: '100' });
      await refused(addDiscount(t.db, { ...later, campaignId }), 'E_ACCESS_FORBIDDEN');
    });
  });

  describe('answerQuestion', () => {
    it('the listing\'s seller answers once; another seller is refused', async () => {
      const { questionId } = await askQuestion(t.db, { region: w.region, askerId: w.buyer, productId: w.phone, body: '¿Es liberado?' });
      await refused(answerQuestion(t.db, { region: w.region, sellerId: w.seller2, questionId, answer: 'Sí' }), 'E_ACCESS_FORBIDDEN');
      const { answeredAt } = await answerQuestion(t.db, { region: w.region, sellerId: w.seller, questionId, answer: 'Sí, de fábrica.' });
      expect(answeredAt).toBeInstanceOf(Date);
      expect((await productPage(t.db, { region: w.region, productId: w.phone })).questions[0]).toMatchObject({ question: '¿Es liberado?', answer: 'Sí, de fábrica.' });
      await refused(answerQuestion(t.db, { region: w.region, sellerId: w.seller, questionId, answer: 'Otra vez' }), 'E_ACCESS_STATE');
      await refused(answerQuestion(t.db, { region: w.region, sellerId: w.seller, questionId: 999_999, answer: 'x' }), 'E_ACCESS_NOT_FOUND');
    });
  });

  describe('shipOrder / deliverOrder', () => {
    it('ships a paid order and delivers it; the buyer sees both', async () => {
      const order = await paid(w.buyer, [{ productId: w.headset, quantity: 1 }]);
      await refused(shipOrder(t.db, { region: w.region, sellerId: w.seller, order, carrier: 'OCA', trackingNumber: `S${w.tag}1` }), 'E_ACCESS_FORBIDDEN');
      await shipOrder(t.db, { region: w.region, sellerId: w.seller2, order, carrier: 'OCA', trackingNumber: `S${w.tag}1` });
      expect((await trackOrder(t.db, { region: w.region, buyerId: w.buyer, order })).shipment).toMatchObject({ status: 'shipped', trackingNumber: `S${w.tag}1` });
      await deliverOrder(t.db, { region: w.region, sellerId: w.seller2, order });
      expect((await trackOrder(t.db, { region: w.region, buyerId: w.buyer, order })).status).toBe('delivered');
    });

    it('refuses to ship an unpaid order, a tracking number already used, and to deliver an order not shipped', async () => {
      const unpaid = await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.headset, quantity: 1 }] });
      await refused(shipOrder(t.db, { region: w.region, sellerId: w.seller2, order: unpaid, carrier: 'OCA', trackingNumber: `S${w.tag}2` }), 'E_ACCESS_STATE');
      const order = await paid(w.buyer, [{ productId: w.charger, quantity: 1 }]);
      await refused(deliverOrder(t.db, { region: w.region, sellerId: w.seller, order }), 'E_ACCESS_STATE');
      await refused(shipOrder(t.db, { region: w.region, sellerId: w.seller, order, carrier: 'OCA', trackingNumber: `S${w.tag}1` }), 'E_ACCESS_CONFLICT');
      await refused(shipOrder(t.db, { region: w.region, sellerId: w.seller, order, carrier: ' ', trackingNumber: `S${w.tag}3` }), 'E_ACCESS_INVALID');
    });
  });

  describe('storeSalesReport', () => {
    it('sums the store\'s paid lines per day and per product, not cancelled or unpaid ones', async () => {
      const seller = (await registerUser(t.db, { region: w.region, name: 'Iris', email: `iris.${w.tag}@example.com`, passwordHash: HASH, role: 'seller' })).userId;
      const { storeId } = await openStore(t.db, { region: w.region, sellerId: seller, name: `Reporte ${w.tag}` });
      const item = (title: string, price: string) => publishListing(t.db, { region: w.region, sellerId: seller, storeId, categoryId: w.category, title, description: '', price, stock: 50 }).then((r) => r.productId);
      const [a, b] = [await item('Mouse óptico', '10.00'), await item('Teclado mecánico', '30.00')];
      await paid(w.buyer, [{ productId: a, quantity: 3 }, { productId: b, quantity: 1 }, { productId: w.charger, quantity: 1 }]);
      await paid(w.buyer2, [{ productId: a, quantity: 1 }]);
      await placeOrder(t.db, { region: w.region, buyerId: w.buyer2, lines: [{ productId: b, quantity: 5 }] }); // not paid
      const report = await storeSalesReport(t.db, { region: w.region, sellerId: seller, storeId });
      expect(report).toMatchObject({ currency: 'ARS', orders: 2, units: 5, revenue: '70.00' });
      expect(report.days).toEqual([{ day: new Date().toISOString().slice(0, 10), orders: 2, units: 5, revenue: '70.00' }]);
      expect(report.topProducts).toEqual([
        { productId: a, title: 'Mouse óptico', units: 4, revenue: '40.00' },
        { productId: b, title: 'Teclado mecánico', units: 1, revenue: '30.00' },
      ]);
      const past = await storeSalesReport(t.db, { region: w.region, sellerId: seller, storeId, from: new Date(Date.now() - 10 * DAY), to: new Date(Date.now() - 5 * DAY) });
      expect(past).toMatchObject({ orders: 0, units: 0, revenue: '0.00', days: [], topProducts: [] });
      await refused(storeSalesReport(t.db, { region: w.region, sellerId: w.seller, storeId }), 'E_ACCESS_FORBIDDEN');
      await refused(storeSalesReport(t.db, { region: w.region, sellerId: seller, storeId, from: new Date(), to: new Date(Date.now() - DAY) }), 'E_ACCESS_INVALID');
    });
  });

  describe('marketing: campaigns, ads, coupons, performance', () => {
    it('the owner or a marketing specialist runs a campaign with ads; impressions, clicks and conversions add up', async () => {
      const { campaignId, status } = await createCampaign(t.db, {
        region: w.region,
        actorId: w.marketer,
        storeId: w.store,
        name: `Hot Sale ${w.tag}`,
        startsAt: new Date(Date.now() - 60_000),
        endsAt: new Date(Date.now() + 7 * DAY),
        budget: '5000',
        targetKeywords: 'cable usb',
      });
      expect(status).toBe('active');
      const { adId } = await createAd(t.db, { region: w.region, actorId: w.seller, campaignId, productId: w.cable, imageUrl: 'https://img.example.com/ad.jpg', bid: '0.50' });
      await recordAdEvents(t.db, { region: w.region, adId, impressions: 100, clicks: 7 });
      expect(await recordAdEvents(t.db, { region: w.region, adId, impressions: 20, clicks: 3 })).toEqual({ impressions: 120, clicks: 10 });
      await paid(w.buyer2, [{ productId: w.cable, quantity: 1 }]);
      const cancelled = await placeOrder(t.db, { region: w.region, buyerId: w.buyer2, lines: [{ productId: w.cable, quantity: 1 }] });
      await cancelOrder(t.db, { region: w.region, buyerId: w.buyer2, order: cancelled });
      const perf = await campaignPerformance(t.db, { region: w.region, actorId: w.marketer, campaignId });
      expect(perf).toMatchObject({ impressions: 120, clicks: 10, conversions: 1, spend: '5.00', budget: '5000.00', currency: 'ARS' });
      expect(perf.ads).toEqual([expect.objectContaining({ adId, productId: w.cable, clickThrough: '0.0833', conversions: 1, units: 1, revenue: '40.00', spend: '5.00' })]);
    });

    it('refuses a buyer running a campaign, an ad for another store\'s product, more clicks than impressions, a duplicate name', async () => {
      const base = { region: w.region, storeId: w.store, name: `Cyber ${w.tag}`, startsAt: new Date(), endsAt: new Date(Date.now() + DAY), budget: 10 };
      await refused(createCampaign(t.db, { ...base, actorId: w.buyer }), 'E_ACCESS_FORBIDDEN');
      await refused(createCampaign(t.db, { ...base, actorId: w.seller2 }), 'E_ACCESS_FORBIDDEN');
      await refused(createCampaign(t.db, { ...base, actorId: w.seller, endsAt: base.startsAt }), 'E_ACCESS_INVALID');
      const { campaignId } = await createCampaign(t.db, { ...base, actorId: w.seller });
      await refused(createCampaign(t.db, { ...base, actorId: w.seller }), 'E_ACCESS_CONFLICT');
      await refused(createAd(t.db, { region: w.region, actorId: w.seller, campaignId, productId: w.headset, imageUrl: 'https://img.example.com/x.jpg', bid: 1 }), 'E_ACCESS_FORBIDDEN');
      await refused(createAd(t.db, { region: w.region, actorId: w.seller, campaignId, productId: w.phone, imageUrl: 'http://img.example.com/x.jpg', bid: 1 }), 'E_ACCESS_INVALID');
      const { adId } = await createAd(t.db, { region: w.region, actorId: w.seller, campaignId, productId: w.phone, imageUrl: 'https://img.example.com/x.jpg', bid: 1 });
      await refused(recordAdEvents(t.db, { region: w.region, adId, impressions: 1, clicks: 2 }), 'E_ACCESS_INVALID');
      await refused(recordAdEvents(t.db, { region: w.region, adId: 999_999, impressions: 1, clicks: 0 }), 'E_ACCESS_NOT_FOUND');
      await refused(campaignPerformance(t.db, { region: w.region, actorId: w.buyer, campaignId }), 'E_ACCESS_FORBIDDEN');
    });

    it('coupons: a marketing specialist creates them; a seller cannot; one kind, a code unique in the site', async () => {
      const base = { region: w.region, actorId: w.marketer, code: `NAVIDAD-${w.tag}`, percentage: 15, maxUses: 100, expiresAt: new Date(Date.now() + DAY) };
      const { couponId } = await createCoupon(t.db, base);
      expect(couponId).toBeGreaterThan(0);
      await refused(createCoupon(t.db, base), 'E_ACCESS_CONFLICT');
      await refused(createCoupon(t.db, { ...base, code: `X-${w.tag}`, actorId: w.seller }), 'E_ACCESS_FORBIDDEN');
      await refused(createCoupon(t.db, { ...base, code: `X-${w.tag}`, fixedAmount: '10.00' }), 'E_ACCESS_INVALID');
      await refused(createCoupon(t.db, { ...base, code: `X-${w.tag}`, expiresAt: new Date(Date.now() - DAY) }), 'E_ACCESS_INVALID');
      await refused(createCoupon(t.db, { ...base, code: 'a b' }), 'E_ACCESS_INVALID');
    });
  });

  describe('BI reports', () => {
    it('after a refresh the views rank stores and products, bucket deliveries and convert searches, and equal the live queries', async () => {
      // A fresh site of its own, so the figures are exactly this test's.
      const m = await makeWorld(t, 'MLB');
      const order = await placeOrder(t.db, { region: 'MLB', buyerId: m.buyer, lines: [{ productId: m.phone, quantity: 1 }, { productId: m.charger, quantity: 3 }] });
      await payOrder(t.db, { region: 'MLB', buyerId: m.buyer, order, payments: [{ method: 'bank_transfer', amount: order.total, outcome: 'approved' }] });
      await shipOrder(t.db, { region: 'MLB', sellerId: m.seller, order, carrier: 'Correios', trackingNumber: `BR${m.tag}` });
      await deliverOrder(t.db, { region: 'MLB', sellerId: m.seller, order });
      const other = await placeOrder(t.db, { region: 'MLB', buyerId: m.buyer2, lines: [{ productId: m.headset, quantity: 1 }] });
      await payOrder(t.db, { region: 'MLB', buyerId: m.buyer2, order: other, payments: [{ method: 'wallet', amount: other.total, outcome: 'approved' }] });
      await recordSearch(t.db, { region: 'MLB', userId: m.buyer2, query: 'fones' });
      await recordSearch(t.db, { region: 'MLB', userId: m.buyer, query: 'carregador' });
      await t.query(`update recommendations.user_search_history set searched_at = now() - interval '1 hour' where region = 'MLB' and user_id = $1`, [m.buyer2]);

      const refreshed = await refreshBiViews(t.db);
      expect(refreshed.map((r) => r.view)).toEqual(['seller_management.store_sales_30d', 'product_catalog.top_products_30d', 'shipping_logistics.delivery_times_30d', 'recommendations.search_conversion_30d']);
      const ranking = await storeSalesRanking(t.db, { region: 'MLB' });
      expect(ranking.map((r) => [r.rank, r.storeId, r.orders, r.units, r.revenue])).toEqual([
        [1, m.store, 1, 4, '1240.00'],
        [2, m.store2, 1, 1, '200.00'],
      ]);
      expect(ranking[0]!.currency).toBe('BRL');
      const top = await topProducts(t.db, { region: 'MLB', limit: 2 });
      expect(top.map((p) => [p.rank, p.productId, p.units])).toEqual([[1, m.charger, 3], [2, m.phone, 1]]);
      expect(await deliveryTimes(t.db, { region: 'MLB' })).toMatchObject({ shipments: 1, buckets: [{ days: 0, shipments: 1, share: 1 }], p50: 0, p90: 0 });
      // buyer2 searched an hour before ordering; buyer searched after ordering.
      expect(await searchConversion(t.db, { region: 'MLB' })).toEqual({ searches: 2, searchers: 2, buyers: 1, conversion: 0.5 });
      expect(await storeSalesRanking(t.db, { region: 'MLB', live: true })).toEqual(ranking);
      expect(await topProducts(t.db, { region: 'MLB', limit: 2, live: true })).toEqual(top);
      // phone and headset sold one unit each: they share rank 2, live as in the view.
      const three = await topProducts(t.db, { region: 'MLB', limit: 3 });
      expect(three.map((p) => [p.rank, p.units])).toEqual([[1, 3], [2, 1], [2, 1]]);
      expect(await topProducts(t.db, { region: 'MLB', limit: 3, live: true })).toEqual(three);
      expect(await deliveryTimes(t.db, { region: 'MLB', live: true })).toEqual(await deliveryTimes(t.db, { region: 'MLB' }));
      expect(await searchConversion(t.db, { region: 'MLB', live: true })).toEqual(await searchConversion(t.db, { region: 'MLB' }));
      expect(await searchConversion(t.db, { region: 'MPE' })).toEqual({ searches: 0, searchers: 0, buyers: 0, conversion: 0 });
      await refused(topProducts(t.db, { region: 'MLB', limit: 0 }), 'E_ACCESS_INVALID');
      await refused(storeSalesRanking(t.db, { region: 'ZZZ' as never }), 'E_ACCESS_INVALID');
      await refused(deliveryTimes(t.db, { region: 'mlb' as never }), 'E_ACCESS_INVALID');
      await refused(searchConversion(t.db, { region: '' as never, live: true }), 'E_ACCESS_INVALID');
    });

    it('read a site\'s first rows of a ranked view through its index by rank, without sorting the site\'s rows', async () => {
      for (const [query, view] of [
        [storeSalesRankingQuery(t.db, { region: 'MLB' }), 'store_sales_30d'],
        [topProductsQuery(t.db, { region: 'MLB', limit: 5 }), 'top_products_30d'],
      ] as const) {
        // Scans of every row priced out, as they would be on a view of many rows: what the indexes allow.
        const text = await explainPlan(t, query, ['enable_seqscan', 'enable_bitmapscan']);
        expect(text).toMatch(new RegExp(`Index Scan using ${view}_region_rank_idx on ${view}`));
        expect(text).not.toMatch(/Sort Key: \S*\.?rank\b/);
      }
    });
  });

  it('everything the operations wrote keeps the data rules of verify', async () => {
    const results = await runRules({ query: (text, params = []) => t.query(text, params as unknown[]) }, DATA_RULES, [], 5, { errors: 'throw' });
    expect(results.filter((r) => r.offenders > 0)).toEqual([]);
  });
});

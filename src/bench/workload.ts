/**
 * The calls of a benchmark: for each operation of the mix, the parameters of one call of the
 * query library, drawn from the key space (keys.ts: Zipf-skewed products, buyers and stores;
 * sites in their volume shares), and what to remember when the database acknowledges it (the
 * ledger, for the check afterwards; the orders waiting for their next step).
 *
 * Orders move through pools, one per site and state: placed orders wait to be paid or
 * cancelled, paid ones to be shipped or cancelled, shipped ones to be delivered. A call takes its
 * order out of the pool, so no two clients act on one order at once; an order goes back (to the
 * pool of its new state) when the call is acknowledged. The pools start with a sample of the
 * seeded orders of the last 30 days.
 */
import { searchConfig } from '../../schema/index.ts';
import type { SiteId } from '../../schema/values.ts';
import { LEAVES } from '../../seeds/text.ts';
import {
  addDiscount, cancelOrder, deliverOrder, deliveryTimes, lowStockAlerts, orderHistory, payOrder, placeOrder, productPage, recommendProducts,
  recordSearch, refreshBiViews, searchConversion, searchProducts, shipOrder, storeSalesRanking, storeSalesReport, topProducts, trackOrder, updateListing,
  type AccessDb, type CancelledOrder, type PaymentOutcome, type PlacedOrder, type ProductPage,
} from '../access/index.ts';
import { cachedProductPage, cachedRecommendations, cachedStoreSalesRanking, cachedTopProducts } from '../cache/reads.ts';
import type { StalenessLedger } from '../cache/staleness.ts';
import type { ReadCache } from '../cache/store.ts';
import { centsOf, decimal } from '../access/guard.ts';
import type { Acting } from '../access/as-user.ts';
import { KeyChooser, siteChooser, type Random } from './keys.ts';
import { positionOf, sellerOf, type KeySpace, type OrderKey, type SampledStatus, type SiteKeys } from './keyspace.ts';
import { Ledger } from './ledger.ts';
import type { BenchOperation } from './mix.ts';
import { DAY_MS } from '../time.ts';

/** One call of the library, ready to run (and to run again after a serialization failure). */
/** The BI analyst's calls act as no marketplace user. */
const BI: Acting = { role: 'bi_analyst' };

export interface Call {
  readonly run: (db: AccessDb) => Promise<unknown>;
  /** Who makes the call: the role and user `bench --rls` runs it as (asUser), under row-level security. */
  readonly acting?: Acting;
  /** The database acknowledged it. */
  readonly ok?: (result: never) => void;
  /** It failed; `inDoubt` when it wrote and its outcome is unknown (the connection broke). */
  readonly failed?: (inDoubt: boolean) => void;
  /** The same read through the cache layer (hot reads only; `bench --cache`). */
  readonly cached?: (cache: ReadCache) => Promise<unknown>;
}

export interface WorkloadOptions {
  readonly seed: number;
  readonly skew: number;
  /** BI reports computed on the base tables instead of read from their materialized views. */
  readonly biLive: boolean;
  /** Makes tracking numbers unique to this run. */
  readonly runTag: string;
  /** Records the prices the bench set and the product pages it read, to count stale reads. */
  readonly staleness?: StalenessLedger;
}

/** Orders kept per site and state, newest kept. */
const POOL_LIMIT = 5000;
/** Orders remembered per site for tracking. */
const TRACK_LIMIT = 2000;
const CARRIERS = ['Mercado Envios', 'Correios', 'OCA', 'Estafeta', 'Servientrega', 'Chilexpress'];

/** What buyers type, per language: the names of the things sold, their brands, and both together. */
function searchTerms(language: 'portuguese' | 'spanish'): string[] {
  const lang = language === 'portuguese' ? 'pt' : 'es';
  const terms = new Set<string>();
  for (const leaf of LEAVES) {
    for (const noun of leaf.nouns[lang]) terms.add(noun.toLowerCase());
    for (const brand of leaf.brands) terms.add(brand.toLowerCase());
    for (const [i, noun] of leaf.nouns[lang].entries()) terms.add(`${noun} ${leaf.brands[i % leaf.brands.length]!.split(' ')[0]}`.toLowerCase());
  }
  return [...terms];
}

interface SiteState {
  readonly keys: SiteKeys;
  readonly products: KeyChooser;
  readonly buyers: KeyChooser;
  readonly stores: KeyChooser;
  readonly coupons: KeyChooser | null;
  readonly terms: readonly string[];
  readonly termChooser: KeyChooser;
  readonly pools: Record<SampledStatus, OrderKey[]>;
  readonly recent: OrderKey[];
}

export class Workload {
  readonly ledger = new Ledger();
  private readonly sites = new Map<SiteId, SiteState>();
  private readonly site: (random: Random) => SiteId;
  private readonly categories: readonly number[];
  private shipped = 0;

  constructor(
    keys: KeySpace,
    private readonly options: WorkloadOptions,
  ) {
    const termsOf = { portuguese: searchTerms('portuguese'), spanish: searchTerms('spanish') };
    for (const [i, k] of keys.sites.entries()) {
      const seed = options.seed * 7919 + i * 104_729;
      const terms = termsOf[searchConfig(k.region)];
      this.sites.set(k.region, {
        keys: k,
        products: new KeyChooser(k.products.ids.length, seed + 1, options.skew),
        buyers: new KeyChooser(k.buyers.length, seed + 2, options.skew),
        stores: new KeyChooser(k.stores.ids.length, seed + 3, options.skew),
        coupons: k.coupons.length > 0 ? new KeyChooser(k.coupons.length, seed + 4, options.skew) : null,
        terms,
        termChooser: new KeyChooser(terms.length, seed + 5, options.skew),
        pools: { payment_required: [...k.orders.payment_required].reverse(), paid: [...k.orders.paid].reverse(), shipped: [...k.orders.shipped].reverse() },
        recent: [...k.orders.payment_required, ...k.orders.paid, ...k.orders.shipped].slice(0, TRACK_LIMIT),
      });
    }
    this.site = siteChooser(keys.sites.map((s) => s.region));
    this.categories = keys.categories;
  }

  /** One call of `operation`, or null when there is nothing to act on (no order waiting in the site drawn). */
  call(operation: BenchOperation, random: Random): Call | null {
    const region = this.site(random);
    const s = this.sites.get(region)!;
    const make = CALLS[operation];
    return make.call(this, s, region, random);
  }

  // -------------------------------------------------------------------------------------------
  // What the calls share

  product(s: SiteState, random: Random): { productId: number; position: number } {
    const position = s.products.next(random);
    return { productId: s.keys.products.ids[position]!, position };
  }

  buyer(s: SiteState, random: Random): number {
    return s.keys.buyers[s.buyers.next(random)]!;
  }

  store(s: SiteState, random: Random): { storeId: number; sellerId: number } {
    const position = s.stores.next(random);
    return { storeId: s.keys.stores.ids[position]!, sellerId: s.keys.stores.owners[position]! };
  }

  term(s: SiteState, random: Random): string {
    return s.terms[s.termChooser.next(random)]!;
  }

  category(random: Random): number | undefined {
    return this.categories.length === 0 ? undefined : this.categories[Math.floor(random() * this.categories.length)];
  }

  coupon(s: SiteState, random: Random): string | undefined {
    return s.coupons ? s.keys.coupons[s.coupons.next(random)] : undefined;
  }

  take(s: SiteState, status: SampledStatus): OrderKey | undefined {
    return s.pools[status].pop();
  }

  put(s: SiteState, status: SampledStatus, order: OrderKey): void {
    const pool = s.pools[status];
    pool.push(order);
    if (pool.length > POOL_LIMIT) pool.splice(0, pool.length - POOL_LIMIT);
  }

  remember(s: SiteState, order: OrderKey): void {
    s.recent.push(order);
    if (s.recent.length > TRACK_LIMIT) s.recent.splice(0, s.recent.length - TRACK_LIMIT);
  }

  trackingNumber(): string {
    return `BENCH-${this.options.runTag}-${(this.shipped++).toString(36)}`;
  }

  get biLive(): boolean {
    return this.options.biLive;
  }

  get staleness(): StalenessLedger | undefined {
    return this.options.staleness;
  }
}

type CallMaker = { call(w: Workload, s: SiteState, region: SiteId, random: Random): Call | null };

const ref = (o: OrderKey) => ({ id: o.id, createdAt: o.createdAt });

/** The payments of one order: one approved payment mostly; a split in two methods; now and then a rejection. */
function paymentsFor(total: string, random: Random) {
  const cents = centsOf(total);
  const outcome = random() < 0.1 ? ('rejected' as const) : ('approved' as const);
  if (cents >= 2n && random() < 0.2) {
    const first = cents / 2n;
    return [
      { method: 'credit_card' as const, amount: decimal(first), outcome },
      { method: 'wallet' as const, amount: decimal(cents - first), outcome },
    ];
  }
  return [{ method: random() < 0.7 ? ('credit_card' as const) : ('bank_transfer' as const), amount: total, outcome }];
}

/** Drop an order whose write is in doubt from every check of its state. */
const doubt = (w: Workload, what: string, o: OrderKey) => (inDoubt: boolean) => {
  if (inDoubt) w.ledger.doubt(`${what} ${o.region} ${o.id}`, o);
};

const CALLS: Record<BenchOperation, CallMaker> = {
  searchProducts: {
    call: (w, s, region, random) => {
      const words = w.term(s, random);
      const categoryId = random() < 0.15 ? w.category(random) : undefined;
      return { acting: { role: 'user' }, run: (db) => searchProducts(db, { region, words, ...(categoryId !== undefined && { categoryId }) }) };
    },
  },
  productPage: {
    call: (w, s, region, random) => {
      const { productId } = w.product(s, random);
      const params = { region, productId };
      // When the read started, and the price it got: the stale-read check compares them with the prices the bench set.
      const observed = async (read: () => Promise<ProductPage>) => {
        const at = performance.now();
        const page = await read();
        w.staleness?.read(`${region}:${productId}`, page.price, at);
        return page;
      };
      return { acting: { role: 'user' }, run: (db) => observed(() => productPage(db, params)), cached: (cache) => observed(() => cachedProductPage(cache, params)) };
    },
  },
  recommendProducts: {
    call: (w, s, region, random) => {
      const userId = w.buyer(s, random);
      return { acting: { role: 'user', userId }, run: (db) => recommendProducts(db, { region, userId }), cached: (cache) => cachedRecommendations(cache, { region, userId }) };
    },
  },
  recordSearch: {
    call: (w, s, region, random) => {
      const userId = w.buyer(s, random);
      const query = w.term(s, random);
      return { acting: { role: 'user', userId }, run: (db) => recordSearch(db, { region, userId, query }) };
    },
  },
  placeOrder: {
    call: (w, s, region, random) => {
      const buyerId = w.buyer(s, random);
      const count = 1 + Math.floor(random() * 3);
      const lines = new Map<number, number>();
      for (let i = 0; i < count; i++) lines.set(w.product(s, random).productId, random() < 0.2 ? 2 : 1);
      const couponCode = random() < 0.2 ? w.coupon(s, random) : undefined;
      const params = { region, buyerId, lines: [...lines].map(([productId, quantity]) => ({ productId, quantity })), ...(couponCode && { couponCode }) };
      return {
        acting: { role: 'user', userId: buyerId },
        run: (db) => placeOrder(db, params),
        ok: (order: PlacedOrder) => {
          for (const l of order.lines) w.ledger.addStock(region, l.productId, -l.quantity);
          if (order.couponId !== null) w.ledger.addCouponUses(region, order.couponId, 1);
          w.ledger.order(region, order.id, order.createdAt, order.status, order.total);
          const first = positionOf(s.keys.products.ids, order.lines[0]!.productId);
          const key: OrderKey = { region, id: order.id, createdAt: order.createdAt, buyerId, sellerId: first < 0 ? null : sellerOf(s.keys, first), total: order.total, couponId: order.couponId };
          w.put(s, order.status, key);
          w.remember(s, key);
        },
        failed: (inDoubt) => {
          if (inDoubt) w.ledger.doubt(`placeOrder ${region} buyer ${buyerId}`);
        },
      };
    },
  },
  payOrder: {
    call: (w, s, region, random) => {
      const o = w.take(s, 'payment_required');
      if (!o) return null;
      const payments = paymentsFor(o.total, random);
      return {
        acting: { role: 'user', userId: o.buyerId },
        run: (db) => payOrder(db, { region, buyerId: o.buyerId, order: ref(o), payments }),
        ok: (r: PaymentOutcome) => {
          w.ledger.order(region, o.id, o.createdAt, r.status, o.total);
          w.put(s, r.status, o);
        },
        failed: doubt(w, 'payOrder', o),
      };
    },
  },
  cancelOrder: {
    call: (w, s, region, random) => {
      const o = random() < 0.7 ? (w.take(s, 'payment_required') ?? w.take(s, 'paid')) : (w.take(s, 'paid') ?? w.take(s, 'payment_required'));
      if (!o) return null;
      return {
        acting: { role: 'user', userId: o.buyerId },
        run: (db) => cancelOrder(db, { region, buyerId: o.buyerId, order: ref(o) }),
        ok: (r: CancelledOrder) => {
          for (const l of r.restocked) w.ledger.addStock(region, l.productId, l.quantity);
          if (r.couponReleased && o.couponId !== null) w.ledger.addCouponUses(region, o.couponId, -1);
          w.ledger.order(region, o.id, o.createdAt, 'cancelled', o.total);
        },
        failed: doubt(w, 'cancelOrder', o),
      };
    },
  },
  trackOrder: {
    call: (_w, s, region, random) => {
      if (s.recent.length === 0) return null;
      const o = s.recent[Math.floor(random() * s.recent.length)]!;
      return { acting: { role: 'user', userId: o.buyerId }, run: (db) => trackOrder(db, { region, buyerId: o.buyerId, order: ref(o) }) };
    },
  },
  orderHistory: {
    call: (w, s, region, random) => {
      const buyerId = w.buyer(s, random);
      const status = random() < 0.2 ? ('delivered' as const) : undefined;
      return { acting: { role: 'user', userId: buyerId }, run: (db) => orderHistory(db, { region, buyerId, ...(status && { status }) }) };
    },
  },
  updateListing: {
    call: (w, s, region, random) => {
      const { productId, position } = w.product(s, random);
      const sellerId = sellerOf(s.keys, position);
      if (random() < 0.7) {
        const restock = 5 + Math.floor(random() * 20);
        return {
          acting: { role: 'seller', userId: sellerId },
          run: (db) => updateListing(db, { region, sellerId, productId, restock }),
          ok: () => w.ledger.addStock(region, productId, restock),
          failed: (inDoubt) => {
            if (inDoubt) w.ledger.doubt(`updateListing ${region} ${productId}`);
          },
        };
      }
      // A price change of up to 10 % either way, from the price as the bench last set it.
      const old = s.keys.products.prices[position]!;
      const cents = Math.max(1, Math.round(old * (0.9 + random() * 0.2)));
      const price = decimal(BigInt(cents));
      return {
        acting: { role: 'seller', userId: sellerId },
        run: (db) => updateListing(db, { region, sellerId, productId, price }),
        ok: () => {
          s.keys.products.prices[position] = cents;
          w.staleness?.wrote(`${region}:${productId}`, price, performance.now());
        },
        failed: (inDoubt) => {
          if (inDoubt) w.staleness?.doubt(`${region}:${productId}`);
        },
      };
    },
  },
  addDiscount: {
    call: (w, s, region, random) => {
      const { productId, position } = w.product(s, random);
      const sellerId = sellerOf(s.keys, position);
      const percentage = 5 + Math.floor(random() * 26);
      const endsAt = new Date(Date.now() + (1 + Math.floor(random() * 14)) * DAY_MS);
      return { acting: { role: 'seller', userId: sellerId }, run: (db) => addDiscount(db, { region, sellerId, productId, percentage, endsAt }) };
    },
  },
  shipOrder: {
    call: (w, s, region, random) => {
      const o = w.take(s, 'paid');
      if (!o) return null;
      if (o.sellerId === null) return null;
      const carrier = CARRIERS[Math.floor(random() * CARRIERS.length)]!;
      const trackingNumber = w.trackingNumber();
      return {
        acting: { role: 'seller', userId: o.sellerId },
        run: (db) => shipOrder(db, { region, sellerId: o.sellerId!, order: ref(o), carrier, trackingNumber }),
        ok: () => {
          w.ledger.order(region, o.id, o.createdAt, 'shipped', o.total);
          w.put(s, 'shipped', o);
        },
        failed: doubt(w, 'shipOrder', o),
      };
    },
  },
  deliverOrder: {
    call: (w, s, region) => {
      const o = w.take(s, 'shipped');
      if (!o || o.sellerId === null) return null;
      return {
        acting: { role: 'seller', userId: o.sellerId },
        run: (db) => deliverOrder(db, { region, sellerId: o.sellerId!, order: ref(o) }),
        ok: () => w.ledger.order(region, o.id, o.createdAt, 'delivered', o.total),
        failed: doubt(w, 'deliverOrder', o),
      };
    },
  },
  lowStockAlerts: {
    call: (w, s, region, random) => {
      const store = w.store(s, random);
      return { acting: { role: 'seller', userId: store.sellerId }, run: (db) => lowStockAlerts(db, { region, ...store }) };
    },
  },
  storeSalesReport: {
    call: (w, s, region, random) => {
      const store = w.store(s, random);
      return { acting: { role: 'seller', userId: store.sellerId }, run: (db) => storeSalesReport(db, { region, ...store }) };
    },
  },
  // Cached: the reports of the materialized views (with --bi-live the bench measures the base tables instead).
  storeSalesRanking: {
    call: (w, _s, region) => ({ acting: BI, run: (db) => storeSalesRanking(db, { region, live: w.biLive }), ...(!w.biLive && { cached: (cache: ReadCache) => cachedStoreSalesRanking(cache, { region }) }) }),
  },
  topProducts: {
    call: (w, _s, region) => ({ acting: BI, run: (db) => topProducts(db, { region, live: w.biLive }), ...(!w.biLive && { cached: (cache: ReadCache) => cachedTopProducts(cache, { region }) }) }),
  },
  deliveryTimes: { call: (w, _s, region) => ({ acting: BI, run: (db) => deliveryTimes(db, { region, live: w.biLive }) }) },
  searchConversion: { call: (w, _s, region) => ({ acting: BI, run: (db) => searchConversion(db, { region, live: w.biLive }) }) },
  refreshBiViews: { call: () => ({ acting: BI, run: (db) => refreshBiViews(db) }) },
};

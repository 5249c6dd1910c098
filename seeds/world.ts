/**
 * The seeded marketplace as pure functions of (seed, index). Every entity — user 41, order
 * 90210 — is computed from a hash of the seed and its index, never from state, so each table
 * can be streamed independently, in any order, with flat memory, and the same seed gives the
 * same bytes on any target. Entities of a region occupy a contiguous block of indexes, so
 * "a random user of MLA" is one multiplication, not a lookup table.
 */
import { ORDER_STATUSES, PAYMENT_METHODS, PAYMENT_STATUSES, ROLES, SHIPMENT_STATUSES, SITES, referenceIds, type SiteId } from '../schema/values.ts';
import { HOURLY, dayWeights, saleEvents, zoneFormat, zoneOffset } from './calendar.ts';
import { DAY_MS } from '../src/time.ts';
import { SITE_PROFILES, type Language, type SiteProfile } from './locales.ts';
import { SITE_PLACES, VOSEO_SITES, phoneNumber, postalCode, type Place, type SitePlaces } from './places.ts';
import { COUPON_WORDS, LEAF_SLOTS, LEAVES } from './text.ts';

export const DAY = DAY_MS;
const HOUR = 3_600_000;
export const MINUTE_MS = 60_000;
const MINUTE = MINUTE_MS;

/** How many of each driving entity one unit of --scale makes (spread over the regions by share). */
export const PER_SCALE = {
  users: 2000,
  stores: 100,
  products: 2000,
  orders: 6000,
  coupons: 40,
  questions: 1500,
  preSaleConversations: 200,
} as const;
export type Driver = keyof typeof PER_SCALE;

export interface WorldOptions {
  seed: number;
  scale: number;
  regions: readonly SiteId[];
  /** The end of the simulated history (orders happen before it), ms since 1970. */
  until: number;
  /** Days of order history before `until`. */
  windowDays: number;
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** murmur3's finaliser: a good 32-bit mix. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Random streams: one per kind of decision, so adding a decision never shifts another. */
export enum S {
  UserRegion = 1, UserName, UserMisc, Address, Store, Product, Price, Image, Discount, Coupon,
  Order, Line, Payment, Shipment, Question, Conversation, Message, Search, Recommendation, Campaign, Hash,
  Lifecycle, Outcome, Review, Password, Story,
}

export class Random {
  constructor(private readonly seed: number) {}

  /** A 32-bit hash of (seed, stream, index, k). */
  int(stream: S, i: number, k = 0): number {
    const lo = i >>> 0;
    const hi = Math.floor(i / 2 ** 32);
    return fmix(fmix(fmix(this.seed ^ Math.imul(stream, 0x9e3779b1)) ^ lo) ^ Math.imul(hi + 1, 0x85ebca77) ^ Math.imul(k + 1, 0xc2b2ae3d));
  }

  /** A float in [0, 1). */
  float(stream: S, i: number, k = 0): number {
    return this.int(stream, i, k) / 4294967296;
  }

  below(n: number, stream: S, i: number, k = 0): number {
    return Math.floor(this.float(stream, i, k) * n);
  }

  pick<T>(items: readonly T[], stream: S, i: number, k = 0): T {
    return items[this.below(items.length, stream, i, k)]!;
  }

  /** An index in [0, n) where low indexes are far more likely: a few bestsellers, a long tail. */
  skewed(n: number, power: number, stream: S, i: number, k = 0): number {
    return Math.min(n - 1, Math.floor(n * this.float(stream, i, k) ** power));
  }
}

// ---------------------------------------------------------------------------------------------
// Layout: how many of each entity per region, and where each region's block starts

export interface Block {
  readonly region: SiteId;
  readonly start: number;
  readonly count: number;
}

export class Layout {
  readonly blocks: Record<Driver, readonly Block[]>;

  constructor(options: WorldOptions) {
    const sites = SITES.filter((s) => options.regions.includes(s.id));
    // A site with no published share still gets a small one, so it is never empty.
    const weights = sites.map((s) => Math.max(s.share, 0.004));
    const total = weights.reduce((a, b) => a + b, 0);
    const blocks = {} as Record<Driver, Block[]>;
    for (const driver of Object.keys(PER_SCALE) as Driver[]) {
      let start = 0;
      blocks[driver] = sites.map((site, i) => {
        const count = Math.max(1, Math.round((PER_SCALE[driver] * options.scale * weights[i]!) / total));
        const block = { region: site.id, start, count };
        start += count;
        return block;
      });
    }
    // Store owners are the first users of each region, and sellers do not buy: a region has at
    // least two users more than stores (a returning buyer and room for a newcomer), however small the scale.
    let start = 0;
    blocks.users = blocks.users.map((b, i) => {
      const count = Math.max(b.count, blocks.stores[i]!.count + 2);
      const block = { region: b.region, start, count };
      start += count;
      return block;
    });
    this.blocks = blocks;
  }

  total(driver: Driver): number {
    const last = this.blocks[driver].at(-1)!;
    return last.start + last.count;
  }

  /** The block holding global index `i`. */
  blockOf(driver: Driver, i: number): Block {
    const blocks = this.blocks[driver];
    for (let b = blocks.length - 1; b > 0; b--) if (i >= blocks[b]!.start) return blocks[b]!;
    return blocks[0]!;
  }

  block(driver: Driver, region: SiteId): Block {
    return this.blocks[driver].find((b) => b.region === region)!;
  }
}

// ---------------------------------------------------------------------------------------------
// Per-site tables: built once per run, sampled per row (faker per row is ~50x slower)

/** Where each population sits in a site's block of users (offsets from the block's start). */
interface Population {
  /** Store owners: [0, sellers). */
  readonly sellers: number;
  /** Staff accounts: [sellers, buyers0 - newcomers). */
  readonly staff: number;
  /** Accounts opened for one welcome-coupon order: [staffEnd, buyers0). */
  readonly newcomers: number;
  /** Returning buyers: [buyers0, count). The first of them is always active and old. */
  readonly buyers0: number;
  readonly buyers: number;
}

interface SiteTables {
  readonly names: readonly string[];
  readonly companies: readonly string[];
  readonly places: SitePlaces;
  /** Cumulative weights of the places. */
  readonly placeCdf: Float64Array;
  readonly population: Population;
  /** Cumulative, normalised order weights of the window's days. */
  readonly dayCdf: Float64Array;
  /** The zone's offset from UTC on each day of the window (ms, local − UTC). */
  readonly offsets: Float64Array;
  readonly voseo: boolean;
}

const POOL_SIZE = 1500;
/** One order in WELCOME_EVERY is a newcomer's first order with a welcome coupon (at this offset). */
const WELCOME_EVERY = 40;
const WELCOME_AT = 17;

const cdf = (weights: ArrayLike<number>): Float64Array => {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) out[i] = sum += weights[i]!;
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
};

/** The first index whose cumulative weight exceeds u. */
function search(c: Float64Array, u: number): number {
  let lo = 0;
  let hi = c.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// Entities

// Reference ids as the migrations insert them (schema/values.ts), looked up by name.
export const ORDER_STATUS = referenceIds(ORDER_STATUSES);
export const PAYMENT_STATUS = referenceIds(PAYMENT_STATUSES);
export const SHIPMENT_STATUS = referenceIds(SHIPMENT_STATUSES);
export const PAYMENT_METHOD = referenceIds(PAYMENT_METHODS);
const ROLE_ID = referenceIds(ROLES);
/** Buyers, sellers, and the staff roles a few users hold. */
export const ROLE = {
  user: ROLE_ID.user,
  seller: ROLE_ID.seller,
  staff: ROLES.filter((r) => r.name !== 'user' && r.name !== 'seller').map((r) => ROLE_ID[r.name]),
};

export interface Line {
  readonly product: number;
  readonly quantity: number;
  /** Unit price in cents, after any active product discount. */
  readonly unitCents: number;
}

export interface Payment {
  readonly id: number;
  readonly method: number;
  readonly status: number;
  readonly cents: number;
  readonly at: number;
}

/** How an order ends, whatever it has reached by --until. */
export type Outcome = 'kept' | 'unpaid' | 'cancelled_paid' | 'returned' | 'not_delivered' | 'charged_back';

export interface Order {
  readonly index: number;
  readonly id: number;
  readonly region: SiteId;
  readonly buyer: number;
  readonly address: number;
  readonly at: number;
  readonly status: number;
  readonly outcome: Outcome;
  readonly coupon: number | null;
  readonly lines: readonly Line[];
  readonly discountCents: number;
  readonly totalCents: number;
  readonly payments: readonly Payment[];
  /** When the last approved payment went through, if any. */
  readonly paidAt: number | null;
  readonly shipment: { status: number; shippedAt: number | null; deliveredAt: number | null } | null;
}

export interface Discount {
  readonly percentage: number;
  readonly startsAt: number;
  readonly endsAt: number;
}

export interface Lifecycle {
  readonly status: 'active' | 'suspended' | 'closed' | 'paused' | 'under_review';
  /** When it left the active state (null while active). */
  readonly changedAt: number | null;
}

const CARRIERS: Partial<Record<SiteId, readonly string[]>> = {
  MLB: ['Mercado Envios', 'Correios', 'Jadlog', 'Loggi'],
  MLA: ['Mercado Envíos', 'OCA', 'Andreani', 'Correo Argentino'],
  MLM: ['Mercado Envíos', 'Estafeta', 'DHL', 'FedEx'],
  MCO: ['Mercado Envíos', 'Servientrega', 'Coordinadora'],
  MLC: ['Mercado Envíos', 'Chilexpress', 'Starken'],
  MLU: ['Mercado Envíos', 'DAC', 'Correo Uruguayo'],
  MPE: ['Mercado Envíos', 'Olva Courier', 'Serpost'],
};
const DEFAULT_CARRIERS = ['Mercado Envíos', 'DHL'];

/**
 * Payment-method mix per site, in PAYMENT_METHODS order (credit card, debit card, bank
 * transfer, wallet, cash voucher): Pix and boleto in Brazil, OXXO in Mexico, PSE and Efecty in
 * Colombia, wallet balance in Argentina (docs/design.md, 'Seeded behaviour').
 */
const METHOD_MIX: Partial<Record<SiteId, readonly number[]>> = {
  MLB: [40, 4, 32, 12, 12],
  MLA: [50, 16, 6, 22, 6],
  MLM: [38, 27, 8, 10, 17],
  MCO: [35, 20, 25, 8, 12],
  MLC: [45, 35, 8, 8, 4],
};
const DEFAULT_METHOD_MIX = [42, 25, 13, 10, 10];
const METHOD_IDS = [PAYMENT_METHOD.credit_card, PAYMENT_METHOD.debit_card, PAYMENT_METHOD.bank_transfer, PAYMENT_METHOD.wallet, PAYMENT_METHOD.cash_voucher];

const HOURLY_CDF = cdf(HOURLY);

/** How steeply sales fall along a site's listings (Random.skewed's power): a few bestsellers, a long tail. */
const PRODUCT_SKEW = 4.5;
/** Mean lines per order and units per line, as World.orderLines draws them (for expected sales). */
const LINES_PER_ORDER = 1.4;
const UNITS_PER_LINE = 1.23;

/** Nouns said differently across Spanish-speaking sites: [River Plate, Mexico, the others]. */
const REGIONAL_NOUNS: Record<string, readonly [string, string, string]> = {
  Remera: ['Remera', 'Playera', 'Camiseta'],
  Playera: ['Remera', 'Playera', 'Camiseta'],
  Zapatillas: ['Zapatillas', 'Tenis', 'Zapatillas'],
  Auriculares: ['Auriculares', 'Audífonos', 'Audífonos'],
  Laptop: ['Notebook', 'Laptop', 'Portátil'],
  Ropero: ['Placard', 'Clóset', 'Clóset'],
  Planchita: ['Planchita', 'Plancha de Cabello', 'Plancha de Pelo'],
  'Mountain Bike': ['Mountain Bike', 'Bicicleta de Montaña', 'Mountain Bike'],
  Foco: ['Lamparita', 'Foco', 'Bombillo'],
};

/**
 * A direct-mapped cache of time windows [from, to) keyed by an entity index: a fixed 32k slots
 * (memory stays flat at any scale), and the skewed draws make most lookups hit.
 */
const CACHE_MASK = (1 << 15) - 1;
class WindowCache {
  readonly key = new Float64Array(CACHE_MASK + 1).fill(-1);
  readonly from = new Float64Array(CACHE_MASK + 1);
  readonly to = new Float64Array(CACHE_MASK + 1);
  set(slot: number, key: number, from: number, to: number): void {
    this.key[slot] = key;
    this.from[slot] = from;
    this.to[slot] = to;
  }
}

const asciiFold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '.').replace(/^\.|\.$/g, '');

export class World {
  readonly random: Random;
  readonly layout: Layout;
  readonly windowStart: number;
  private readonly tables = new Map<SiteId, SiteTables>();
  // Lifecycle windows of recently asked users and products (pure values, cached for speed).
  private readonly userCache = new WindowCache();
  private readonly productCache = new WindowCache();

  constructor(readonly options: WorldOptions) {
    this.random = new Random(options.seed);
    this.layout = new Layout(options);
    this.windowStart = options.until - options.windowDays * DAY;
    for (const region of options.regions) this.tables.set(region, this.buildTables(region));
  }

  private buildTables(region: SiteId): SiteTables {
    const profile = SITE_PROFILES[region];
    const places = SITE_PLACES[region];
    // Sites that share a locale (es) still get their own people: the pool seed differs.
    const regionSalt = SITES.findIndex((s) => s.id === region) + 1;
    const faker = profile.faker;
    faker.seed(fmix(this.options.seed ^ Math.imul(regionSalt, 0x9e3779b1)));
    const many = <T>(n: number, make: () => T) => Array.from({ length: n }, make);
    const names = many(POOL_SIZE, () => `${faker.person.firstName()} ${faker.person.lastName()}`);
    const companies = many(200, () => faker.person.lastName().split(/[ ,]/)[0]!);

    const users = this.layout.block('users', region).count;
    const sellers = this.layout.block('stores', region).count;
    const orders = this.layout.block('orders', region).count;
    const staff = Math.min(ROLE.staff.length * 2, Math.floor(users / 300));
    const newcomers = Math.max(0, Math.min(Math.ceil((orders - WELCOME_AT) / WELCOME_EVERY), Math.floor((users - sellers - staff) / 4)));
    const buyers0 = sellers + staff + newcomers;
    if (users - buyers0 < 1) throw new Error(`scale too small: ${region} has no buyers`);

    const days = this.options.windowDays;
    const format = zoneFormat(places.timeZone);
    const offsets = new Float64Array(days);
    for (let d = 0; d < days; d++) offsets[d] = zoneOffset(format, this.windowStart + d * DAY + 15 * HOUR);
    return {
      names,
      companies,
      places,
      placeCdf: cdf(places.places.map((p) => p.weight)),
      population: { sellers, staff, newcomers, buyers0, buyers: users - buyers0 },
      dayCdf: cdf(dayWeights(region, this.windowStart, days)),
      offsets,
      voseo: VOSEO_SITES.includes(region),
    };
  }

  profile(region: SiteId): SiteProfile {
    return SITE_PROFILES[region];
  }

  language(region: SiteId): Language {
    return SITE_PROFILES[region].language;
  }

  /** Whether the site's Spanish uses vos (Argentina, Uruguay). */
  voseo(region: SiteId): boolean {
    return this.site(region).voseo;
  }

  private site(region: SiteId): SiteTables {
    return this.tables.get(region)!;
  }

  /** The zone offset (local − UTC, ms) of a site around `at`. */
  offsetAt(region: SiteId, at: number): number {
    const offsets = this.site(region).offsets;
    const d = Math.min(offsets.length - 1, Math.max(0, Math.floor((at - this.windowStart) / DAY)));
    return offsets[d]!;
  }

  /**
   * A moment in the order window with the site's local rhythm: the day drawn by weekday, season
   * and sale events, the hour by the local daily curve, converted to UTC with the site's zone.
   */
  momentInWindow(region: SiteId, stream: S, i: number): number {
    const r = this.random;
    const t = this.site(region);
    const day = search(t.dayCdf, r.float(stream, i, 100));
    const hour = search(HOURLY_CDF, r.float(stream, i, 300));
    let at = this.windowStart + day * DAY - t.offsets[day]! + hour * HOUR + r.below(HOUR, stream, i, 301);
    // The last local evening runs past --until (UTC midnight): fold it onto the day before.
    while (at >= this.options.until - 30 * MINUTE) at -= DAY;
    return at;
  }

  // --- users -------------------------------------------------------------------------------

  userRegion(u: number): SiteId {
    return this.layout.blockOf('users', u).region;
  }

  private userOffset(u: number): { region: SiteId; offset: number; pop: Population; start: number } {
    const block = this.layout.blockOf('users', u);
    return { region: block.region, offset: u - block.start, pop: this.site(block.region).population, start: block.start };
  }

  userKind(u: number): 'seller' | 'staff' | 'newcomer' | 'buyer' {
    const { offset, pop } = this.userOffset(u);
    if (offset < pop.sellers) return 'seller';
    if (offset < pop.sellers + pop.staff) return 'staff';
    if (offset < pop.buyers0) return 'newcomer';
    return 'buyer';
  }

  userRole(u: number): number {
    const kind = this.userKind(u);
    if (kind === 'seller') return ROLE.seller;
    if (kind === 'staff') {
      const { offset, pop } = this.userOffset(u);
      return ROLE.staff[(offset - pop.sellers) % ROLE.staff.length]!;
    }
    return ROLE.user;
  }

  userName(u: number): string {
    return this.random.pick(this.site(this.userRegion(u)).names, S.UserName, u);
  }

  userEmail(u: number): string {
    const domains = this.language(this.userRegion(u)) === 'pt' ? ['gmail.com', 'hotmail.com', 'outlook.com', 'uol.com.br'] : ['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.com'];
    return `${asciiFold(this.userName(u))}.${u + 1}@${this.random.pick(domains, S.UserName, u, 1)}`;
  }

  /**
   * When the account was opened: sellers, staff and most buyers before the order window; one
   * buyer in six inside it; a newcomer shortly before its welcome order.
   */
  userCreatedAt(u: number): number {
    const { region, offset, pop, start } = this.userOffset(u);
    const old = this.windowStart - 60 * DAY - this.random.below(4 * 365 * DAY, S.UserMisc, u, 2);
    if (offset < pop.sellers + pop.staff) return old;
    if (offset < pop.buyers0) {
      const k = offset - pop.sellers - pop.staff;
      const o = this.layout.block('orders', region).start + k * WELCOME_EVERY + WELCOME_AT;
      return this.momentInWindow(region, S.Order, o) - 10 * MINUTE - this.random.below(2 * DAY, S.Lifecycle, u, 1);
    }
    if (u === start + pop.buyers0) return old;
    if (this.random.below(100, S.Lifecycle, u, 2) < 17) return this.windowStart + this.random.below((this.options.windowDays - 2) * DAY, S.Lifecycle, u, 3);
    return old;
  }

  /** Account status: 2 % of returning buyers and of sellers suspended, 1 % closed, at some moment of the window. */
  userLifecycle(u: number): Lifecycle {
    const { offset, pop } = this.userOffset(u);
    // The first seller and the first returning buyer stay active: every site keeps one of each.
    if (offset === 0 || offset === pop.buyers0 || (offset >= pop.sellers && offset < pop.buyers0)) return { status: 'active', changedAt: null };
    const h = this.random.below(1000, S.Lifecycle, u, 4);
    if (h >= 30) return { status: 'active', changedAt: null };
    const created = this.userCreatedAt(u);
    const from = Math.max(created, this.windowStart);
    const changedAt = from + Math.floor(this.random.float(S.Lifecycle, u, 5) * Math.max(0, this.options.until - 2 * DAY - from));
    return { status: h < 20 ? 'suspended' : 'closed', changedAt };
  }

  /** Whether user u may place an order at `at`: opened before, and active (closed accounts' orders are all settled). */
  private canBuy(u: number, at: number): boolean {
    const slot = u & CACHE_MASK;
    if (this.userCache.key[slot] !== u) {
      const life = this.userLifecycle(u);
      this.userCache.set(slot, u, this.userCreatedAt(u) + HOUR, life.changedAt === null ? Infinity : life.changedAt - 10 * DAY);
    }
    return this.userCache.from[slot]! <= at && at < this.userCache.to[slot]!;
  }

  addressCount(u: number): number {
    const h = this.random.below(100, S.Address, u);
    return 1 + (h < 40 ? 1 : 0) + (h < 10 ? 1 : 0);
  }

  addressId(u: number, k: number): number {
    return u * 3 + k + 1;
  }

  private place(u: number, k: number): Place {
    const t = this.site(this.userRegion(u));
    return t.places.places[search(t.placeCdf, this.random.float(S.Address, u * 3 + k, 1))]!;
  }

  address(u: number, k: number): { street: string; city: string; state: string; postalCode: string } {
    const t = this.site(this.userRegion(u));
    const i = u * 3 + k;
    const place = this.place(u, k);
    return {
      street: `${this.random.pick(t.places.streets, S.Address, i, 2)} ${1 + this.random.skewed(4000, 1.5, S.Address, i, 3)}`,
      city: place.city,
      state: place.state,
      postalCode: postalCode(t.places, place, this.random.int(S.Address, i, 4)),
    };
  }

  /** A mobile number with the area code of the user's home (first address). */
  phone(u: number): string {
    return phoneNumber(this.site(this.userRegion(u)).places, this.place(u, 0), this.random.int(S.UserMisc, u, 7));
  }

  /** A returning buyer of `region`, low indexes (heavy buyers) more likely. */
  userIn(region: SiteId, stream: S, i: number, k = 0): number {
    const pop = this.site(region).population;
    return this.layout.block('users', region).start + pop.buyers0 + this.random.skewed(pop.buyers, 1.6, stream, i, k);
  }

  /** A returning buyer who may act at `at` (opened and active then), else the site's first buyer. */
  buyerAt(region: SiteId, at: number, stream: S, i: number): number {
    for (let k = 0; k < 6; k++) {
      const u = this.userIn(region, stream, i, 10 + k);
      if (this.canBuy(u, at)) return u;
    }
    return this.layout.block('users', region).start + this.site(region).population.buyers0;
  }

  // --- stores and products ----------------------------------------------------------------

  storeRegion(s: number): SiteId {
    return this.layout.blockOf('stores', s).region;
  }

  /** The owner of store s: the s-th user of its region (a seller). */
  storeOwner(s: number): number {
    const block = this.layout.blockOf('stores', s);
    return this.layout.block('users', block.region).start + (s - block.start);
  }

  storeName(s: number): string {
    const region = this.storeRegion(s);
    const suffixes = ['Store', 'Shop', 'Oficial', 'Distribuidora', 'Importados', 'Express'];
    return `${this.random.pick(this.site(region).companies, S.Store, s)} ${this.random.pick(suffixes, S.Store, s, 1)} ${s + 1}`;
  }

  /** Stores open before the window, one in ten inside it (never the site's first). */
  storeCreatedAt(s: number): number {
    const block = this.layout.blockOf('stores', s);
    if (s !== block.start && this.random.below(10, S.Store, s, 4) === 0) {
      return this.windowStart + this.random.below(Math.floor(this.options.windowDays * 0.7) * DAY, S.Store, s, 5);
    }
    return Math.min(this.userCreatedAt(this.storeOwner(s)) + this.random.below(30 * DAY, S.Store, s, 2), this.windowStart - 31 * DAY);
  }

  productRegion(p: number): SiteId {
    return this.layout.blockOf('products', p).region;
  }

  /**
   * The store selling product p: a store of the same region. Big stores list more, and the
   * bestsellers (a site's low product indexes) belong to the big stores, so a few stores take
   * most sales and many small ones sell little or nothing. A site's first product is its first store's.
   */
  productStore(p: number): number {
    const block = this.layout.block('stores', this.productRegion(p));
    const products = this.layout.blockOf('products', p);
    if (p === products.start) return block.start;
    const rank = (p - products.start) / products.count;
    const u = this.random.float(S.Product, p, 1) ** 2.5 * (0.2 + 0.8 * Math.sqrt(rank));
    return block.start + Math.min(block.count - 1, Math.floor(block.count * u));
  }

  /** The leaf category, weighted by the category mix (phones and fashion lead, bikes are few). */
  productLeaf(p: number): number {
    return LEAF_SLOTS[this.random.below(LEAF_SLOTS.length, S.Product, p, 2)]!;
  }

  /** A noun as the site says it. */
  private localNoun(noun: string, region: SiteId): string {
    const forms = REGIONAL_NOUNS[noun];
    if (!forms || this.language(region) === 'pt') return noun;
    return this.voseo(region) ? forms[0] : region === 'MLM' ? forms[1] : forms[2];
  }

  /** Noun and brand: what a buyer types to find it (also the start of its title). */
  productQuery(p: number): string {
    const region = this.productRegion(p);
    const leaf = LEAVES[this.productLeaf(p)]!;
    const noun = this.localNoun(this.random.pick(leaf.nouns[this.language(region)], S.Product, p, 3), region);
    return `${noun} ${this.random.pick(leaf.brands, S.Product, p, 4)}`;
  }

  productTitle(p: number): string {
    const region = this.productRegion(p);
    const leaf = LEAVES[this.productLeaf(p)]!;
    let variant = this.random.pick(leaf.variantsByLanguage[this.language(region)], S.Product, p, 5);
    if (this.language(region) === 'es' && !this.voseo(region)) variant = variant.replace(/^Talle/, 'Talla').replace(/^Rodado/, 'Rin');
    return `${this.productQuery(p)} ${variant}`;
  }

  /** Price in cents, at the site's price level, ending as prices do there. */
  priceCents(p: number): number {
    const region = this.productRegion(p);
    const leaf = LEAVES[this.productLeaf(p)]!;
    const rate = this.profile(region).usdRate;
    const units = leaf.usd * rate * (0.55 + 1.1 * this.random.float(S.Price, p));
    if (rate >= 100) return Math.max(100, Math.round(units / 100) * 10_000);
    return Math.max(1, Math.floor(units)) * 100 + 90;
  }

  /** Listings published before the window, one in five inside it (never a site's first). */
  productCreatedAt(p: number): number {
    const store = this.storeCreatedAt(this.productStore(p));
    if (p !== this.layout.blockOf('products', p).start && this.random.below(5, S.Lifecycle, p, 20) === 0) {
      const from = Math.max(store, this.windowStart);
      return from + this.random.below(Math.max(DAY, this.options.until - 3 * DAY - from), S.Lifecycle, p, 21);
    }
    return Math.min(store + this.random.below(120 * DAY, S.Product, p, 6), this.windowStart - DAY);
  }

  /**
   * A listing's status: most are active; some were paused, closed or sent to review at a moment
   * of the window (and sold nothing after it). A suspended or closed seller's listings are closed.
   */
  productLifecycle(p: number): Lifecycle {
    if (p === this.layout.blockOf('products', p).start) return { status: 'active', changedAt: null };
    const owner = this.userLifecycle(this.storeOwner(this.productStore(p)));
    const created = this.productCreatedAt(p);
    if (owner.changedAt !== null) return { status: 'closed', changedAt: Math.max(created, owner.changedAt) };
    const s = this.random.below(100, S.Product, p, 11);
    if (s < 86) return { status: 'active', changedAt: null };
    const from = Math.max(created, this.windowStart);
    const changedAt = from + Math.floor(this.random.float(S.Lifecycle, p, 22) * Math.max(0, this.options.until - DAY - from));
    return { status: s < 93 ? 'paused' : s < 97 ? 'closed' : 'under_review', changedAt };
  }

  /** Whether product p could be bought at `at`: published, and not yet paused or closed (with a margin: its orders are settled). */
  sellsAt(p: number, at: number): boolean {
    const slot = this.productWindow(p);
    return this.productCache.from[slot]! <= at && at < this.productCache.to[slot]!;
  }

  /** The cache slot holding product p's selling window: [published + 1 h, ten days before it stopped selling). */
  private productWindow(p: number): number {
    const slot = p & CACHE_MASK;
    if (this.productCache.key[slot] !== p) {
      const life = this.productLifecycle(p);
      this.productCache.set(slot, p, this.productCreatedAt(p) + HOUR, life.changedAt === null ? Infinity : life.changedAt - 10 * DAY);
    }
    return slot;
  }

  /** A product of `region`, bestsellers far more likely: a long tail where many listings never sell. */
  productIn(region: SiteId, stream: S, i: number, k = 0): number {
    const block = this.layout.block('products', region);
    return block.start + this.random.skewed(block.count, PRODUCT_SKEW, stream, i, k);
  }

  /**
   * The units listing p is expected to sell over the whole window: the chance productIn draws it
   * (its place in the site's popularity order) times the site's order lines and units per line.
   * What its seller stocks for: bestsellers hold hundreds, the long tail a handful.
   */
  expectedUnits(p: number): number {
    const block = this.layout.blockOf('products', p);
    const i = p - block.start;
    const chance = ((i + 1) / block.count) ** (1 / PRODUCT_SKEW) - (i / block.count) ** (1 / PRODUCT_SKEW);
    return this.layout.block('orders', block.region).count * LINES_PER_ORDER * UNITS_PER_LINE * chance;
  }

  /** An active product of `region` (for questions and recommendations), else the site's first. */
  activeProductIn(region: SiteId, at: number, stream: S, i: number, k = 0): number {
    for (let j = 0; j < 6; j++) {
      const p = this.productIn(region, stream, i, k + j * 7);
      const slot = this.productWindow(p);
      // Active (it never stops selling) and published before `at`.
      if (this.productCache.to[slot] === Infinity && this.productCache.from[slot]! - HOUR < at) return p;
    }
    return this.layout.block('products', region).start;
  }

  discount(p: number): Discount | null {
    if (this.random.below(100, S.Discount, p) >= 15) return null;
    const startsAt = this.windowStart + this.random.below((this.options.windowDays - 3) * DAY, S.Discount, p, 1);
    return {
      percentage: 5 + 5 * this.random.below(8, S.Discount, p, 2),
      startsAt,
      endsAt: startsAt + (3 + this.random.below(18, S.Discount, p, 3)) * DAY,
    };
  }

  unitCents(p: number, at: number): number {
    const price = this.priceCents(p);
    const d = this.discount(p);
    if (!d || at < d.startsAt || at >= d.endsAt) return price;
    return Math.round((price * (100 - d.percentage)) / 100);
  }

  // --- coupons and orders -----------------------------------------------------------------

  /**
   * Coupon c. One in five of a site's coupons is a welcome coupon (a newcomer's first order);
   * the others were created before or during the window, some expire in it, one in seven was
   * switched off (and never used).
   */
  coupon(c: number): { region: SiteId; welcome: boolean; percentage: number | null; fixedCents: number | null; createdAt: number; expiresAt: number; isActive: boolean; maxUses: number } {
    const block = this.layout.blockOf('coupons', c);
    const local = c - block.start;
    const region = block.region;
    const welcome = local % 5 === 0;
    const isPercentage = this.random.below(100, S.Coupon, c) < 60;
    const rate = this.profile(region).usdRate;
    const r = this.random;
    let createdAt: number;
    let expiresAt: number;
    if (welcome) {
      createdAt = this.windowStart - 30 * DAY;
      expiresAt = this.options.until + 365 * DAY;
    } else if (r.below(100, S.Coupon, c, 6) < 55) {
      createdAt = this.windowStart - 10 * DAY;
      expiresAt = local % 4 === 1 ? this.windowStart + 30 * DAY : this.options.until + (30 + r.below(60, S.Coupon, c, 3)) * DAY;
    } else {
      createdAt = this.windowStart + r.below((this.options.windowDays - 5) * DAY, S.Coupon, c, 7);
      expiresAt = createdAt + (15 + r.below(45, S.Coupon, c, 8)) * DAY;
    }
    return {
      region,
      welcome,
      percentage: isPercentage ? 5 + 5 * r.below(4, S.Coupon, c, 1) : null,
      fixedCents: isPercentage ? null : Math.max(100, Math.round((5 + r.below(4, S.Coupon, c, 2) * 5) * rate) * 100),
      createdAt,
      expiresAt,
      isActive: welcome || local % 7 !== 3,
      maxUses: welcome ? 100_000 : 200 + 100 * r.below(10, S.Coupon, c, 4),
    };
  }

  couponCode(c: number): string {
    const words = COUPON_WORDS[this.language(this.layout.blockOf('coupons', c).region)];
    const welcome = (c - this.layout.blockOf('coupons', c).start) % 5 === 0;
    return `${welcome ? words[this.random.below(2, S.Coupon, c, 5)] : words[2 + this.random.below(words.length - 2, S.Coupon, c, 5)]}${c + 1}`;
  }

  /** Every order in index order: the payments, shipments and lines of an order all come from it. */
  *orders(): Generator<Order> {
    for (let o = 0; o < this.layout.total('orders'); o++) yield this.order(o);
  }

  private method(region: SiteId, o: number, k: number): number {
    const mix = METHOD_MIX[region] ?? DEFAULT_METHOD_MIX;
    let u = this.random.below(100, S.Payment, o, 10 + k);
    for (let m = 0; m < mix.length; m++) if ((u -= mix[m]!) < 0) return METHOD_IDS[m]!;
    return METHOD_IDS[0]!;
  }

  /** How long the processor takes to approve a payment: seconds for cards, hours to days for cash vouchers. */
  private approvalDelay(region: SiteId, method: number, o: number): number {
    const u = this.random.float(S.Payment, o, 20);
    if (method === PAYMENT_METHOD.cash_voucher) return 2 * HOUR + Math.floor(u ** 1.5 * 70 * HOUR);
    if (method === PAYMENT_METHOD.bank_transfer) return region === 'MLB' ? 10_000 + Math.floor(u * 10 * MINUTE) : 2 * MINUTE + Math.floor(u ** 2 * 6 * HOUR);
    return 5_000 + Math.floor(u * 3 * MINUTE);
  }

  /**
   * Who places order o, and when: the start of its story, which its buyer's searches and
   * recommendations lead to (seeds/recommendations.ts derives them from here, without the rest of the order).
   */
  orderLead(o: number): { region: SiteId; j: number; at: number; welcomeSlot: boolean; buyer: number } {
    const block = this.layout.blockOf('orders', o);
    const region = block.region;
    const j = o - block.start;
    const pop = this.site(region).population;
    const at = this.momentInWindow(region, S.Order, o);
    const welcomeSlot = j % WELCOME_EVERY === WELCOME_AT && Math.floor(j / WELCOME_EVERY) < pop.newcomers;
    const users = this.layout.block('users', region);
    const buyer = welcomeSlot ? users.start + pop.sellers + pop.staff + Math.floor(j / WELCOME_EVERY) : this.buyerAt(region, at, S.Order, o);
    return { region, j, at, welcomeSlot, buyer };
  }

  /** The lines of order o, placed in `region` at `at`: listings selling then, bestsellers more likely. */
  orderLines(o: number, region: SiteId, at: number): Line[] {
    const r = this.random;
    const count = [1, 1, 1, 1, 1, 1, 1, 2, 2, 3][r.below(10, S.Order, o, 2)]!;
    const lines: Line[] = [];
    for (let k = 0; lines.length < count && k < count * 5; k++) {
      const product = this.productIn(region, S.Line, o, k);
      if (lines.some((l) => l.product === product) || !this.sellsAt(product, at)) continue;
      const q = r.below(100, S.Line, o, 100 + k);
      lines.push({ product, quantity: q < 84 ? 1 : q < 96 ? 2 : 3 + (q % 3), unitCents: this.unitCents(product, at) });
    }
    if (lines.length === 0) {
      const product = this.layout.block('products', region).start;
      lines.push({ product, quantity: 1, unitCents: this.unitCents(product, at) });
    }
    return lines;
  }

  /** The id of order o (its key is this id with its region and created_at). */
  orderId(o: number): number {
    return o + 1;
  }

  order(o: number): Order {
    const r = this.random;
    const until = this.options.until;
    const { region, j, at, welcomeSlot, buyer } = this.orderLead(o);
    const address = this.addressId(buyer, r.below(this.addressCount(buyer), S.Order, o, 1));
    const lines = this.orderLines(o, region, at);
    const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.unitCents, 0);

    // A welcome coupon on a newcomer's order; a live, switched-on coupon on 6 % of the others.
    let coupon: number | null = null;
    const coupons = this.layout.block('coupons', region);
    if (welcomeSlot) {
      const welcomes = Math.ceil(coupons.count / 5);
      coupon = coupons.start + 5 * (Math.floor(j / WELCOME_EVERY) % welcomes);
    } else if (r.below(100, S.Order, o, 3) < 6) {
      for (let k = 0; k < 3 && coupon === null; k++) {
        const c = coupons.start + r.below(coupons.count, S.Order, o, 4 + k);
        const d = this.coupon(c);
        if (!d.welcome && d.isActive && d.createdAt <= at && at < d.expiresAt) coupon = c;
      }
    }
    let discountCents = 0;
    if (coupon !== null) {
      const d = this.coupon(coupon);
      const off = d.percentage !== null ? Math.floor((subtotal * d.percentage) / 100) : d.fixedCents!;
      discountCents = Math.min(off, Math.floor(subtotal * 0.9));
    }
    const totalCents = subtotal - discountCents;

    // How the order ends (docs/design.md, 'Seeded behaviour'); what it reached by --until follows.
    const method = this.method(region, o, 0);
    const x = r.float(S.Outcome, o);
    const unpaidVoucher = method === PAYMENT_METHOD.cash_voucher && r.below(100, S.Outcome, o, 1) < 25;
    const outcome: Outcome =
      unpaidVoucher || x < 0.04 ? 'unpaid' : x < 0.06 ? 'cancelled_paid' : x < 0.09 ? 'returned' : x < 0.105 ? 'not_delivered' : x < 0.109 ? 'charged_back' : 'kept';

    const payments: Payment[] = [];
    const paymentId = () => o * 4 + payments.length + 1;
    const add = (m: number, status: number, cents: number, when: number) => payments.push({ id: paymentId(), method: m, status, cents, at: when });
    const deferred = method === PAYMENT_METHOD.cash_voucher || (method === PAYMENT_METHOD.bank_transfer && region !== 'MLB');
    const card = method === PAYMENT_METHOD.credit_card || method === PAYMENT_METHOD.debit_card;
    let firstTry = at;
    // One card payment in ten is refused first (limit, wrong code) and retried a minute or two later.
    if (card && r.below(100, S.Payment, o, 1) < 10) {
      const refusedAt = at + 20_000 + r.below(2 * MINUTE, S.Payment, o, 2);
      if (refusedAt < until) add(method, PAYMENT_STATUS.rejected, totalCents, refusedAt);
      firstTry = refusedAt + 30_000;
    }
    let status: number;
    let paidAt: number | null = null;
    let shipment: Order['shipment'] = null;
    if (outcome === 'unpaid') {
      // Never paid: a refused card, or a voucher or transfer that expired unpaid after three days.
      const issued = firstTry + 30_000 + r.below(MINUTE, S.Payment, o, 3);
      const expires = deferred ? issued + 3 * DAY : issued + HOUR + r.below(2 * DAY, S.Payment, o, 4);
      if (issued < until) add(method, expires < until ? PAYMENT_STATUS.rejected : deferred ? PAYMENT_STATUS.pending : PAYMENT_STATUS.rejected, totalCents, issued);
      status = expires < until ? ORDER_STATUS.cancelled : ORDER_STATUS.payment_required;
    } else {
      const approvedAt = firstTry + this.approvalDelay(region, method, o);
      if (approvedAt >= until) {
        // Still waiting: a voucher or a transfer not yet credited.
        if (deferred && at + MINUTE < until) add(method, PAYMENT_STATUS.pending, totalCents, at + MINUTE);
        status = ORDER_STATUS.payment_required;
      } else {
        // One card or wallet payment in twelve is split in two, the second a moment after the first.
        const splitAt = approvedAt + 15_000 + r.below(4 * MINUTE, S.Payment, o, 5);
        if ((method === PAYMENT_METHOD.credit_card || method === PAYMENT_METHOD.wallet) && r.below(12, S.Payment, o, 6) === 0 && totalCents >= 2 && splitAt < until) {
          const first = Math.max(1, Math.floor(totalCents * (0.3 + 0.4 * r.float(S.Payment, o, 7))));
          add(method, PAYMENT_STATUS.approved, first, approvedAt);
          add(method === PAYMENT_METHOD.wallet ? PAYMENT_METHOD.credit_card : PAYMENT_METHOD.wallet, PAYMENT_STATUS.approved, totalCents - first, splitAt);
          paidAt = splitAt;
        } else {
          add(method, PAYMENT_STATUS.approved, totalCents, approvedAt);
          paidAt = approvedAt;
        }
        status = ORDER_STATUS.paid;
        const refundAll = (charged = false) => {
          for (const [k, p] of payments.entries()) {
            if (p.status === PAYMENT_STATUS.approved) payments[k] = { ...p, status: charged && k === payments.findIndex((q) => q.status === PAYMENT_STATUS.approved) ? PAYMENT_STATUS.charged_back : PAYMENT_STATUS.refunded };
          }
        };
        const cancelAt = paidAt + HOUR + r.below(30 * HOUR, S.Outcome, o, 2);
        const shippedAt = paidAt + 3 * HOUR + Math.floor(r.float(S.Shipment, o, 1) ** 2 * 60 * HOUR);
        const transit = Math.floor(DAY * (0.6 + 6.5 * r.float(S.Shipment, o, 2) ** 2) * (region === 'MLB' || region === 'MLA' || region === 'MLM' ? 1 : 1.4));
        const arrivesAt = shippedAt + transit;
        if (outcome === 'cancelled_paid' && cancelAt < shippedAt && cancelAt < until) {
          status = ORDER_STATUS.cancelled;
          refundAll();
        } else if (shippedAt >= until) {
          const waited = until - paidAt;
          shipment = { status: waited < 6 * HOUR ? SHIPMENT_STATUS.pending : waited < DAY ? SHIPMENT_STATUS.handling : SHIPMENT_STATUS.ready_to_ship, shippedAt: null, deliveredAt: null };
        } else if (arrivesAt >= until) {
          status = ORDER_STATUS.shipped;
          shipment = { status: SHIPMENT_STATUS.shipped, shippedAt, deliveredAt: null };
        } else if (outcome === 'not_delivered') {
          // The carrier gave up: the parcel went back and the buyer was refunded.
          status = ORDER_STATUS.refunded;
          shipment = { status: SHIPMENT_STATUS.not_delivered, shippedAt, deliveredAt: null };
          refundAll();
        } else {
          status = ORDER_STATUS.delivered;
          shipment = { status: SHIPMENT_STATUS.delivered, shippedAt, deliveredAt: arrivesAt };
          const returnedAt = arrivesAt + 2 * DAY + r.below(10 * DAY, S.Outcome, o, 3);
          const disputedAt = arrivesAt + 10 * DAY + r.below(35 * DAY, S.Outcome, o, 4);
          if (outcome === 'returned' && returnedAt < until) {
            status = ORDER_STATUS.refunded;
            refundAll();
          } else if (outcome === 'charged_back' && disputedAt < until && payments.some((p) => p.method === PAYMENT_METHOD.credit_card)) {
            status = ORDER_STATUS.refunded;
            refundAll(true);
          }
        }
      }
    }
    return { index: o, id: this.orderId(o), region, buyer, address, at, status, outcome, coupon, lines, discountCents, totalCents, payments, paidAt, shipment };
  }

  carrier(o: number, region: SiteId): string {
    return this.random.pick(CARRIERS[region] ?? DEFAULT_CARRIERS, S.Shipment, o, 3);
  }

  // --- campaigns ----------------------------------------------------------------------------

  /** The campaign of store s, named after a sale event of its site (or the month) and running around it. */
  campaign(s: number): { name: string; startsAt: number; endsAt: number } {
    const region = this.storeRegion(s);
    const r = this.random;
    const events = saleEvents(region, this.windowStart - 20 * DAY, this.options.until + 40 * DAY);
    const language = this.language(region);
    if (events.length > 0 && r.below(10, S.Campaign, s, 9) < 8) {
      const e = events[r.below(events.length, S.Campaign, s, 1)]!;
      const local = e.start - this.offsetAt(region, e.start);
      const startsAt = local - r.below(4, S.Campaign, s, 2) * DAY;
      const endsAt = local + e.days * DAY + r.below(3, S.Campaign, s, 10) * DAY;
      return { name: `${e.name[language]} ${new Date(e.start).getUTCFullYear()}`, startsAt, endsAt };
    }
    const startsAt = this.windowStart + r.below((this.options.windowDays - 1) * DAY, S.Campaign, s, 1);
    const month = new Date(startsAt).toLocaleString(language === 'pt' ? 'pt-BR' : 'es', { month: 'long', timeZone: 'UTC' });
    return { name: `${language === 'pt' ? 'Ofertas de' : 'Ofertas de'} ${month} ${new Date(startsAt).getUTCFullYear()}`, startsAt, endsAt: startsAt + (7 + r.below(14, S.Campaign, s, 2)) * DAY };
  }
}

/** Cents as a numeric literal: 12345 → "123.45". */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function timestamp(ms: number): string {
  return new Date(ms).toISOString();
}

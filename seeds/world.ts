/**
 * The seeded marketplace as pure functions of (seed, index). Every entity — user 41, order
 * 90210 — is computed from a hash of the seed and its index, never from state, so each table
 * can be streamed independently, in any order, with flat memory, and the same seed gives the
 * same bytes on any target. Entities of a region occupy a contiguous block of indexes, so
 * "a random user of MLA" is one multiplication, not a lookup table.
 */
import { ORDER_STATUSES, PAYMENT_METHODS, PAYMENT_STATUSES, ROLES, SHIPMENT_STATUSES, SITES, referenceIds, type SiteId } from '../schema/values.ts';
import { SITE_PROFILES, type Language, type SiteProfile } from './locales.ts';
import { LEAVES } from './text.ts';

export const DAY = 86_400_000;
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
  Order, Line, Payment, Shipment, Question, Conversation, Message, Search, Recommendation, Campaign, Hash, Password,
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
    // Store owners are the first users of each region, so a region needs as many users as stores.
    for (const [i, b] of blocks.users.entries()) {
      const stores = blocks.stores[i]!.count;
      if (b.count < stores) throw new Error(`scale too small: ${b.region} has fewer users than stores`);
    }
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
// Pools of faker values: built once per run, sampled per row (faker per row is ~50x slower)

interface Pools {
  readonly names: readonly string[];
  readonly streets: readonly string[];
  readonly places: readonly (readonly [string, string])[];
  readonly companies: readonly string[];
}

const POOL_SIZE = 1500;

function buildPools(profile: SiteProfile, seed: number): Pools {
  const faker = profile.faker;
  faker.seed(seed);
  const many = <T>(n: number, make: () => T) => Array.from({ length: n }, make);
  return {
    names: many(POOL_SIZE, () => `${faker.person.firstName()} ${faker.person.lastName()}`),
    streets: many(POOL_SIZE / 3, () => faker.location.street()),
    places: profile.places ?? many(200, () => [faker.location.city(), faker.location.state()] as const),
    companies: many(200, () => faker.company.name().split(/[ ,]/)[0]!),
  };
}

// ---------------------------------------------------------------------------------------------
// Entities

// Reference ids as the migrations insert them (schema/values.ts), looked up by name.
export const ORDER_STATUS = referenceIds(ORDER_STATUSES);
export const PAYMENT_STATUS = referenceIds(PAYMENT_STATUSES);
export const SHIPMENT_STATUS = referenceIds(SHIPMENT_STATUSES);
const PAYMENT_METHOD_IDS = Object.values(referenceIds(PAYMENT_METHODS));
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

export interface Order {
  readonly index: number;
  readonly id: number;
  readonly region: SiteId;
  readonly buyer: number;
  readonly address: number;
  readonly at: number;
  readonly status: number;
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

const CARRIERS: Partial<Record<SiteId, readonly string[]>> = {
  MLB: ['Mercado Envios', 'Correios', 'Jadlog', 'Loggi'],
  MLA: ['Mercado Envíos', 'OCA', 'Andreani', 'Correo Argentino'],
  MLM: ['Mercado Envíos', 'Estafeta', 'DHL', 'FedEx'],
  MCO: ['Mercado Envíos', 'Servientrega', 'Coordinadora'],
  MLC: ['Mercado Envíos', 'Chilexpress', 'Starken'],
};
const DEFAULT_CARRIERS = ['Mercado Envíos', 'DHL'];

/** Relative order volume by hour of day (local evening peak) and by weekday (Sunday first). */
const HOURLY = [2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 10, 11, 10, 9, 9, 10, 11, 12, 13, 14, 13, 9, 5];
const WEEKDAY = [0.8, 1.15, 1.1, 1.05, 1.0, 0.95, 0.85];
const HOURLY_CDF = HOURLY.map(((sum) => (w: number) => (sum += w))(0)).map((c, _i, all) => c / all.at(-1)!);

const asciiFold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '.').replace(/^\.|\.$/g, '');

export class World {
  readonly random: Random;
  readonly layout: Layout;
  readonly windowStart: number;
  private readonly pools = new Map<Language | SiteId, Pools>();

  constructor(readonly options: WorldOptions) {
    this.random = new Random(options.seed);
    this.layout = new Layout(options);
    this.windowStart = options.until - options.windowDays * DAY;
    // Sites that share a locale (es) still get their own people and streets: the pool seed differs.
    for (const region of options.regions) {
      const regionSalt = SITES.findIndex((s) => s.id === region) + 1;
      this.pools.set(region, buildPools(SITE_PROFILES[region], fmix(options.seed ^ Math.imul(regionSalt, 0x9e3779b1))));
    }
  }

  profile(region: SiteId): SiteProfile {
    return SITE_PROFILES[region];
  }

  language(region: SiteId): Language {
    return SITE_PROFILES[region].language;
  }

  private pool(region: SiteId): Pools {
    return this.pools.get(region)!;
  }

  /** A moment in the order window with the daily and weekly rhythm of a marketplace. */
  momentInWindow(stream: S, i: number): number {
    const r = this.random;
    let day = 0;
    for (let k = 0; k < 8; k++) {
      day = r.below(this.options.windowDays, stream, i, 100 + k);
      const weekday = new Date(this.windowStart + day * DAY).getUTCDay();
      if (r.float(stream, i, 200 + k) * 1.15 < WEEKDAY[weekday]!) break;
    }
    const u = r.float(stream, i, 300);
    const hour = HOURLY_CDF.findIndex((c) => u < c);
    return this.windowStart + day * DAY + hour * HOUR + r.below(HOUR, stream, i, 301);
  }

  // --- users -------------------------------------------------------------------------------

  userRegion(u: number): SiteId {
    return this.layout.blockOf('users', u).region;
  }

  userRole(u: number): number {
    const block = this.layout.blockOf('users', u);
    if (u - block.start < this.layout.block('stores', block.region).count) return ROLE.seller;
    const h = this.random.int(S.UserMisc, u, 1) % 1000;
    return h < 3 ? ROLE.staff[h % ROLE.staff.length]! : ROLE.user;
  }

  userName(u: number): string {
    return this.random.pick(this.pool(this.userRegion(u)).names, S.UserName, u);
  }

  userEmail(u: number): string {
    const domains = this.language(this.userRegion(u)) === 'pt' ? ['gmail.com', 'hotmail.com', 'outlook.com', 'uol.com.br'] : ['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.com'];
    return `${asciiFold(this.userName(u))}.${u + 1}@${this.random.pick(domains, S.UserName, u, 1)}`;
  }

  userCreatedAt(u: number): number {
    // Accounts predate the order window, so every order is placed by an existing account.
    const latest = this.windowStart - 60 * DAY;
    return latest - this.random.below(4 * 365 * DAY, S.UserMisc, u, 2);
  }

  addressCount(u: number): number {
    const h = this.random.below(100, S.Address, u);
    return 1 + (h < 40 ? 1 : 0) + (h < 10 ? 1 : 0);
  }

  addressId(u: number, k: number): number {
    return u * 3 + k + 1;
  }

  address(u: number, k: number): { street: string; city: string; state: string; postalCode: string } {
    const region = this.userRegion(u);
    const pool = this.pool(region);
    const i = u * 3 + k;
    const [city, state] = this.random.pick(pool.places, S.Address, i, 1);
    return {
      street: `${this.random.pick(pool.streets, S.Address, i, 2)} ${1 + this.random.below(3000, S.Address, i, 3)}`,
      city,
      state,
      postalCode: this.profile(region).postalCode(this.random.int(S.Address, i, 4)),
    };
  }

  /** A user of `region`, low indexes (heavy buyers) more likely. */
  userIn(region: SiteId, stream: S, i: number, k = 0): number {
    const block = this.layout.block('users', region);
    return block.start + this.random.skewed(block.count, 1.6, stream, i, k);
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
    return `${this.random.pick(this.pool(region).companies, S.Store, s)} ${this.random.pick(suffixes, S.Store, s, 1)} ${s + 1}`;
  }

  storeCreatedAt(s: number): number {
    return Math.min(this.userCreatedAt(this.storeOwner(s)) + this.random.below(30 * DAY, S.Store, s, 2), this.windowStart - 31 * DAY);
  }

  productRegion(p: number): SiteId {
    return this.layout.blockOf('products', p).region;
  }

  /** The store selling product p: a store of the same region, big stores selling more. */
  productStore(p: number): number {
    const block = this.layout.block('stores', this.productRegion(p));
    return block.start + this.random.skewed(block.count, 2, S.Product, p, 1);
  }

  productLeaf(p: number): number {
    return this.random.below(LEAVES.length, S.Product, p, 2);
  }

  /** Noun and brand: what a buyer types to find it (also the start of its title). */
  productQuery(p: number): string {
    const leaf = LEAVES[this.productLeaf(p)]!;
    const noun = this.random.pick(leaf.nouns[this.language(this.productRegion(p))], S.Product, p, 3);
    return `${noun} ${this.random.pick(leaf.brands, S.Product, p, 4)}`;
  }

  productTitle(p: number): string {
    const leaf = LEAVES[this.productLeaf(p)]!;
    return `${this.productQuery(p)} ${this.random.pick(leaf.variants, S.Product, p, 5)}`;
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

  productCreatedAt(p: number): number {
    const store = this.storeCreatedAt(this.productStore(p));
    return Math.min(store + this.random.below(120 * DAY, S.Product, p, 6), this.windowStart - DAY);
  }

  /** A product of `region`, bestsellers far more likely. */
  productIn(region: SiteId, stream: S, i: number, k = 0): number {
    const block = this.layout.block('products', region);
    return block.start + this.random.skewed(block.count, 3, stream, i, k);
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

  coupon(c: number): { region: SiteId; percentage: number | null; fixedCents: number | null; expiresAt: number; maxUses: number } {
    const region = this.layout.blockOf('coupons', c).region;
    const isPercentage = this.random.below(100, S.Coupon, c) < 60;
    const rate = this.profile(region).usdRate;
    return {
      region,
      percentage: isPercentage ? 5 + 5 * this.random.below(4, S.Coupon, c, 1) : null,
      fixedCents: isPercentage ? null : Math.max(100, Math.round((5 + this.random.below(4, S.Coupon, c, 2) * 5) * rate) * 100),
      // One in five expired during the window; the others outlive it.
      expiresAt: c % 5 === 0 ? this.windowStart + 30 * DAY : this.options.until + (30 + this.random.below(60, S.Coupon, c, 3)) * DAY,
      maxUses: 200 + 100 * this.random.below(10, S.Coupon, c, 4),
    };
  }

  couponCode(c: number): string {
    const words = ['BEMVINDO', 'HOTSALE', 'CYBER', 'VERANO', 'FRETE', 'PRIMERA', 'VUELTA', 'NATAL'];
    return `${this.random.pick(words, S.Coupon, c, 5)}${c + 1}`;
  }

  /** Every order in index order: the payments, shipments and lines of an order all come from it. */
  *orders(): Generator<Order> {
    for (let o = 0; o < this.layout.total('orders'); o++) yield this.order(o);
  }

  order(o: number): Order {
    const r = this.random;
    const region = this.layout.blockOf('orders', o).region;
    const buyer = this.userIn(region, S.Order, o);
    const at = this.momentInWindow(S.Order, o);
    const address = this.addressId(buyer, r.below(this.addressCount(buyer), S.Order, o, 1));

    const count = [1, 1, 1, 1, 1, 1, 2, 2, 3, 4][r.below(10, S.Order, o, 2)]!;
    const lines: Line[] = [];
    for (let k = 0; lines.length < count && k < count * 4; k++) {
      const product = this.productIn(region, S.Line, o, k);
      if (lines.some((l) => l.product === product)) continue;
      const q = r.below(100, S.Line, o, 100 + k);
      lines.push({ product, quantity: q < 82 ? 1 : q < 95 ? 2 : 3 + (q % 3), unitCents: this.unitCents(product, at) });
    }
    const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.unitCents, 0);

    let coupon: number | null = null;
    let discountCents = 0;
    if (r.below(100, S.Order, o, 3) < 6) {
      const block = this.layout.block('coupons', region);
      const c = block.start + r.skewed(block.count, 1.5, S.Order, o, 4);
      const details = this.coupon(c);
      if (at < details.expiresAt) {
        coupon = c;
        const off = details.percentage !== null ? Math.floor((subtotal * details.percentage) / 100) : details.fixedCents!;
        discountCents = Math.min(off, Math.floor(subtotal * 0.9));
      }
    }
    const totalCents = subtotal - discountCents;

    // Status follows age: recent orders are still moving, old ones are delivered or cancelled.
    const age = this.options.until - at;
    const s = r.below(100, S.Order, o, 5);
    const status =
      age < 2 * DAY
        ? s < 25 ? ORDER_STATUS.payment_required : s < 60 ? ORDER_STATUS.paid : s < 95 ? ORDER_STATUS.shipped : ORDER_STATUS.cancelled
        : age < 8 * DAY
          ? s < 10 ? ORDER_STATUS.paid : s < 50 ? ORDER_STATUS.shipped : s < 94 ? ORDER_STATUS.delivered : ORDER_STATUS.cancelled
          : s < 93 ? ORDER_STATUS.delivered : ORDER_STATUS.cancelled;

    const payments: Payment[] = [];
    const method = () => r.pick(PAYMENT_METHOD_IDS, S.Payment, o, payments.length + 10);
    const paymentId = () => o * 4 + payments.length + 1;
    const later = (from: number, max: number, k: number) => Math.min(from + r.below(max, S.Payment, o, k), this.options.until - MINUTE);
    let paidAt: number | null = null;
    if (status === ORDER_STATUS.paid || status === ORDER_STATUS.shipped || status === ORDER_STATUS.delivered) {
      if (r.below(100, S.Payment, o) < 10) {
        payments.push({ id: paymentId(), method: method(), status: PAYMENT_STATUS.rejected, cents: totalCents, at: later(at, 5 * MINUTE, 1) });
      }
      const approvedAt = later(at + 5 * MINUTE, 55 * MINUTE, 2);
      if (r.below(100, S.Payment, o, 3) < 20 && totalCents >= 2) {
        const first = Math.max(1, Math.floor(totalCents * (0.3 + 0.4 * r.float(S.Payment, o, 4))));
        payments.push({ id: paymentId(), method: method(), status: PAYMENT_STATUS.approved, cents: first, at: approvedAt });
        payments.push({ id: paymentId(), method: method(), status: PAYMENT_STATUS.approved, cents: totalCents - first, at: approvedAt });
      } else {
        payments.push({ id: paymentId(), method: method(), status: PAYMENT_STATUS.approved, cents: totalCents, at: approvedAt });
      }
      paidAt = approvedAt;
    } else if (status === ORDER_STATUS.payment_required && r.below(2, S.Payment, o, 5) === 0) {
      payments.push({ id: paymentId(), method: method(), status: PAYMENT_STATUS.pending, cents: totalCents, at: later(at, 10 * MINUTE, 6) });
    } else if (status === ORDER_STATUS.cancelled && r.below(3, S.Payment, o, 7) === 0) {
      payments.push({ id: paymentId(), method: method(), status: PAYMENT_STATUS.rejected, cents: totalCents, at: later(at, 10 * MINUTE, 8) });
    }

    let shipment: Order['shipment'] = null;
    if (paidAt !== null) {
      const left = this.options.until - paidAt;
      if (status === ORDER_STATUS.paid) {
        shipment = { status: [SHIPMENT_STATUS.pending, SHIPMENT_STATUS.handling, SHIPMENT_STATUS.ready_to_ship][r.below(3, S.Shipment, o)]!, shippedAt: null, deliveredAt: null };
      } else {
        const shippedAt = paidAt + Math.floor(Math.min(DAY * (0.3 + 1.7 * r.float(S.Shipment, o, 1)), left * 0.3));
        const deliveredAt =
          status === ORDER_STATUS.delivered
            ? shippedAt + Math.floor(Math.min(DAY * (0.5 + 7.5 * r.float(S.Shipment, o, 2) ** 2), (this.options.until - shippedAt) * 0.9))
            : null;
        shipment = { status: deliveredAt === null ? SHIPMENT_STATUS.shipped : SHIPMENT_STATUS.delivered, shippedAt, deliveredAt };
      }
    }

    return { index: o, id: o + 1, region, buyer, address, at, status, coupon, lines, discountCents, totalCents, payments, paidAt, shipment };
  }

  carrier(o: number, region: SiteId): string {
    return this.random.pick(CARRIERS[region] ?? DEFAULT_CARRIERS, S.Shipment, o, 3);
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

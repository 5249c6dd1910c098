/**
 * The cache's key space, pure: where values, tags, floors, the epoch and sessions live in Redis,
 * and which tags and floors each cached read carries (docs/design.md, 'The cache layer').
 *
 * A tag names one database entity a cached value was read from (`product:MLA:42`, `store:MLA:3`,
 * `user:MLA:7`); the outbox rows written by the database's triggers name the same tags, so an
 * invalidation deletes exactly the values that read the changed rows. A floor is the primary's
 * WAL position after the last invalidation of a tag (or of a kind of entity in a site,
 * `product:MLA`): a refill may only read a replica that has replayed it.
 */
import type { SiteId } from '../../schema/values.ts';

/** Entities the triggers report; `all` asks for every value to go (a seed with --truncate). */
export const CACHE_ENTITIES = ['product', 'store', 'user', 'all'] as const;
export type CacheEntity = (typeof CACHE_ENTITIES)[number];

export const tag = (entity: Exclude<CacheEntity, 'all'>, region: string, id: number | string): string => `${entity}:${region}:${id}`;
/** The kind floor of a tag: every entity of that kind in that site. */
export const kindOf = (entity: Exclude<CacheEntity, 'all'>, region: string): string => `${entity}:${region}`;

/** The Redis keys under one prefix (one prefix per database: several share a Redis). */
export class CacheKeys {
  constructor(readonly prefix: string) {}
  value(name: string): string {
    return `${this.prefix}v:${name}`;
  }
  /** The invalidation counter: every invalidation batch takes the next number. */
  get seq(): string {
    return `${this.prefix}seq`;
  }
  /** A unique id replaced after every outage: values stamped with another epoch are never served. */
  get epoch(): string {
    return `${this.prefix}epoch`;
  }
  /** The floor every refill needs: the primary's position when the current epoch began. */
  get floor(): string {
    return `${this.prefix}floor`;
  }
  /** The number of the last invalidation of a tag. */
  tagVersion(t: string): string {
    return `${this.prefix}tv:${t}`;
  }
  /** The values that read a tag (a set). */
  tagMembers(t: string): string {
    return `${this.prefix}tk:${t}`;
  }
  /** The primary's WAL position (lsnKey) after the last invalidation of a tag or a kind. */
  tagFloor(t: string): string {
    return `${this.prefix}fl:${t}`;
  }
  session(token: string): string {
    return `${this.prefix}s:${token}`;
  }
  /** Counters shared by the processes on one prefix (hits, misses, invalidations, errors). */
  get stats(): string {
    return `${this.prefix}stats`;
  }
  /** Every key of the prefix, for SCAN. */
  get pattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  }
  /** Keys that hold data rather than the bookkeeping that must outlive a flush (seq, epoch). */
  isData(key: string): boolean {
    return key !== this.seq && key !== this.epoch && key !== this.floor;
  }
}

/** The default prefix: one per database, so databases sharing a Redis never share keys. */
export function defaultPrefix(database: string): string {
  return `ecomdb:${database}:`;
}

/**
 * An LSN (`16/B374D848`) as 16 upper-case hex digits, so that Redis compares two of them as
 * strings in WAL order; `0000000000000000` for none.
 */
export function lsnKey(lsn: string | null | undefined): string {
  if (!lsn) return '0'.repeat(16);
  const [high = '0', low = '0'] = lsn.split('/');
  return `${high.toUpperCase().padStart(8, '0')}${low.toUpperCase().padStart(8, '0')}`;
}

/** lsnKey back to PostgreSQL's form. */
export function lsnOf(key: string): string {
  return `${key.slice(0, 8).replace(/^0+(?=.)/, '')}/${key.slice(8).replace(/^0+(?=.)/, '')}`;
}

/** The highest of some lsnKeys (null entries count as none). */
export function maxLsnKey(keys: readonly (string | null | undefined)[]): string {
  let best = lsnKey(null);
  for (const k of keys) if (k && k > best) best = k;
  return best;
}

/** What a cached read is: its value's name, the floors a refill must respect, and how long it lives. */
export interface ReadSpec {
  readonly name: string;
  /** Tags and kinds whose floors a refill must have replayed (known before the read). */
  readonly floors: readonly string[];
  readonly ttlMs: number;
}

/** How long each kind of value lives when nothing invalidates it (the BI views change only when refreshed). */
export const TTL_MS = {
  productPage: 300_000,
  ranking: 60_000,
  recommendations: 60_000,
} as const;

export const productPageSpec = (region: SiteId, productId: number): ReadSpec => ({
  name: `product:${region}:${productId}`,
  floors: [tag('product', region, productId), kindOf('store', region)],
  ttlMs: TTL_MS.productPage,
});

export const topProductsSpec = (region: SiteId, limit: number): ReadSpec => ({
  name: `top:${region}:${limit}`,
  floors: [kindOf('product', region), kindOf('store', region)],
  ttlMs: TTL_MS.ranking,
});

export const storeRankingSpec = (region: SiteId, limit: number): ReadSpec => ({
  name: `ranking:${region}:${limit}`,
  floors: [kindOf('store', region)],
  ttlMs: TTL_MS.ranking,
});

export const recommendationsSpec = (region: SiteId, userId: number, limit: number): ReadSpec => ({
  name: `recs:${region}:${userId}:${limit}`,
  floors: [tag('user', region, userId), kindOf('product', region)],
  ttlMs: TTL_MS.recommendations,
});

/** One row of the outbox as the invalidator reads it. */
export interface OutboxRow {
  readonly entity: CacheEntity;
  readonly region: string;
  readonly entityId: string;
}

/** What a batch of outbox rows invalidates: tags (values to delete) and floors (tags and kinds) to raise. */
export function invalidationOf(rows: readonly OutboxRow[]): { all: boolean; tags: string[]; floors: string[] } {
  const tags = new Set<string>();
  const floors = new Set<string>();
  let all = false;
  for (const r of rows) {
    if (r.entity === 'all') {
      all = true;
      continue;
    }
    const t = tag(r.entity, r.region, r.entityId);
    tags.add(t);
    floors.add(t);
    floors.add(kindOf(r.entity, r.region));
  }
  return { all, tags: [...tags].sort(), floors: [...floors].sort() };
}

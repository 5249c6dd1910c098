/**
 * Cache-aside with the three guarantees the cache layer makes (docs/design.md, 'The cache layer'):
 *
 * - a hit is served only when its epoch is the current one (one MGET of the value and the epoch);
 *   a miss then reads the invalidation counter and the floors (a second MGET) before the database;
 * - a miss is refilled from a node that has replayed every floor of the read (the router's
 *   `minLsn`), and the value is written only if none of its tags was invalidated meanwhile
 *   (FILL_SCRIPT);
 * - concurrent misses of one value in one process share one database read (a single flight),
 *   but only misses that saw the same invalidation counter: a miss that starts after an
 *   invalidation never joins a read that may have started before it.
 *
 * Redis down or slow: the read goes to PostgreSQL (the primary), the error is counted, nothing is
 * thrown; with the cache off, likewise without counting.
 */
import type { AccessDb } from '../access/db.ts';
import { Histogram } from '../bench/histogram.ts';
import type { CacheClient } from './client.ts';
import { lsnOf, maxLsnKey, type ReadSpec } from './keys.ts';
import { FILL_SCRIPT, TAG_TTL_MS } from './scripts.ts';

/** Where a refill reads: a node that has replayed `minLsn` (a WAL position), or the primary. */
export interface ReadTarget {
  readonly minLsn?: string;
  readonly primary?: boolean;
}

/** Runs a read of the query library on a node fit for `target`. */
export type Reader = <T>(target: ReadTarget, work: (db: AccessDb) => Promise<T>) => Promise<T>;

/** A reader with one database (no replicas): every read on it. */
export const singleReader = (db: AccessDb): Reader => (_target, work) => work(db);

/** What a cached value carries besides itself: the epoch it was written in. */
interface Stored {
  readonly e: string;
  readonly v: unknown;
}

/** JSON that keeps Dates (the query library returns some). */
export function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : v;
  });
}

export function decode(text: string): unknown {
  // A reviver makes JSON.parse several times slower: only values that hold a Date pay for one.
  if (!text.includes('"$date"')) return JSON.parse(text);
  return JSON.parse(text, (_key, v) => (v && typeof v === 'object' && typeof v.$date === 'string' && Object.keys(v).length === 1 ? new Date(v.$date) : v));
}

/** The longest a member set of a tag is kept: as long as the longest-lived value it names. */
const MEMBERS_TTL_MS = 600_000;

export class ReadCache {
  private readonly flights = new Map<string, Promise<unknown>>();
  /** Milliseconds of the reads served from Redis (hits). */
  readonly hitLatency = new Histogram();

  constructor(
    readonly client: CacheClient,
    private readonly reader: Reader,
  ) {}

  get counters() {
    return this.client.counters;
  }

  /**
   * The value of `spec`: from Redis when it holds a current one, else read by `load` on a node
   * fit for the read and stored under the tags `tagsOf` names. `load`'s own errors (a product
   * not found) reach the caller; Redis's never do.
   */
  async get<T>(spec: ReadSpec, load: (db: AccessDb) => Promise<T>, tagsOf: (value: T) => readonly string[]): Promise<T> {
    const keys = this.client.keys;
    const valueKey = keys.value(spec.name);
    const started = performance.now();
    const seen = await this.client.run((r) => r.mGet([valueKey, keys.epoch]));
    if (!seen) {
      // Redis down or off: straight to the primary, no value kept.
      this.counters.loads++;
      return this.reader({ primary: true }, load);
    }
    const [raw, epoch] = seen;
    if (raw && epoch) {
      const stored = decode(raw) as Stored;
      if (stored.e === epoch) {
        this.counters.hits++;
        this.hitLatency.record(performance.now() - started);
        return stored.v as T;
      }
    }
    this.counters.misses++;
    // Read before the database is: an invalidation after this point refuses the fill.
    const marks = await this.client.run((r) => r.mGet([keys.seq, keys.floor, ...spec.floors.map((f) => keys.tagFloor(f))]));
    if (!marks) {
      this.counters.loads++;
      return this.reader({ primary: true }, load);
    }
    const [seq, globalFloor, ...floors] = marks;
    const flightKey = `${spec.name}\u0000${epoch}\u0000${seq ?? '0'}`;
    const joined = this.flights.get(flightKey);
    if (joined) return joined as Promise<T>;
    const flight = this.refill(spec, load, tagsOf, { valueKey, epoch: epoch ?? null, seq: seq ?? '0', floor: maxLsnKey([globalFloor, ...floors]) });
    this.flights.set(flightKey, flight);
    try {
      return await flight;
    } finally {
      this.flights.delete(flightKey);
    }
  }

  private async refill<T>(
    spec: ReadSpec,
    load: (db: AccessDb) => Promise<T>,
    tagsOf: (value: T) => readonly string[],
    seen: { valueKey: string; epoch: string | null; seq: string; floor: string },
  ): Promise<T> {
    this.counters.loads++;
    const minLsn = /^0+$/.test(seen.floor) ? undefined : lsnOf(seen.floor);
    const value = await this.reader({ minLsn }, load);
    if (seen.epoch === null) return value; // no epoch yet (a Redis that just restarted): keep nothing
    const keys = this.client.keys;
    const tags = [...new Set(tagsOf(value))];
    const written = await this.client.run((r) =>
      r.eval(FILL_SCRIPT, {
        keys: [seen.valueKey, keys.epoch, ...tags.map((t) => keys.tagVersion(t)), ...tags.map((t) => keys.tagMembers(t))],
        arguments: [seen.epoch!, seen.seq, String(spec.ttlMs), encode({ e: seen.epoch!, v: value } satisfies Stored), String(tags.length), String(Math.max(MEMBERS_TTL_MS, spec.ttlMs, TAG_TTL_MS / 6))],
      }),
    );
    if (written === 1) this.counters.fills++;
    else if (written === 0) this.counters.fillsRefused++;
    return value;
  }
}

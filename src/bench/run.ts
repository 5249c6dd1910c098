/**
 * A benchmark from start to end, as `ecomdb bench` and `npm run bench:workload` run it: read the
 * key space and a snapshot of stock and coupon uses, connect the clients, run the mix, then
 * check that nothing was lost or oversold. Returns the figures; prints nothing.
 *
 * @example
 *   const report = await benchmark({ url, clients: 8, durationMs: 20_000, mix: DEFAULT_MIX, seed: 1, skew: 0.99, biLive: false, replicas: [], check: true });
 *   for (const op of report.operations) console.log(op.operation, op.throughput, op.latencyMs.p95);
 */
import { openPostgres } from '../db/postgres.ts';
import { maskUrl } from '../db/url.ts';
import type { ReplicaHealth } from '../replica/router.ts';
import { checkRun, takeSnapshot, type CheckReport } from './check.ts';
import { readKeySpace } from './keyspace.ts';
import { BENCH_OPERATIONS, mixObject, type BenchOperation, type Family, type Mix } from './mix.ts';
import { connect, runMix, type OperationStats, type ProgressSample, type RlsMode } from './runner.ts';
import { Workload } from './workload.ts';
import { OPERATIONS, type AccessDb } from '../access/index.ts';
import { drizzle } from 'drizzle-orm/postgres-js';
import { openCacheLayer, type CacheLayer } from '../cache/layer.ts';
import { INVALIDATION_BOUND_MS, StalenessLedger, type StalenessReport } from '../cache/staleness.ts';
import type { Reader } from '../cache/store.ts';
import { postgresClient } from '../db/postgres.ts';
import { createRouter } from '../replica/router.ts';

interface BenchCache {
  readonly layer: CacheLayer;
  close(): Promise<void>;
}

/**
 * The cache layer of a run: refills read through their own pool (or, with replicas, their own
 * router, which honours the floors), and an invalidator drains the outbox while the run lasts.
 */
async function openBenchCache(options: BenchOptions, cache: { readonly redisUrl: string; readonly prefix: string }): Promise<BenchCache> {
  let reader: Reader;
  let closeReader: () => Promise<void>;
  if (options.replicas.length > 0) {
    const router = await createRouter({ primary: options.url, replicas: options.replicas, poolSize: Math.max(2, Math.ceil(options.clients / 2)) });
    reader = (target, work) => router.read((sql) => work(drizzle(sql) as unknown as AccessDb), { minLsn: target.minLsn, consistent: target.primary });
    closeReader = () => router.close();
  } else {
    const sql = postgresClient(options.url, { max: Math.max(2, Math.ceil(options.clients / 2)) });
    const db = drizzle(sql) as unknown as AccessDb;
    reader = (_target, work) => work(db);
    closeReader = () => sql.end({ timeout: 5 });
  }
  try {
    const layer = await openCacheLayer({ url: options.url, redisUrl: cache.redisUrl, prefix: cache.prefix, reader });
    return { layer, close: async () => (await layer.close(), await closeReader()) };
  } catch (error) {
    await closeReader();
    throw error;
  }
}

function cacheReport(layer: CacheLayer, staleness: StalenessLedger): CacheReport {
  const c = layer.client.counters;
  const lag = layer.invalidator?.lag;
  const hits = layer.reads.hitLatency;
  const looked = c.hits + c.misses;
  return {
    state: layer.client.offReason ? 'off' : c.outages > 0 ? 'down' : 'up',
    offReason: layer.client.offReason,
    hits: c.hits,
    misses: c.misses,
    hitRate: looked === 0 ? null : round(c.hits / looked, 4),
    fills: c.fills,
    fillsRefused: c.fillsRefused,
    loads: c.loads,
    errors: c.errors,
    bypassed: c.bypassed,
    invalidations: layer.invalidator?.counters.rows ?? 0,
    invalidatedValues: layer.invalidator?.counters.deleted ?? 0,
    invalidationLagMs: { p50: lag ? round(lag.percentile(50)) : null, p99: lag ? round(lag.percentile(99)) : null, max: lag ? round(lag.max) : null },
    hitLatencyMs: { p50: round(hits.percentile(50) ?? NaN), p95: round(hits.percentile(95) ?? NaN), p99: round(hits.percentile(99) ?? NaN) },
    staleness: staleness.report(),
  };
}

export interface BenchOptions {
  /** The primary (every write; every read unless `replicas`). */
  readonly url: string;
  readonly clients: number;
  /** Run for this long (ms) ... */
  readonly durationMs?: number;
  /** ... or for this many calls in all. */
  readonly transactions?: number;
  /**
   * Run the mix this long first (ms), and count none of it: each connection plans its statements
   * and loads the catalog entries of the partitions it touches on first use, and under row-level
   * security the policies' functions too, which a short run would otherwise report as the
   * operations' tail latency. Each client starts the warm-up with one call of every operation of
   * the mix (a rare operation might otherwise never warm some connection). What the warm-up calls
   * change is checked all the same.
   */
  readonly warmupMs?: number;
  /** Calls per second in all (open loop); undefined: each client calls as fast as it can. */
  readonly rate?: number;
  readonly mix: Mix;
  readonly seed: number;
  /** Zipf skew of the keys (0 uniform, below 1). */
  readonly skew: number;
  /** BI calls compute their report on the base tables instead of reading the materialized views. */
  readonly biLive: boolean;
  /** Read-only calls go through the router to these replicas; empty: everything on the primary. */
  readonly replicas: readonly string[];
  /** Check stock, coupons, acknowledged orders and the data rules after the run. */
  readonly check: boolean;
  /** Hot reads through the Redis cache layer (product pages, rankings, recommendations). */
  readonly cache?: { readonly redisUrl: string; readonly prefix: string } | null;
  /** Each call runs as its role and user, under row-level security. */
  readonly rls?: boolean;
  /**
   * How: `transaction` (default), each call in its own transaction (asUser: SET LOCAL ROLE +
   * ecomdb.user_id); `session`, on a connection per client and role that takes the role once
   * (openRoleSession; on the primary only, not through the router).
   */
  readonly rlsMode?: RlsMode;
}

export interface BenchHooks {
  readonly onPhase?: (line: string) => void;
  readonly onProgress?: (sample: ProgressSample) => void;
  readonly progressEveryMs?: number;
  readonly signal?: AbortSignal;
}

/** Milliseconds; null when no call was acknowledged. */
export interface Latency {
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

export interface OperationReport {
  readonly operation: BenchOperation;
  readonly family: Family;
  /** Its share of the mix, in percent. */
  readonly share: number;
  readonly readOnly: boolean;
  /** Calls acknowledged. */
  readonly ok: number;
  /** Calls that failed (refused or errors), after retries. */
  readonly failed: number;
  /** Failures by code: E_ACCESS_* (a refusal), `SQLSTATE xxxxx`, or the driver's code. */
  readonly errors: Readonly<Record<string, number>>;
  /** Serialization failures and deadlocks retried. */
  readonly retries: number;
  /** Draws that found nothing to act on (no order waiting in the site drawn). */
  readonly skipped: number;
  /** Acknowledged calls per second. */
  readonly throughput: number;
  /** Of the acknowledged calls, in milliseconds (from the time a call was due, with --rate). */
  readonly latencyMs: Latency;
}

export interface BenchReport {
  readonly target: string;
  readonly options: {
    readonly clients: number;
    readonly seconds: number | null;
    readonly transactions: number | null;
    readonly rate: number | null;
    readonly seed: number;
    readonly skew: number;
    readonly biLive: boolean;
    /** Calls ran as their roles and users, under row-level security. */
    readonly rls: boolean;
    readonly readFrom: 'primary' | 'replicas';
    readonly replicas: readonly string[];
  };
  readonly mix: Readonly<Record<string, number>>;
  /** What the key space held, per site. */
  readonly keySpace: readonly { readonly region: string; readonly products: number; readonly buyers: number; readonly stores: number; readonly coupons: number }[];
  /** With a warm-up: its calls, which none of the other figures count. */
  readonly warmup: WarmupReport | null;
  readonly elapsedSeconds: number;
  readonly stoppedEarly: boolean;
  readonly totals: { readonly ok: number; readonly failed: number; readonly retries: number; readonly skipped: number; readonly throughput: number };
  /** Failures of every operation by code. */
  readonly errors: Readonly<Record<string, number>>;
  readonly operations: readonly OperationReport[];
  /** With --rate: calls due, started late (> 1 ms after due), the largest delay, and those never started. */
  readonly schedule: { readonly rate: number; readonly due: number; readonly late: number; readonly maxLagMs: number; readonly unstarted: number } | null;
  /** The replicas' health at the end (with --read-from replicas). */
  readonly replicas: readonly ReplicaHealth[] | null;
  readonly check: CheckReport | null;
  /** With --cache: what the cache did, and the stale reads the bench detected. */
  readonly cache: CacheReport | null;
}

export interface WarmupReport {
  readonly seconds: number;
  readonly ok: number;
  /** Acknowledged calls per operation. */
  readonly calls: Readonly<Record<string, number>>;
  readonly failed: number;
  /** Its failures by code (a failure is a failure, warm or not). */
  readonly errors: Readonly<Record<string, number>>;
}

/** The low bits flipped: the warm-up draws other keys than the measured run of the same seed. */
const WARMUP_SEED = 0x5a5a;

function warmupReport(operations: ReadonlyMap<BenchOperation, OperationStats>, ms: number): WarmupReport {
  let ok = 0;
  const errors: Record<string, number> = {};
  const calls: Record<string, number> = {};
  for (const [operation, stats] of operations) {
    ok += stats.ok;
    calls[operation] = stats.ok;
    for (const [code, n] of stats.errors) errors[code] = (errors[code] ?? 0) + n;
  }
  const sorted = Object.fromEntries(Object.entries(errors).sort());
  return { seconds: ms / 1000, ok, calls, failed: Object.values(sorted).reduce((a, b) => a + b, 0), errors: sorted };
}

export interface CacheReport {
  /** `up` for the whole run, `down` if Redis failed during it, `off` when it could not be reached. */
  readonly state: string;
  readonly offReason: string | null;
  readonly hits: number;
  readonly misses: number;
  /** hits / (hits + misses); null without a cached read. */
  readonly hitRate: number | null;
  readonly fills: number;
  readonly fillsRefused: number;
  /** Database reads made for misses (single flight: fewer than the misses). */
  readonly loads: number;
  readonly errors: number;
  readonly bypassed: number;
  /** Outbox rows applied, and cached values they deleted. */
  readonly invalidations: number;
  readonly invalidatedValues: number;
  /** From an outbox row's write to its invalidation in Redis. */
  readonly invalidationLagMs: { readonly p50: number | null; readonly p99: number | null; readonly max: number | null };
  /** Of the reads served from Redis (hits), in the cache layer: the per-operation latencies above include the misses. */
  readonly hitLatencyMs: { readonly p50: number | null; readonly p95: number | null; readonly p99: number | null };
  /** Product pages read after a price change the bench made was acknowledged. */
  readonly staleness: StalenessReport;
}

const round = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

export async function benchmark(options: BenchOptions, hooks: BenchHooks = {}): Promise<BenchReport> {
  const say = hooks.onPhase ?? (() => {});
  const db = await openPostgres(options.url);
  try {
    say('reading the key space (products, buyers, stores, coupons, recent orders per site)');
    const keys = await db.session((s) => readKeySpace(s));
    const snapshot = options.check ? await db.session((s) => takeSnapshot(s)) : null;
    const staleness = new StalenessLedger(INVALIDATION_BOUND_MS);
    const workload = new Workload(keys, { seed: options.seed, skew: options.skew, biLive: options.biLive, runTag: Date.now().toString(36).toUpperCase(), staleness });
    say(`connecting ${options.clients} client(s)${options.replicas.length > 0 ? `, reads through the router to ${options.replicas.length} replica(s)` : ''}`);
    const rlsMode: RlsMode = options.rls === true && options.rlsMode === 'session' && options.replicas.length === 0 ? 'session' : 'transaction';
    const connections = await connect({ url: options.url, clients: options.clients, replicas: options.replicas, roleSessions: options.rls === true && rlsMode === 'session' });
    let result;
    let warmup: WarmupReport | null = null;
    let replicas: readonly ReplicaHealth[] | null = null;
    let cache: BenchCache | null = null;
    try {
      if (options.cache) {
        cache = await openBenchCache(options, options.cache);
        say(cache.layer.client.offReason ? `cache off: ${cache.layer.client.offReason}; the hot reads go to PostgreSQL` : `hot reads through the cache (prefix ${options.cache.prefix}), invalidated from the outbox`);
      }
      if (options.warmupMs !== undefined && options.warmupMs > 0) {
        say(`warming up for ${options.warmupMs / 1000} s (calls not counted)`);
        const warm = await runMix(workload, connections.executors, {
          mix: options.mix,
          seed: options.seed ^ WARMUP_SEED,
          rls: options.rls === true,
          rlsMode,
          durationMs: options.warmupMs,
          rate: options.rate,
          everyOperationFirst: true,
          signal: hooks.signal,
          cache: cache?.layer.client.offReason ? undefined : cache?.layer.reads,
        });
        warmup = warmupReport(warm.operations, options.warmupMs);
      }
      const what = options.durationMs !== undefined ? `${options.durationMs / 1000} s` : `${options.transactions} calls`;
      say(`running the mix for ${what}${options.rate !== undefined ? ` at ${options.rate} calls/s` : ''}`);
      result = await runMix(workload, connections.executors, {
        mix: options.mix,
        seed: options.seed,
        rls: options.rls === true,
        rlsMode,
        durationMs: options.durationMs,
        transactions: options.transactions,
        rate: options.rate,
        onProgress: hooks.onProgress,
        progressEveryMs: hooks.progressEveryMs,
        signal: hooks.signal,
        cache: cache?.layer.client.offReason ? undefined : cache?.layer.reads,
      });
      if (options.replicas.length > 0) replicas = connections.health();
      // Let the last invalidations land before the figures are read.
      await cache?.layer.invalidator?.wake();
    } finally {
      await cache?.close();
      await connections.close();
    }
    let check: CheckReport | null = null;
    if (snapshot) {
      say('checking: stock, coupon uses, acknowledged orders, data rules');
      check = await db.session((s) => checkRun(s, snapshot, workload.ledger));
    }

    const seconds = result.elapsedMs / 1000;
    const operations: OperationReport[] = options.mix.map((entry) => {
      const stats = result.operations.get(entry.operation)!;
      const h = stats.latency;
      return {
        operation: entry.operation,
        family: BENCH_OPERATIONS[entry.operation],
        share: entry.share,
        readOnly: OPERATIONS[entry.operation].readOnly,
        ok: stats.ok,
        failed: stats.failed,
        errors: Object.fromEntries([...stats.errors].sort()),
        retries: stats.retries,
        skipped: stats.skipped,
        throughput: round(stats.ok / seconds, 2)!,
        latencyMs: { mean: round(h.mean), p50: round(h.percentile(50)), p95: round(h.percentile(95)), p99: round(h.percentile(99)), max: round(h.max) },
      };
    });
    const errors: Record<string, number> = {};
    for (const op of operations) for (const [code, n] of Object.entries(op.errors)) errors[code] = (errors[code] ?? 0) + n;
    const sum = (f: (o: OperationReport) => number) => operations.reduce((n, o) => n + f(o), 0);
    return {
      target: db.label,
      options: {
        clients: options.clients,
        seconds: options.durationMs === undefined ? null : options.durationMs / 1000,
        transactions: options.transactions ?? null,
        rate: options.rate ?? null,
        seed: options.seed,
        skew: options.skew,
        biLive: options.biLive,
        rls: options.rls === true,
        readFrom: options.replicas.length > 0 ? 'replicas' : 'primary',
        replicas: options.replicas.map(maskUrl),
      },
      mix: mixObject(options.mix),
      keySpace: keys.sites.map((s) => ({ region: s.region, products: s.products.ids.length, buyers: s.buyers.length, stores: s.stores.ids.length, coupons: s.coupons.length })),
      warmup,
      elapsedSeconds: round(seconds)!,
      stoppedEarly: result.stoppedEarly,
      totals: { ok: sum((o) => o.ok), failed: sum((o) => o.failed), retries: sum((o) => o.retries), skipped: sum((o) => o.skipped), throughput: round(sum((o) => o.ok) / seconds, 2)! },
      errors: Object.fromEntries(Object.entries(errors).sort()),
      operations,
      schedule: result.schedule && options.rate !== undefined ? { rate: options.rate, ...result.schedule, maxLagMs: round(result.schedule.maxLagMs)! } : null,
      replicas,
      check,
      cache: cache ? cacheReport(cache.layer, staleness) : null,
    };
  } finally {
    await db.close();
  }
}

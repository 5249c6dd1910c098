/**
 * npm run bench:cache — the cache layer's targets, measured against its baseline in the same run
 * on this machine. Not a test: it prints figures and PASS/MISS, and asserts nothing.
 *
 *   1. a database migrated and seeded by the library entry of `ecomdb seed` (default scale 2),
 *      its BI views refreshed, so that rankings and recommendations have rows;
 *   2. hot reads only (productPage 70, topProducts 10, storeSalesRanking 10, recommendProducts
 *      10), the same seed, clients and time, without the cache, then with it (`bench --cache`),
 *      each after an unmeasured warm-up of the same kind: throughput of the hot reads, and p95 of
 *      the cached reads;
 *   3. the same hot reads with 5 % price and stock changes (updateListing) through the cache: hit
 *      rate, invalidations, and stale reads the bench detected against the prices it set;
 *   4. the targets: hot-read throughput with the cache ≥ 5× without, p95 of cached reads < 50 ms,
 *      0 stale reads past the bound (INVALIDATION_BOUND_MS).
 *
 * Options: --scale N (2), --time S per run (15), --warmup S before each (30), --clients N (8),
 * --keep (keep the database).
 * The server is BENCH_DATABASE_URL (default the local server as postgres); Redis is REDIS_URL
 * (default redis://127.0.0.1:6379), under a prefix of this run, deleted at the end.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { createClient } from 'redis';
import { refreshBiViews, type AccessDb } from '../src/access/index.ts';
import { DEFAULT_SKEW } from '../src/bench/keys.ts';
import { parseMix } from '../src/bench/mix.ts';
import { benchmark, type BenchReport } from '../src/bench/run.ts';
import { DEFAULT_REDIS_URL } from '../src/cache/client.ts';
import { INVALIDATION_BOUND_MS } from '../src/cache/staleness.ts';
import { DEFAULT_REGIONS, seedOptions } from '../src/cli/flags.ts';
import { openPostgres } from '../src/db/postgres.ts';
import { MIGRATIONS_DIR } from '../src/generate/run.ts';
import { readMigrations } from '../src/migrations/files.ts';
import { seedDatabase } from '../src/seed/load.ts';
import { dropAll, freshDatabase } from './server.ts';

const { values: args } = parseArgs({
  options: { scale: { type: 'string', default: '2' }, time: { type: 'string', default: '15' }, warmup: { type: 'string', default: '30' }, clients: { type: 'string', default: '8' }, keep: { type: 'boolean', default: false } },
});
const log = (line: string) => process.stdout.write(`${line}\n`);
const REDIS_URL = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
const HOT = ['productPage', 'topProducts', 'storeSalesRanking', 'recommendProducts'] as const;
const prefix = `ecomdb_bench_cache_${process.pid}:`;

async function main(): Promise<void> {
  log(`bench:cache on ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (the machine may be shared: figures are for this run only)`);
  const name = `bench_cache_${process.pid}`;
  const url = await freshDatabase(name);
  const db = await openPostgres(url);
  const t0 = Date.now();
  try {
    await seedDatabase(db, readMigrations(MIGRATIONS_DIR), seedOptions({ scale: args.scale!, seed: '1', regions: DEFAULT_REGIONS.join(','), days: '180', check: false }));
  } finally {
    await db.close();
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe('VACUUM (ANALYZE)');
  await refreshBiViews(drizzle(sql) as unknown as AccessDb, { concurrently: false });
  await sql.end();
  log(`seeded scale ${args.scale} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  const base = { url, clients: Number(args.clients), durationMs: Number(args.time) * 1000, seed: 1, skew: DEFAULT_SKEW, biLive: false, replicas: [], check: false };
  const hotMix = parseMix('productPage=70,topProducts=10,storeSalesRanking=10,recommendProducts=10');
  const cache = { redisUrl: REDIS_URL, prefix };
  // Each configuration runs once unmeasured first (--warmup seconds): PostgreSQL's buffers and the
  // cache reach their steady state, which is what the figures compare.
  const run = async (label: string, options: Parameters<typeof benchmark>[0]) => {
    log(`run: ${label} (${args.warmup} s warm-up, then ${args.time} s measured, ${args.clients} clients)`);
    await benchmark({ ...options, durationMs: Number(args.warmup) * 1000 });
    return benchmark(options);
  };
  const plain = await run('hot reads, no cache', { ...base, mix: hotMix });
  const cached = await run('hot reads, cache', { ...base, mix: hotMix, cache });
  const writes = await run('hot reads + 5 % updateListing, cache', { ...base, mix: parseMix('productPage=70,topProducts=8,storeSalesRanking=8,recommendProducts=9,updateListing=5'), cache });

  const hotThroughput = (r: BenchReport) => r.operations.filter((o) => (HOT as readonly string[]).includes(o.operation)).reduce((n, o) => n + o.throughput, 0);
  log('');
  log('| operation | no cache calls/s | p95 ms | cache calls/s | p95 ms | ratio |');
  log('|---|---|---|---|---|---|');
  for (const op of HOT) {
    const a = plain.operations.find((o) => o.operation === op)!;
    const b = cached.operations.find((o) => o.operation === op)!;
    log(`| ${op} | ${a.throughput.toFixed(0)} | ${a.latencyMs.p95} | ${b.throughput.toFixed(0)} | ${b.latencyMs.p95} | ${(b.throughput / a.throughput).toFixed(1)}× |`);
  }
  const ratio = hotThroughput(cached) / hotThroughput(plain);
  const p95 = Math.max(...cached.operations.map((o) => o.latencyMs.p95 ?? Infinity));
  const c = cached.cache!;
  const w = writes.cache!;
  log('');
  log(`hot reads: ${hotThroughput(plain).toFixed(0)}/s without the cache, ${hotThroughput(cached).toFixed(0)}/s with it: ${ratio.toFixed(1)}×  ${ratio >= 5 ? 'PASS' : 'MISS'} (target ≥ 5×)`);
  log(`p95 of cached reads: ${c.hitLatencyMs.p95} ms for reads served from Redis  ${(c.hitLatencyMs.p95 ?? Infinity) < 50 ? 'PASS' : 'MISS'} (target < 50 ms); worst operation through the cache, misses included: ${p95} ms`);
  log(`hit rate: ${((c.hitRate ?? 0) * 100).toFixed(1)} % read-only, ${((w.hitRate ?? 0) * 100).toFixed(1)} % with writes; Redis errors ${c.errors + w.errors}`);
  log(`with writes: ${w.invalidations} invalidations applied (${w.invalidatedValues} values deleted), lag p50 ${w.invalidationLagMs.p50} ms, p99 ${w.invalidationLagMs.p99} ms, max ${w.invalidationLagMs.max} ms; ${w.fillsRefused} refills refused`);
  log(`stale reads past ${INVALIDATION_BOUND_MS} ms: ${w.staleness.stale} of ${w.staleness.judged} judged  ${w.staleness.stale === 0 ? 'PASS' : 'MISS'} (target 0)`);
  log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main()
  .catch((error: unknown) => {
    process.exitCode = 1;
    console.error(error);
  })
  .finally(async () => {
    const redis = createClient({ url: REDIS_URL });
    await redis.connect().catch(() => {});
    if (redis.isReady) {
      for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await redis.unlink(keys);
      redis.destroy();
    }
    if (!args.keep) await dropAll(log);
  });

/**
 * `ecomdb bench --cache` on a seeded database (scale 1) and the shared Redis, under a prefix of
 * this run: the report counts hits, misses, invalidations and the stale reads the bench itself
 * detects; without Redis the run goes on with the cache off. No timing is asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/bench/run.ts';
import { DEFAULT_REGIONS, seedOptions } from '../../src/cli/flags.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { readMigrations } from '../../src/migrations/files.ts';
import { seedDatabase } from '../../src/seed/load.ts';
import { ecomdb } from '../helpers/cli.ts';
import { databasesForBlock, type TestDatabase } from '../helpers/db.ts';
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from './redis.ts';

const fresh = databasesForBlock();
let seeded: TestDatabase;
const prefix = uniquePrefix('cache_bench');
const MIX = 'productPage=80,topProducts=5,storeSalesRanking=5,updateListing=10';

beforeAll(async () => {
  seeded = await fresh('cache_bench');
  const db = await openPostgres(seeded.url);
  try {
    await seedDatabase(db, readMigrations(MIGRATIONS_DIR), seedOptions({ scale: '1', seed: '1', regions: DEFAULT_REGIONS.join(','), days: '180', check: false }));
  } finally {
    await db.close();
  }
}, 180_000);
afterAll(async () => {
  await deletePrefix(SHARED_REDIS_URL, prefix);
});

describe('ecomdb bench --cache', () => {
  it('reports hits, misses, invalidations and no stale read past the bound; the check after the run passes', async () => {
    const run = await ecomdb(['bench', '--url', seeded.url, '--cache', '--time', '6', '--clients', '4', '--mix', MIX, '--skew', '0.99', '--json'], {
      env: { REDIS_URL: SHARED_REDIS_URL, ECOMDB_CACHE_PREFIX: prefix },
      killAfterMs: 120_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    const cache = report.cache!;
    expect(cache.state).not.toBe('off');
    expect(cache.hits).toBeGreaterThan(0);
    expect(cache.misses).toBeGreaterThan(0);
    expect(cache.hitRate).toBeCloseTo(cache.hits / (cache.hits + cache.misses), 3);
    expect(cache.loads).toBeLessThanOrEqual(cache.misses + cache.bypassed);
    // The price changes of updateListing and the sales' stock changes were invalidated.
    expect(cache.invalidations).toBeGreaterThan(0);
    expect(cache.staleness.reads).toBeGreaterThan(0);
    expect(cache.staleness.stale).toBe(0);
    expect(report.check?.passed).toBe(true);
    expect(run.stderr).toMatch(/stale reads: 0 of \d+/);
  }, 150_000);

  it('without Redis the run goes on with the cache off, said once', async () => {
    const run = await ecomdb(['bench', '--url', seeded.url, '--cache', '--redis-url', 'redis://127.0.0.1:1', '--time', '2', '--clients', '2', '--mix', MIX, '--no-check', '--json'], {
      env: { ECOMDB_CACHE_PREFIX: prefix },
      killAfterMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.cache).toMatchObject({ state: 'off', hits: 0 });
    expect(report.operations.find((o) => o.operation === 'productPage')!.ok).toBeGreaterThan(0);
    expect(run.stderr.match(/cache off/g)).toHaveLength(1);
  }, 90_000);
});

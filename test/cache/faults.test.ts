/**
 * Redis failing under the cache, on a redis-server of this test's own (never the shared one):
 * killed and started again, and paused (a Redis that hangs) while the database changes.
 */
import { drizzle } from 'drizzle-orm/postgres-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessDb } from '../../src/access/index.ts';
import { openCacheLayer, type CacheLayer } from '../../src/cache/layer.ts';
import { cachedProductPage } from '../../src/cache/reads.ts';
import type { Reader } from '../../src/cache/store.ts';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db.ts';
import type { Target } from '../access/targets.ts';
import { makeWorld, type World } from '../access/world.ts';
import { freePort, OwnRedis, uniquePrefix } from './redis.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let test: TestDatabase;
let world: World;
let redis: OwnRedis;
let layer: CacheLayer;
let loads = 0;

beforeAll(async () => {
  test = await createMigratedDatabase('cache_faults');
  const db = drizzle(test.sql) as unknown as AccessDb;
  const target: Target = { name: 'faults', db, query: async (text, params = []) => (await test.sql.unsafe(text, params as never[])) as never, close: () => test.drop() };
  world = await makeWorld(target);
  redis = new OwnRedis(await freePort());
  await redis.start();
  const reader: Reader = (_t, work) => (loads++, work(db));
  layer = await openCacheLayer({ url: test.url, redisUrl: redis.url, prefix: uniquePrefix('faults'), reader, required: true, timeoutMs: 100 });
}, 120_000);

afterAll(async () => {
  await layer?.close();
  await redis?.stop();
  await test?.drop();
});

/** Readers reading the page of `productId` in a loop until `stop()`; what they got and every error thrown to them. */
function readers(productId: number, n = 4) {
  let running = true;
  const errors: unknown[] = [];
  const prices: string[] = [];
  let reads = 0;
  const loops = Array.from({ length: n }, async () => {
    while (running) {
      try {
        const page = await cachedProductPage(layer.reads, { region: world.region, productId });
        prices.push(page.price);
        reads++;
      } catch (error) {
        errors.push(error);
      }
      await sleep(5);
    }
  });
  return {
    errors,
    prices,
    reads: () => reads,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('Redis faults', () => {
  it('killed mid-run: no error reaches a reader, reads go to PostgreSQL; started again: hits resume', async () => {
    const run = readers(world.phone);
    await sleep(300);
    const hitsBefore = layer.client.counters.hits;
    expect(hitsBefore).toBeGreaterThan(0);

    await redis.kill();
    await sleep(300);
    const loadsDown = loads;
    const readsDown = run.reads();
    await sleep(500);
    expect(run.reads()).toBeGreaterThan(readsDown); // still answered...
    expect(loads).toBeGreaterThan(loadsDown); // ...by the database
    expect(layer.client.state).toBe('down');

    await redis.start();
    const back = await (async () => {
      for (let i = 0; i < 100; i++) {
        if (layer.client.state === 'up') return true;
        await sleep(50);
      }
      return false;
    })();
    expect(back).toBe(true);
    const hitsAfter = layer.client.counters.hits;
    await sleep(500);
    await run.stop();
    expect(layer.client.counters.hits).toBeGreaterThan(hitsAfter);
    expect(run.errors).toEqual([]);
    expect(layer.client.counters.errors).toBeGreaterThan(0);
    expect(layer.client.counters.epochs).toBeGreaterThan(0);
  }, 60_000);

  it('paused while the database changes: no value from before the pause is served after it', async () => {
    const params = { region: world.region, productId: world.charger };
    expect((await cachedProductPage(layer.reads, params)).price).toBe('80.00');
    expect((await cachedProductPage(layer.reads, params)).price).toBe('80.00'); // cached
    const run = readers(world.charger, 2);
    await sleep(200);

    redis.pause();
    // The write's invalidation cannot reach the paused Redis: it waits in the outbox.
    await test.sql`update product_catalog.products set price = 81.00 where region = ${world.region} and id = ${world.charger}`;
    await sleep(800);
    const duringPause = run.prices.length;
    redis.resume();

    for (let i = 0; i < 100 && layer.client.state !== 'up'; i++) await sleep(50);
    const resumedAt = run.prices.length;
    await sleep(800);
    await run.stop();
    expect(run.errors).toEqual([]);
    // While paused, reads answered from the database, with the new price once it was written.
    expect(run.prices.slice(duringPause - 5, duringPause)).toEqual(Array(5).fill('81.00'));
    // After: never the old price.
    expect(run.prices.slice(resumedAt)).not.toContain('80.00');
    expect((await cachedProductPage(layer.reads, params)).price).toBe('81.00');
    // And the invalidation waiting in the outbox was applied in the end.
    await layer.invalidator!.wake();
    const [row] = await test.sql`select count(*)::int as n from ecomdb_cache.invalidations`;
    expect(row!.n).toBe(0);
  }, 60_000);
});

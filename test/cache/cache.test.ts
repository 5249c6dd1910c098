/**
 * The cache layer on a real PostgreSQL and a real Redis (the shared server, under a prefix unique
 * to this run): writes by anyone invalidate, concurrent misses make one query, and readers never
 * see a value older than the bound once a write was acknowledged.
 */
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productPage, updateListing, type AccessDb } from '../../src/access/index.ts';
import { CacheClient } from '../../src/cache/client.ts';
import { productPageSpec } from '../../src/cache/keys.ts';
import { CACHE_INVALIDATION_OFF, INVALIDATE_EVERYTHING } from '../../src/cache/outbox.ts';
import { openCacheLayer, type CacheLayer } from '../../src/cache/layer.ts';
import { cachedProductPage, cachedRecommendations, cachedTopProducts } from '../../src/cache/reads.ts';
import { StalenessLedger, INVALIDATION_BOUND_MS } from '../../src/cache/staleness.ts';
import { ReadCache, type Reader } from '../../src/cache/store.ts';
import { monthOf } from '../../src/partition/months.ts';
import { applyPlan } from '../../src/partition/plan.ts';
import { runPartition } from '../../src/partition/run.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db.ts';
import type { Target } from '../access/targets.ts';
import { makeWorld, type World } from '../access/world.ts';
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from './redis.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until `probe` is true; false after `ms`. */
async function eventually(probe: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(20);
  }
  return probe();
}

interface Setup {
  test: TestDatabase;
  db: AccessDb;
  target: Target;
  world: World;
  /** Database reads the cache made (the reader is called once per refill). */
  loads: () => number;
  reader: Reader;
}

async function setup(label: string, partitioned = false): Promise<Setup> {
  const test = await createMigratedDatabase(label);
  if (partitioned) {
    const d = await openPostgres(test.url);
    try {
      await runPartition(d, (s) => applyPlan(s, { month: monthOf(new Date()) }));
    } finally {
      await d.close();
    }
  }
  const db = drizzle(test.sql) as unknown as AccessDb;
  const target: Target = { name: label, db, query: async (text, params = []) => (await test.sql.unsafe(text, params as never[])) as never, close: () => test.drop() };
  const world = await makeWorld(target);
  let loads = 0;
  const reader: Reader = (_target, work) => {
    loads++;
    return work(db);
  };
  return { test, db, target, world, loads: () => loads, reader };
}

describe.each([false, true])('writes by anyone invalidate (partitioned: %s)', (partitioned) => {
  let s: Setup;
  let layer: CacheLayer;
  let psql: postgres.Sql;
  const prefix = uniquePrefix('cache_psql');
  beforeAll(async () => {
    s = await setup('cache_psql', partitioned);
    layer = await openCacheLayer({ url: s.test.url, redisUrl: SHARED_REDIS_URL, prefix, reader: s.reader, required: true });
    // A plain connection, as psql or another service would write.
    psql = postgres(s.test.url, { max: 1, onnotice: () => {} });
  }, 120_000);
  afterAll(async () => {
    await psql?.end();
    await layer?.close();
    await s?.test.drop();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('a price, a store name and a new review written by plain SQL reach the cached page', async () => {
    const { world: w } = s;
    const params = { region: w.region, productId: w.phone };
    const first = await cachedProductPage(layer.reads, params);
    expect(first.price).toBe('1000.00');
    const loads = s.loads();
    expect((await cachedProductPage(layer.reads, params)).price).toBe('1000.00');
    expect(s.loads()).toBe(loads); // a hit: no database read

    await psql`update product_catalog.products set price = 1234.50 where region = ${w.region} and id = ${w.phone}`;
    expect(await eventually(async () => (await cachedProductPage(layer.reads, params)).price === '1234.50')).toBe(true);

    await psql`update seller_management.stores set name = ${`Renamed ${w.tag}`} where region = ${w.region} and id = ${w.store}`;
    expect(await eventually(async () => (await cachedProductPage(layer.reads, params)).store.name === `Renamed ${w.tag}`)).toBe(true);

    await psql`insert into product_catalog.product_images (region, product_id, url, position) values (${w.region}, ${w.phone}, ${`https://img.example.com/${w.tag}.jpg`}, 1)`;
    expect(await eventually(async () => (await cachedProductPage(layer.reads, params)).images.length === 1)).toBe(true);

    // The values read through the cache are the library's own.
    expect(await cachedProductPage(layer.reads, params)).toEqual(await productPage(s.db, params));
    // Every outbox row was applied.
    expect(await eventually(async () => (await psql`select count(*)::int as n from ecomdb_cache.invalidations`)[0]!.n === 0)).toBe(true);
    expect(layer.invalidator!.counters.rows).toBeGreaterThanOrEqual(3);
  });

  it('a rolled-back write invalidates nothing; another product stays cached', async () => {
    const { world: w } = s;
    const other = { region: w.region, productId: w.charger };
    await cachedProductPage(layer.reads, other);
    await layer.invalidator!.wake();
    const hits = layer.client.counters.hits;
    await psql
      .begin(async (tx) => {
        await tx`update product_catalog.products set price = 1.00 where region = ${w.region} and id = ${w.charger}`;
        throw new Error('roll back');
      })
      .catch(() => {});
    await psql`update product_catalog.products set stock = stock + 1 where region = ${w.region} and id = ${w.headset}`;
    await layer.invalidator!.wake();
    expect((await cachedProductPage(layer.reads, other)).price).toBe('80.00');
    expect(layer.client.counters.hits).toBe(hits + 1);
  });
});

describe('reads through the cache', () => {
  let s: Setup;
  let layer: CacheLayer;
  const prefix = uniquePrefix('cache_reads');
  beforeAll(async () => {
    s = await setup('cache_reads');
    layer = await openCacheLayer({ url: s.test.url, redisUrl: SHARED_REDIS_URL, prefix, reader: s.reader, required: true });
  }, 120_000);
  afterAll(async () => {
    await layer?.close();
    await s?.test.drop();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('100 concurrent reads of a cold key make one database query, and all get its value', async () => {
    const before = s.loads();
    const pages = await Promise.all(Array.from({ length: 100 }, () => cachedProductPage(layer.reads, { region: s.world.region, productId: s.world.headset })));
    expect(s.loads() - before).toBe(1);
    expect(new Set(pages.map((p) => JSON.stringify(p))).size).toBe(1);
    expect(pages[0]!.price).toBe('200.00');
  });

  it('rankings and recommendations are cached and keep their types', async () => {
    const region = s.world.region;
    const before = s.loads();
    const top = await cachedTopProducts(layer.reads, { region });
    expect(await cachedTopProducts(layer.reads, { region })).toEqual(top);
    const recs = await cachedRecommendations(layer.reads, { region, userId: s.world.buyer });
    expect(await cachedRecommendations(layer.reads, { region, userId: s.world.buyer })).toEqual(recs);
    expect(s.loads() - before).toBe(2);
    // Dates survive the round trip through JSON.
    const until = new Date(Date.now() + 86_400_000);
    await s.test.sql`insert into product_catalog.product_discounts (region, product_id, percentage, starts_at, ends_at) values (${region}, ${s.world.cable}, 10, now(), ${until.toISOString()})`;
    await layer.invalidator!.wake();
    const page = await cachedProductPage(layer.reads, { region, productId: s.world.cable });
    const again = await cachedProductPage(layer.reads, { region, productId: s.world.cable });
    expect(again.discount?.endsAt).toBeInstanceOf(Date);
    expect(again).toEqual(page);
  });

  it("writes with ecomdb.cache_invalidation off leave no outbox row; an 'all' row (a truncating seed) begins a new epoch", async () => {
    const region = s.world.region;
    const params = { region, productId: s.world.headset };
    await cachedProductPage(layer.reads, params);
    await layer.invalidator!.wake();
    await s.test.sql.begin(async (tx) => {
      await tx.unsafe(CACHE_INVALIDATION_OFF);
      await tx`update product_catalog.products set stock = stock + 1 where region = ${region} and id = ${s.world.headset}`;
    });
    expect((await s.test.sql`select count(*)::int as n from ecomdb_cache.invalidations`)[0]!.n).toBe(0);
    const epochs = layer.client.counters.epochs;
    const loads = s.loads();
    await s.test.sql.unsafe(INVALIDATE_EVERYTHING);
    await layer.invalidator!.wake();
    expect(layer.client.counters.epochs).toBe(epochs + 1);
    await cachedProductPage(layer.reads, params);
    expect(s.loads()).toBe(loads + 1); // the value from before is not served
  });

  it('a refill that read before an invalidation is not written', async () => {
    const region = s.world.region;
    const spec = productPageSpec(region, s.world.charger);
    // A reader that lets a write commit and be invalidated between its read and its fill.
    let raced = false;
    const racing: Reader = async (_t, work) => {
      const value = await work(s.db);
      if (!raced) {
        raced = true;
        await s.test.sql`update product_catalog.products set price = 99.00 where region = ${region} and id = ${s.world.charger}`;
        await layer.invalidator!.wake();
      }
      return value;
    };
    const cache = new ReadCache(layer.client, racing);
    const refused = layer.client.counters.fillsRefused;
    const stale = await cache.get(spec, (db) => productPage(db, { region, productId: s.world.charger }), (p) => [`product:${region}:${s.world.charger}`, `store:${region}:${p.store.id}`]);
    expect(stale.price).not.toBe('99.00'); // it read before the write...
    expect(layer.client.counters.fillsRefused).toBe(refused + 1); // ...so it was not kept
    expect((await cachedProductPage(layer.reads, { region, productId: s.world.charger })).price).toBe('99.00');
  });
});

/**
 * Writers change the price and stock of hot products through the library while readers read the
 * pages through the cache; the writers know what they wrote and when it was acknowledged.
 */
async function staleRun(s: Setup, layer: CacheLayer, ms: number): Promise<ReturnType<StalenessLedger['report']>> {
  const w = s.world;
  const hot = [w.phone, w.cable, w.charger];
  const ledger = new StalenessLedger(INVALIDATION_BOUND_MS);
  const writer = postgres(s.test.url, { max: 2, onnotice: () => {} });
  const wdb = drizzle(writer) as unknown as AccessDb;
  const end = performance.now() + ms;
  let n = 0;
  const writers = [0, 1].map(async (i) => {
    while (performance.now() < end) {
      const productId = hot[(n + i) % hot.length]!;
      const version = ++n;
      const price = `${1000 + version}.00`;
      try {
        await updateListing(wdb, { region: w.region, sellerId: w.seller, productId, price, stock: 500 + version });
        ledger.wrote(String(productId), `${price}/${500 + version}`, performance.now());
      } catch {
        ledger.doubt(String(productId));
      }
      await sleep(30);
    }
  });
  const readers = Array.from({ length: 4 }, async (_, i) => {
    let k = i;
    while (performance.now() < end + INVALIDATION_BOUND_MS) {
      const productId = hot[k++ % hot.length]!;
      const at = performance.now();
      const page = await cachedProductPage(layer.reads, { region: w.region, productId });
      ledger.read(String(productId), `${page.price}/${page.stock}`, at);
    }
  });
  try {
    await Promise.all([...writers, ...readers]);
  } finally {
    await writer.end();
  }
  return ledger.report();
}

describe('staleness under writes', () => {
  let s: Setup;
  const prefixes: string[] = [];
  beforeAll(async () => {
    s = await setup('cache_stale');
  }, 120_000);
  afterAll(async () => {
    await s?.test.drop();
    for (const p of prefixes) await deletePrefix(SHARED_REDIS_URL, p);
  });

  it(`no read that starts ${INVALIDATION_BOUND_MS} ms after an acknowledged write returns an older value`, async () => {
    const prefix = uniquePrefix('cache_stale');
    prefixes.push(prefix);
    const layer = await openCacheLayer({ url: s.test.url, redisUrl: SHARED_REDIS_URL, prefix, reader: s.reader, required: true });
    try {
      const report = await staleRun(s, layer, 4000);
      expect(report.judged).toBeGreaterThan(100);
      expect(report.examples).toEqual([]);
      expect(report.stale).toBe(0);
      expect(layer.client.counters.hits).toBeGreaterThan(0);
      expect(layer.client.counters.errors).toBe(0);
    } finally {
      await layer.close();
    }
  }, 60_000);

  it('the same run without an invalidator serves stale values (the check can fail)', async () => {
    const prefix = uniquePrefix('cache_stale_off');
    prefixes.push(prefix);
    const layer = await openCacheLayer({ url: s.test.url, redisUrl: SHARED_REDIS_URL, prefix, reader: s.reader, required: true, invalidate: false });
    try {
      const report = await staleRun(s, layer, 2000);
      expect(report.stale).toBeGreaterThan(0);
    } finally {
      await layer.close();
    }
    // The outbox kept what no invalidator drained.
    const [row] = await s.test.sql`select count(*)::int as n from ecomdb_cache.invalidations`;
    expect(row!.n).toBeGreaterThan(0);
  }, 60_000);
});

describe('without Redis', () => {
  it('the cache is off, says why, and reads go to the database', async () => {
    const client = await CacheClient.connectOrOff({ url: 'redis://127.0.0.1:1', prefix: uniquePrefix('off'), connectTimeoutMs: 300 });
    expect(client.state).toBe('off');
    expect(client.offReason).toMatch(/cannot reach Redis/);
    let reads = 0;
    const cache = new ReadCache(client, async () => (reads++, 'from the database') as never);
    expect(await cache.get({ name: 'x', floors: [], ttlMs: 1000 }, async () => 'unused', () => [])).toBe('from the database');
    expect(reads).toBe(1);
    await expect(CacheClient.connect({ url: 'redis://127.0.0.1:1', prefix: 'x:', connectTimeoutMs: 300 })).rejects.toMatchObject({ code: 'E_CACHE_UNREACHABLE', exitCode: 17 });
  });
});

/**
 * A refill never reads a replica that has not replayed the write that invalidated the value: a
 * primary and one physical standby built by the read layer's own scripts (labUp), the standby's
 * replay paused with pg_wal_replay_pause() so that it lags behind a write.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessDb } from '../../src/access/index.ts';
import { openCacheLayer, type CacheLayer } from '../../src/cache/layer.ts';
import { cachedProductPage } from '../../src/cache/reads.ts';
import type { Reader } from '../../src/cache/store.ts';
import { MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { readMigrations } from '../../src/migrations/files.ts';
import { labDown, labUp, nodeUrl, type LabState } from '../../src/replica/local.ts';
import { createRouter, type Router } from '../../src/replica/router.ts';
import { TOPOLOGY } from '../../src/replica/topology.ts';
import type { Target } from '../access/targets.ts';
import { makeWorld, type World } from '../access/world.ts';
import { waitFor } from '../replica/lab.ts';
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from './redis.ts';

const STANDBY = TOPOLOGY.standbys[0]!.name;
let dir: string;
let state: LabState;
let primary: postgres.Sql;
let standby: postgres.Sql;
let world: World;
let router: Router;
let layer: CacheLayer;
const prefix = uniquePrefix('cache_replica');
/** Where each refill read: 'primary' or 'replica'. */
const readsOn: string[] = [];

const priceOn = async (sql: postgres.Sql, productId: number) =>
  (await sql`select price::text as price from product_catalog.products where region = ${world.region} and id = ${productId}`)[0]?.price as string | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ecomdb-cache-replica-'));
  ({ state } = await labUp({
    dir,
    migrations: readMigrations(MIGRATIONS_DIR),
    firstPort: 54470,
    sample: false,
    topology: { ...TOPOLOGY, standbys: [TOPOLOGY.standbys[0]!], readNodes: [] },
  }));
  primary = postgres(nodeUrl(state, 'primary'), { max: 2, onnotice: () => {} });
  standby = postgres(nodeUrl(state, STANDBY), { max: 2, onnotice: () => {} });
  const db = drizzle(primary) as unknown as AccessDb;
  const target: Target = { name: 'primary', db, query: async (text, params = []) => (await primary.unsafe(text, params as never[])) as never, close: async () => {} };
  world = await makeWorld(target);
  await waitFor('the standby to hold the listings', async () => (await priceOn(standby, world.headset)) === '200.00');
  router = await createRouter({ primary: nodeUrl(state, 'primary'), replicas: [nodeUrl(state, STANDBY)], checkIntervalMs: 0 });
  const reader: Reader = (target, work) =>
    router.read(
      async (sql) => {
        const [node] = await sql<{ standby: boolean }[]>`select pg_is_in_recovery() as standby`;
        readsOn.push(node!.standby ? 'replica' : 'primary');
        return work(drizzle(sql) as unknown as AccessDb);
      },
      { minLsn: target.minLsn, consistent: target.primary },
    );
  layer = await openCacheLayer({ url: nodeUrl(state, 'primary'), redisUrl: SHARED_REDIS_URL, prefix, reader, required: true });
}, 300_000);

afterAll(async () => {
  await layer?.close();
  await router?.close();
  await standby?.end({ timeout: 1 });
  await primary?.end({ timeout: 1 });
  if (dir) {
    await labDown(dir).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
  await deletePrefix(SHARED_REDIS_URL, prefix);
}, 120_000);

describe('refills and a lagging replica', () => {
  it('a refill reads the replica while nothing was invalidated', async () => {
    // The world's own writes raised the floors (the primary's WAL position when the invalidator
    // took them): the standby is up to date once it has replayed past that, which a busy machine
    // may take a moment to do.
    await waitFor('the invalidations of the world\'s writes', async () => (await primary`select count(*)::int as n from ecomdb_cache.invalidations`)[0]!.n === 0);
    const lsn = (await primary<{ lsn: string }[]>`select pg_current_wal_insert_lsn()::text as lsn`)[0]!.lsn;
    await waitFor('the standby to replay them', async () => (await standby`select pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn as ok`)[0]!.ok === true);
    await router.refresh();
    const page = await cachedProductPage(layer.reads, { region: world.region, productId: world.phone });
    expect(page.price).toBe('1000.00');
    expect(readsOn).toEqual(['replica']);
  });

  it('after a write the paused replica has not replayed, the refill reads the primary and gets the new value', async () => {
    await standby`select pg_wal_replay_pause()`;
    await waitFor('replay to pause', async () => (await standby`select pg_get_wal_replay_pause_state() as s`)[0]!.s === 'paused');
    await primary`update product_catalog.products set price = 1500.00 where region = ${world.region} and id = ${world.phone}`;
    await waitFor('the invalidation', async () => (await primary`select count(*)::int as n from ecomdb_cache.invalidations`)[0]!.n === 0 && layer.invalidator!.counters.rows > 0);
    const [health] = await router.refresh();
    expect(health!.healthy).toBe(true); // within the router's lag limit: ordinary reads would still go there...
    expect(await priceOn(standby, world.phone)).toBe('1000.00'); // ...and it still holds the old price
    const unfloored = await router.read((sql) => priceOn(sql, world.phone));
    expect(unfloored).toBe('1000.00');

    readsOn.length = 0;
    const page = await cachedProductPage(layer.reads, { region: world.region, productId: world.phone });
    expect(page.price).toBe('1500.00');
    expect(readsOn).toEqual(['primary']);
    // Cached now: the new value is what readers get.
    expect((await cachedProductPage(layer.reads, { region: world.region, productId: world.phone })).price).toBe('1500.00');
  });

  it('once the replica has replayed the write, refills read it again', async () => {
    await standby`select pg_wal_replay_resume()`;
    await primary`update product_catalog.products set price = 1600.00 where region = ${world.region} and id = ${world.phone}`;
    await waitFor('the invalidation', async () => (await primary`select count(*)::int as n from ecomdb_cache.invalidations`)[0]!.n === 0);
    await waitFor('the standby to replay it', async () => (await priceOn(standby, world.phone)) === '1600.00');
    // Replay position at the primary's current one: past the floor.
    const [{ lsn }] = (await primary`select pg_current_wal_insert_lsn()::text as lsn`) as unknown as [{ lsn: string }];
    await waitFor('the standby to reach the primary', async () => (await standby`select pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn as ok`)[0]!.ok === true);
    await router.refresh();
    readsOn.length = 0;
    expect((await cachedProductPage(layer.reads, { region: world.region, productId: world.phone })).price).toBe('1600.00');
    expect(readsOn).toEqual(['replica']);
  });
});

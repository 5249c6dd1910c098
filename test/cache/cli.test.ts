/** `ecomdb cache status|flush|warm` on a real server database and the shared Redis, under a prefix of this run. */
import { drizzle } from 'drizzle-orm/postgres-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessDb } from '../../src/access/index.ts';
import { makeWorld } from '../access/world.ts';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db.ts';
import { ecomdb, errorCode, jsonError } from '../helpers/cli.ts';
import { deletePrefix, keysUnder, SHARED_REDIS_URL, uniquePrefix } from './redis.ts';

let test: TestDatabase;
const prefix = uniquePrefix('cache_cli');
const env = { ECOMDB_CACHE_PREFIX: prefix, REDIS_URL: SHARED_REDIS_URL };

beforeAll(async () => {
  test = await createMigratedDatabase('cache_cli');
}, 120_000);
afterAll(async () => {
  await test?.drop();
  await deletePrefix(SHARED_REDIS_URL, prefix);
});

describe('ecomdb cache', () => {
  it('status reports Redis, the keys of this database and the outbox', async () => {
    await test.sql`insert into ecomdb_cache.invalidations (entity, region, entity_id) values ('product', 'MLA', 1)`;
    const run = await ecomdb(['cache', 'status', '--url', test.url, '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.prefix).toBe(prefix);
    expect(report.redis.version).toMatch(/^\d+\./);
    expect(report.outbox).toMatchObject({ rows: 1 });
    expect(report.epoch).toEqual(expect.any(String));
  });

  it('warm fills values; flush deletes them and begins a new epoch', async () => {
    // Listings, so that the site has something to warm.
    const db = drizzle(test.sql) as unknown as AccessDb;
    await makeWorld({ name: 'cli', db, query: async (text, params = []) => (await test.sql.unsafe(text, params as never[])) as never, close: async () => {} });
    const warm = await ecomdb(['cache', 'warm', '--url', test.url, '--json'], { env });
    expect(warm.code, warm.stderr).toBe(0);
    expect(JSON.parse(warm.stdout)).toMatchObject({ sites: [{ region: 'MLA' }], errors: 0 });
    expect((await keysUnder(SHARED_REDIS_URL, prefix)).filter((k) => k.startsWith(`${prefix}v:`))).not.toEqual([]);
    const epochBefore = JSON.parse((await ecomdb(['cache', 'status', '--url', test.url, '--json'], { env })).stdout).epoch;

    const flush = await ecomdb(['cache', 'flush', '--url', test.url, '--json'], { env });
    expect(flush.code, flush.stderr).toBe(0);
    expect(JSON.parse(flush.stdout).deleted).toBeGreaterThan(0);
    expect((await keysUnder(SHARED_REDIS_URL, prefix)).filter((k) => k.startsWith(`${prefix}v:`))).toEqual([]);
    const after = JSON.parse((await ecomdb(['cache', 'status', '--url', test.url, '--json'], { env })).stdout);
    expect(after.epoch).not.toBe(epochBefore);
    expect(after.keys.values).toBe(0);
  });

  it('an unreachable Redis is exit 17, E_CACHE_UNREACHABLE, one line', async () => {
    const run = await ecomdb(['cache', 'status', '--url', test.url, '--redis-url', 'redis://127.0.0.1:1', '--json'], { env });
    expect(run.code).toBe(17);
    expect(errorCode(run)).toBe('E_CACHE_UNREACHABLE');
    expect(jsonError(run).hint).toMatch(/--redis-url/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('warm refuses the embedded database (exit 2)', async () => {
    const run = await ecomdb(['cache', 'warm'], { env });
    expect(run.code).toBe(2);
    expect(errorCode(run)).toBe('E_USAGE');
  });
});

/**
 * The lanes of a parallel seed (src/seed/lanes.ts): whatever --jobs, the same seed gives the same
 * bytes in every table, partitioned or plain; a row refused in a lane fails the whole seed and
 * keeps nothing; a bad --jobs is refused before anything connects.
 */
import { describe, expect, it } from 'vitest';
import { seedOptions } from '../../src/cli/flags.ts';
import { readMigrations } from '../../src/migrations/files.ts';
import { MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { seedDatabase, seededTables, type SeedOptions } from '../../src/seed/load.ts';
import { TABLE_SEEDS } from '../../seeds/index.ts';
import { qualifiedName } from '../../src/seed/table-load.ts';
import { isEcomdbError } from '../../src/errors.ts';
import { checksums, snapshot, type TableChecksum } from '../helpers/checksums.ts';
import { ecomdb, errorCode, jsonError, spawnEcomdb } from '../helpers/cli.ts';
import { databasesForBlock, withPostgres, type TestDatabase } from '../helpers/db.ts';

const UNTIL = '2026-11-01';
const seedArgs = (url: string, ...more: string[]) => ['seed', '--url', url, '--until', UNTIL, '--seed', '7', ...more];

async function sums(d: TestDatabase): Promise<Record<string, TableChecksum>> {
  return withPostgres(d.url, (db) => db.session(checksums));
}

/** Whether the marker's schema exists. */
async function marker(d: TestDatabase): Promise<boolean> {
  const [row] = await d.sql<{ there: boolean }[]>`select to_regnamespace('ecomdb_seed') is not null as there`;
  return row!.there;
}

/** Every seeded table holds rows, and the two databases hold the same bytes in every table. */
function expectSameBytes(serial: Record<string, TableChecksum>, parallel: Record<string, TableChecksum>): void {
  for (const table of seededTables()) expect(serial[table]!.rows, table).toBeGreaterThan(0);
  const differing = Object.keys(serial).filter((t) => serial[t]!.md5 !== parallel[t]?.md5 || serial[t]!.rows !== parallel[t]?.rows);
  expect(differing).toEqual([]);
  expect(Object.keys(parallel).sort()).toEqual(Object.keys(serial).sort());
}

describe.concurrent('a seed over several lanes', () => {
  const fresh = databasesForBlock();

  it('partitioned: --jobs 1 and --jobs 3 give byte-identical tables', async () => {
    const [serial, parallel] = await Promise.all([fresh('lanes_part_1'), fresh('lanes_part_3')]);
    for (const d of [serial, parallel]) expect((await ecomdb(['partition', 'apply', '--url', d.url])).code).toBe(0);
    const one = await ecomdb(seedArgs(serial.url, '--jobs', '1'));
    expect(one.code, one.stderr).toBe(0);
    const three = await ecomdb(seedArgs(parallel.url, '--jobs', '3'));
    expect(three.code, three.stderr).toBe(0);
    expect(three.stderr).toContain('over 3 lanes');
    expect(one.stderr).not.toMatch(/over \d+ lanes/);
    expectSameBytes(await sums(serial), await sums(parallel));
    expect(await marker(parallel)).toBe(false);
  }, 240_000);

  it('plain tables: the one transaction (--jobs 1) and two lanes give byte-identical tables; the progress callbacks fire on the main thread', async () => {
    const [serial, parallel] = await Promise.all([fresh('lanes_plain_1'), fresh('lanes_plain_2')]);
    const one = await ecomdb(seedArgs(serial.url, '--jobs', '1'));
    expect(one.code, one.stderr).toBe(0);
    // Through the library, as `up` and the benchmarks call it: the lanes start from vitest too.
    const started = new Map<string, number>();
    const rows = new Map<string, number>();
    const done = new Map<string, number>();
    const options: SeedOptions = {
      ...seedOptions({ scale: '1', seed: '7', regions: 'MLB,MLA,MLM,MCO,MLC,MLU,MPE', until: UNTIL, days: '180', check: true, jobs: '2' }),
      onTableStart: (t, expected) => started.set(t, expected),
      onRows: (t, n) => rows.set(t, n),
      onTableDone: (r) => done.set(r.table, r.rows),
    };
    const result = await withPostgres(parallel.url, (db) => seedDatabase(db, readMigrations(MIGRATIONS_DIR), options));
    const copies = TABLE_SEEDS.filter((s) => s.kind === 'copy').map((s) => qualifiedName(s.table));
    expect([...started.keys()].sort()).toEqual(TABLE_SEEDS.map((s) => qualifiedName(s.table)).sort());
    for (const table of copies) {
      expect(rows.get(table), table).toBe(done.get(table));
      expect(done.get(table), table).toBeGreaterThan(0);
    }
    // The results in load order, whichever lane finished first.
    expect(result.tables.map((t) => t.table)).toEqual(TABLE_SEEDS.map((s) => qualifiedName(s.table)));
    expectSameBytes(await sums(serial), await sums(parallel));
  }, 240_000);

  it('a row refused in a lane fails the seed (exit 7) and keeps nothing: no rows, the keys as they were, no marker', async () => {
    const d = await fresh('lanes_fault');
    const before = await withPostgres(d.url, (db) => db.session(snapshot));
    const run = await ecomdb(seedArgs(d.url, '--jobs', '3', '--json'), { env: { ECOMDB_SEED_FAULT: 'messaging.messages:5' } });
    expect(run.code, run.stderr).toBe(7);
    expect(jsonError(run)).toMatchObject({ code: 'E_SEED_FAILED', details: { table: '"messaging"."messages"', sqlstate: '22P04' } });
    expect(await withPostgres(d.url, (db) => db.session(snapshot))).toEqual(before);
    expect(await marker(d)).toBe(false);
    // No lane's session is left behind.
    const [sessions] = await d.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
    expect(sessions!.n).toBeLessThanOrEqual(4); // the test's own pool

    // The same through the library: the lane's error is an EcomdbError with the refused table.
    const failure = await withPostgres(d.url, (db) =>
      seedDatabase(db, readMigrations(MIGRATIONS_DIR), {
        ...seedOptions({ scale: '0.2', seed: '7', regions: 'MLA,MLB', until: UNTIL, days: '180', check: true, jobs: '2' }),
        fault: 'order_processing.orders:3',
      }).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    expect(isEcomdbError(failure) && failure.code).toBe('E_SEED_FAILED');
    expect(isEcomdbError(failure) && failure.details.table).toBe('"order_processing"."orders"');
    expect(await withPostgres(d.url, (db) => db.session(snapshot))).toEqual(before);
  }, 120_000);
});

describe('a seed over lanes, interrupted', () => {
  const fresh = databasesForBlock();

  it('Ctrl-C while a lane hashes passwords exits 130 with its line (the lanes end before the process), and the next seed finishes', async () => {
    const d = await fresh('lanes_sigint');
    const { child, done } = spawnEcomdb(seedArgs(d.url, '--scale', '3', '--jobs', '2'), { killAfterMs: 120_000 });
    // Wait until a lane streams the users (each row's password hashed by argon2, a native addon).
    for (let i = 0; i < 600; i++) {
      const [row] = await d.sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and query like 'COPY "user_management"."users"%'`;
      if (row!.n > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const run = await done;
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('interrupted: the seed is unfinished');
    expect(run.stderr).not.toContain('terminate called');
    const rerun = await ecomdb(seedArgs(d.url, '--jobs', '2'));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await marker(d)).toBe(false);
  }, 180_000);
});

describe('--jobs', () => {
  // Nothing listens on port 1: an attempt to connect would fail with E_TARGET_UNREACHABLE instead.
  const nowhere = 'postgres://postgres@127.0.0.1:1/nowhere';

  it.each([['0'], ['x'], ['17'], ['1.5'], ['-2']])('--jobs %s is refused with E_USAGE before anything connects', async (jobs) => {
    const run = await ecomdb(['seed', '--url', nowhere, '--jobs', jobs]);
    expect(run.code, run.stderr).toBe(2);
    expect(errorCode(run)).toBe('E_USAGE');
    expect(run.stderr).toContain('--jobs');
  });

  it('up refuses it the same way, and so does a seed that asks for one transaction with several lanes', async () => {
    const up = await ecomdb(['up', '--url', nowhere, '--jobs', '0']);
    expect(up.code, up.stderr).toBe(2);
    expect(errorCode(up)).toBe('E_USAGE');
    const keys = await ecomdb(['seed', '--url', nowhere, '--jobs', '2', '--partitioned-keys', 'keep']);
    expect(keys.code, keys.stderr).toBe(2);
    expect(errorCode(keys)).toBe('E_USAGE');
    // One lane with keep is fine: it then fails for want of a server, not of the flags.
    const one = await ecomdb(['seed', '--url', nowhere, '--jobs', '1', '--partitioned-keys', 'keep']);
    expect(errorCode(one)).toBe('E_TARGET_UNREACHABLE');
  });

  it('a library caller is refused too', async () => {
    const db = { kind: 'postgres', label: 'nowhere', session: () => Promise.reject(new Error('connected')), close: async () => {} } as const;
    await expect(seedDatabase(db, [], { ...seedOptions({ scale: '1', seed: '1', regions: 'MLA', days: '180', check: true }), jobs: 0 })).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});

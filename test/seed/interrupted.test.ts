/**
 * A seed stopped halfway never leaves data a command takes for a seeded database. On the
 * partitioned layout the seed commits phase by phase: killed (kill -9) or interrupted (Ctrl-C)
 * in any phase, it leaves its marker, verify refuses the database (E_SEED_UNFINISHED) and the
 * next seed cleans up and seeds; a refused row cleans up at once. So on plain tables with more
 * than one lane (the default on a server); with --jobs 1 the seed of plain tables is one
 * transaction: killed, the database is as it was. Each seed is stopped by the test hook
 * ECOMDB_SEED_PAUSE_AT, which makes it wait at a named phase until the signal comes.
 */
import { describe, expect, it } from 'vitest';
import { keptForeignKeys, seededTables } from '../../src/seed/load.ts';
import { SEED_PHASES } from '../../src/seed/marker.ts';
import { snapshot } from '../helpers/checksums.ts';
import { ecomdb, errorCode, jsonError, spawnEcomdb, type CliResult } from '../helpers/cli.ts';
import { databasesForBlock, withPostgres, type TestDatabase } from '../helpers/db.ts';

const UNTIL = '2026-11-01';
const seedArgs = (url: string, ...more: string[]) => ['seed', '--url', url, '--until', UNTIL, '--scale', '0.2', ...more];

/** Start a seed that waits at `phase`, send it `signal` once it says it is there; its result. */
async function stopAt(url: string, phase: string, signal: NodeJS.Signals, during?: () => Promise<void>, ...more: string[]): Promise<CliResult> {
  const { child, done } = spawnEcomdb(seedArgs(url, ...more), { env: { ECOMDB_SEED_PAUSE_AT: phase }, killAfterMs: 120_000 });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes(`paused at the ${phase} phase`)) resolve();
    });
    child.on('exit', () => reject(new Error(`the seed ended before its ${phase} phase: ${stderr}`)));
  });
  await during?.();
  child.kill(signal);
  return done;
}

/**
 * The keys and indexes of the tables themselves (not those PostgreSQL copies onto each partition,
 * whose names depend on the order the partitions were made), by name and definition.
 */
async function parentDefinitions(d: TestDatabase): Promise<string[]> {
  const rows = await d.sql<{ d: string }[]>`
    select c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) as d
      from pg_constraint c join pg_class r on r.oid = c.conrelid
     where c.conparentid = 0 and not r.relispartition and r.relnamespace::regnamespace::text not in ('pg_catalog', 'information_schema')
    union all
    select i.indexrelid::regclass::text || ' ' || pg_get_indexdef(i.indexrelid) from pg_index i join pg_class r on r.oid = i.indrelid
     where not r.relispartition and r.relnamespace::regnamespace::text not in ('pg_catalog', 'information_schema', 'pg_toast')
    order by 1`;
  return rows.map((r) => r.d);
}

/** Whether the marker's schema exists. */
async function marker(d: TestDatabase): Promise<boolean> {
  const [row] = await d.sql<{ there: boolean }[]>`select to_regnamespace('ecomdb_seed') is not null as there`;
  return row!.there;
}

async function expectRefused(url: string): Promise<void> {
  const verify = await ecomdb(['verify', '--url', url]);
  expect(verify.code, verify.stderr).toBe(19);
  expect(errorCode(verify)).toBe('E_SEED_UNFINISHED');
}

// The two databases are independent: the tests run side by side.
describe.concurrent('an interrupted seed', () => {
  const fresh = databasesForBlock();

  it('partitioned: killed in every phase, verify refuses and the next seed finishes; a refused row keeps nothing', async () => {
    const d = await fresh('seed_phases');
    expect((await ecomdb(['partition', 'apply', '--url', d.url])).code).toBe(0);
    const declared = await parentDefinitions(d);

    for (const phase of SEED_PHASES) {
      const during = phase === 'start'
        ? async () => {
            // Meanwhile a second seed is refused: one seed per database.
            const second = await ecomdb(seedArgs(d.url, '--truncate'));
            expect(second.code, second.stderr).toBe(7);
            expect(errorCode(second)).toBe('E_SEED_BUSY');
          }
        : undefined;
      const killed = await stopAt(d.url, phase, 'SIGKILL', during);
      expect(killed.code, phase).toBe(-1);
      await expectRefused(d.url);
      if (phase === 'constrain') {
        // The other commands that read seeded data refuse it too.
        for (const args of [['up', '--url', d.url], ['bench', '--url', d.url, '--transactions', '10'], ['partition', 'list', '--url', d.url], ['migrate', '--url', d.url]]) {
          const run = await ecomdb(args);
          expect(run.code, `${args[0]}: ${run.stderr}`).toBe(19);
          expect(errorCode(run)).toBe('E_SEED_UNFINISHED');
        }
      }
    }
    const interrupted = await stopAt(d.url, 'load', 'SIGINT');
    expect(interrupted.code, interrupted.stderr).toBe(130);
    await expectRefused(d.url);

    const rerun = await ecomdb(seedArgs(d.url));
    expect(rerun.code, rerun.stderr).toBe(0);
    // Every key and index of the layout is back, by name and definition; the marker is gone and
    // the other commands take the database again.
    expect(await parentDefinitions(d)).toEqual(declared);
    expect(await marker(d)).toBe(false);
    const list = await ecomdb(['partition', 'list', '--url', d.url]);
    expect(list.code, list.stderr).toBe(0);
    const seeded = await withPostgres(d.url, (db) => db.session(snapshot));
    expect(seeded.sums['"order_processing"."orders"']!.rows).toBeGreaterThan(0);

    // The foreign keys kept in place during the load (their triggers silent) are validated by one
    // query each: those queries find a row whose referenced row is gone.
    await withPostgres(d.url, (db) =>
      db.session(async (s) => {
        const { keys } = await keptForeignKeys(s, seededTables());
        expect(keys.length).toBeGreaterThan(20);
        await s.exec('BEGIN');
        try {
          await s.exec(`SET LOCAL session_replication_role = replica`);
          await s.exec(`DELETE FROM order_processing.orders WHERE id = (SELECT min(order_id) FROM order_processing.order_details)`);
          const orphans: string[] = [];
          for (const k of keys) if ((await s.query<{ n: number }>(k.orphans))[0]!.n > 0) orphans.push(k.name);
          expect(orphans).toContain('order_details_region_order_id_order_created_at_fkey');
        } finally {
          await s.exec('ROLLBACK');
        }
      }),
    );

    // A refused row fails the seed (exit 7) and keeps nothing: the tables emptied (it was asked to
    // replace their rows), every key and index as it was, no marker.
    const fault = await ecomdb(seedArgs(d.url, '--truncate', '--json'), { env: { ECOMDB_SEED_FAULT: 'user_management.addresses:5' } });
    expect(fault.code, fault.stderr).toBe(7);
    expect(jsonError(fault)).toMatchObject({ code: 'E_SEED_FAILED', details: { table: '"user_management"."addresses"', sqlstate: '22P04' } });
    const after = await withPostgres(d.url, (db) => db.session(snapshot));
    expect(after.defs).toEqual(seeded.defs);
    for (const table of seededTables()) expect(after.sums[table]!.rows, table).toBe(0);
    expect(await marker(d)).toBe(false);
  }, 480_000);

  it('plain tables over lanes: killed in the load phase, verify refuses and the next seed finishes', async () => {
    const d = await fresh('seed_plain_lanes');
    const declared = await parentDefinitions(d);
    const killed = await stopAt(d.url, 'load', 'SIGKILL', undefined, '--jobs', '2');
    expect(killed.code).toBe(-1);
    await expectRefused(d.url);
    const interrupted = await stopAt(d.url, 'load', 'SIGINT', undefined, '--jobs', '3');
    expect(interrupted.code, interrupted.stderr).toBe(130);
    await expectRefused(d.url);
    const rerun = await ecomdb(seedArgs(d.url, '--jobs', '2'));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await parentDefinitions(d)).toEqual(declared);
    expect(await marker(d)).toBe(false);
    const seeded = await withPostgres(d.url, (db) => db.session(snapshot));
    expect(seeded.sums['"messaging"."messages"']!.rows).toBeGreaterThan(0);
  }, 90_000);

  it('plain tables, one lane: killed with its one transaction open, the database is as it was and the next seed succeeds', async () => {
    const d = await fresh('seed_plain_kill');
    const before = await withPostgres(d.url, (db) => db.session(snapshot));
    const killed = await stopAt(d.url, 'load', 'SIGKILL', undefined, '--jobs', '1');
    expect(killed.code).toBe(-1);
    // The server notices the dropped connection and rolls the transaction back.
    let after;
    for (let i = 0; i < 50; i++) {
      after = await withPostgres(d.url, (db) => db.session(snapshot));
      if (JSON.stringify(after) === JSON.stringify(before)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(after).toEqual(before);
    const rerun = await ecomdb(seedArgs(d.url, '--jobs', '1'));
    expect(rerun.code, rerun.stderr).toBe(0);
  }, 60_000);
});

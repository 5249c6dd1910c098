/**
 * `ecomdb seed` on the real server and on PGlite: every table filled, the business rules hold,
 * the same seed gives the same bytes on both targets, and a refused row or a killed process
 * leaves the database exactly as it was.
 */
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_RULES } from '../../src/verify/data-rules.ts';
import { runRules } from '../../src/verify/run.ts';
import { ALL_TABLES, checksums, snapshot } from '../helpers/checksums.ts';
import { BIN, ecomdb, errorCode, jsonError, tempDir } from '../helpers/cli.ts';
import { databasesForBlock, withPostgres, type TestDatabase } from '../helpers/db.ts';

const UNTIL = '2026-11-01';
const seedArgs = (url: string, ...more: string[]) => ['seed', '--url', url, '--until', UNTIL, ...more];


describe('ecomdb seed on PostgreSQL', () => {
  const fresh = databasesForBlock();

  let first: TestDatabase;
  let firstSums: Awaited<ReturnType<typeof checksums>>;
  beforeAll(async () => {
    first = await fresh('seed_a');
    const run = await ecomdb([...seedArgs(first.url), '--seed', '7', '--json']);
    expect(run.code, run.stderr).toBe(0);
    firstSums = await withPostgres(first.url, (db) => db.session(checksums));
  });

  it('fills all 25 tables at scale 1', () => {
    expect(Object.keys(firstSums)).toHaveLength(25);
    for (const table of ALL_TABLES) expect(firstSums[table]!.rows, table).toBeGreaterThan(0);
  });

  it('obeys every business consistency rule', async () => {
    const report = await withPostgres(first.url, (db) => db.session((s) => runRules(s, DATA_RULES, [])));
    expect(report.length).toBeGreaterThan(20);
    expect(report.filter((c) => c.offenders > 0)).toEqual([]);
  });

  it('is deterministic: the same seed gives identical tables, another seed different ones', async () => {
    const again = await fresh('seed_b');
    expect((await ecomdb([...seedArgs(again.url), '--seed', '7'])).code).toBe(0);
    expect(await withPostgres(again.url, (db) => db.session(checksums))).toEqual(firstSums);

    const other = await fresh('seed_c');
    expect((await ecomdb([...seedArgs(other.url), '--seed', '8'])).code).toBe(0);
    const otherSums = await withPostgres(other.url, (db) => db.session(checksums));
    const differing = ALL_TABLES.filter((t) => otherSums[t]!.md5 !== firstSums[t]!.md5);
    // Everything but the reference tables (and the fixed category tree) differs.
    expect(differing.length).toBeGreaterThanOrEqual(18);
  });

  it('gives the same bytes on PGlite as on the server', async () => {
    const cwd = tempDir();
    expect((await ecomdb(['migrate'], { cwd })).code).toBe(0);
    const run = await ecomdb(['seed', '--until', UNTIL, '--seed', '7'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    const { openPglite } = await import('../../src/db/pglite.ts');
    const embedded = await openPglite(`${cwd}/.ecomdb`);
    try {
      expect(await embedded.session(checksums)).toEqual(firstSums);
    } finally {
      await embedded.close();
    }
  });

  it('refuses a non-empty database unless --truncate, which replaces the rows', async () => {
    const refused = await ecomdb([...seedArgs(first.url), '--seed', '7']);
    expect(refused.code).toBe(7);
    expect(errorCode(refused)).toBe('E_SEED_NOT_EMPTY');
    const replaced = await ecomdb([...seedArgs(first.url), '--seed', '7', '--truncate']);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(await withPostgres(first.url, (db) => db.session(checksums))).toEqual(firstSums);
  });

  it('refuses a database that is not migrated', async () => {
    const empty = await fresh('seed_unmigrated', { migrated: false });
    const run = await ecomdb(seedArgs(empty.url));
    expect(run.code).toBe(7);
    expect(errorCode(run)).toBe('E_SEED_NOT_MIGRATED');
  });

  it('a row PostgreSQL refuses fails the seed loudly and keeps nothing', async () => {
    const d = await fresh('seed_fault');
    const before = await withPostgres(d.url, (db) => db.session(snapshot));
    const run = await ecomdb(seedArgs(d.url, '--json'), { env: { ECOMDB_SEED_FAULT: 'order_processing.orders:100' } });
    expect(run.code).toBe(7);
    expect(errorCode(run)).toBe('E_SEED_FAILED');
    // The table and PostgreSQL's SQLSTATE for the refused row (extra data after the last column).
    expect(jsonError(run).details).toMatchObject({ table: '"order_processing"."orders"', sqlstate: '22P04' });
    const after = await withPostgres(d.url, (db) => db.session(snapshot));
    expect(after).toEqual(before);
  });

  it('a killed seed of one lane leaves the database as it was, and the same command then succeeds', async () => {
    const d = await fresh('seed_kill');
    const before = await withPostgres(d.url, (db) => db.session(snapshot));
    // One lane: plain tables load in one transaction (over lanes they go in phases, interrupted.test.ts).
    const child = spawn(process.execPath, [BIN, ...seedArgs(d.url, '--scale', '4')], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    // Kill it while it streams the orders, well inside the transaction.
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('"order_processing"."coupons"') && resolve());
      child.on('exit', () => reject(new Error('the seed ended before it could be killed')));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    // The server notices the dropped connection and rolls the transaction back.
    let after;
    for (let i = 0; i < 50; i++) {
      after = await withPostgres(d.url, (db) => db.session(snapshot));
      if (JSON.stringify(after) === JSON.stringify(before)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(after).toEqual(before);
    const rerun = await ecomdb(seedArgs(d.url, '--scale', '4'));
    expect(rerun.code, rerun.stderr).toBe(0);
  });
});

describe('ecomdb seed on PGlite', () => {
  it('Ctrl-C during the load exits 130 and keeps nothing; the same command then succeeds', async () => {
    const cwd = tempDir();
    expect((await ecomdb(['migrate'], { cwd })).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'seed', '--until', UNTIL, '--scale', '3'], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('"order_processing"."coupons"')) resolve();
      });
      child.on('exit', () => reject(new Error(`the seed ended before it could be interrupted: ${stderr}`)));
    });
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    const { openPglite } = await import('../../src/db/pglite.ts');
    const embedded = await openPglite(`${cwd}/.ecomdb`);
    try {
      const sums = await embedded.session(checksums);
      expect(sums['"user_management"."users"']!.rows).toBe(0);
      expect(sums['"order_processing"."coupons"']!.rows).toBe(0);
      expect(sums['"user_management"."roles"']!.rows).toBe(7);
    } finally {
      await embedded.close();
    }
    const rerun = await ecomdb(['seed', '--until', UNTIL, '--scale', '3'], { cwd });
    expect(rerun.code, rerun.stderr).toBe(0);
  });

  it('a refused row keeps nothing on the embedded database either', async () => {
    const cwd = tempDir();
    expect((await ecomdb(['migrate'], { cwd })).code).toBe(0);
    const run = await ecomdb(['seed', '--until', UNTIL, '--json'], { cwd, env: { ECOMDB_SEED_FAULT: 'messaging.messages:5' } });
    expect(run.code).toBe(7);
    expect(errorCode(run)).toBe('E_SEED_FAILED');
    expect(jsonError(run).details).toMatchObject({ table: '"messaging"."messages"' });
    const { openPglite } = await import('../../src/db/pglite.ts');
    const embedded = await openPglite(`${cwd}/.ecomdb`);
    try {
      const sums = await embedded.session(checksums);
      const seeded = ALL_TABLES.filter((t) => sums[t]!.rows > 0);
      // Only the reference tables, filled by the migrations, hold rows.
      expect(seeded.sort()).toEqual([
        '"order_processing"."order_statuses"', '"payments"."payment_methods"', '"payments"."payment_statuses"',
        '"shipping_logistics"."shipment_statuses"', '"user_management"."roles"',
      ]);
    } finally {
      await embedded.close();
    }
  });
});

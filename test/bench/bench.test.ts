/**
 * `ecomdb bench` on a real seeded database (scale 1, seeded by the library entry of `ecomdb
 * seed`): the acceptance run, errors counted by code, the refusals of bad input (before anything
 * connects), and the check after the run, which must be able to fail. No timing is asserted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRun, takeSnapshot } from '../../src/bench/check.ts';
import { Ledger } from '../../src/bench/ledger.ts';
import { DEFAULT_MIX } from '../../src/bench/mix.ts';
import type { BenchReport } from '../../src/bench/run.ts';
import { DEFAULT_REGIONS, seedOptions } from '../../src/cli/flags.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { readMigrations } from '../../src/migrations/files.ts';
import { seedDatabase } from '../../src/seed/load.ts';
import { ecomdb, errorCode, jsonError, spawnEcomdb, tempDir } from '../helpers/cli.ts';
import { databasesForBlock, type TestDatabase } from '../helpers/db.ts';

const fresh = databasesForBlock();
let seeded: TestDatabase;

beforeAll(async () => {
  seeded = await fresh('bench');
  const db = await openPostgres(seeded.url);
  try {
    await seedDatabase(db, readMigrations(MIGRATIONS_DIR), seedOptions({ scale: '1', seed: '1', regions: DEFAULT_REGIONS.join(','), days: '180', check: true }));
  } finally {
    await db.close();
  }
});

const bench = (args: readonly string[], url = seeded.url) => ecomdb(['bench', '--url', url, ...args], { killAfterMs: 110_000 });

describe('ecomdb bench --time 20 --clients 8 --json (acceptance 3)', () => {
  let run: Awaited<ReturnType<typeof bench>>;
  let report: BenchReport;

  beforeAll(async () => {
    run = await bench(['--time', '20', '--clients', '8', '--json']);
    report = JSON.parse(run.stdout) as BenchReport;
  });

  it('exits 0 and prints one JSON report with per-operation figures', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(report.options).toMatchObject({ clients: 8, seconds: 20, readFrom: 'primary' });
    expect(report.operations.map((o) => o.operation)).toEqual(DEFAULT_MIX.map((e) => e.operation));
    for (const o of report.operations) {
      expect(o, o.operation).toMatchObject({ ok: expect.any(Number), failed: expect.any(Number), retries: expect.any(Number), throughput: expect.any(Number), errors: expect.any(Object) });
      // Failures by code add up to the operation's failures.
      expect(Object.values(o.errors).reduce((a, b) => a + b, 0), o.operation).toBe(o.failed);
    }
  });

  it('ran the main operations, with latency percentiles for each', () => {
    const byName = new Map(report.operations.map((o) => [o.operation, o]));
    for (const name of ['searchProducts', 'productPage', 'placeOrder', 'payOrder', 'trackOrder', 'orderHistory', 'updateListing', 'storeSalesRanking'] as const) {
      const o = byName.get(name)!;
      expect(o.ok, name).toBeGreaterThan(0);
      expect(o.throughput, name).toBeGreaterThan(0);
      const l = o.latencyMs;
      expect(l.p50, name).not.toBeNull();
      expect(l.p50! <= l.p95! && l.p95! <= l.p99! && l.p99! <= l.max!, `${name}: ${JSON.stringify(l)}`).toBe(true);
    }
    expect(report.totals.ok).toBe(report.operations.reduce((n, o) => n + o.ok, 0));
  });

  it('its check after the run passed: stock, coupons, acknowledged orders, data rules', () => {
    expect(report.check).not.toBeNull();
    expect(report.check!.items.map((i) => i.name)).toEqual(['stock-not-negative', 'stock-balance', 'coupon-within-limit', 'coupon-balance', 'acknowledged-orders', 'data-rules']);
    expect(report.check!.items.filter((i) => !i.passed)).toEqual([]);
    expect(report.check!.inDoubt).toEqual([]);
  });

  it('printed a progress line on stderr while it ran (plain lines: stderr is not a terminal)', () => {
    expect(run.stderr.split('\n').filter((l) => /^\s+… .*calls\/s/.test(l)).length).toBeGreaterThan(0);
  });
});

describe('errors by code', () => {
  it('counts refusals by their E_ACCESS_* code, and the check still passes', async () => {
    // Orders only, on Zipf-hot products: the hottest run out of stock.
    const run = await bench(['--transactions', '1500', '--clients', '4', '--mix', 'placeOrder=90,cancelOrder=10', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.errors.E_ACCESS_OUT_OF_STOCK).toBeGreaterThan(0);
    const place = report.operations.find((o) => o.operation === 'placeOrder')!;
    expect(place.errors.E_ACCESS_OUT_OF_STOCK).toBe(report.errors.E_ACCESS_OUT_OF_STOCK);
    expect(place.ok + place.failed + place.skipped).toBeLessThanOrEqual(1500);
    expect(report.check!.passed).toBe(true);
  });
});

describe('--rate (open loop)', () => {
  it('accounts for every call that came due: acknowledged, failed, skipped, or never started before the end', async () => {
    const run = await bench(['--rate', '50', '--time', '3', '--clients', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    const s = report.schedule!;
    expect(s.rate).toBe(50);
    expect(s.due).toBeGreaterThan(0);
    expect(s.due).toBe(report.totals.ok + report.totals.failed + report.totals.skipped + s.unstarted);
    expect(report.check!.passed).toBe(true);
  });
});

describe('--warmup', () => {
  it('runs the mix first and counts none of it, yet checks what it changed', async () => {
    const run = await bench(['--warmup', '1', '--transactions', '120', '--clients', '2', '--mix', 'placeOrder=100', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.warmup).toMatchObject({ seconds: 1 });
    expect(report.warmup!.ok).toBeGreaterThan(0);
    // The 120 calls are the measured ones alone.
    expect(report.totals.ok + report.totals.failed + report.totals.skipped).toBe(120);
    // Every order placed, warm or measured, was looked for after the run.
    const acknowledged = report.check!.items.find((i) => i.name === 'acknowledged-orders')!;
    expect(acknowledged.passed).toBe(true);
    expect(Number(/(\d+) acknowledged order/.exec(acknowledged.detail)![1])).toBe(report.warmup!.ok + report.totals.ok);
    expect(run.stderr).toMatch(/warming up for 1 s/);
  });

  it('starts each client with one call of every operation of the mix, however rare', async () => {
    const run = await bench(['--warmup', '1', '--transactions', '20', '--clients', '3', '--mix', 'searchProducts=99.9,productPage=0.1', '--json', '--no-check']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.warmup!.calls.productPage).toBeGreaterThanOrEqual(3);
    expect(report.warmup!.calls.searchProducts).toBeGreaterThan(report.warmup!.calls.productPage!);
  });
});

describe('refusals, before anything runs', () => {
  const nowhere = 'postgres://postgres@127.0.0.1:1/nothing_here';

  it.each([
    ['an unknown operation in the mix', ['--mix', 'search=50,productPage=50'], 'E_BENCH_MIX', 2],
    ['shares that do not add up to 100', ['--mix', 'searchProducts=50,productPage=30'], 'E_BENCH_MIX', 2],
    ['--mix and --mix-file together', ['--mix', 'productPage=100', '--mix-file', 'mix.json'], 'E_BENCH_MIX', 2],
    ['--clients 0', ['--clients', '0'], 'E_USAGE', 2],
    ['--time 0', ['--time', '0'], 'E_USAGE', 2],
    ['--warmup 0', ['--warmup', '0'], 'E_USAGE', 2],
    ['--time and --transactions together', ['--time', '5', '--transactions', '10'], 'E_USAGE', 2],
    ['--skew 1', ['--skew', '1'], 'E_USAGE', 2],
    ['--read-from replicas without a replica', ['--read-from', 'replicas'], 'E_USAGE', 2],
    ['--replica without --read-from replicas', ['--replica', 'postgres://postgres@127.0.0.1:1/x'], 'E_USAGE', 2],
  ])('%s: one line, its code and status, and no connection tried', async (_what, args, code, status) => {
    // The URL leads nowhere: a refusal that came after connecting would be E_TARGET_UNREACHABLE.
    const run = await bench(args, nowhere);
    expect(run.code, run.stderr).toBe(status);
    expect(errorCode(run)).toBe(code);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a bad mix file: its code in the JSON error', async () => {
    const dir = tempDir();
    const file = join(dir, 'mix.json');
    writeFileSync(file, JSON.stringify({ searchProducts: 60, sendSpam: 40 }));
    const run = await bench(['--mix-file', file, '--json'], nowhere);
    expect(run.code).toBe(2);
    expect(jsonError(run)).toMatchObject({ code: 'E_BENCH_MIX', details: { operation: 'sendSpam' } });
  });

  it('the embedded database: E_USAGE (the bench needs a server)', async () => {
    const run = await ecomdb(['bench', '--data-dir', tempDir(), '--time', '1']);
    expect(run.code).toBe(2);
    expect(errorCode(run)).toBe('E_USAGE');
  });

  it('a migrated database that was never seeded: E_BENCH_NOT_SEEDED, status 13', async () => {
    const empty = await fresh('bench_empty');
    const run = await bench(['--time', '1'], empty.url);
    expect(run.code, run.stderr).toBe(13);
    expect(errorCode(run)).toBe('E_BENCH_NOT_SEEDED');
    expect(run.stderr.trim().split('\n').filter((l) => l.startsWith('error'))).toHaveLength(1);
  });

  it('a database that was never migrated: E_BENCH_NOT_SEEDED, status 13', async () => {
    const bare = await fresh('bench_bare', { migrated: false });
    const run = await bench(['--time', '1'], bare.url);
    expect(run.code, run.stderr).toBe(13);
    expect(errorCode(run)).toBe('E_BENCH_NOT_SEEDED');
  });
});

describe('the check after the run can fail', () => {
  it('when another writer changes stock during the run: E_BENCH_CHECK_FAILED, status 13, the report in the JSON error', async () => {
    const [product] = await seeded.sql<{ region: string; id: string }[]>`select region, id::text from product_catalog.products where stock > 0 order by region, id limit 1`;
    // Reads only: the bench itself changes no stock.
    const { child, done } = spawnEcomdb(['bench', '--url', seeded.url, '--time', '4', '--clients', '2', '--mix', 'productPage=100', '--json'], { killAfterMs: 60_000 });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        // The snapshot is taken before the mix starts running.
        if (stderr.includes('running the mix')) resolve();
      });
      child.on('close', () => resolve());
    });
    await seeded.sql`update product_catalog.products set stock = stock - 1 where region = ${product!.region} and id = ${product!.id}`;
    const run = await done;
    await seeded.sql`update product_catalog.products set stock = stock + 1 where region = ${product!.region} and id = ${product!.id}`;
    expect(run.code, run.stderr).toBe(13);
    const error = jsonError(run);
    expect(error.code).toBe('E_BENCH_CHECK_FAILED');
    expect(error.details.failed).toEqual(['stock-balance']);
    expect((error.details.report as BenchReport).operations[0]!.ok).toBeGreaterThan(0);
  });

  it('finds an acknowledged order that is not there, and one in another state', async () => {
    const db = await openPostgres(seeded.url);
    try {
      const before = await db.session((s) => takeSnapshot(s));
      const [real] = await seeded.sql<{ id: string; created_at: Date; total: string }[]>`
        select o.id::text, o.created_at, o.total::text from order_processing.orders o join order_processing.order_statuses s on s.id = o.status_id
         where o.region = 'MLA' and s.name <> 'cancelled' order by o.id limit 1`;
      const ledger = new Ledger();
      ledger.order('MLA', 999_999_999, new Date('2026-01-01T00:00:00Z'), 'payment_required', '10.00');
      ledger.order('MLA', Number(real!.id), real!.created_at, 'cancelled', real!.total);
      const report = await db.session((s) => checkRun(s, before, ledger));
      expect(report.passed).toBe(false);
      const acked = report.items.find((i) => i.name === 'acknowledged-orders')!;
      expect(acked.passed).toBe(false);
      expect(acked.offenders).toHaveLength(2);
      expect(report.items.filter((i) => !i.passed).map((i) => i.name)).toEqual(['acknowledged-orders']);
    } finally {
      await db.close();
    }
  });
});

describe('ecomdb bench --rls: every operation it drives, as its role and user, under row-level security', () => {
  it('runs them all with no permission or other server error, and the check passes', async () => {
    const { BENCH_OPERATIONS } = await import('../../src/bench/mix.ts');
    const names = Object.keys(BENCH_OPERATIONS);
    const share = 100 / names.length;
    expect(Number.isInteger(share)).toBe(true);
    const run = await bench(['--time', '15', '--clients', '4', '--rls', '--json', '--mix', names.map((n) => `${n}=${share}`).join(',')]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(report.options).toMatchObject({ rls: true });
    // Refusals of the library (out of stock, ...) are the workload's; a SQLSTATE would be a grant or policy missing.
    expect(Object.keys(report.errors).filter((code) => !code.startsWith('E_ACCESS_'))).toEqual([]);
    for (const name of ['searchProducts', 'productPage', 'recommendProducts', 'recordSearch', 'placeOrder', 'orderHistory', 'updateListing', 'addDiscount', 'lowStockAlerts', 'storeSalesReport', 'storeSalesRanking', 'refreshBiViews']) {
      expect(report.operations.find((o) => o.operation === name)!.ok, name).toBeGreaterThan(0);
    }
    expect(report.check!.passed).toBe(true);
  });

  it('with --rls-mode session (a connection per client and role) too', async () => {
    const run = await bench(['--time', '10', '--clients', '2', '--rls', '--rls-mode', 'session', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(Object.keys(report.errors).filter((code) => !code.startsWith('E_ACCESS_'))).toEqual([]);
    for (const name of ['searchProducts', 'placeOrder', 'orderHistory', 'updateListing', 'storeSalesRanking']) {
      expect(report.operations.find((o) => o.operation === name)!.ok, name).toBeGreaterThan(0);
    }
    expect(report.check!.passed).toBe(true);
  });
});

/**
 * npm run bench:workload — the marketplace's workload on a plain and a partitioned copy of the
 * same data, side by side, on this machine. Not a test: it prints figures and PASS/MISS against
 * the issue's targets, and asserts nothing.
 *
 *   1. a database migrated and seeded by the library entry of `ecomdb seed` (default scale 200:
 *      1,200,000 orders and 2,039,530 order lines), its time-ordered tables then put in arrival
 *      order (below), and a copy of it (CREATE DATABASE ... TEMPLATE) converted by `ecomdb
 *      partition apply` (LIST by site, RANGE by month): the same rows in both; then both
 *      vacuumed, analysed and their BI views refreshed;
 *   2. BI: the four reports over the last 30 days of one site computed on the base tables
 *      (`live: true`, what the materialized views would hold), through the query library, on
 *      each layout in turn; median of --bi-iterations after a warm-up; ratio plain/partitioned,
 *      and how many partitions the partitioned plan reads;
 *   3. the mix: `ecomdb bench`'s default mix (or --mix), the same seed, clients and time on each
 *      copy, plain first; per operation throughput and p50/p95/p99, and the check after each run.
 *      With --rounds N the two copies take turns N times (plain, partitioned; partitioned, plain;
 *      ...) and each figure is the median of a copy's rounds: on a machine shared with other work
 *      the load changes within minutes, and one run of each copy in turn hands whichever runs in
 *      the busier minute a handicap that has nothing to do with its layout;
 *   4. with --replicas, the same mix on a local read layer (a primary and two physical standbys,
 *      built by `ecomdb replica up --local` without its read node, seeded at the same scale),
 *      reads through the router;
 *   5. the targets: p95 < 300 ms for every catalog read and search, partitioned p95 no more than
 *      10 % above plain for every operation, BI over 30 days of one site ≥ 3× faster partitioned.
 *
 * Arrival order: the seed writes each site's rows in one block (its ids are per-site ranges), so
 * a plain table holds every site's rows together, which is what LIST partitioning guarantees and
 * a live marketplace never has: its orders, lines, payments, shipments and logs are appended as
 * they come, all sites interleaved, in time order. The plain copy's time-ordered tables are
 * rewritten in that order (CLUSTER on their time column) before the partitioned copy is made
 * from it; --seed-order keeps the seed's order instead.
 *
 * Options: --scale N (default 200), --time S per run (60), --rounds N (1), --clients N (8), --seed N (1),
 * --rate R (calls/s arriving on both copies, open loop: the latency of the same load on each layout;
 * default as fast as the clients go, which compares throughput, since a faster layout gets more calls
 * and queues its short ones behind them), --warmup S (10: every connection plans its statements and
 * opens the partitions it touches before the clock starts, as a pooled connection has long done),
 * --mix LIST, --seed-order, --bi-iterations N (5), --bi-sites LIST (MLB,MLA), --replicas, --port N (54380, for
 * --replicas), --reuse (keep and reuse bench_wl_* databases that hold orders, instead of seeding
 * again: faster, not fresh), --keep (do not drop them at the end).
 * The server is BENCH_DATABASE_URL (default the local server as postgres).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { BI_VIEWS, type BiView } from '../schema/index.ts';
import { PARTITION_LAYOUT } from '../schema/partitions.ts';
import { parseSites, type SiteId } from '../schema/values.ts';
import { deliveryTimes, refreshBiViews, searchConversion, storeSalesRanking, topProducts, type AccessDb } from '../src/access/index.ts';
import { DEFAULT_SKEW } from '../src/bench/keys.ts';
import { BENCH_OPERATIONS, DEFAULT_MIX, parseMix } from '../src/bench/mix.ts';
import { benchmark, type BenchReport, type OperationReport } from '../src/bench/run.ts';
import { DEFAULT_REGIONS, seedOptions } from '../src/cli/flags.ts';
import { openPostgres } from '../src/db/postgres.ts';
import { MIGRATIONS_DIR } from '../src/generate/run.ts';
import { readMigrations } from '../src/migrations/files.ts';
import { quoteIdent, quoteQualified } from '../src/ident.ts';
import { explainQuery } from '../src/partition/inspect.ts';
import { monthOf } from '../src/partition/months.ts';
import { applyPlan } from '../src/partition/plan.ts';
import { runPartition } from '../src/partition/run.ts';
import { labDown, labUp, nodeUrl } from '../src/replica/local.ts';
import { TOPOLOGY } from '../src/replica/topology.ts';
import { seedDatabase } from '../src/seed/load.ts';
import { admin, cloneDatabase, dropAll, freshDatabase, SERVER_SHOWN, urlFor } from './server.ts';
import { log, median, percentile, table } from './stats.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '200' },
    time: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '1' },
    clients: { type: 'string', default: '8' },
    rate: { type: 'string' },
    warmup: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    mix: { type: 'string' },
    'bi-iterations': { type: 'string', default: '5' },
    'bi-sites': { type: 'string', default: 'MLB,MLA' },
    replicas: { type: 'boolean', default: false },
    port: { type: 'string', default: '54380' },
    reuse: { type: 'boolean', default: false },
    'seed-order': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const SCALE = values.scale!;
const SECONDS = Number(values.time);
const ROUNDS = Math.max(1, Number(values.rounds));
const CLIENTS = Number(values.clients);
/** Open loop: calls arrive at this rate on both copies (undefined: as fast as the clients go). */
const RATE = values.rate === undefined ? undefined : Number(values.rate);
const WARMUP = Number(values.warmup);
if (RATE !== undefined && !(RATE > 0)) throw new Error(`--rate ${values.rate}: calls per second above 0`);
if (!(WARMUP >= 0)) throw new Error(`--warmup ${values.warmup}: seconds, 0 or more`);
const SEED = Number(values.seed);
const MIX = values.mix ? parseMix(values.mix) : DEFAULT_MIX;
const BI_ITERATIONS = Number(values['bi-iterations']);
const BI_SITES = parseSites(values['bi-sites']!.split(','));
const DB_PLAIN = 'bench_wl_plain';
const DB_PARTED = 'bench_wl_parted';

const clients: postgres.Sql[] = [];
let labDir: string | undefined;

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all(clients.map((c) => c.end({ timeout: 2 }).catch(() => {})));
    if (labDir) {
      await labDown(labDir).catch((e: unknown) => log(`replica down failed: ${String(e)}`));
      rmSync(labDir, { recursive: true, force: true });
    }
    if (values.keep) await admin.end({ timeout: 2 }).catch(() => {});
    else await dropAll(log);
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: removing what the bench made`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Printing

const int = (n: number) => n.toLocaleString('en-US');
const ms = (x: number | null) => (x === null || !Number.isFinite(x) ? '-' : x < 10 ? x.toFixed(2) : x < 1000 ? x.toFixed(1) : x.toFixed(0));
const ratio = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');

// ---------------------------------------------------------------------------------------------
// 1. The two copies

async function counts(url: string): Promise<{ orders: number; lines: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [c] = await sql<{ orders: number; lines: number }[]>`
      select (select count(*) from order_processing.orders)::int as orders, (select count(*) from order_processing.order_details)::int as lines`;
    return c!;
  } finally {
    await sql.end();
  }
}

async function reusable(name: string): Promise<boolean> {
  const [row] = await admin<{ exists: boolean }[]>`select exists (select 1 from pg_database where datname = ${name}) as exists`;
  if (!row!.exists) return false;
  return (await counts(urlFor(name)).catch(() => ({ orders: 0 }))).orders > 0;
}

/** VACUUM, ANALYZE and refresh the BI views: both copies start from the same settled state. */
async function settle(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe('VACUUM (ANALYZE)');
    await refreshBiViews(drizzle(sql) as unknown as AccessDb, { concurrently: false });
  } finally {
    await sql.end();
  }
}

async function seed(name: string, url: string): Promise<{ rows: number; ms: number }> {
  const options = seedOptions({ scale: SCALE, seed: '1', regions: DEFAULT_REGIONS.join(','), days: '180', check: true });
  const db = await openPostgres(url);
  try {
    const t0 = Date.now();
    const r = await seedDatabase(db, readMigrations(MIGRATIONS_DIR), {
      ...options,
      onPhase: (phase) => log(`  ${name} ${((Date.now() - t0) / 1000).toFixed(0)}s: ${phase}`),
      onTableDone: (t) => t.ms >= 5000 && log(`  ${name}: ${t.table} ${int(t.rows)} rows in ${(t.ms / 1000).toFixed(1)}s`),
    });
    return { rows: r.rows, ms: r.ms };
  } finally {
    await db.close();
  }
}

/** The time-ordered tables (the monthly ones of the layout, and shipments) and the column their rows arrive in order of. */
const ARRIVAL: readonly (readonly [table: string, column: string])[] = [
  ...Object.entries(PARTITION_LAYOUT.monthly).map(([table, m]) => [table, m.column] as const),
  ['shipping_logistics.shipments', 'order_created_at'],
];

/** Rewrite each time-ordered table of the plain copy in arrival order, as a live table would be. */
async function arrivalOrder(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const t0 = Date.now();
  try {
    for (const [table, column] of ARRIVAL) {
      const [schema, name] = table.split('.') as [string, string];
      const index = quoteQualified(schema, `bench_arrival_${name}`);
      await sql.unsafe(`CREATE INDEX ${quoteIdent(`bench_arrival_${name}`)} ON ${quoteQualified(schema, name)} (${quoteIdent(column)})`);
      await sql.unsafe(`CLUSTER ${quoteQualified(schema, name)} USING ${quoteIdent(`bench_arrival_${name}`)}`);
      await sql.unsafe(`DROP INDEX ${index}`);
    }
  } finally {
    await sql.end();
  }
  return Date.now() - t0;
}

async function prepare(): Promise<{ plain: string; parted: string; seeded: Record<string, { rows: number; ms: number } | null>; partitionMs: number | null }> {
  if (values.reuse && (await reusable(DB_PLAIN)) && (await reusable(DB_PARTED))) {
    log(`--reuse: ${DB_PLAIN} and ${DB_PARTED} hold orders; not seeding again (the figures are of reused copies, not fresh ones)`);
    return { plain: urlFor(DB_PLAIN), parted: urlFor(DB_PARTED), seeded: { [DB_PLAIN]: null }, partitionMs: null };
  }
  const seeded: Record<string, { rows: number; ms: number } | null> = {};
  let plain: string;
  if (values.reuse && (await reusable(DB_PLAIN))) {
    log(`--reuse: ${DB_PLAIN} holds orders; not seeding it again`);
    plain = urlFor(DB_PLAIN);
    seeded[DB_PLAIN] = null;
  } else {
    log(`creating and migrating ${DB_PLAIN}`);
    plain = await freshDatabase(DB_PLAIN, true);
    log(`seeding ${DB_PLAIN} at scale ${SCALE}`);
    seeded[DB_PLAIN] = await seed(DB_PLAIN, plain);
    log(`${DB_PLAIN}: ${int(seeded[DB_PLAIN]!.rows)} rows in ${(seeded[DB_PLAIN]!.ms / 1000).toFixed(0)}s`);
  }
  if (!values['seed-order']) {
    log(`putting ${DB_PLAIN}'s time-ordered tables in arrival order (${ARRIVAL.map(([t]) => t).join(', ')})`);
    log(`  done in ${((await arrivalOrder(plain)) / 1000).toFixed(0)}s`);
  }
  // The partitioned copy is the plain one, copied and converted by `ecomdb partition apply`:
  // the same rows, ids included. Seeding it directly is slower by far on a default server, whose
  // lock table cannot hold the rebuild of every partition's keys (the seed then checks each row).
  log(`copying ${DB_PLAIN} to ${DB_PARTED}, then partitioning it (ecomdb partition apply, on the full tables)`);
  const parted = await cloneDatabase(DB_PARTED, DB_PLAIN);
  const db = await openPostgres(parted);
  const t0 = Date.now();
  try {
    await runPartition(db, (s) => applyPlan(s, { month: monthOf(new Date()) }));
  } finally {
    await db.close();
  }
  const partitionMs = Date.now() - t0;
  log(`${DB_PARTED}: partitioned in ${(partitionMs / 1000).toFixed(0)}s`);
  return { plain, parted, seeded, partitionMs };
}

// ---------------------------------------------------------------------------------------------
// 2. BI over the last 30 days of one site, on the base tables

const REPORTS: readonly { name: string; view: BiView; run: (db: AccessDb, region: SiteId) => Promise<unknown> }[] = [
  { name: 'storeSalesRanking', view: BI_VIEWS[0]!, run: (db, region) => storeSalesRanking(db, { region, live: true }) },
  { name: 'topProducts', view: BI_VIEWS[1]!, run: (db, region) => topProducts(db, { region, live: true }) },
  { name: 'deliveryTimes', view: BI_VIEWS[2]!, run: (db, region) => deliveryTimes(db, { region, live: true }) },
  { name: 'searchConversion', view: BI_VIEWS[3]!, run: (db, region) => searchConversion(db, { region, live: true }) },
];

interface BiRow {
  report: string;
  site: SiteId;
  plain: number[];
  parted: number[];
  partitions: string;
}

/** Leaf partitions the partitioned plan of the view's query reads, per partitioned table it touches. */
async function partitionsRead(url: string, text: string): Promise<string> {
  const db = await openPostgres(url);
  try {
    return await db.session(async (s) => {
      const plan = await explainQuery(s, text);
      const leaves = await s.query<{ root: string; leaf: string }>(
        `select r.root, format('%s.%s', n.nspname, c.relname) as leaf
           from (select c.oid::regclass::text as root, c.oid from pg_class c where c.relkind = 'p' and not c.relispartition) r
           cross join lateral pg_partition_tree(r.oid) t
           join pg_class c on c.oid = t.relid join pg_namespace n on n.oid = c.relnamespace
          where t.isleaf`,
      );
      const rootOf = new Map(leaves.map((l) => [l.leaf, l.root]));
      const out: string[] = [];
      for (const root of [...new Set(leaves.map((l) => l.root))].sort()) {
        const read = new Set(plan.relations.filter((r) => rootOf.get(r) === root)).size;
        if (read > 0) out.push(`${root.split('.')[1]} ${read}/${leaves.filter((l) => l.root === root).length}`);
      }
      return out.join(', ');
    });
  } finally {
    await db.close();
  }
}

async function biSection(plainUrl: string, partedUrl: string): Promise<BiRow[]> {
  const plain = postgres(plainUrl, { max: 1, onnotice: () => {} });
  const parted = postgres(partedUrl, { max: 1, onnotice: () => {} });
  clients.push(plain, parted);
  const sides = [
    { name: 'plain' as const, db: drizzle(plain) as unknown as AccessDb },
    { name: 'parted' as const, db: drizzle(parted) as unknown as AccessDb },
  ];
  const rows: BiRow[] = [];
  for (const site of BI_SITES) {
    for (const report of REPORTS) {
      log(`BI ${report.name} ${site}: 1 warm-up + ${BI_ITERATIONS} runs per layout, alternating`);
      const row: BiRow = { report: report.name, site, plain: [], parted: [], partitions: await partitionsRead(partedUrl, report.view.query(site)) };
      for (const side of sides) await report.run(side.db, site);
      for (let i = 0; i < BI_ITERATIONS; i++) {
        for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
          const t0 = performance.now();
          await report.run(side.db, site);
          row[side.name].push(performance.now() - t0);
        }
      }
      rows.push(row);
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 3, 4. The mix

async function mix(url: string, label: string, replicas: readonly string[] = []): Promise<BenchReport> {
  log(`mix on ${label}: ${CLIENTS} clients for ${SECONDS}s${RATE === undefined ? '' : ` at ${RATE} calls/s`} after ${WARMUP}s of warm-up, seed ${SEED}${replicas.length > 0 ? `, reads through the router to ${replicas.length} standbys` : ''}`);
  let last = 0;
  const report = await benchmark(
    {
      url,
      clients: CLIENTS,
      durationMs: SECONDS * 1000,
      ...(RATE === undefined ? {} : { rate: RATE }),
      ...(WARMUP > 0 ? { warmupMs: WARMUP * 1000 } : {}),
      mix: MIX,
      seed: SEED,
      skew: DEFAULT_SKEW,
      biLive: false,
      replicas,
      check: true,
    },
    {
      onPhase: (line) => log(`  ${label}: ${line}`),
      onProgress: (p) => {
        if (p.elapsedMs - last < 10_000) return;
        last = p.elapsedMs;
        log(`  ${label}: ${(p.elapsedMs / 1000).toFixed(0)}s, ${int(p.done)} calls, ${p.rate.toFixed(0)}/s now, ${p.failed} failed`);
      },
    },
  );
  log(`  ${label}: ${int(report.totals.ok)} calls acknowledged (${report.totals.throughput}/s); check ${report.check?.passed ? 'passed' : 'FAILED'}`);
  return report;
}

/**
 * A copy's rounds as one report: per operation, the median of the rounds' throughput and of each
 * latency percentile (not a percentile of all their calls: the median round is what shrugs off a
 * round that ran beside someone else's burst); calls, failures and retries summed; the check
 * passed when every round's did.
 */
function combine(rounds: readonly BenchReport[]): BenchReport {
  if (rounds.length === 1) return rounds[0]!;
  const mid = (xs: readonly (number | null)[]) => {
    const known = xs.filter((x): x is number => x !== null);
    return known.length === 0 ? null : median(known);
  };
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const merge = (maps: readonly Readonly<Record<string, number>>[]) => {
    const out: Record<string, number> = {};
    for (const m of maps) for (const [k, n] of Object.entries(m)) out[k] = (out[k] ?? 0) + n;
    return out;
  };
  const first = rounds[0]!;
  const operations = first.operations.map((o) => {
    const all = rounds.map((r) => r.operations.find((x) => x.operation === o.operation)!);
    const latency = (k: 'mean' | 'p50' | 'p95' | 'p99' | 'max') => mid(all.map((a) => a.latencyMs[k]));
    return {
      ...o,
      ok: sum(all.map((a) => a.ok)),
      failed: sum(all.map((a) => a.failed)),
      retries: sum(all.map((a) => a.retries)),
      skipped: sum(all.map((a) => a.skipped)),
      errors: merge(all.map((a) => a.errors)),
      throughput: mid(all.map((a) => a.throughput))!,
      latencyMs: { mean: latency('mean'), p50: latency('p50'), p95: latency('p95'), p99: latency('p99'), max: latency('max') },
    };
  });
  const failedChecks = rounds.map((r) => r.check).filter((c) => c !== null && !c.passed);
  return {
    ...first,
    elapsedSeconds: sum(rounds.map((r) => r.elapsedSeconds)),
    totals: {
      ok: sum(rounds.map((r) => r.totals.ok)),
      failed: sum(rounds.map((r) => r.totals.failed)),
      retries: sum(rounds.map((r) => r.totals.retries)),
      skipped: sum(rounds.map((r) => r.totals.skipped)),
      throughput: Number(median(rounds.map((r) => r.totals.throughput)).toFixed(2)),
    },
    errors: merge(rounds.map((r) => r.errors)),
    operations,
    check: failedChecks[0] ?? first.check,
  };
}

async function replicaRun(): Promise<BenchReport> {
  labDir = mkdtempSync(join(tmpdir(), 'ecomdb-bench-workload-'));
  log(`building a primary and ${TOPOLOGY.standbys.length} standbys in ${labDir} (no read node)`);
  const up = await labUp({
    dir: labDir,
    migrations: readMigrations(MIGRATIONS_DIR),
    firstPort: Number(values.port),
    sample: false,
    topology: { ...TOPOLOGY, readNodes: [] },
    onStep: (line) => log(`  ${line}`),
  });
  const state = up.state;
  const primary = nodeUrl(state, 'primary');
  log(`seeding the read layer's primary at scale ${SCALE}`);
  await seed('replica primary', primary);
  await settle(primary);
  const standbys = state.nodes.filter((n) => n.kind === 'standby').map((n) => nodeUrl(state, n.name));
  const sql = postgres(primary, { max: 1, onnotice: () => {} });
  clients.push(sql);
  const [{ lsn } = { lsn: '0/0' }] = await sql<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
  for (const url of standbys) {
    const standby = postgres(url, { max: 1, onnotice: () => {} });
    clients.push(standby);
    for (;;) {
      const [r] = await standby<{ caught: boolean }[]>`select pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn as caught`;
      if (r!.caught) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  log('both standbys have replayed the seed');
  return mix(primary, 'primary + 2 standbys', standbys);
}

// ---------------------------------------------------------------------------------------------
// 5. The targets

const pass = (ok: boolean) => (ok ? 'PASS' : 'MISS');

function mixTable(plain: BenchReport, parted: BenchReport, replicas: BenchReport | null): string[] {
  const by = (r: BenchReport) => new Map(r.operations.map((o) => [o.operation, o]));
  const [a, b, c] = [by(plain), by(parted), replicas ? by(replicas) : null];
  const rows = MIX.map((e) => {
    const x = a.get(e.operation)!;
    const y = b.get(e.operation)!;
    const z = c?.get(e.operation);
    const cells = [
      e.operation, `${e.share}%`,
      x.throughput.toFixed(1), ms(x.latencyMs.p50), ms(x.latencyMs.p95), ms(x.latencyMs.p99),
      y.throughput.toFixed(1), ms(y.latencyMs.p50), ms(y.latencyMs.p95), ms(y.latencyMs.p99),
      ratio(y.throughput / x.throughput), ratio(y.latencyMs.p95! / x.latencyMs.p95!),
    ];
    if (z) cells.push(z.throughput.toFixed(1), ms(z.latencyMs.p95), ratio(z.throughput / x.throughput));
    return cells;
  });
  const header = ['operation', 'share', 'plain/s', 'p50', 'p95', 'p99', 'part/s', 'p50', 'p95', 'p99', 'thru part/plain', 'p95 part/plain'];
  if (c) header.push('replicas/s', 'p95', 'thru repl/plain');
  const totals = (r: BenchReport) => `${int(r.totals.ok)} calls, ${r.totals.throughput}/s, ${r.totals.failed} failed (${Object.entries(r.errors).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}), ${r.totals.retries} retried; check ${r.check?.passed ? 'passed' : `FAILED: ${r.check?.items.filter((i) => !i.passed).map((i) => i.name).join(', ')}`}`;
  return [
    ...table(header, rows),
    '',
    `plain:       ${totals(plain)}`,
    `partitioned: ${totals(parted)}`,
    ...(replicas ? [`replicas:    ${totals(replicas)}`] : []),
  ];
}

function targets(plain: BenchReport, parted: BenchReport, bi: BiRow[]): string[] {
  const out: string[] = [];
  const catalog = (r: BenchReport) => r.operations.filter((o) => BENCH_OPERATIONS[o.operation] === 'catalog' && o.readOnly);
  out.push('Target 1: p95 < 300 ms for every catalog read and search');
  for (const [label, r] of [['plain', plain], ['partitioned', parted]] as const) {
    for (const o of catalog(r)) out.push(`  ${pass(o.latencyMs.p95 !== null && o.latencyMs.p95 < 300)}  ${label.padEnd(11)} ${o.operation.padEnd(18)} p95 ${ms(o.latencyMs.p95)} ms`);
  }
  out.push('Target 2: no operation\'s p95 on the partitioned layout more than 10 % above plain');
  const plainBy = new Map(plain.operations.map((o) => [o.operation, o]));
  for (const o of parted.operations) {
    const p = plainBy.get(o.operation)!;
    const r = o.latencyMs.p95! / p.latencyMs.p95!;
    out.push(`  ${pass(r <= 1.1)}  ${o.operation.padEnd(18)} p95 ${ms(o.latencyMs.p95)} ms partitioned vs ${ms(p.latencyMs.p95)} ms plain (${ratio(r)})`);
  }
  out.push('Target 3: BI over the last 30 days of one site ≥ 3× faster partitioned (medians)');
  for (const row of bi) {
    const r = percentile(row.plain, 50) / percentile(row.parted, 50);
    out.push(`  ${pass(r >= 3)}  ${row.report.padEnd(18)} ${row.site} ${ratio(r)}×`);
  }
  return out;
}

function operationNote(r: OperationReport): string {
  return `${r.operation} ${r.skipped} skipped`;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const [version] = await admin<{ v: string }[]>`select current_setting('server_version') as v`;
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), PostgreSQL ${version!.v} at ${SERVER_SHOWN}`;
  const loadAtStart = loadavg().map((x) => x.toFixed(2)).join(' ');
  log(`${machine}; load average ${loadAtStart}`);
  const started = Date.now();
  const { plain, parted, seeded, partitionMs } = await prepare();
  const [cPlain, cParted] = [await counts(plain), await counts(parted)];
  if (cPlain.orders !== cParted.orders || cPlain.lines !== cParted.lines) {
    throw new Error(`the two copies differ: orders ${cPlain.orders} vs ${cParted.orders}, order lines ${cPlain.lines} vs ${cParted.lines}`);
  }
  log(`both hold ${int(cPlain.orders)} orders and ${int(cPlain.lines)} order lines; vacuum, analyse, refresh the BI views`);
  await settle(plain);
  await settle(parted);

  const bi = await biSection(plain, parted);
  const rounds = { plain: [] as BenchReport[], parted: [] as BenchReport[] };
  for (let i = 0; i < ROUNDS; i++) {
    const turn = i % 2 === 0 ? (['plain', 'parted'] as const) : (['parted', 'plain'] as const);
    for (const side of turn) {
      const label = `${side === 'plain' ? 'plain' : 'partitioned'}${ROUNDS > 1 ? ` (round ${i + 1}/${ROUNDS})` : ''}`;
      rounds[side].push(await mix(side === 'plain' ? plain : parted, label));
    }
  }
  const plainReport = combine(rounds.plain);
  const partedReport = combine(rounds.parted);
  const replicaReport = values.replicas ? await replicaRun() : null;
  const loadAtEnd = loadavg().map((x) => x.toFixed(2)).join(' ');

  const out: string[] = [];
  out.push(`ecomdb workload benchmark — ${machine}`);
  out.push(`load average (1, 5, 15 min) at start ${loadAtStart}, at end ${loadAtEnd}; whole run ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  const seededNote = Object.entries(seeded).map(([n, s]) => (s ? `${n} seeded: ${int(s.rows)} rows in ${(s.ms / 1000).toFixed(0)}s` : `${n} reused`)).join(', ');
  const partedNote = partitionMs === null ? `${DB_PARTED} reused` : `${DB_PARTED}: a copy of it, partitioned by \`partition apply\` in ${(partitionMs / 1000).toFixed(0)}s`;
  out.push(`rows in ${values['seed-order'] ? "the seed's order (each site's rows in one block: flatters the plain copy)" : 'arrival order (time-ordered tables clustered on their time column, all sites interleaved)'}`);
  out.push(`data: seed scale ${SCALE}, sites ${DEFAULT_REGIONS.join(',')}, 180 days: ${int(cPlain.orders)} orders and ${int(cPlain.lines)} order lines in each copy (${seededNote}; ${partedNote})`);
  out.push('');
  out.push(`BI over the last 30 days of one site, on the base tables (live), ms; ${BI_ITERATIONS} runs per layout after a warm-up, alternating; ratio = plain / partitioned median`);
  out.push(
    ...table(
      ['report', 'site', 'plain p50', 'plain min', 'part p50', 'part min', 'ratio', 'partitions read by the partitioned plan'],
      bi.map((r) => [r.report, r.site, ms(percentile(r.plain, 50)), ms(Math.min(...r.plain)), ms(percentile(r.parted, 50)), ms(Math.min(...r.parted)), `${ratio(percentile(r.plain, 50) / percentile(r.parted, 50))}×`, r.partitions]),
      2,
    ),
  );
  out.push('');
  const roundsNote = ROUNDS > 1 ? `, ${ROUNDS} rounds per copy taking turns (medians of the rounds; calls summed)` : ', on each copy in turn';
  const load = RATE === undefined ? 'as fast as they go (closed loop)' : `at a fixed ${RATE} calls/s on both copies (open loop; latency from when each call was due)`;
  out.push(`The mix (${MIX.map((e) => `${e.operation}=${e.share}`).join(',')}): ${CLIENTS} clients ${load}, ${SECONDS}s after ${WARMUP}s of warm-up, seed ${SEED}${roundsNote}; calls/s and ms`);
  out.push(...mixTable(plainReport, partedReport, replicaReport));
  const skipped = [plainReport, partedReport].flatMap((r) => r.operations.filter((o) => o.skipped > 0).map(operationNote));
  if (skipped.length > 0) out.push(`skipped (nothing to act on): ${skipped.join('; ')}`);
  out.push('');
  out.push(...targets(plainReport, partedReport, bi));
  process.stdout.write(`${out.join('\n')}\n`);
}

main()
  .catch((error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());

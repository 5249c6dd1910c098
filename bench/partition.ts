/**
 * npm run bench:partition — what geographic partitioning buys and costs, measured in one run on
 * this machine. Not a test: it prints figures, it asserts nothing (beyond refusing to compare two
 * databases that do not hold the same rows).
 *
 *   A. query latency: two databases migrated alike, one partitioned by `ecomdb partition apply`
 *      (before seeding), both seeded identically by the library entry of `ecomdb seed`; then
 *      region-scoped queries with the same parameters, picked from the data, on both sides,
 *      through prepared statements (postgres.js): a point lookup of an order (with and without its
 *      created_at), a buyer's order history with its lines, a region's top products of the last
 *      30 days. Median and p95 per side, the ratio unpartitioned/partitioned (> 1: partitioning
 *      is faster), and how many partitions the partitioned plan reads (EXPLAIN).
 *   B. lock time of giving a site with rows in DEFAULT its own partition: `bench.events`, LIST by
 *      region with about 1,000,000 rows in DEFAULT, gets an MLC partition (a) by ecomdb's
 *      two-phase plan (`addSitePlan`: move under a SHARE lock on DEFAULT, short attach), (b) by
 *      the naive single transaction (DETACH DEFAULT ... ATTACH DEFAULT; docs/design.md, 'Partitioning rules'), each from the
 *      same starting state, while a second connection inserts single MLB rows in a loop.
 *
 * Options: --scale N (default 40, or BENCH_SCALE: ~240,000 orders and ~384,000 order lines),
 * --iterations N per lookup query and side (default 500), --top-iterations N for the top-products
 * query (default 70), --events N rows in DEFAULT for B (default 1000000), --sections a,b (default
 * both).
 * The server is BENCH_DATABASE_URL (default the local server as postgres); the databases
 * bench_part_* are created and dropped by the bench (also on failure or Ctrl-C).
 */
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { PARTITION_LAYOUT } from '../schema/partitions.ts';
import { DEFAULT_REGIONS, seedOptions } from '../src/cli/flags.ts';
import { openPostgres } from '../src/db/postgres.ts';
import type { Database } from '../src/db/types.ts';
import { MIGRATIONS_DIR } from '../src/generate/run.ts';
import { quoteLiteral } from '../src/ident.ts';
import { readMigrations } from '../src/migrations/files.ts';
import { readCatalog } from '../src/partition/catalog.ts';
import { explainQuery } from '../src/partition/inspect.ts';
import { monthOf } from '../src/partition/months.ts';
import { addSitePlan, applyPlan } from '../src/partition/plan.ts';
import { runPartition } from '../src/partition/run.ts';
import { seedDatabase } from '../src/seed/load.ts';
import { dropAll, dropDatabase, freshDatabase, SERVER_SHOWN } from './server.ts';
import { percentile, table } from './stats.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: process.env.BENCH_SCALE ?? '40' },
    iterations: { type: 'string', default: '500' },
    'top-iterations': { type: 'string', default: '70' },
    events: { type: 'string', default: '1000000' },
    sections: { type: 'string', default: 'a,b' },
  },
});
const SCALE = values.scale!;
const ITERATIONS = Number(values.iterations);
const TOP_ITERATIONS = Number(values['top-iterations']);
const EVENTS = Number(values.events);
const SECTIONS = new Set(values.sections!.toLowerCase().split(',').map((x) => x.trim()));
const DB_PLAIN = 'bench_part_plain';
const DB_PARTED = 'bench_part_parted';
const DB_LOCKS = 'bench_part_locks';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const clients: postgres.Sql[] = [];
const databases: Database[] = [];

function client(url: string, connection: Record<string, string> = {}): postgres.Sql {
  const sql = postgres(url, { max: 1, prepare: true, onnotice: () => {}, connection });
  clients.push(sql);
  return sql;
}

async function open(url: string): Promise<Database> {
  const db = await openPostgres(url);
  databases.push(db);
  return db;
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all(clients.map((c) => c.end({ timeout: 2 }).catch(() => {})));
    await Promise.all(databases.map((d) => d.close().catch(() => {})));
    await dropAll(log);
  })();
  return cleaning;
}
// postgres.js can throw outside any promise (e.g. a connection terminated mid-COPY): clean up anyway.
process.once('uncaughtException', (error) => {
  log(`uncaught: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}; dropping the bench databases`);
  void cleanup().finally(() => process.exit(1));
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: dropping the bench databases`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Figures

const ms = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const int = (n: number) => n.toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------
// A. Query latency

type Param = string | number | Date;

interface QueryCase {
  label: string;
  sql: string;
  params: readonly (readonly Param[])[];
  iterations: number;
  warmup: number;
}

/** The statement with its parameters written in as literals, for EXPLAIN. */
function literal(text: string, params: readonly Param[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const v = params[Number(n) - 1]!;
    return v instanceof Date ? `${quoteLiteral(v.toISOString())}::timestamptz` : typeof v === 'number' ? String(v) : quoteLiteral(v);
  });
}

const LOOKUP = `SELECT region, id, buyer_id, status_id, total, currency, created_at
  FROM order_processing.orders WHERE region = $1 AND id = $2`;
const LOOKUP_AT = `SELECT region, id, buyer_id, status_id, total, currency, created_at
  FROM order_processing.orders WHERE region = $1 AND id = $2 AND created_at = $3`;
const HISTORY = `SELECT o.id, o.created_at, o.status_id, o.total, d.product_id, d.quantity, d.unit_price
  FROM (SELECT region, id, created_at, status_id, total FROM order_processing.orders
         WHERE region = $1 AND buyer_id = $2 ORDER BY created_at DESC LIMIT 20) o
  JOIN order_processing.order_details d
    ON d.region = o.region AND d.order_id = o.id AND d.order_created_at = o.created_at
 WHERE d.region = $1
 ORDER BY o.created_at DESC, o.id, d.product_id`;
const TOP_PRODUCTS = `SELECT d.product_id, sum(d.quantity) AS units
  FROM order_processing.order_details d
  JOIN order_processing.orders o ON o.region = d.region AND o.id = d.order_id AND o.created_at = d.order_created_at
 WHERE o.region = $1 AND o.created_at >= now() - interval '30 days'
   AND d.region = $1 AND d.order_created_at >= now() - interval '30 days'
 GROUP BY d.product_id ORDER BY units DESC, d.product_id LIMIT 10`;

/** The sides measured: the plain copy, and the partitioned copy with the server's plan cache as it is and with generic plans forced. */
const SIDES = ['plain', 'parted', 'generic'] as const;
type Side = (typeof SIDES)[number];
type Latency = Record<Side, number[]>;

async function timeOne(sql: postgres.Sql, text: string, params: readonly Param[]): Promise<number> {
  const t0 = performance.now();
  await sql.unsafe(text, params as never[], { prepare: true });
  return performance.now() - t0;
}

/** Warm every side, then run the iterations interleaved (rotating which side goes first), so drift on a noisy machine hits all. */
async function measure(c: QueryCase, clients: Record<Side, postgres.Sql>): Promise<Latency> {
  for (let i = 0; i < c.warmup; i++) {
    for (const side of SIDES) await timeOne(clients[side], c.sql, c.params[i % c.params.length]!);
  }
  const out: Latency = { plain: [], parted: [], generic: [] };
  for (let i = 0; i < c.iterations; i++) {
    const p = c.params[i % c.params.length]!;
    for (let k = 0; k < SIDES.length; k++) {
      const side = SIDES[(i + k) % SIDES.length]!;
      out[side].push(await timeOne(clients[side], c.sql, p));
    }
  }
  return out;
}

/** Leaf partitions of the partitioned orders and order_details, to name what a plan reads. */
async function leavesOf(sql: postgres.Sql): Promise<Map<string, string>> {
  const rows = await sql<{ root: string; leaf: string }[]>`
    select r.root, format('%s.%s', n.nspname, c.relname) as leaf
      from unnest(array['order_processing.orders', 'order_processing.order_details']) r(root)
      cross join lateral pg_partition_tree(r.root::regclass) t
      join pg_class c on c.oid = t.relid join pg_namespace n on n.oid = c.relnamespace
     where t.isleaf`;
  return new Map(rows.map((r) => [r.leaf, r.root]));
}

interface PlanNode {
  'Relation Name'?: string;
  Schema?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/**
 * Which leaf partitions the partitioned plan reads: planned = in the EXPLAIN of explainQuery
 * (inspect.ts: plan-time and executor-start pruning done), scanned = executed at least once in
 * an EXPLAIN ANALYZE of the same statement (adds the pruning done per outer row of a join).
 */
async function partitionsRead(db: Database, sql: postgres.Sql, text: string, leaves: Map<string, string>): Promise<string> {
  const plan = await db.session((s) => explainQuery(s, text));
  const [row] = await sql.unsafe<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(`EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, FORMAT JSON) ${text}`);
  const scanned: string[] = [];
  const walk = (node: PlanNode) => {
    if (node['Relation Name'] && (node['Actual Loops'] ?? 0) > 0) scanned.push(`${node.Schema ?? 'public'}.${node['Relation Name']}`);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(row!['QUERY PLAN'][0]!.Plan);
  const parts: string[] = [];
  for (const root of ['order_processing.orders', 'order_processing.order_details']) {
    const total = [...leaves.values()].filter((r) => r === root).length;
    const planned = new Set(plan.relations.filter((r) => leaves.get(r) === root)).size;
    const ran = new Set(scanned.filter((r) => leaves.get(r) === root)).size;
    if (planned > 0) parts.push(`${root.split('.')[1]} ${planned}/${total} (${ran} scanned)`);
  }
  return parts.join(', ');
}

/** `generic/custom`: how often the server used a generic or a custom plan for the statement on this connection. */
async function planCache(sql: postgres.Sql, text: string): Promise<string> {
  const [r] = await sql<{ g: number; c: number }[]>`select generic_plans::int as g, custom_plans::int as c from pg_prepared_statements where statement = ${text}`;
  return r ? `${r.g}/${r.c}` : '-';
}

async function sectionA(): Promise<string[]> {
  log(`A: creating and migrating ${DB_PLAIN} and ${DB_PARTED}`);
  const urlPlain = await freshDatabase(DB_PLAIN, true);
  const urlParted = await freshDatabase(DB_PARTED, true);
  const dbParted = await open(urlParted);

  log(`A: partitioning ${DB_PARTED} (ecomdb partition apply, before seeding)`);
  const applied = await runPartition(dbParted, (s) => applyPlan(s, { month: monthOf(new Date()) }));
  log(`A: apply ran ${applied.report.statements} statements in ${(applied.report.totalMs / 1000).toFixed(1)}s`);

  // One set of options for both (the same --until), built as `ecomdb seed` builds them.
  const options = seedOptions({ scale: SCALE, seed: '1', regions: DEFAULT_REGIONS.join(','), days: '180', check: true });
  const seeded: Record<string, { rows: number; ms: number }> = {};
  let keysHow = '';
  for (const [name, url] of [[DB_PLAIN, urlPlain], [DB_PARTED, urlParted]] as const) {
    log(`A: seeding ${name} at scale ${SCALE}`);
    const db = await openPostgres(url);
    try {
      const t0 = Date.now();
      const at = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
      const r = await seedDatabase(db, readMigrations(MIGRATIONS_DIR), {
        ...options,
        onPhase: (phase) => {
          if (/keys of (partitioned tables|\d+ partitions)/.test(phase)) keysHow = phase; // planKeys decided
          log(`   ${name} ${at()}: ${phase}`);
        },
        onTableDone: (t) => t.ms >= 2000 && log(`   ${name} ${at()}: ${t.table} ${int(t.rows)} rows in ${(t.ms / 1000).toFixed(1)}s`),
      });
      seeded[name] = { rows: r.rows, ms: r.ms };
      log(`A: ${name}: ${int(r.rows)} rows in ${(r.ms / 1000).toFixed(1)}s`);
    } finally {
      await db.close();
    }
  }

  const plain = client(urlPlain);
  const parted = client(urlParted);
  // The same partitioned copy on a connection that always uses the generic plan of a prepared
  // statement (pruning at execution instead of planning every call over all partitions).
  const generic = client(urlParted, { plan_cache_mode: 'force_generic_plan' });
  const countsOf = async (sql: postgres.Sql) =>
    (await sql<{ orders: number; lines: number }[]>`
      select (select count(*) from order_processing.orders)::int as orders,
             (select count(*) from order_processing.order_details)::int as lines`)[0]!;
  const [cPlain, cParted] = [await countsOf(plain), await countsOf(parted)];
  if (cPlain.orders !== cParted.orders || cPlain.lines !== cParted.lines) {
    throw new Error(`the two databases differ: orders ${cPlain.orders} vs ${cParted.orders}, order lines ${cPlain.lines} vs ${cParted.lines}`);
  }
  const [kind] = await parted<{ kind: string }[]>`select relkind::text as kind from pg_class where oid = 'order_processing.orders'::regclass`;
  if (kind!.kind !== 'p') throw new Error(`${DB_PARTED}: order_processing.orders is not partitioned`);
  log(`A: both hold ${int(cPlain.orders)} orders and ${int(cPlain.lines)} order lines; vacuum and analyze`);
  for (const sql of [plain, parted]) await sql.unsafe('VACUUM (ANALYZE) order_processing.orders, order_processing.order_details');

  // Parameters from the data, the same list for both sides (deterministic: ordered by a hash).
  const orders = await plain<{ region: string; id: number; created_at: Date }[]>`
    select region, id::int as id, created_at from order_processing.orders
     order by hashtext(region || ':' || id::text) limit ${ITERATIONS}`;
  const buyers = await plain<{ region: string; buyer_id: number }[]>`
    select region, buyer_id::int as buyer_id from (select distinct region, buyer_id from order_processing.orders) b
     order by hashtext(region || ':' || buyer_id::text) limit ${ITERATIONS}`;
  const regions = (await plain<{ region: string }[]>`select distinct region from order_processing.orders order by region`).map((r) => r.region);

  const cases: QueryCase[] = [
    { label: '1a. order by (region, id)', sql: LOOKUP, params: orders.map((o) => [o.region, o.id]), iterations: ITERATIONS, warmup: 100 },
    { label: '1b. order by (region, id, created_at)', sql: LOOKUP_AT, params: orders.map((o) => [o.region, o.id, o.created_at]), iterations: ITERATIONS, warmup: 100 },
    { label: '2.  buyer history: 20 newest + lines', sql: HISTORY, params: buyers.map((b) => [b.region, b.buyer_id]), iterations: ITERATIONS, warmup: 100 },
    { label: '3.  region top 10 products, 30 days', sql: TOP_PRODUCTS, params: regions.map((r) => [r]), iterations: TOP_ITERATIONS, warmup: 2 * regions.length },
  ];

  const leaves = await leavesOf(parted);
  const rows: string[][] = [];
  for (const c of cases) {
    log(`A: ${c.label.replace(/^\S+\s+/, '')}: ${c.warmup} warm-up + ${c.iterations} iterations per side`);
    const l = await measure(c, { plain, parted, generic });
    // EXPLAIN with the first parameters written in; for 3, the largest region (MLB).
    const sample = c.sql === TOP_PRODUCTS ? (c.params.find((p) => p[0] === 'MLB') ?? c.params[0]!) : c.params[0]!;
    const reads = await partitionsRead(dbParted, parted, literal(c.sql, sample), leaves);
    const [p50a, p95a, p50b, p95b, p50g, p95g] = [l.plain, l.parted, l.generic].flatMap((x) => [percentile(x, 50), percentile(x, 95)]) as [number, number, number, number, number, number];
    rows.push([
      c.label, String(c.iterations),
      ms(p50a), ms(p95a), ms(p50b), ms(p95b), (p50a / p50b).toFixed(2), ms(p50g), ms(p95g), (p50a / p50g).toFixed(2),
      `${await planCache(plain, c.sql)} | ${await planCache(parted, c.sql)} | ${await planCache(generic, c.sql)}`,
      `${reads} [${sample[0]}]`,
    ]);
  }

  const out: string[] = [];
  out.push(`A. Query latency, unpartitioned vs partitioned (PostgreSQL at ${SERVER_SHOWN})`);
  out.push(
    `   seed scale ${SCALE}, regions ${DEFAULT_REGIONS.join(',')}: ${int(cPlain.orders)} orders + ${int(cPlain.lines)} order lines in each database ` +
      `(${int(seeded[DB_PLAIN]!.rows)} rows in all; seeded in ${(seeded[DB_PLAIN]!.ms / 1000).toFixed(1)}s unpartitioned, ${(seeded[DB_PARTED]!.ms / 1000).toFixed(1)}s partitioned)`,
  );
  if (keysHow) out.push(`   partitioned seed: ${keysHow}`);
  out.push(`   prepared statements (postgres.js), one connection per side, iterations interleaved; ms; ratio = unpartitioned / partitioned p50 (> 1: partitioning is faster)`);
  out.push(`   "part": the server's plan cache as configured (plan_cache_mode auto); "generic": the same database, plan_cache_mode = force_generic_plan`);
  out.push('');
  out.push(
    ...table(
      ['query', 'iters', 'unpart p50', 'unpart p95', 'part p50', 'part p95', 'ratio', 'generic p50', 'generic p95', 'ratio', 'plans g/c unpart | part | generic', 'partitions read by the partitioned plan [region of the EXPLAIN]'],
      rows,
    ).map((l) => `   ${l}`),
  );
  out.push('');
  out.push(`   partitions read: leaf partitions in the partitioned plan (explainQuery: after plan-time and start-up pruning) / all leaves of the table;`);
  out.push(`   plans g/c: generic / custom plans the server used for the prepared statement on each side (pg_prepared_statements), warm-up included;`);
  out.push(`   "scanned": those executed at least once in EXPLAIN ANALYZE (adds pruning per outer row of a join); parameters written in as literals`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// B. Lock time of adding a site

const MOVED_SITE = 'MLC';
const MLB_ROWS = 100_000;

/** bench.events from scratch: partitions for MLB, MLA, MLM, MCO and DEFAULT; EVENTS rows in DEFAULT (10% MLC), MLB_ROWS in MLB. */
async function resetEvents(sql: postgres.Sql): Promise<void> {
  await sql.unsafe(`
    DROP SCHEMA IF EXISTS bench CASCADE;
    CREATE SCHEMA bench;
    CREATE TABLE bench.events (
      region text NOT NULL, id bigint NOT NULL, user_id bigint NOT NULL, at timestamptz NOT NULL, payload text NOT NULL,
      PRIMARY KEY (region, id)
    ) PARTITION BY LIST (region);
    CREATE TABLE bench.events_mlb PARTITION OF bench.events FOR VALUES IN ('MLB');
    CREATE TABLE bench.events_mla PARTITION OF bench.events FOR VALUES IN ('MLA');
    CREATE TABLE bench.events_mlm PARTITION OF bench.events FOR VALUES IN ('MLM');
    CREATE TABLE bench.events_mco PARTITION OF bench.events FOR VALUES IN ('MCO');
    CREATE TABLE bench.events_default PARTITION OF bench.events DEFAULT;`);
  await sql.unsafe(`
    INSERT INTO bench.events (region, id, user_id, at, payload)
    SELECT CASE WHEN g % 10 = 0 THEN 'MLC' WHEN g % 10 < 6 THEN 'MLU' ELSE 'MPE' END, g, (g::bigint * 7919) % 200000,
           timestamptz '2026-01-01 00:00:00+00' - (g::bigint % 15552000) * interval '1 second', md5(g::text) || md5((g + 1)::text)
      FROM generate_series(1, ${EVENTS}) g`);
  await sql.unsafe(`
    INSERT INTO bench.events (region, id, user_id, at, payload)
    SELECT 'MLB', g, (g::bigint * 7919) % 200000, timestamptz '2026-01-01 00:00:00+00' - (g::bigint % 15552000) * interval '1 second', md5(g::text) || md5((g + 1)::text)
      FROM generate_series(1, ${MLB_ROWS}) g`);
  await sql.unsafe('VACUUM (ANALYZE) bench.events');
  await sql.unsafe('CHECKPOINT');
}

interface WriterResult {
  /** [start, end] of every insert, performance.now() ms. */
  spans: [number, number][];
  failed: number;
}

/** Single-row autocommit inserts for MLB on a connection of its own, until stopped. */
function startWriter(url: string, firstId: number): { stop: () => Promise<WriterResult> } {
  const sql = client(url);
  const spans: [number, number][] = [];
  let failed = 0;
  let running = true;
  let id = firstId;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        await sql.unsafe(`INSERT INTO bench.events (region, id, user_id, at, payload) VALUES ('MLB', $1, $2, now(), 'writer')`, [id, id % 200000], { prepare: true });
        spans.push([t0, performance.now()]);
      } catch {
        failed++;
      }
      id++;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { spans, failed };
    },
  };
}

interface LockRun {
  method: string;
  totalMs: number;
  lockMs: number;
  lockWhat: string;
  writer: { during: number; duringLock: number; maxMs: number; p50Ms: number; baselineMaxMs: number };
  check: string;
}

function writerFigures(w: WriterResult, op: [number, number], lock: [number, number]) {
  const overlaps = (s: [number, number], win: [number, number]) => s[0] < win[1] && s[1] > win[0];
  const during = w.spans.filter((s) => overlaps(s, op));
  const outside = w.spans.filter((s) => !overlaps(s, op)).map((s) => s[1] - s[0]);
  const lat = during.map((s) => s[1] - s[0]);
  return {
    during: w.spans.filter((s) => s[1] >= op[0] && s[1] <= op[1]).length,
    duringLock: w.spans.filter((s) => s[1] >= lock[0] && s[1] <= lock[1]).length,
    maxMs: lat.length ? Math.max(...lat) : NaN,
    p50Ms: percentile(lat, 50),
    baselineMaxMs: outside.length ? Math.max(...outside) : NaN,
  };
}

async function verifyMoved(sql: postgres.Sql): Promise<string> {
  const [r] = await sql<{ mlc_part: number; mlc_default: number; default_rows: number; bound: string | null }[]>`
    select (select count(*) from bench.events_mlc)::int as mlc_part,
           (select count(*) from bench.events_default where region = ${MOVED_SITE})::int as mlc_default,
           (select count(*) from bench.events_default)::int as default_rows,
           (select pg_get_expr(relpartbound, oid) from pg_class where oid = 'bench.events_mlc'::regclass) as bound`;
  return `events_mlc ${r!.bound}: ${int(r!.mlc_part)} rows; DEFAULT: ${int(r!.default_rows)} rows, ${r!.mlc_default} of ${MOVED_SITE}`;
}

const SETTLE_MS = 500;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

async function ecomdbMethod(url: string, db: Database, sql: postgres.Sql): Promise<LockRun> {
  // runPartition reads its own snapshot with readCatalog(session) and its default table list (the
  // schema's region tables); it cannot be told to read bench.events. So the snapshot of
  // bench.events is read here, just before, and the planner ignores the one it is handed.
  const snapshot = await db.session((s) => readCatalog(s, ['bench.events']));
  const planner = () => addSitePlan(snapshot, MOVED_SITE, { month: monthOf(new Date()), layout: { ...PARTITION_LAYOUT, monthly: {} } });
  const writer = startWriter(url, 50_000_000);
  await sleep(SETTLE_MS);
  let attachStart = NaN;
  const t0 = performance.now();
  const { report } = await runPartition(db, planner, { hooks: { afterMove: async () => void (attachStart = performance.now()) } });
  const t1 = performance.now();
  await sleep(SETTLE_MS);
  const w = await writer.stop();
  if (w.failed > 0) throw new Error(`${w.failed} writer inserts failed during the ecomdb method`);
  return {
    method: `ecomdb add (addSitePlan + runPartition)`,
    totalMs: t1 - t0,
    lockMs: report.phaseMs.attach ?? NaN,
    lockWhat: `attach phase: SHARE UPDATE EXCLUSIVE on bench.events, ACCESS EXCLUSIVE on DEFAULT and events_mlc (before it, move phase ${((report.phaseMs.move ?? 0) / 1000).toFixed(2)}s: SHARE on DEFAULT only)`,
    writer: writerFigures(w, [t0, t1], [attachStart, t1]),
    check: await verifyMoved(sql),
  };
}

async function naiveMethod(url: string, sql: postgres.Sql): Promise<LockRun> {
  const conn = await sql.reserve();
  const writer = startWriter(url, 60_000_000);
  await sleep(SETTLE_MS);
  let lockStart = NaN;
  const t0 = performance.now();
  try {
    await conn.unsafe('BEGIN');
    lockStart = performance.now();
    await conn.unsafe('ALTER TABLE bench.events DETACH PARTITION bench.events_default');
    await conn.unsafe(`CREATE TABLE bench.events_mlc PARTITION OF bench.events FOR VALUES IN ('${MOVED_SITE}')`);
    await conn.unsafe(`INSERT INTO bench.events SELECT * FROM bench.events_default WHERE region = '${MOVED_SITE}'`);
    await conn.unsafe(`DELETE FROM bench.events_default WHERE region = '${MOVED_SITE}'`);
    await conn.unsafe('ALTER TABLE bench.events ATTACH PARTITION bench.events_default DEFAULT');
    await conn.unsafe('COMMIT');
  } catch (error) {
    await conn.unsafe('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    conn.release();
  }
  const t1 = performance.now();
  await sleep(SETTLE_MS);
  const w = await writer.stop();
  if (w.failed > 0) throw new Error(`${w.failed} writer inserts failed during the naive method`);
  return {
    method: 'naive (one tx: DETACH DEFAULT ... ATTACH DEFAULT)',
    totalMs: t1 - t0,
    lockMs: t1 - lockStart,
    lockWhat: 'ACCESS EXCLUSIVE on bench.events, DETACH to COMMIT',
    writer: writerFigures(w, [t0, t1], [lockStart, t1]),
    check: await verifyMoved(sql),
  };
}

async function sectionB(): Promise<string[]> {
  log(`B: creating ${DB_LOCKS}`);
  const url = await freshDatabase(DB_LOCKS, false);
  const sql = client(url);
  const db = await open(url);

  log(`B: loading bench.events (${int(EVENTS)} rows in DEFAULT, ${int(MLB_ROWS)} in MLB)`);
  await resetEvents(sql);
  const [dist] = await sql<{ mlc: number; other: number }[]>`
    select count(*) filter (where region = ${MOVED_SITE})::int as mlc, count(*) filter (where region <> ${MOVED_SITE})::int as other from bench.events_default`;
  log(`B: ecomdb method`);
  const ecomdb = await ecomdbMethod(url, db, sql);

  log(`B: resetting bench.events to the same starting state`);
  await resetEvents(sql);
  log(`B: naive method`);
  const naive = await naiveMethod(url, sql);

  const runs = [ecomdb, naive];
  const out: string[] = [];
  out.push(`B. Adding a site that has rows in DEFAULT: ${MOVED_SITE} gets its own partition of bench.events`);
  out.push(
    `   DEFAULT holds ${int(dist!.mlc + dist!.other)} rows (${int(dist!.mlc)} ${MOVED_SITE}, ${int(dist!.other)} MLU/MPE); MLB holds ${int(MLB_ROWS)}; PK (region, id); ` +
      `same starting state for each method; a second connection inserts single MLB rows (autocommit) throughout`,
  );
  out.push('');
  out.push(
    ...table(
      ['method', 'total s', 'lock s', 'writer inserts during op', '... during lock', 'writer max ms', 'writer p50 ms', 'writer max ms outside op'],
      runs.map((r) => [
        r.method,
        (r.totalMs / 1000).toFixed(2),
        (r.lockMs / 1000).toFixed(3),
        int(r.writer.during),
        int(r.writer.duringLock),
        ms(r.writer.maxMs, 1),
        ms(r.writer.p50Ms, 2),
        ms(r.writer.baselineMaxMs, 1),
      ]),
    ).map((l) => `   ${l}`),
  );
  out.push('');
  for (const r of runs) out.push(`   ${r.method}: lock = ${r.lockWhat}; after: ${r.check}`);
  out.push('');
  out.push(`   naive / ecomdb, lock time:        ${(naive.lockMs / ecomdb.lockMs).toFixed(1)}x`);
  out.push(`   naive / ecomdb, writer max stall: ${(naive.writer.maxMs / ecomdb.writer.maxMs).toFixed(1)}x`);
  return out;
}

// ---------------------------------------------------------------------------------------------

try {
  const sections: string[][] = [];
  if (SECTIONS.has('a')) {
    sections.push(await sectionA());
    // Section A's databases are no longer needed: free the server before B.
    await Promise.all(clients.splice(0).map((c) => c.end({ timeout: 2 })));
    await Promise.all(databases.splice(0).map((d) => d.close()));
    for (const name of [DB_PLAIN, DB_PARTED]) await dropDatabase(name);
  }
  if (SECTIONS.has('b')) sections.push(await sectionB());
  process.stdout.write(`\n${sections.map((x) => x.join('\n')).join('\n\n')}\n`);
  log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

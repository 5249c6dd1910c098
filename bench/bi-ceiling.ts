/**
 * npm run bench:bi-ceiling — how much faster ANY layout could make a BI report of one site over
 * the last 30 days, on this data and this machine. Not a test: it prints figures and asserts
 * nothing.
 *
 * bench:workload compares the reports on plain tables with the same reports on tables
 * partitioned by site and month, and issue #11 asks for 3× on the partitioned layout. Pruning
 * can only save reading: the rows of other sites and other months. What a report does with the
 * rows it keeps (joins, DISTINCT counts, aggregation, ranking) is the same work on any layout. So
 * the best a layout can do is to hand the report exactly its rows, at no cost. This bench builds
 * that ideal: for each site, the window's rows of every table a report reads (and the site's
 * products), copied into tables of their own, with the same indexes, vacuumed and analysed. The
 * report's own query then runs on the plain tables and on those copies, the same number of
 * times, alternating; the ratio plain / ideal is the ceiling of any layout's speed-up. A ceiling
 * below 3× means no partitioning reaches the target for that report: only less work per kept
 * row (a different report, a precomputed one, or more cores) can.
 *
 * The database is a plain copy seeded by bench:workload (default bench_wl_plain; run
 * `npm run bench:workload -- --keep` first). Options: --database NAME, --sites LIST (MLB,MLA),
 * --iterations N (5). It creates the schema bi_ideal in that database and drops it at the end.
 * The server is BENCH_DATABASE_URL (default the local server as postgres).
 */
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { BI_VIEWS, BI_WINDOW } from '../schema/views.ts';
import { parseSites, type SiteId } from '../schema/values.ts';
import { quoteLiteral } from '../src/ident.ts';
import { SERVER_SHOWN, urlFor } from './server.ts';
import { log, median, table } from './stats.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'bench_wl_plain' },
    sites: { type: 'string', default: 'MLB,MLA' },
    iterations: { type: 'string', default: '5' },
  },
});
const ITERATIONS = Number(values.iterations);
if (!(Number.isInteger(ITERATIONS) && ITERATIONS >= 1)) throw new Error(`--iterations ${values.iterations}: a whole number from 1`);
const SITES = parseSites(values.sites!.split(','));
const IDEAL = 'bi_ideal';

const sql = postgres(urlFor(values.database!), { max: 1, onnotice: () => {} });

/**
 * The tables the reports read, and the rows of one site a perfect layout would hand them: the
 * window's rows for the tables read by time, the site's rows for products (read by key).
 */
function idealRows(site: SiteId): readonly { table: string; where: string }[] {
  const inSite = `region = ${quoteLiteral(site)}`;
  const since = (column: string) => `${inSite} AND ${column} >= now() - ${BI_WINDOW}`;
  return [
    { table: 'order_processing.orders', where: since('created_at') },
    { table: 'order_processing.order_details', where: since('order_created_at') },
    { table: 'product_catalog.products', where: inSite },
    { table: 'shipping_logistics.shipments', where: since('delivered_at') },
    { table: 'recommendations.user_search_history', where: since('searched_at') },
  ];
}

/** `schema.table` → its copy in the ideal schema. */
const idealName = (table: string) => `${IDEAL}.${table.replace('.', '__')}`;

/** The query with every table of `rows` read from its ideal copy instead. */
function onIdeal(text: string, tables: readonly string[]): string {
  return tables.reduce((q, t) => q.replace(new RegExp(`\\b${t.replace('.', '\\.')}\\b`, 'g'), idealName(t)), text);
}

async function buildIdeal(site: SiteId): Promise<string> {
  await sql.unsafe(`DROP SCHEMA IF EXISTS ${IDEAL} CASCADE`);
  await sql.unsafe(`CREATE SCHEMA ${IDEAL}`);
  const counts: string[] = [];
  for (const { table, where } of idealRows(site)) {
    // Unlogged, not temporary: parallel workers can read it, as they read the real tables.
    await sql.unsafe(`CREATE UNLOGGED TABLE ${idealName(table)} (LIKE ${table} INCLUDING DEFAULTS INCLUDING INDEXES)`);
    const r = await sql.unsafe(`INSERT INTO ${idealName(table)} SELECT * FROM ${table} WHERE ${where}`);
    counts.push(`${table.split('.')[1]} ${r.count.toLocaleString('en-US')}`);
    await sql.unsafe(`VACUUM ANALYZE ${idealName(table)}`);
  }
  return counts.join(', ');
}

async function timed(text: string): Promise<number> {
  const t0 = performance.now();
  await sql.unsafe(text);
  return performance.now() - t0;
}

interface Row { report: string; site: SiteId; plain: number; ideal: number; rows: string }
const out: Row[] = [];
const ms = (x: number) => (x < 100 ? x.toFixed(1) : x.toFixed(0));
try {
  log(`${SERVER_SHOWN.replace(/\/[^/]*$/, '')}/${values.database}: the reports' queries on the plain tables and on the ideal copies, ${ITERATIONS} runs each after a warm-up, alternating`);
  for (const site of SITES) {
    log(`${site}: copying the window's rows into ${IDEAL}`);
    const rows = await buildIdeal(site);
    log(`${site}: ${rows}`);
    const tables = idealRows(site).map((r) => r.table);
    for (const view of BI_VIEWS) {
      // The text the library runs live: a ranked report's first ten when it can compute them alone.
      const text = view.top ? view.top(site, 10) : view.query(site);
      const ideal = onIdeal(text, tables);
      if (ideal === text) throw new Error(`${view.name}: reads none of the copied tables`);
      await timed(text);
      await timed(ideal);
      const t = { plain: [] as number[], ideal: [] as number[] };
      for (let i = 0; i < ITERATIONS; i++) {
        const order = i % 2 === 0 ? (['plain', 'ideal'] as const) : (['ideal', 'plain'] as const);
        for (const side of order) t[side].push(await timed(side === 'plain' ? text : ideal));
      }
      out.push({ report: view.name, site, plain: median(t.plain), ideal: median(t.ideal), rows });
      log(`${view.name} ${site}: plain ${ms(median(t.plain))} ms, ideal ${ms(median(t.ideal))} ms`);
    }
  }
} catch (e) {
  log(`error: ${e instanceof Error ? e.message : String(e)} (is ${values.database} a database seeded by \`npm run bench:workload -- --keep\`?)`);
  process.exitCode = 1;
} finally {
  await sql.unsafe(`DROP SCHEMA IF EXISTS ${IDEAL} CASCADE`).catch(() => {});
  await sql.end({ timeout: 2 });
}
if (process.exitCode === 1) process.exit(1);

const lines = [
  `BI over the last 30 days of one site: each report's query on the plain tables, and on copies holding only the rows it keeps (ms, median of ${ITERATIONS} runs)`,
  'ceiling = plain / ideal: no layout makes the report faster than that on this machine; the target is 3×',
  '',
  ...table(
    ['view', 'site', 'plain', 'ideal', 'ceiling', '3× possible'],
    out.map((r) => [r.report, r.site, ms(r.plain), ms(r.ideal), `${(r.plain / r.ideal).toFixed(2)}×`, r.plain / r.ideal >= 3 ? 'yes' : 'no']),
    2,
  ),
  '',
  ...SITES.map((site) => `ideal copies for ${site}: ${out.find((r) => r.site === site)?.rows ?? '-'}`),
];
process.stdout.write(`${lines.join('\n')}\n`);

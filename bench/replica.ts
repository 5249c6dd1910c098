/**
 * npm run bench:replica — the read layer under load, measured in one run on this machine. Not a
 * test: it prints figures, it asserts nothing.
 *
 *   1. builds the local read layer (a primary, two physical standbys, the MLA+MLU read node) in a
 *      temporary folder, with a modest marketplace loaded on the primary before the read node
 *      subscribes;
 *   2. read throughput of the paper's three BI reports (store sales ranking per region,
 *      delivery-time distribution, top products of the last 30 days per region; docs/design.md,
 *      'Architecture'): the same clients for the same time, (a) all on the primary, (b) spread
 *      round robin over the primary and the standbys;
 *   3. replication lag under a steady write load (new orders at a fixed rate), sampled from the
 *      primary's pg_stat_replication for every standby and the read node;
 *   4. removes the read layer.
 *
 * Options: --seconds N per measurement (default 10), --clients N (default 8), --write-rate N
 * orders/s (default 200), --users N per site (default 2000), --port N (default 54360).
 * Every connection is to 127.0.0.1. All nodes share this machine's cores: spreading reads over
 * more servers cannot add CPU here, so (b)/(a) shows the routing's cost or gain on one machine,
 * not what separate machines would give.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { MIGRATIONS_DIR } from '../src/generate/run.ts';
import { readMigrations } from '../src/migrations/files.ts';
import { labDown, labUp, nodeUrl, type LabState } from '../src/replica/local.ts';
import { ORDER_ACTORS_SQL, orderParams, PLACE_ORDER_SQL, type OrderActor, type SampleSize } from '../src/replica/sample.ts';
import { percentile } from './stats.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '8' },
    'write-rate': { type: 'string', default: '200' },
    users: { type: 'string', default: '2000' },
    port: { type: 'string', default: '54360' },
  },
});
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const WRITE_RATE = Number(values['write-rate']);
const USERS = Number(values.users);

const SAMPLE: SampleSize = {
  sites: ['MLB', 'MLA', 'MLM', 'MLU'],
  usersPerSite: USERS,
  storesPerSite: Math.max(2, Math.round(USERS / 25)),
  productsPerStore: 20,
  ordersPerBuyer: 8,
  linesPerOrder: 2,
  days: 120,
};

/** The BI reports of the paper (docs/design.md, 'Architecture'). */
const BI = {
  'store sales ranking per region': `
    SELECT region, store_id, name, sales, rank FROM (
      SELECT o.region, s.id AS store_id, s.name, sum(d.quantity * d.unit_price) AS sales,
             rank() OVER (PARTITION BY o.region ORDER BY sum(d.quantity * d.unit_price) DESC) AS rank
      FROM order_processing.orders o
      JOIN order_processing.order_details d ON d.region = o.region AND d.order_id = o.id AND d.order_created_at = o.created_at
      JOIN product_catalog.products p ON p.region = d.region AND p.id = d.product_id
      JOIN seller_management.stores s ON s.region = p.region AND s.id = p.store_id
      WHERE o.status_id IN (SELECT id FROM order_processing.order_statuses WHERE name IN ('paid', 'shipped', 'delivered'))
      GROUP BY o.region, s.id, s.name
    ) ranked WHERE rank <= 10 ORDER BY region, rank`,
  'delivery-time distribution': `
    SELECT region, width_bucket(extract(epoch FROM delivered_at - shipped_at) / 86400, 0, 10, 10) AS days_bucket, count(*)
    FROM shipping_logistics.shipments
    WHERE delivered_at IS NOT NULL
    GROUP BY region, days_bucket ORDER BY region, days_bucket`,
  'top products, last 30 days, per region': `
    SELECT region, product_id, units, rank FROM (
      SELECT d.region, d.product_id, sum(d.quantity) AS units,
             rank() OVER (PARTITION BY d.region ORDER BY sum(d.quantity) DESC) AS rank
      FROM order_processing.order_details d
      JOIN order_processing.orders o ON o.region = d.region AND o.id = d.order_id AND o.created_at = d.order_created_at
      WHERE o.created_at >= now() - interval '30 days'
      GROUP BY d.region, d.product_id
    ) ranked WHERE rank <= 10 ORDER BY region, rank`,
} as const;
const REPORTS = Object.entries(BI);

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const pools: postgres.Sql[] = [];
const pool = (url: string, max: number) => {
  const sql = postgres(url, { max, onnotice: () => {}, idle_timeout: 10 });
  pools.push(sql);
  return sql;
};

interface Throughput {
  queries: number;
  perSecond: number;
  byReport: Record<string, { n: number; meanMs: number }>;
  byNode: Record<string, number>;
}

/** CLIENTS closed-loop clients for SECONDS, each taking the next report and the next node in turn. */
async function readThroughput(nodes: { name: string; sql: postgres.Sql }[]): Promise<Throughput> {
  const byReport = Object.fromEntries(REPORTS.map(([name]) => [name, { n: 0, ms: 0 }]));
  const byNode = Object.fromEntries(nodes.map((n) => [n.name, 0]));
  let turn = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const client = async () => {
    while (Date.now() < deadline) {
      const i = turn++;
      const [report, text] = REPORTS[i % REPORTS.length]!;
      const node = nodes[Math.floor(i / REPORTS.length) % nodes.length]!;
      const started = performance.now();
      await node.sql.unsafe(text);
      byReport[report]!.n++;
      byReport[report]!.ms += performance.now() - started;
      byNode[node.name]!++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const elapsed = (Date.now() - started) / 1000;
  const queries = Object.values(byReport).reduce((n, r) => n + r.n, 0);
  return {
    queries,
    perSecond: queries / elapsed,
    byReport: Object.fromEntries(Object.entries(byReport).map(([k, r]) => [k, { n: r.n, meanMs: r.ms / Math.max(1, r.n) }])),
    byNode,
  };
}

interface LagSample {
  bytes: number[];
  seconds: number[];
}

/** Orders at WRITE_RATE per second for SECONDS while the primary's view of each replica's lag is sampled every 200 ms. */
async function lagUnderWrites(state: LabState, actors: OrderActor[]) {
  const writer = pool(nodeUrl(state, 'primary'), 8);
  const monitor = pool(nodeUrl(state, 'primary', 'postgres'), 1);
  const samples = new Map<string, LagSample>();
  let written = 0;
  let failed = 0;
  let stop = false;
  const started = Date.now();
  const writing = (async () => {
    const inflight = new Set<Promise<unknown>>();
    while (!stop) {
      const due = Math.floor(((Date.now() - started) / 1000) * WRITE_RATE);
      while (written + failed + inflight.size < due && inflight.size < 64) {
        const actor = actors[(written + failed + inflight.size) % actors.length]!;
        const p: Promise<unknown> = writer
          .unsafe(PLACE_ORDER_SQL, orderParams(actor))
          .then(() => written++, () => failed++)
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await sleep(5);
    }
    await Promise.all(inflight);
  })();
  while (Date.now() - started < SECONDS * 1000) {
    const rows = await monitor<{ name: string; bytes: string | null; seconds: number | null }[]>`
      select application_name as name, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint::text as bytes,
             extract(epoch from replay_lag)::float8 as seconds
      from pg_stat_replication`;
    for (const row of rows) {
      const s = samples.get(row.name) ?? { bytes: [], seconds: [] };
      if (row.bytes !== null) s.bytes.push(Number(row.bytes));
      if (row.seconds !== null) s.seconds.push(row.seconds);
      samples.set(row.name, s);
    }
    await sleep(200);
  }
  stop = true;
  await writing;
  return { written, failed, rate: written / ((Date.now() - started) / 1000), samples };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ecomdb-bench-replica-'));
  let state: LabState | undefined;
  try {
    log(`building the read layer in ${dir} and loading ${SAMPLE.sites.length} sites × ${SAMPLE.usersPerSite} users`);
    const up = await labUp({
      dir,
      migrations: readMigrations(MIGRATIONS_DIR),
      firstPort: Number(values.port),
      sample: SAMPLE,
      onStep: (line) => log(line),
    });
    state = up.state;
    const primary = pool(nodeUrl(state, 'primary'), CLIENTS);
    const counts = await primary<{ orders: number; lines: number; shipments: number; products: number }[]>`
      select (select count(*) from order_processing.orders)::int as orders,
             (select count(*) from order_processing.order_details)::int as lines,
             (select count(*) from shipping_logistics.shipments)::int as shipments,
             (select count(*) from product_catalog.products)::int as products`;
    const c = counts[0]!;
    log(`built in ${(up.ms / 1000).toFixed(1)}s: ${c.orders} orders, ${c.lines} order lines, ${c.shipments} shipments, ${c.products} products`);

    const standbys = state.nodes.filter((n) => n.kind === 'standby').map((n) => ({ name: n.name, sql: pool(nodeUrl(state!, n.name), CLIENTS) }));
    const all = [{ name: 'primary', sql: primary }, ...standbys];
    log('warming every node\'s cache with each report');
    for (const node of all) for (const [, text] of REPORTS) await node.sql.unsafe(text);

    log(`reads (a): ${CLIENTS} clients for ${SECONDS}s on the primary alone`);
    const alone = await readThroughput([{ name: 'primary', sql: primary }]);
    log(`reads (b): ${CLIENTS} clients for ${SECONDS}s over the primary and ${standbys.length} standbys`);
    const spread = await readThroughput(all);

    const actors = await primary.unsafe<OrderActor[]>(ORDER_ACTORS_SQL);
    log(`writes: ${WRITE_RATE} orders/s for ${SECONDS}s while sampling replication lag`);
    const lag = await lagUnderWrites(state, actors);

    const out: string[] = [];
    out.push(`ecomdb read layer benchmark — ${cpus().length} cores, PostgreSQL clusters on 127.0.0.1, ${SECONDS}s per measurement, ${CLIENTS} clients`);
    out.push(`data: ${SAMPLE.sites.join(', ')}; ${c.orders} orders, ${c.lines} order lines, ${c.shipments} shipments, ${c.products} products`);
    out.push('');
    out.push('BI read throughput (queries/s, the three reports in turn)');
    out.push(`  (a) primary alone:                 ${alone.perSecond.toFixed(1)} q/s (${alone.queries} queries)`);
    out.push(`  (b) primary + ${standbys.length} standbys, round robin: ${spread.perSecond.toFixed(1)} q/s (${spread.queries} queries: ${Object.entries(spread.byNode).map(([n, q]) => `${n} ${q}`).join(', ')})`);
    out.push(`  ratio (b)/(a): ${(spread.perSecond / alone.perSecond).toFixed(2)}`);
    for (const [report] of REPORTS) {
      out.push(`    ${report.padEnd(40)} mean ${alone.byReport[report]!.meanMs.toFixed(1)} ms alone, ${spread.byReport[report]!.meanMs.toFixed(1)} ms spread`);
    }
    out.push('');
    out.push(`Replication lag under ${WRITE_RATE} orders/s (achieved ${lag.rate.toFixed(0)}/s, ${lag.written} committed, ${lag.failed} failed), sampled every 200 ms`);
    for (const [name, s] of [...lag.samples.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const ms = s.seconds.map((x) => x * 1000);
      out.push(
        `  ${name.padEnd(20)} bytes p50 ${percentile(s.bytes, 50)} p95 ${percentile(s.bytes, 95)} max ${Math.max(...s.bytes)}; ` +
          `replay_lag p50 ${percentile(ms, 50).toFixed(1)} ms p95 ${percentile(ms, 95).toFixed(1)} ms max ${Math.max(...ms).toFixed(1)} ms (${s.bytes.length} samples)`,
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await Promise.all(pools.map((p) => p.end({ timeout: 2 }).catch(() => {})));
    log('removing the read layer');
    await labDown(dir).catch((error: unknown) => log(`down failed: ${String(error)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

/**
 * npm run bench:rls — what row-level security costs the marketplace's workload: `ecomdb bench`'s
 * mix on one seeded (and, by default, partitioned) database, run as the owner (who bypasses
 * row-level security) and with --rls (each call as its role and user: SET LOCAL ROLE +
 * ecomdb.user_id, under the policies of schema/security.ts), in alternating rounds. Prints per
 * operation the p95 of each and their ratio against the target (RLS p95 within 20 % of the same
 * run without). Not a test: it asserts nothing.
 *
 * Options: --scale N (default 5), --time S per run (30), --clients N (8), --rounds N (2: off, on,
 * off, on; each operation's p95 is the median of its rounds), --plain (no partitions), --keep.
 */
import { parseArgs } from 'node:util';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { refreshBiViews, type AccessDb } from '../src/access/index.ts';
import { DEFAULT_SKEW } from '../src/bench/keys.ts';
import { DEFAULT_MIX } from '../src/bench/mix.ts';
import { benchmark, type BenchReport } from '../src/bench/run.ts';
import { DEFAULT_REGIONS, seedOptions } from '../src/cli/flags.ts';
import { openPostgres } from '../src/db/postgres.ts';
import { MIGRATIONS_DIR } from '../src/generate/run.ts';
import { readMigrations } from '../src/migrations/files.ts';
import { monthOf } from '../src/partition/months.ts';
import { applyPlan } from '../src/partition/plan.ts';
import { runPartition } from '../src/partition/run.ts';
import { seedDatabase } from '../src/seed/load.ts';
import { admin, dropAll, freshDatabase, SERVER_SHOWN } from './server.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '5' },
    time: { type: 'string', default: '30' },
    clients: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    plain: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.time);
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);
const log = (line: string) => process.stderr.write(`[bench] ${new Date().toISOString().slice(11, 19)} ${line}\n`);

async function prepare(): Promise<string> {
  const url = await freshDatabase('bench_rls');
  const db = await openPostgres(url);
  try {
    if (!values.plain) {
      log('partition apply');
      await runPartition(db, (s) => applyPlan(s, { month: monthOf(new Date()) }));
    }
    log(`seed, scale ${values.scale}`);
    const options = seedOptions({ scale: values.scale!, seed: '1', regions: DEFAULT_REGIONS.join(','), days: '180', check: true });
    await seedDatabase(db, readMigrations(MIGRATIONS_DIR), options);
  } finally {
    await db.close();
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe('VACUUM (ANALYZE)');
    await refreshBiViews(drizzle(sql) as unknown as AccessDb, { concurrently: false });
  } finally {
    await sql.end();
  }
  return url;
}

async function run(url: string, rls: boolean): Promise<BenchReport> {
  const report = await benchmark({ url, clients: CLIENTS, durationMs: SECONDS * 1000, mix: DEFAULT_MIX, seed: 1, skew: DEFAULT_SKEW, biLive: false, replicas: [], check: true, rls });
  const refused = Object.entries(report.errors).filter(([code]) => !code.startsWith('E_ACCESS_'));
  log(`  ${rls ? 'with RLS   ' : 'without RLS'}: ${report.totals.ok} calls (${report.totals.throughput}/s), check ${report.check?.passed ? 'passed' : 'FAILED'}${refused.length > 0 ? `, errors ${JSON.stringify(Object.fromEntries(refused))}` : ''}`);
  return report;
}

const fmt = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x >= 10 ? x.toFixed(1) : x.toFixed(2));

async function main(): Promise<void> {
  const [load] = (await import('node:os')).loadavg();
  log(`server ${SERVER_SHOWN}; load average ${load!.toFixed(1)} on ${(await import('node:os')).cpus().length} cores`);
  const url = await prepare();
  const reports: { rls: boolean; report: BenchReport }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const rls of [false, true]) {
      log(`round ${round + 1}/${ROUNDS}, ${rls ? 'with' : 'without'} row-level security: ${CLIENTS} clients, ${SECONDS}s`);
      reports.push({ rls, report: await run(url, rls) });
    }
  }
  const ops = reports[0]!.report.operations.map((o) => o.operation);
  const p95 = (rls: boolean, op: string) =>
    median(reports.filter((r) => r.rls === rls).map((r) => r.report.operations.find((o) => o.operation === op)?.latencyMs.p95 ?? NaN).filter(Number.isFinite));
  const lines = ['| operation | p95 without RLS (ms) | p95 with RLS (ms) | RLS / without |', '|---|---|---|---|'];
  let over = 0;
  for (const op of ops) {
    const off = p95(false, op);
    const on = p95(true, op);
    const ratio = on / off;
    if (ratio > 1.2) over++;
    lines.push(`| ${op} | ${fmt(off)} | ${fmt(on)} | ${fmt(ratio)} |`);
  }
  const [after] = (await import('node:os')).loadavg();
  process.stdout.write(`${lines.join('\n')}\n\nTarget, RLS p95 within 20 % of the same run without: ${over === 0 ? 'met' : `missed for ${over} of ${ops.length} operations`} (load average ${after!.toFixed(1)} at the end: a shared machine's noise is in these figures).\n`);
}

try {
  await main();
} finally {
  if (values.keep) await admin.end({ timeout: 2 });
  else await dropAll(log);
}

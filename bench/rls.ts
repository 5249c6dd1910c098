/**
 * npm run bench:rls — what row-level security costs the marketplace's workload: `ecomdb bench`'s
 * mix on one seeded (and, by default, partitioned) database, run as the owner (who bypasses
 * row-level security) and with --rls (each call as its role and user, under the policies of
 * schema/security.ts), in alternating rounds. Two ways to name the role and user (--mode):
 * `session`, on a connection per client and role that takes the role once, the user set ahead
 * of each call in the same round trip (openRoleSession); `transaction`, each call in its own
 * transaction with SET LOCAL (asUser, the way that works behind a transaction-pooling pooler).
 * Prints per operation the p95 of each and their ratio against the target (RLS p95 within 20 %
 * of the same run without). Not a test: it asserts nothing.
 *
 * Each run first warms its connections up for --warmup S (3) and counts none of it: a connection
 * plans the policies' functions, and loads the partitions they reach, on first use, which the
 * owner's runs never do; in a short run that one-off cost was the p95 of the rarer operations.
 *
 * Options: --scale N (default 5), --time S per run (30), --warmup S (3), --clients N (8), --rounds N (2: off,
 * on, off, on; each operation's p95 is the median of its rounds), --mode session|transaction|both
 * (both), --plain (no partitions), --keep.
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
import { log, median } from './stats.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '5' },
    time: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    clients: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    mode: { type: 'string', default: 'both' },
    plain: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.time);
const WARMUP_SECONDS = Number(values.warmup);
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);
type Mode = 'off' | 'session' | 'transaction';
if (!['session', 'transaction', 'both'].includes(values.mode!)) throw new Error(`--mode: "${values.mode}" is not session, transaction or both`);
const MODES: Mode[] = values.mode === 'both' ? ['session', 'transaction'] : [values.mode as Mode];

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

async function run(url: string, mode: Mode): Promise<BenchReport> {
  const rls = mode !== 'off';
  const report = await benchmark({ url, clients: CLIENTS, durationMs: SECONDS * 1000, warmupMs: WARMUP_SECONDS * 1000, mix: DEFAULT_MIX, seed: 1, skew: DEFAULT_SKEW, biLive: false, replicas: [], check: true, rls, ...(rls && { rlsMode: mode }) });
  const refused = Object.entries(report.errors).filter(([code]) => !code.startsWith('E_ACCESS_'));
  log(`  ${rls ? `with RLS (${mode})` : 'without RLS'}: ${report.totals.ok} calls (${report.totals.throughput}/s), check ${report.check?.passed ? 'passed' : 'FAILED'}${refused.length > 0 ? `, errors ${JSON.stringify(Object.fromEntries(refused))}` : ''}`);
  return report;
}

const fmt = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x >= 10 ? x.toFixed(1) : x.toFixed(2));

async function main(): Promise<void> {
  const [load] = (await import('node:os')).loadavg();
  log(`server ${SERVER_SHOWN}; load average ${load!.toFixed(1)} on ${(await import('node:os')).cpus().length} cores`);
  const url = await prepare();
  const reports: { mode: Mode; report: BenchReport }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['off', ...MODES] as Mode[]) {
      log(`round ${round + 1}/${ROUNDS}, ${mode === 'off' ? 'without row-level security' : `with row-level security (${mode})`}: ${CLIENTS} clients, ${SECONDS}s`);
      reports.push({ mode, report: await run(url, mode) });
    }
  }
  const ops = reports[0]!.report.operations.map((o) => o.operation);
  const p95 = (mode: Mode, op: string) =>
    median(reports.filter((r) => r.mode === mode).map((r) => r.report.operations.find((o) => o.operation === op)?.latencyMs.p95 ?? NaN).filter(Number.isFinite));
  const lines = [
    `| operation | p95 without RLS (ms) | ${MODES.map((m) => `p95 RLS, ${m} (ms) | ${m} / without`).join(' | ')} |`,
    `|---|---|${MODES.map(() => '---|---').join('|')}|`,
  ];
  const over = new Map<Mode, number>(MODES.map((m) => [m, 0]));
  for (const op of ops) {
    const off = p95('off', op);
    const cells = MODES.map((m) => {
      const on = p95(m, op);
      if (on / off > 1.2) over.set(m, over.get(m)! + 1);
      return `${fmt(on)} | ${fmt(on / off)}`;
    });
    lines.push(`| ${op} | ${fmt(off)} | ${cells.join(' | ')} |`);
  }
  const [after] = (await import('node:os')).loadavg();
  const verdict = MODES.map((m) => `${m}: ${over.get(m) === 0 ? 'met' : `missed for ${over.get(m)} of ${ops.length} operations`}`).join('; ');
  process.stdout.write(`${lines.join('\n')}\n\nTarget, RLS p95 within 20 % of the same run without: ${verdict} (load average ${after!.toFixed(1)} at the end: a shared machine's noise is in these figures).\n`);
}

try {
  await main();
} finally {
  if (values.keep) await admin.end({ timeout: 2 });
  else await dropAll(log);
}

/** `ecomdb bench`: the marketplace's workload on a seeded database, pgbench-style, then a check that nothing was lost or oversold. */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { DEFAULT_SKEW } from '../../bench/keys.ts';
import { BENCH_OPERATIONS, DEFAULT_MIX, parseMix, parseMixFile, type Mix } from '../../bench/mix.ts';
import { benchmark, type BenchOptions, type BenchReport } from '../../bench/run.ts';
import type { ProgressSample } from '../../bench/runner.ts';
import { parseDatabaseUrl } from '../../db/url.ts';
import { EcomdbError, EXIT } from '../../errors.ts';
import { onInterrupt } from '../../signals.ts';
import { contextOf, type Context } from '../context.ts';
import * as parse from '../options.ts';
import type { Output } from '../output.ts';

interface BenchFlags {
  clients: string;
  time?: string;
  transactions?: string;
  warmup?: string;
  rate?: string;
  mix?: string;
  mixFile?: string;
  seed: string;
  skew: string;
  readFrom: 'primary' | 'replicas';
  replica: string[];
  biLive?: boolean;
  rls?: boolean;
  rlsMode?: string;
  check: boolean;
  cache?: boolean;
}

const DEFAULT_SECONDS = '60';
const MAX_CLIENTS = 500;

/** The flags as options, every one checked before anything connects. */
export function benchOptions(context: Context, flags: BenchFlags): BenchOptions {
  if (context.target.kind !== 'postgres') {
    throw new EcomdbError('E_USAGE', 'ecomdb bench runs against a PostgreSQL server, not the embedded database', {
      hint: 'pass --url (or set DATABASE_URL) to a seeded server database',
    });
  }
  const clients = parse.integer(flags.clients, '--clients', { min: 1, max: MAX_CLIENTS, example: 8 });
  if (flags.time !== undefined && flags.transactions !== undefined) {
    throw new EcomdbError('E_USAGE', '--time and --transactions together', { hint: 'run for a time or for a number of calls, not both' });
  }
  const transactions = flags.transactions === undefined ? undefined : parse.integer(flags.transactions, '--transactions', { min: 1, max: 1_000_000_000, example: 10000 });
  const durationMs = transactions !== undefined ? undefined : parse.positive(flags.time ?? DEFAULT_SECONDS, '--time', { max: 86_400, example: 60 }) * 1000;
  const warmupMs = flags.warmup === undefined ? undefined : parse.positive(flags.warmup, '--warmup', { max: 3_600, example: 5 }) * 1000;
  const rate = flags.rate === undefined ? undefined : parse.positive(flags.rate, '--rate', { max: 1_000_000, example: 200 });
  if (flags.mix !== undefined && flags.mixFile !== undefined) {
    throw new EcomdbError('E_BENCH_MIX', '--mix and --mix-file together', { hint: 'declare the mix once: on the command line or in a file' });
  }
  let mix: Mix = DEFAULT_MIX;
  if (flags.mix !== undefined) mix = parseMix(flags.mix);
  if (flags.mixFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.mixFile, 'utf8');
    } catch (error) {
      throw new EcomdbError('E_BENCH_MIX', `cannot read --mix-file ${flags.mixFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
        hint: 'pass the path of a JSON file such as {"searchProducts": 70, "placeOrder": 30}',
      });
    }
    mix = parseMixFile(text, flags.mixFile);
  }
  const seed = parse.integer(flags.seed, '--seed', { min: 0, max: 2 ** 31 - 1, example: 42 });
  const skew = Number(flags.skew.trim());
  if (!/^\d*\.?\d+$/.test(flags.skew.trim()) || !(skew >= 0 && skew < 1)) {
    throw new EcomdbError('E_USAGE', `--skew "${flags.skew}" is not a number from 0 to below 1`, { hint: `0 is uniform; ${DEFAULT_SKEW} (the default) makes the top 1 % of keys take about half of the calls` });
  }
  const replicas = flags.readFrom === 'replicas' ? flags.replica : [];
  if (flags.readFrom === 'replicas' && replicas.length === 0) {
    throw new EcomdbError('E_USAGE', '--read-from replicas names no replica', { hint: 'add --replica <url> for each standby, e.g. --replica postgres://postgres@standby1/shop' });
  }
  if (flags.readFrom === 'primary' && flags.replica.length > 0) {
    throw new EcomdbError('E_USAGE', '--replica without --read-from replicas', { hint: 'add --read-from replicas to send the reads to them' });
  }
  for (const url of replicas) parseDatabaseUrl(url);
  const cache = flags.cache ? { redisUrl: context.redis.url, prefix: context.cachePrefix } : null;
  const rlsMode = flags.rlsMode ?? 'transaction';
  if (rlsMode !== 'transaction' && rlsMode !== 'session') {
    throw new EcomdbError('E_USAGE', `--rls-mode "${rlsMode}" is not transaction or session`, { hint: 'transaction: each call in its own transaction (SET LOCAL); session: a connection per client and role' });
  }
  if (flags.rlsMode !== undefined && flags.rls !== true) throw new EcomdbError('E_USAGE', '--rls-mode without --rls', { hint: 'add --rls, or drop --rls-mode' });
  return { url: context.target.url, clients, durationMs, transactions, warmupMs, rate, mix, seed, skew, biLive: flags.biLive === true, rls: flags.rls === true, rlsMode, replicas, check: flags.check, cache };
}

/** Run the benchmark, with a progress line on stderr every second. */
export async function collect(context: Context, options: BenchOptions): Promise<BenchReport> {
  const { output } = context;
  const live = process.stderr.isTTY === true;
  const onProgress = (p: ProgressSample) => {
    const line = `${(p.elapsedMs / 1000).toFixed(0).padStart(4)} s  ${p.done.toLocaleString('en-US').padStart(9)} calls  ${p.rate.toFixed(1).padStart(8)} calls/s  ${p.failed} failed  ${p.retries} retried`;
    if (live) output.rewrite(line);
    else output.info(`  … ${line}`);
  };
  const stopListening = onInterrupt(() => {
    if (live) output.rewrite('');
    output.warn('interrupted: each call is one transaction, so those in flight are rolled back; no report');
  });
  try {
    return await benchmark(options, { onPhase: (line) => output.step(line), onProgress });
  } finally {
    if (live) output.rewrite('');
    stopListening();
  }
}

const ms = (x: number | null) => (x === null ? '-' : x.toFixed(x < 10 ? 2 : 1));

function print(output: Output, report: BenchReport): void {
  output.info('');
  output.table(
    ['operation', 'share', 'ok', 'failed', 'retried', 'skipped', 'calls/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
    report.operations.map((o) => [o.operation, `${o.share}%`, String(o.ok), String(o.failed), String(o.retries), String(o.skipped), o.throughput.toFixed(1), ms(o.latencyMs.p50), ms(o.latencyMs.p95), ms(o.latencyMs.p99), ms(o.latencyMs.max)]),
  );
  const t = report.totals;
  const w = report.warmup;
  if (w) output.info(`warm-up, not counted above: ${w.ok.toLocaleString('en-US')} calls in ${w.seconds} s, ${w.failed} failed${w.failed > 0 ? ` (${Object.entries(w.errors).map(([code, n]) => `${code}: ${n}`).join(', ')})` : ''}`);
  output.info(`${t.ok.toLocaleString('en-US')} calls acknowledged in ${report.elapsedSeconds.toFixed(1)} s (${t.throughput.toFixed(1)}/s), ${t.failed} failed, ${t.retries} retried, ${t.skipped} skipped (nothing to act on)`);
  for (const [code, n] of Object.entries(report.errors)) output.info(`  ${code}: ${n}`);
  if (report.schedule) {
    const s = report.schedule;
    output.info(`rate ${s.rate}/s: ${s.due} calls due, ${s.late} started late (largest delay ${s.maxLagMs.toFixed(1)} ms), ${s.unstarted} never started`);
  }
  for (const r of report.replicas ?? []) output.info(`replica ${r.url}: ${r.healthy ? 'healthy' : `skipped (${r.reason})`}`);
  if (report.cache) {
    const c = report.cache;
    // The cache being off was said when the run began.
    if (!c.offReason) {
      const lag = c.invalidationLagMs;
      output.info(
        `cache: ${c.hits} hits, ${c.misses} misses (hit rate ${c.hitRate === null ? '-' : `${(c.hitRate * 100).toFixed(1)} %`}), ${c.loads} database reads for misses, ${c.fillsRefused} refills refused (invalidated meanwhile), ${c.errors} Redis errors${c.state === 'down' ? ' (Redis was down for part of the run)' : ''}`,
      );
      output.info(`hits answered in p50 ${ms(c.hitLatencyMs.p50)} ms, p95 ${ms(c.hitLatencyMs.p95)} ms, p99 ${ms(c.hitLatencyMs.p99)} ms`);
      output.info(`invalidations: ${c.invalidations} outbox rows applied, ${c.invalidatedValues} values deleted, lag p50 ${ms(lag.p50)} ms, p99 ${ms(lag.p99)} ms, max ${ms(lag.max)} ms`);
    }
    const st = c.staleness;
    const line = `stale reads: ${st.stale} of ${st.judged} product pages read more than ${st.boundMs} ms after a price change the bench made was acknowledged`;
    if (st.stale === 0) output.success(line);
    else output.warn(`${line}, e.g. ${st.examples.map((e) => `${e.key} got ${e.got} ${e.afterMs} ms after ${e.expected}`).join('; ')}`);
  }
  if (report.check) {
    for (const c of report.check.items) {
      if (c.passed) output.success(`${c.name}: ${c.detail}`);
      else {
        output.warn(`${c.name}: ${c.detail}`);
        for (const o of c.offenders) output.info(`    ${o}`);
      }
    }
  }
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('drive the marketplace workload (a mix of query-library calls) against a seeded server; per-operation throughput and latency, then a check that nothing was lost or oversold')
    .option('--clients <n>', 'client connections, each calling one operation at a time', '8')
    .option('--time <seconds>', `how long to run (default ${DEFAULT_SECONDS})`)
    .option('--transactions <n>', 'run this many calls in all, instead of for a time')
    .option('--warmup <seconds>', 'first run the mix this long, each client starting with one call of every operation, and count none of it (connections plan their statements and load the partitions they touch on first use); what it changes is checked all the same')
    .option('--rate <calls/s>', 'open loop: calls arrive at this rate (latency counted from when each was due); default: as fast as the clients go')
    .option('--mix <list>', `operation=share,... in percent, adding up to 100 (default: ${DEFAULT_MIX.map((e) => `${e.operation}=${e.share}`).join(',')})`)
    .option('--mix-file <file>', 'the mix as a JSON object of operation to share')
    .option('--seed <n>', 'random seed: the same seed draws the same keys', '1')
    .option('--skew <theta>', `Zipf skew of products, buyers and stores (0 uniform, below 1)`, String(DEFAULT_SKEW))
    .addOption(new Option('--read-from <where>', 'where read-only calls run').choices(['primary', 'replicas']).default('primary'))
    .option('--replica <url>', 'a replica for --read-from replicas (repeat for each)', (url: string, all: string[]) => [...all, url], [] as string[])
    .option('--bi-live', 'BI calls compute their report on the base tables instead of reading the materialized views')
    .option('--rls', 'each call runs as its role and user (SET LOCAL ROLE ecomdb_user ... + ecomdb.user_id), under row-level security')
    .option('--rls-mode <mode>', 'with --rls: transaction (default; each call in its own transaction, asUser) or session (a connection per client and role that takes the role once, openRoleSession)')
    .option('--no-check', 'skip the check after the run')
    .option('--cache', 'hot reads (productPage, topProducts, storeSalesRanking, recommendProducts) through the Redis cache (--redis-url); reports hits, misses, invalidations and stale reads')
    .addHelpText(
      'after',
      `
Operations: ${Object.keys(BENCH_OPERATIONS).join(', ')}.

Examples:
  $ ecomdb bench --url postgres://postgres@localhost/shop --time 20 --clients 8 --json
  $ ecomdb bench --url $DB --mix searchProducts=60,productPage=30,placeOrder=10 --rate 200
  $ ecomdb bench --url $PRIMARY --read-from replicas --replica $STANDBY1 --replica $STANDBY2
  $ ecomdb bench --url $DB --cache --mix productPage=80,topProducts=5,storeSalesRanking=5,recommendProducts=5,updateListing=5

The database must be seeded (ecomdb seed); the bench should be its only writer while it runs, since
the check compares stock and coupon uses with what the bench was acknowledged. Exit status: 0 the run
and its check passed, 2 a bad option or mix (E_USAGE, E_BENCH_MIX), 3 the server cannot be reached,
${EXIT.bench} the database is not seeded (E_BENCH_NOT_SEEDED) or the check failed (E_BENCH_CHECK_FAILED), 130 interrupted.`,
    )
    .action(async (flags: BenchFlags, command: Command) => {
      const context = contextOf(command);
      const report = await collect(context, benchOptions(context, flags));
      print(context.output, report);
      if (report.check && !report.check.passed) {
        // One JSON document on stdout either way: on a failed check, the error carries the report.
        const failed = report.check.items.filter((c) => !c.passed).map((c) => c.name);
        throw new EcomdbError('E_BENCH_CHECK_FAILED', `the check after the run failed: ${failed.join(', ')}`, {
          hint: 'see the offenders above; was another writer at work on the database during the run?',
          details: { failed, report },
        });
      }
      context.output.data(report);
    });
}

/**
 * `ecomdb rehearse`: apply the pending migrations to a scratch copy of the database while the
 * marketplace's workload runs on it, and report per statement the locks taken, the tables
 * rewritten, how long it took and how long the clients waited (src/rehearse/run.ts).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { DEFAULT_SKEW } from '../../bench/keys.ts';
import { DEFAULT_MIX, parseMix } from '../../bench/mix.ts';
import { parseDatabaseUrl } from '../../db/url.ts';
import { EcomdbError, EXIT } from '../../errors.ts';
import { readMigrations } from '../../migrations/files.ts';
import { describeLocks, extraMigrations, splitByBase } from '../../rehearse/plan.ts';
import { baseTags } from '../../rehearse/pending.ts';
import { rehearse, type RehearseOptions, type RehearseReport, type Source } from '../../rehearse/run.ts';
import { contextOf, type Context } from '../context.ts';
import { DEFAULT_REGIONS, seedOptions } from '../flags.ts';
import * as parse from '../options.ts';
import type { Output } from '../output.ts';

interface RehearseFlags {
  from?: string;
  base: string;
  scale: string;
  plain?: boolean;
  clients: string;
  mix?: string;
  seed: string;
  warmup: string;
  maxLockMs?: string;
  lockTimeout?: string;
}

/** Pause between two samples of the server's locks and waits, ms: the resolution of the waits reported. */
export const SAMPLE_MS = 20;

const MAX_CLIENTS = 200;

/** The flags and FILES as options, every one checked before anything connects. */
export function rehearseOptions(context: Context, paths: readonly string[], flags: RehearseFlags, fromCommandLine: (option: string) => boolean = () => false): RehearseOptions | { nothing: string } {
  if (context.target.kind !== 'postgres') {
    throw new EcomdbError('E_USAGE', 'ecomdb rehearse needs a PostgreSQL server, not the embedded database: the workload and the monitor are concurrent connections', {
      hint: 'pass --url (or set DATABASE_URL) to a server where the role may CREATE DATABASE, e.g. --url postgres://postgres@localhost/postgres',
    });
  }
  const clients = parse.integer(flags.clients, '--clients', { min: 0, max: MAX_CLIENTS, example: 8 });
  const mix = flags.mix === undefined ? DEFAULT_MIX : parseMix(flags.mix);
  const workloadSeed = parse.integer(flags.seed, '--seed', { min: 0, max: 2 ** 31 - 1, example: 42 });
  const warmupMs = parse.seconds(flags.warmup, '--warmup', 600);
  const maxLockMs = flags.maxLockMs === undefined ? undefined : parse.integer(flags.maxLockMs, '--max-lock-ms', { min: 0, max: 86_400_000, example: 200 });
  const lockTimeout = flags.lockTimeout === undefined ? undefined : parse.duration(flags.lockTimeout, '--lock-timeout');
  if (flags.from !== undefined) {
    parseDatabaseUrl(flags.from);
    const building = ['scale', 'plain', 'base'].filter(fromCommandLine);
    if (building.length > 0) {
      throw new EcomdbError('E_USAGE', `--from with --${building.join(', --')}`, { hint: 'a copy (--from) is rehearsed as it is: its data and its history; --scale, --plain and --base shape a built scratch database' });
    }
  }
  const seed = seedOptions({ scale: flags.scale, seed: '1', regions: DEFAULT_REGIONS.join(','), days: '180', check: false });

  const journal = readMigrations(context.migrationsDir);
  const given = paths.map((path) => {
    try {
      return { path, text: readFileSync(path, 'utf8') };
    } catch (error) {
      throw new EcomdbError('E_USAGE', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { hint: 'name .sql migration files (statements separated by --> statement-breakpoint)' });
    }
  });
  const extra = extraMigrations(journal, given);
  const files = [...journal, ...extra];
  let source: Source;
  if (flags.from !== undefined) source = { kind: 'clone', url: flags.from };
  else if (extra.length > 0) source = { kind: 'build', base: journal, partition: !flags.plain, seed };
  else {
    const { base, pending } = splitByBase(journal, baseTags(context.migrationsDir, flags.base));
    if (pending.length === 0) return { nothing: `no migration is pending: the journal lists the same ${journal.length} file(s) as at ${flags.base}` };
    source = { kind: 'build', base, partition: !flags.plain, seed };
  }
  return { url: context.target.url, source, files, clients, mix, workloadSeed, skew: DEFAULT_SKEW, warmupMs, sampleMs: SAMPLE_MS, maxLockMs, lockTimeout };
}

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);

function print(output: Output, report: RehearseReport): void {
  const s = report.scratch;
  output.info(`scratch database ${s.name}: ${s.how === 'built' ? s.why : `${s.how === 'template' ? 'CREATE DATABASE ... TEMPLATE' : 'pg_dump | pg_restore'} (${s.why})`}, ready in ${ms(s.ms)}; dropped`);
  if (report.migrations.length === 0) {
    output.success('no migration is pending on the scratch database: nothing to rehearse');
    return;
  }
  const w = report.workload;
  if (w.clients === 0) output.info('workload: none (--clients 0)');
  else output.info(`workload: ${w.clients} client(s), ${w.ok} call(s) acknowledged, ${w.failed} failed${Object.keys(w.errors).length > 0 ? ` (${Object.entries(w.errors).map(([c, n]) => `${c}: ${n}`).join(', ')})` : ''}`);
  for (const file of report.migrations) {
    output.info('');
    output.info(output.color.bold(`${file.file} (${file.transactional ? 'one transaction' : 'no transaction'}, ${ms(file.ms)})`));
    for (const st of file.statements) {
      output.info(`  ${st.statement}. ${st.sql}  [${ms(st.ms)}]`);
      const locks = describeLocks(st.locks.filter((l) => l.blocks !== 'other schema changes only'));
      const weak = describeLocks(st.locks.filter((l) => l.blocks === 'other schema changes only'));
      for (const line of locks) output.info(`     lock ${line} — blocks ${st.locks.find((l) => line.startsWith(l.mode))!.blocks}`);
      if (weak.length > 0) output.info(`     lock ${weak.join('; ')} — blocks other schema changes only`);
      if (st.rewritten.length > 0) {
        const named = st.rewritten.slice(0, 4).map((r) => `${r.relation} (${r.kind}${r.how === 'rebuilt' ? ', rebuilt' : ''})`);
        output.warn(`    rewrote ${named.join(', ')}${st.rewritten.length > 4 ? ` (+${st.rewritten.length - 4} more)` : ''}`);
      }
      if (st.blocked.waits > 0) {
        output.warn(`    blocked ${st.blocked.waits} client statement(s) of ${st.blocked.sessions} session(s) on ${st.blocked.relations.join(', ') || 'row locks'}: longest wait ${ms(st.blocked.longestWaitMs)}`);
      } else output.info('     blocked no client');
      if (st.migrationWaitedMs > 0) output.info(`     waited ${ms(st.migrationWaitedMs)} for the clients' locks`);
    }
  }
  output.info('');
  const limit = report.maxLockMs === null ? '' : ` (--max-lock-ms ${report.maxLockMs})`;
  if (report.overLimit.length > 0) output.warn(`longest client wait on a migration's lock: ${ms(report.longestWaitMs)}${limit}, in ${report.overLimit.join(', ')}`);
  else if (report.failure) output.info(`longest client wait on a migration's lock until the failure: ${report.longestWaitMs === 0 ? 'none observed' : ms(report.longestWaitMs)}${limit}`);
  else output.success(`longest client wait on a migration's lock: ${report.longestWaitMs === 0 ? 'none observed' : ms(report.longestWaitMs)}${limit}`);
}

export function rehearseCommand(): Command {
  return new Command('rehearse')
    .description('apply pending migrations to a seeded scratch copy while the workload runs; per statement: locks, rewrites, duration, clients\' longest wait')
    .argument('[files...]', 'migration files to rehearse after the committed ones (default: the journal\'s files not in --base, or not applied on --from)')
    .option('--from <url>', 'rehearse on a copy of this database (same server: CREATE DATABASE ... TEMPLATE when nobody is connected to it, else pg_dump | pg_restore)')
    .option('--base <git-ref>', 'without FILES or --from: the scratch database is migrated to the journal as of this revision; the files added since are pending', 'HEAD')
    .option('--scale <n>', 'seed size of the scratch database (as for seed)', '1')
    .option('--plain', 'keep plain tables (by default the scratch database is partitioned as declared, like ecomdb up)')
    .option('--clients <n>', 'workload clients running the mix during the migrations (0: none)', '4')
    .option('--mix <list>', 'the workload, as for bench (operation=share,...)')
    .option('--seed <n>', 'random seed of the workload', '1')
    .option('--warmup <seconds>', 'how long the workload runs before the first migration', '1')
    .option('--lock-timeout <duration>', 'the lock_timeout the migrations will run with (as for migrate): a statement that waits longer fails the rehearsal')
    .option('--max-lock-ms <ms>', `exit ${EXIT.rehearse} (E_REHEARSE_LOCK) when a client waited longer than this on a migration's lock`)
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb rehearse --url postgres://postgres@localhost/postgres migrations/0008_index.sql --scale 5
  $ ecomdb rehearse --url $SERVER --base origin/main --max-lock-ms 200 --json
  $ ecomdb rehearse --url $SERVER --from $SERVER_URL_OF_STAGING --clients 8

The scratch database (ecomdb_rehearse_*) lives on the --url server and is dropped at the end,
on failure and on Ctrl-C. Waits are sampled every ${SAMPLE_MS} ms from pg_stat_activity: a client
counts as blocked when pg_blocking_pids leads to the migrating session. Exit status: 0 done,
2 bad option or the embedded target, 3 server unreachable, 4 history conflict, 11 cannot CREATE DATABASE,
${EXIT.rehearse} a wait above --max-lock-ms (E_REHEARSE_LOCK), a pending migration failed (E_REHEARSE_FAILED)
or --from could not be copied (E_REHEARSE_CLONE), 130 interrupted.`,
    )
    .action(async (paths: string[], flags: RehearseFlags, command: Command) => {
      const context = contextOf(command);
      const { output } = context;
      const options = rehearseOptions(context, paths, flags, (option) => command.getOptionValueSource(option) === 'cli');
      if ('nothing' in options) {
        output.success(options.nothing);
        output.data({ migrations: [], nothing: options.nothing });
        return;
      }
      const report = await rehearse(options, { onPhase: (line) => output.step(line) });
      print(output, report);
      if (report.failure) {
        throw new EcomdbError('E_REHEARSE_FAILED', `on the scratch database, ${report.failure.message}`, {
          hint: 'fix the migration; the report up to the failure is above (with --json, in details.report)',
          details: { report },
        });
      }
      if (report.overLimit.length > 0) {
        throw new EcomdbError('E_REHEARSE_LOCK', `a client waited ${report.longestWaitMs} ms on a migration's lock, above --max-lock-ms ${report.maxLockMs} (${report.overLimit.join(', ')})`, {
          hint: 'take the lock for less time: CREATE INDEX CONCURRENTLY, NOT VALID then VALIDATE, a short lock_timeout with retries, or split the change (expand/contract)',
          details: { report },
        });
      }
      output.data(report);
    });
}

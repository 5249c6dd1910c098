/**
 * `ecomdb rehearse`: a scratch database on the server (built from the migrations, partitioned
 * and seeded, or cloned from a database), the marketplace's workload running on it, then each
 * pending migration applied statement by statement while a monitor connection samples the
 * migrating session's locks and the sessions waiting for them. Returns the report; prints
 * nothing. The scratch database is dropped whatever happens (src/db/scratch.ts).
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { readKeySpace } from '../bench/keyspace.ts';
import { mixObject, type Mix } from '../bench/mix.ts';
import { connect, runMix, type Executor, type RunResult as MixResult } from '../bench/runner.ts';
import { Workload } from '../bench/workload.ts';
import { withScratchDatabase, type Scratch, type ScratchOptions } from '../db/scratch.ts';
import { openPostgres } from '../db/postgres.ts';
import type { Database, Session } from '../db/types.ts';
import { maskUrl, parseDatabaseUrl, urlWithDatabase, type ConnectionOptions } from '../db/url.ts';
import { EcomdbError, isEcomdbError, pgFields } from '../errors.ts';
import { quoteIdent } from '../ident.ts';
import type { MigrationFile } from '../migrations/files.ts';
import { migrationStatus, runMigrations } from '../migrations/run.ts';
import { planError } from '../migrations/plan.ts';
import { monthOf } from '../partition/months.ts';
import { applyPlan } from '../partition/plan.ts';
import { runPartition } from '../partition/run.ts';
import type { SeedOptions } from '../seed/load.ts';
import {
  blame, longestCalls, mergeWait, newLocks, overLimit, rewrites, round, statementReport, waitingOn,
  type CallSpan, type RelationLock, type Rewrite, type StatementReport, type Wait,
} from './plan.ts';
import { relationFiles, relationLocks, waitingSessions } from './probe.ts';

/** Scratch databases of rehearse are named `ecomdb_rehearse_<epoch>_<pid>_<random>`. */
export const REHEARSE_SCRATCH_PREFIX = 'ecomdb_rehearse_';

export type Source =
  /** Migrate `base`, partition (unless plain), seed. */
  | { readonly kind: 'build'; readonly base: readonly MigrationFile[]; readonly partition: boolean; readonly seed: Omit<SeedOptions, 'onRows'> }
  /** A copy of the database at this URL. */
  | { readonly kind: 'clone'; readonly url: string };

export interface RehearseOptions {
  /** The server (any database on it the role may connect to). */
  readonly url: string;
  readonly source: Source;
  /** Every migration: the scratch database's history decides which are pending. */
  readonly files: readonly MigrationFile[];
  /** Workload clients; 0 runs the migrations without traffic. */
  readonly clients: number;
  readonly mix: Mix;
  readonly workloadSeed: number;
  readonly skew: number;
  /** How long the workload runs before the first migration, ms. */
  readonly warmupMs: number;
  /** Pause between two samples of pg_locks and pg_stat_activity, ms. */
  readonly sampleMs: number;
  readonly maxLockMs?: number;
  /** lock_timeout of the migrating session, as `ecomdb migrate --lock-timeout` would set it. */
  readonly lockTimeout?: string;
}

export interface RehearseHooks {
  readonly onPhase?: (line: string) => void;
}

export interface ScratchReport {
  readonly name: string;
  /** built: migrated, partitioned and seeded here; template: CREATE DATABASE ... TEMPLATE; dump: pg_dump | pg_restore. */
  readonly how: 'built' | 'template' | 'dump';
  readonly why: string;
  readonly ms: number;
  readonly swept: readonly string[];
}

export interface FileReport {
  readonly file: string;
  readonly transactional: boolean;
  readonly ms: number;
  readonly statements: readonly StatementReport[];
}

export interface RehearseReport {
  readonly server: string;
  readonly scratch: ScratchReport;
  readonly workload: {
    readonly clients: number;
    readonly mix: Readonly<Record<string, number>>;
    readonly ok: number;
    readonly failed: number;
    readonly errors: Readonly<Record<string, number>>;
  };
  readonly sampleMs: number;
  readonly migrations: readonly FileReport[];
  /** The longest client wait on a lock a migration took, ms, over every statement. */
  readonly longestWaitMs: number;
  readonly maxLockMs: number | null;
  /** Statements whose blocking exceeded maxLockMs, as `file#statement`. */
  readonly overLimit: readonly string[];
  /** Set when a pending statement failed: the rest did not run. */
  readonly failure: { readonly file: string; readonly statement: number; readonly message: string } | null;
}

// ---------------------------------------------------------------------------------------------
// The scratch database

/** Whether two connections reach the same server (a TEMPLATE copy is only possible there). */
const sameServer = (a: ConnectionOptions, b: ConnectionOptions) => a.host === b.host && a.port === b.port;

/** pg_dump | pg_restore from `from` into the (empty) database `to`. */
async function dumpRestore(from: string, target: string): Promise<void> {
  const dump = spawn('pg_dump', ['--format=custom', '--no-owner', '--no-acl', `--dbname=${from}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const restore = spawn('pg_restore', ['--no-owner', '--no-acl', '--exit-on-error', `--dbname=${target}`], { stdio: ['pipe', 'ignore', 'pipe'] });
  let errors = '';
  dump.stderr.on('data', (d: Buffer) => (errors += d.toString()));
  restore.stderr.on('data', (d: Buffer) => (errors += d.toString()));
  dump.stdout.pipe(restore.stdin);
  restore.stdin.on('error', () => {});
  const exit = (child: ReturnType<typeof spawn>, name: string) =>
    new Promise<number>((resolve, reject) => {
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(new EcomdbError('E_REHEARSE_CLONE', `cannot run ${name}: ${error.code === 'ENOENT' ? 'not found on PATH' : error.message}`, {
          hint: `install the PostgreSQL client tools (${name}, of the server's major version or newer), or clone a database of the same server nobody is connected to (then CREATE DATABASE ... TEMPLATE is used)`,
        })),
      );
      child.on('close', (code) => resolve(code ?? -1));
    });
  const [d, r] = await Promise.all([exit(dump, 'pg_dump'), exit(restore, 'pg_restore')]);
  if (d !== 0 || r !== 0) {
    throw new EcomdbError('E_REHEARSE_CLONE', `copying ${maskUrl(from)} with pg_dump | pg_restore failed: ${errors.trim().split('\n').slice(-2).join(' ').slice(0, 400) || `exit ${d}/${r}`}`, {
      hint: 'check that the role may read every table of --from, and that pg_dump is of the server\'s major version or newer',
      details: { pgDump: d, pgRestore: r },
    });
  }
}

/**
 * Make the scratch database and run `work` on it. A clone of a database on the same server is a
 * CREATE DATABASE ... TEMPLATE (a file-level copy, the fastest and an exact one), which
 * PostgreSQL only allows while nobody else is connected to the source; otherwise, or from
 * another server, pg_dump | pg_restore (a consistent snapshot, whoever is connected).
 */
async function withSource<T>(options: RehearseOptions, say: (line: string) => void, work: (scratch: Scratch, report: Omit<ScratchReport, 'ms'>) => Promise<T>): Promise<T> {
  const source = options.source;
  if (source.kind === 'build') {
    return withScratchDatabase(options.url, { prefix: REHEARSE_SCRATCH_PREFIX }, async (scratch) => {
      say(`scratch database ${scratch.name}: migrating to the ${source.base.length} applied migration(s)`);
      await runMigrations(scratch.db, source.base);
      if (source.partition) {
        say('partitioning as declared in schema/partitions.ts');
        await runPartition(scratch.db, (snapshot) => applyPlan(snapshot, { month: monthOf(new Date()) }));
      }
      say(`seeding at scale ${source.seed.scale}`);
      const { seedDatabase } = await import('../seed/load.ts');
      try {
        await seedDatabase(scratch.db, source.base, { ...source.seed, onPhase: (phase) => say(phase) });
      } catch (error) {
        // The seeder writes the current schema: a base the pending migrations change may not take its rows.
        if (!(isEcomdbError(error) && error.code === 'E_SEED_FAILED' && source.base.length < options.files.length)) throw error;
        throw new EcomdbError('E_REHEARSE_FAILED', `the seed does not fit the schema before the pending migrations: ${error.message}`, {
          hint: 'the seeder writes the current schema, which the pending migrations change: rehearse on a copy of a database at the base (--from), or name only migrations that come after what the seeder writes',
          details: { seed: error.details },
          cause: error,
        });
      }
      const why = `migrated, ${source.partition ? 'partitioned as declared' : 'plain tables (--plain)'}, seeded at scale ${source.seed.scale}`;
      return work(scratch, { name: scratch.name, how: 'built', why, swept: scratch.swept });
    });
  }
  const from = parseDatabaseUrl(source.url);
  const server = parseDatabaseUrl(options.url);
  const viaDump = (why: string) =>
    withScratchDatabase(options.url, { prefix: REHEARSE_SCRATCH_PREFIX, fill: (to) => (say(`copying ${maskUrl(source.url)} with pg_dump | pg_restore (${why})`), dumpRestore(source.url, urlWithDatabase(options.url, to.database!))) }, (scratch) =>
      work(scratch, { name: scratch.name, how: 'dump', why, swept: scratch.swept }),
    );
  if (from.database === undefined) return viaDump('--from names no database, which TEMPLATE needs');
  if (!sameServer(from, server)) return viaDump('--from is on another server');
  let began = false;
  const template: ScratchOptions = { prefix: REHEARSE_SCRATCH_PREFIX, createSql: (name) => `create database ${quoteIdent(name)} template ${quoteIdent(from.database!)}` };
  // Our own connection must not be to the source: CREATE DATABASE ... TEMPLATE would refuse it.
  const adminUrl = from.database === server.database ? urlWithDatabase(options.url, 'postgres') : options.url;
  try {
    say(`copying ${from.database} with CREATE DATABASE ... TEMPLATE`);
    return await withScratchDatabase(adminUrl, template, (scratch) => {
      began = true;
      return work(scratch, { name: scratch.name, how: 'template', why: 'same server, nobody connected to the source: a file-level copy', swept: scratch.swept });
    });
  } catch (error) {
    // 55006: the source is being accessed by other users.
    if (began || (pgFields(error).code !== '55006' && adminUrl === options.url)) throw error;
    return viaDump('sessions are connected to the source, which CREATE DATABASE ... TEMPLATE refuses');
  }
}

// ---------------------------------------------------------------------------------------------
// Observing the migration

interface Observed {
  readonly file: MigrationFile;
  readonly statement: number;
  readonly sql: string;
  start: number;
  end: number;
  readonly locksBefore: RelationLock[];
  /** The relations that existed before it ran. */
  readonly existed: ReadonlySet<string>;
  /** Locks seen by the monitor while it ran, and held right after it (before COMMIT). */
  readonly locks: RelationLock[];
  rewritten: Rewrite[];
  migrationWaitedMs: number;
}

/** The monitor and the per-statement hook share this. */
class Observer {
  pid: number | null = null;
  readonly statements: Observed[] = [];
  current: Observed | null = null;
  readonly waits = new Map<string, Wait>();
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly sampleMs: number) {}

  /** The statements of the file of `s` whose locks can still be held (all before it in a transactional file). */
  private holders(s: Observed): { index: number; locks: readonly RelationLock[] }[] {
    const same = this.statements.map((o, index) => ({ o, index })).filter(({ o }) => o.file === s.file && (s.file.transactional || o === s));
    return same.map(({ o, index }) => ({ index, locks: newLocks(o.locksBefore, o.locks) }));
  }

  /** A sampling failure (the monitor's connection lost): the report would miss waits, so it is not made. */
  private failure: unknown = null;

  start(monitor: Database): void {
    this.loop = monitor
      .session(async (session) => {
        while (!this.stopped) {
          await this.sample(session);
          await sleep(this.sampleMs);
        }
      })
      .catch((error: unknown) => {
        this.failure = error;
      });
  }

  private async sample(session: Session): Promise<void> {
    const pid = this.pid;
    if (pid === null) return;
    const current = this.current;
    const locks = current ? await relationLocks(session, pid) : [];
    const sample = await waitingSessions(session);
    const live = this.current ?? this.statements.at(-1);
    if (current && current === this.current) current.locks.push(...locks);
    if (!live) return;
    const own = sample.find((s) => s.pid === pid);
    if (own && current) current.migrationWaitedMs = Math.max(current.migrationWaitedMs, own.waitedMs);
    const index = this.statements.indexOf(live);
    for (const w of waitingOn(sample, pid)) {
      mergeWait(this.waits, { pid: w.pid, since: w.since, waitedMs: w.waitedMs, relation: w.relation, mode: w.mode }, blame(w.relation, index, this.holders(live)));
    }
  }

  /** The statement hook of the migrator (src/migrations/run.ts, runStatement). */
  readonly run = async (session: Session, file: MigrationFile, i: number, sql: string): Promise<void> => {
    if (this.pid === null) this.pid = Number((await session.query<{ pid: number }>('select pg_backend_pid() as pid'))[0]!.pid);
    const filesBefore = await relationFiles(session);
    const locksBefore = await relationLocks(session, null);
    const observed: Observed = { file, statement: i + 1, sql, start: performance.now(), end: 0, locksBefore, existed: new Set(filesBefore.map((f) => f.name)), locks: [], rewritten: [], migrationWaitedMs: 0 };
    this.statements.push(observed);
    this.current = observed;
    try {
      await session.exec(sql);
    } finally {
      observed.end = performance.now();
      this.current = null;
    }
    observed.locks.push(...(await relationLocks(session, null)));
    observed.rewritten = rewrites(filesBefore, await relationFiles(session));
  };

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** Throw what stopped the sampling, if anything did. */
  check(): void {
    if (this.failure !== null) {
      throw new EcomdbError('E_REHEARSE_FAILED', `the monitor stopped sampling locks and waits: ${pgFields(this.failure).message}`, {
        hint: 'the report would miss waits: run the rehearsal again (is the server restarting, or the connection limit reached?)',
        cause: this.failure,
      });
    }
  }
}

/** Executors that remember when each call started and ended. */
function timed(executors: readonly Executor[], spans: CallSpan[]): Executor[] {
  const time = async <T>(readOnly: boolean, call: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await call();
    } finally {
      spans.push({ start, end: performance.now(), readOnly });
    }
  };
  return executors.map((e) => ({ read: (work) => time(true, () => e.read(work)), write: (work) => time(false, () => e.write(work)) }));
}

// ---------------------------------------------------------------------------------------------
// The rehearsal

/** Rehearse the pending migrations; see the module comment. */
export async function rehearse(options: RehearseOptions, hooks: RehearseHooks = {}): Promise<RehearseReport> {
  const say = hooks.onPhase ?? (() => {});
  const started = Date.now();
  return withSource(options, say, async (scratch, made) => {
    const scratchReport: ScratchReport = { ...made, ms: Date.now() - started };
    const plan = await migrationStatus(scratch.db, options.files);
    const problem = planError(plan);
    if (problem) throw problem;
    if (plan.pending.length === 0) return finish(options, scratchReport, [], null, null, [], null);
    say(`${plan.pending.length} pending migration(s): ${plan.pending.map((f) => f.tag).join(', ')}`);

    const scratchUrl = urlWithDatabase(options.url, scratch.name);
    const spans: CallSpan[] = [];
    const abort = new AbortController();
    let mix: Promise<MixResult> | null = null;
    let connections: Awaited<ReturnType<typeof connect>> | null = null;
    const monitor = await openPostgres(scratchUrl, `${scratch.name} (monitor)`);
    const observer = new Observer(options.sampleMs);
    // On a signal: no waiting for the calls in flight (a call blocked by the migration waits as
    // long as it does); the clients' connections are ended, the DROP ... WITH (FORCE) does the rest.
    const closeAll = async () => {
      abort.abort();
      await observer.stop().catch(() => {});
      await connections?.close().catch(() => {});
      await monitor.close().catch(() => {});
    };
    const forget = scratch.closeOnSignal(closeAll);
    let failure: RehearseReport['failure'] = null;
    let mixResult: MixResult | null = null;
    try {
      if (options.clients > 0) {
        const keys = await scratch.db.session((s) => readKeySpace(s));
        const workload = new Workload(keys, { seed: options.workloadSeed, skew: options.skew, biLive: false, runTag: `R${Date.now().toString(36).toUpperCase()}` });
        connections = await connect({ url: scratchUrl, clients: options.clients });
        say(`workload: ${options.clients} client(s) running the mix; migrations start in ${(options.warmupMs / 1000).toFixed(1)} s`);
        mix = runMix(workload, timed(connections.executors, spans), { mix: options.mix, seed: options.workloadSeed, signal: abort.signal });
        mix.catch(() => {}); // observed in the finally below; no unhandled rejection meanwhile
        await sleep(options.warmupMs);
      }
      observer.start(monitor);
      try {
        await runMigrations(scratch.db, options.files, {
          runStatement: observer.run,
          lockTimeout: options.lockTimeout,
          onMigration: (f) => say(`applying ${f.tag} (${f.statements.length} statement(s)${f.transactional ? '' : ', no transaction'})`),
        });
      } catch (error) {
        if (!(isEcomdbError(error) && error.code === 'E_MIGRATION_FAILED')) throw error;
        failure = { file: String(error.details.file), statement: Number(error.details.statement), message: error.message };
      }
      // A last sample after the final COMMIT: waits still queued are seen ending.
      await sleep(options.sampleMs * 2);
    } finally {
      abort.abort();
      await observer.stop().catch(() => {});
      mixResult = mix ? await mix.catch(() => null) : null;
      await connections?.close().catch(() => {});
      await monitor.close().catch(() => {});
      forget();
    }
    observer.check();
    const reports = observer.statements.map((o, index) =>
      statementReport(
        { file: o.file, statement: o.statement, sql: o.sql, ms: o.end - o.start, locks: newLocks(o.locksBefore, o.locks, o.existed), rewritten: o.rewritten, migrationWaitedMs: o.migrationWaitedMs, longestCallMs: longestCalls(spans, o.start, o.end) },
        [...observer.waits.values()].filter((w) => w.statement === index),
      ),
    );
    return finish(options, scratchReport, reports, mixResult, failure, observer.statements, plan.pending);
  });
}

function finish(
  options: RehearseOptions,
  scratch: ScratchReport,
  statements: readonly StatementReport[],
  mix: MixResult | null,
  failure: RehearseReport['failure'],
  observed: readonly Observed[],
  pending: readonly MigrationFile[] | null,
): RehearseReport {
  const migrations: FileReport[] = (pending ?? []).map((file) => {
    const mine = observed.map((o, i) => ({ o, r: statements[i]! })).filter(({ o }) => o.file.tag === file.tag);
    const first = mine[0]?.o.start ?? 0;
    const last = mine.at(-1)?.o.end ?? 0;
    return { file: `${file.tag}.sql`, transactional: file.transactional, ms: round(last - first), statements: mine.map(({ r }) => r) };
  });
  const errors: Record<string, number> = {};
  let ok = 0;
  for (const stats of mix?.operations.values() ?? []) {
    ok += stats.ok;
    for (const [code, n] of stats.errors) errors[code] = (errors[code] ?? 0) + n;
  }
  return {
    server: maskUrl(options.url),
    scratch,
    workload: { clients: options.clients, mix: mixObject(options.mix), ok, failed: Object.values(errors).reduce((a, b) => a + b, 0), errors },
    sampleMs: options.sampleMs,
    migrations,
    longestWaitMs: statements.reduce((n, s) => Math.max(n, s.blocked.longestWaitMs), 0),
    maxLockMs: options.maxLockMs ?? null,
    overLimit: overLimit(statements, options.maxLockMs).map((s) => `${s.file}#${s.statement}`),
    failure,
  };
}

/**
 * Executing a migration plan. Safer than drizzle's migrator (docs/design.md, 'Migrations: why ecomdb has its own migrator'): one advisory lock per
 * database so that concurrent runs apply each file once; one transaction per file (unless it
 * opts out); the history is checked under the lock before anything runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EcomdbError, pgFields } from '../errors.ts';
import type { Database, Session } from '../db/types.ts';
import type { MigrationFile } from './files.ts';
import { downMismatch, DOWN_FOLDER, partitionConflicts, type DownFile, type PartitionKeys } from './down.ts';
import { planError, planMigrations, planTarget, type AppliedMigration, type MigrationPlan } from './plan.ts';

/** drizzle's bookkeeping table, kept so that drizzle and ecomdb agree on what ran. */
export const HISTORY_TABLE = 'drizzle.__drizzle_migrations';

/** The advisory lock key of `ecomdb migrate` (any constant; 'ecomdb' in ASCII). */
export const MIGRATE_LOCK_KEY = 0x65636f6d6462n;

export interface RunOptions {
  /** Print instead of run. Takes no lock and creates nothing. */
  dryRun?: boolean;
  /** PostgreSQL lock_timeout for each statement, e.g. '5s'. */
  lockTimeout?: string;
  /** PostgreSQL statement_timeout for each statement, e.g. '15min'. */
  statementTimeout?: string;
  /** How long to wait for another migrate to finish, in ms. */
  waitMs?: number;
  /** Called before each file runs (for progress output). */
  onMigration?: (file: MigrationFile) => void;
  /** Called after each statement of a file succeeds (1-based count so far), to report an interruption. */
  onStatement?: (file: MigrationFile, done: number) => void;
  /** Called once a file is applied and recorded (committed, for a transactional file). */
  onApplied?: (file: MigrationFile) => void;
  /**
   * Go up or down to this tag (or `none`, before every migration) instead of applying every
   * pending file. Going down runs the down file of each applied migration after it, newest
   * first, each in one transaction with the removal of its history row.
   */
  to?: string;
  /** The down files, by tag (readDownMigrations); needed to go down. */
  downs?: ReadonlyMap<string, DownFile>;
  /** Run down steps marked irreversible (they lose data) instead of refusing. */
  force?: boolean;
  /** Called before each file is undone (going down). */
  onReverting?: (file: MigrationFile) => void;
  /** Called once a file is undone and its history row removed (committed). */
  onReverted?: (file: MigrationFile) => void;
  /**
   * Runs each statement in place of `session.exec(statement)`, on the migrating session (inside
   * the file's transaction when it has one): `ecomdb rehearse` observes each statement this way.
   */
  runStatement?: (session: Session, file: MigrationFile, index: number, statement: string) => Promise<void>;
}

export interface RunResult {
  readonly plan: MigrationPlan;
  /** Tags applied by this run (for a dry run: that would be applied). */
  readonly applied: readonly string[];
  /** Tags undone by this run, newest first (for a dry run: that would be undone). */
  readonly reverted: readonly string[];
  /** For a dry run going down: the down files that would run, in order. */
  readonly downs: readonly DownFile[];
  /** True when this run waited for another process holding the lock. */
  readonly waited: boolean;
  readonly dryRun: boolean;
}

async function historyExists(session: Pick<Session, 'query'>): Promise<boolean> {
  const [row] = await session.query<{ present: boolean }>(`select to_regclass('${HISTORY_TABLE}') is not null as present`);
  return row?.present === true;
}

/** Read the history; an absent table means nothing was applied. */
export async function readHistory(session: Pick<Session, 'query'>): Promise<AppliedMigration[]> {
  if (!(await historyExists(session))) return [];
  const rows = await session.query<{ id: number; hash: string; created_at: string | number }>(
    `select id, hash, created_at from ${HISTORY_TABLE} order by id`,
  );
  return rows.map((r) => ({ id: Number(r.id), hash: r.hash, createdAt: Number(r.created_at) }));
}

async function ensureHistoryTable(session: Session): Promise<void> {
  await session.exec(`
    CREATE SCHEMA IF NOT EXISTS drizzle;
    CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint);
    COMMENT ON SCHEMA drizzle IS 'Bookkeeping of applied migrations (drizzle-compatible, written by ecomdb migrate).';
    COMMENT ON TABLE ${HISTORY_TABLE} IS 'One row per applied migration file: its sha256 and its journal timestamp.';
    COMMENT ON COLUMN ${HISTORY_TABLE}.id IS 'Order in which the migrations were applied.';
    COMMENT ON COLUMN ${HISTORY_TABLE}.hash IS 'sha256 of the migration file as applied; a later edit is detected by comparing it.';
    COMMENT ON COLUMN ${HISTORY_TABLE}.created_at IS 'The file''s timestamp in migrations/meta/_journal.json (ms since 1970).';
  `);
}

/** Poll for the lock rather than block: a blocked session would deadlock with CONCURRENTLY (docs/design.md, 'Migrations: why ecomdb has its own migrator'). */
async function acquireMigrateLock(session: Session, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  let waited = false;
  for (;;) {
    const [row] = await session.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [
      MIGRATE_LOCK_KEY.toString(),
    ]);
    if (row?.locked) return waited;
    if (Date.now() >= deadline) {
      throw new EcomdbError('E_MIGRATION_LOCK_TIMEOUT', `another ecomdb migrate held the migration lock for over ${Math.round(waitMs / 1000)}s`, {
        hint: 'wait for it to finish, or raise --wait',
      });
    }
    waited = true;
    await sleep(100);
  }
}

function firstLine(statement: string): string {
  const line = statement.split('\n').find((l) => l.trim() && !l.trim().startsWith('--')) ?? statement;
  return line.trim().length > 120 ? `${line.trim().slice(0, 117)}...` : line.trim();
}

/**
 * SQLSTATEs of "already exists" (schema, table or index, type or constraint, function, column):
 * the database holds objects the history does not record, so no fix of the statement will help.
 */
const ALREADY_EXISTS = new Set(['42P06', '42P07', '42710', '42723', '42701']);

/** What stays of a no-transaction file after its first `ran` statements ran, in words. */
export function keptOfNoTransactionFile(ran: number): string {
  if (ran === 0) return 'none of its statements had run';
  return `${ran === 1 ? 'statement 1' : `statements 1-${ran}`} of this no-transaction file remain applied`;
}

/**
 * Apply one file: in a transaction unless it opts out. `createHistory` creates the history table
 * just before the file is recorded, in the file's own transaction, so that a failed first
 * migration leaves nothing behind, not even an empty drizzle schema.
 */
async function applyFile(session: Session, file: MigrationFile, createHistory: boolean, options: RunOptions): Promise<void> {
  if (file.transactional) await session.exec('BEGIN');
  await runStatements(session, `${file.tag}.sql`, file.statements, file.transactional, (done) => options.onStatement?.(file, done), options.runStatement && ((statement, i) => options.runStatement!(session, file, i, statement)));
  if (createHistory) await ensureHistoryTable(session);
  await session.query(`insert into ${HISTORY_TABLE} (hash, created_at) values ($1, $2)`, [file.hash, file.when]);
  if (file.transactional) await session.exec('COMMIT');
  options.onApplied?.(file);
}

/** Run `statements` of the file called `name`; on a failure, roll back (when transactional) and throw E_MIGRATION_FAILED. */
async function runStatements(
  session: Session,
  name: string,
  statements: readonly string[],
  transactional: boolean,
  onStatement: (done: number) => void,
  run?: (statement: string, index: number) => Promise<void>,
): Promise<void> {
  for (const [i, statement] of statements.entries()) {
    try {
      if (run) await run(statement, i);
      else await session.exec(statement);
    } catch (error) {
      if (transactional) await session.exec('ROLLBACK');
      const pg = pgFields(error);
      const clash = pg.code !== undefined && ALREADY_EXISTS.has(pg.code);
      throw new EcomdbError(
        'E_MIGRATION_FAILED',
        `${name} statement ${i + 1} failed (${transactional ? 'rolled back' : `not rolled back: ${keptOfNoTransactionFile(i)}`}): ${pg.message}${pg.code ? ` [${pg.code}]` : ''} in: ${firstLine(statement)}`,
        {
          hint: clash
            ? 'the database already holds objects that ecomdb\'s history does not record (made by hand, by another tool, or from another migrations folder): migrate an empty database, or drop the clashing objects first'
            : 'fix the statement in a new migration (or this file, if it was never applied anywhere) and run migrate again',
          details: {
            file: name,
            statement: i + 1,
            sql: statement,
            sqlstate: pg.code,
            detail: pg.detail,
            rolledBack: transactional,
            statementsKept: transactional ? 0 : i,
            alreadyExists: clash,
          },
          cause: error,
        },
      );
    }
    onStatement(i + 1);
  }
}

/** Undo one applied file with its down file and remove its history row, in one transaction. */
async function revertFile(session: Session, file: MigrationFile, down: DownFile, options: RunOptions): Promise<void> {
  await session.exec('BEGIN');
  await runStatements(session, `${DOWN_FOLDER}/${file.tag}.down.sql`, down.steps.map((s) => s.sql), true, () => {});
  await session.query(`delete from ${HISTORY_TABLE} where created_at = $1 and hash = $2`, [file.when, file.hash]);
  await session.exec('COMMIT');
  options.onReverted?.(file);
}

/** The partitioned tables of the database (parents only), each with the partition key columns of its whole tree. */
async function partitionKeys(session: Session): Promise<PartitionKeys> {
  const rows = await session.query<{ name: string; keys: string[] }>(
    `select n.nspname || '.' || c.relname as name,
            array(select distinct a.attname::text
                    from pg_partitioned_table pt2
                    join pg_class c2 on c2.oid = pt2.partrelid
                    cross join unnest(pt2.partattrs::int2[]) as k(attnum)
                    join pg_attribute a on a.attrelid = c2.oid and a.attnum = k.attnum
                   where c2.oid = c.oid or pg_partition_root(c2.oid) = c.oid) as keys
       from pg_partitioned_table pt
       join pg_class c on c.oid = pt.partrelid
       join pg_namespace n on n.oid = c.relnamespace
      where not c.relispartition`,
  );
  return new Map(rows.map((r) => [r.name, r.keys]));
}

/**
 * Refuse, before anything runs, a descent that cannot be done as asked: a missing or mismatched
 * down file, a step that cannot work on this (partitioned) database, or a step that loses data
 * without `force`.
 */
async function checkDescent(session: Session, files: readonly MigrationFile[], options: RunOptions): Promise<DownFile[]> {
  const downs = files.map((file) => {
    const down = options.downs?.get(file.tag);
    if (!down) {
      throw new EcomdbError('E_MIGRATIONS_DIR', `going down needs ${DOWN_FOLDER}/${file.tag}.down.sql, which is missing`, {
        hint: 'run ecomdb generate to write the down files, and commit them with the migrations',
        details: { file: `${DOWN_FOLDER}/${file.tag}.down.sql` },
      });
    }
    const mismatch = downMismatch(file, down, file.hash);
    if (mismatch) {
      throw new EcomdbError('E_MIGRATION_MODIFIED', mismatch, {
        hint: 'regenerate the down files with ecomdb generate (never edit them by hand), then run again',
        details: { file: `${DOWN_FOLDER}/${file.tag}.down.sql` },
      });
    }
    return down;
  });
  const conflicts = await partitionConflicts(downs, await partitionKeys(session));
  if (conflicts.length > 0) {
    const first = conflicts[0]!;
    throw new EcomdbError('E_MIGRATION_IRREVERSIBLE', `cannot go down past ${first.tag} on this database: ${first.reason}${conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : ''}`, {
      hint: 'the table was partitioned by ecomdb partition after that migration; stop at a later tag, or restore a backup taken before partitioning',
      details: { conflicts },
    });
  }
  const losses = downs.flatMap((d) => d.steps.flatMap((s, i) => (s.irreversible ? [{ file: `${DOWN_FOLDER}/${d.tag}.down.sql`, tag: d.tag, step: i + 1, reason: s.irreversible }] : [])));
  if (losses.length > 0 && !options.force) {
    const first = losses[0]!;
    throw new EcomdbError('E_MIGRATION_IRREVERSIBLE', `going down to ${options.to} would lose data: undoing ${first.tag} ${first.reason}${losses.length > 1 ? ` (and ${losses.length - 1} more step(s) that lose data)` : ''}`, {
      hint: 'back up what you need, then run again with --force to accept the loss; or go down to a later tag',
      details: { irreversible: losses },
    });
  }
  return downs;
}

/** Plan against the live history and apply what is pending; see RunOptions. */
export async function runMigrations(db: Database, files: readonly MigrationFile[], options: RunOptions = {}): Promise<RunResult> {
  return db.session(async (session) => {
    if (options.dryRun) {
      const plan = planMigrations(files, await readHistory(session));
      const error = planError(plan);
      if (error) throw error;
      if (options.to !== undefined) {
        const target = planTarget(files, plan, options.to);
        // A dry run shows the steps that lose data (marked) rather than refusing them.
        const downs = await checkDescent(session, target.down, { ...options, force: true });
        return { plan, applied: target.up.map((f) => f.tag), reverted: target.down.map((f) => f.tag), downs, waited: false, dryRun: true };
      }
      return { plan, applied: plan.pending.map((f) => f.tag), reverted: [], downs: [], waited: false, dryRun: true };
    }
    const waited = await acquireMigrateLock(session, options.waitMs ?? 5 * 60_000);
    try {
      // Read the history under the lock: a run we waited for may have applied everything.
      // Nothing is created before the plan is known to run (the history table comes with the
      // first file applied).
      let historyReady = await historyExists(session);
      const plan = planMigrations(files, await readHistory(session));
      const error = planError(plan);
      if (error) throw error;
      if (options.lockTimeout) await session.query(`select set_config('lock_timeout', $1, false)`, [options.lockTimeout]);
      if (options.statementTimeout) {
        await session.query(`select set_config('statement_timeout', $1, false)`, [options.statementTimeout]);
      }
      const target = options.to === undefined ? { up: plan.pending, down: [] } : planTarget(files, plan, options.to);
      const downs = target.down.length > 0 ? await checkDescent(session, target.down, options) : [];
      const applied: string[] = [];
      for (const file of target.up) {
        options.onMigration?.(file);
        await applyFile(session, file, !historyReady, options);
        historyReady = true;
        applied.push(file.tag);
      }
      const reverted: string[] = [];
      for (const [i, file] of target.down.entries()) {
        options.onReverting?.(file);
        await revertFile(session, file, downs[i]!, options);
        reverted.push(file.tag);
      }
      return { plan, applied, reverted, downs: [], waited, dryRun: false };
    } finally {
      await session.query('select pg_advisory_unlock($1)', [MIGRATE_LOCK_KEY.toString()]).catch(() => {});
      await session.exec('RESET lock_timeout; RESET statement_timeout').catch(() => {});
    }
  });
}

/** The plan alone, for `ecomdb status`: reads the history, takes no lock, changes nothing. */
export async function migrationStatus(db: Database, files: readonly MigrationFile[]): Promise<MigrationPlan> {
  return db.session(async (session) => planMigrations(files, await readHistory(session)));
}

/**
 * Executing a migration plan. Safer than drizzle's migrator (docs/design.md, 'Migrations: why ecomdb has its own migrator'): one advisory lock per
 * database so that concurrent runs apply each file once; one transaction per file (unless it
 * opts out); the history is checked under the lock before anything runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EcomdbError, pgFields } from '../errors.ts';
import type { Database, Session } from '../db/types.ts';
import type { MigrationFile } from './files.ts';
import { planError, planMigrations, type AppliedMigration, type MigrationPlan } from './plan.ts';

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
   * Runs each statement in place of `session.exec(statement)`, on the migrating session (inside
   * the file's transaction when it has one): `ecomdb rehearse` observes each statement this way.
   */
  runStatement?: (session: Session, file: MigrationFile, index: number, statement: string) => Promise<void>;
}

export interface RunResult {
  readonly plan: MigrationPlan;
  /** Tags applied by this run (for a dry run: that would be applied). */
  readonly applied: readonly string[];
  /** True when this run waited for another process holding the lock. */
  readonly waited: boolean;
  readonly dryRun: boolean;
}

async function historyExists(session: Session): Promise<boolean> {
  const [row] = await session.query<{ present: boolean }>(`select to_regclass('${HISTORY_TABLE}') is not null as present`);
  return row?.present === true;
}

/** Read the history; an absent table means nothing was applied. */
export async function readHistory(session: Session): Promise<AppliedMigration[]> {
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
  for (const [i, statement] of file.statements.entries()) {
    try {
      if (options.runStatement) await options.runStatement(session, file, i, statement);
      else await session.exec(statement);
    } catch (error) {
      if (file.transactional) await session.exec('ROLLBACK');
      const pg = pgFields(error);
      const clash = pg.code !== undefined && ALREADY_EXISTS.has(pg.code);
      throw new EcomdbError(
        'E_MIGRATION_FAILED',
        `${file.tag}.sql statement ${i + 1} failed (${file.transactional ? 'rolled back' : `not rolled back: ${keptOfNoTransactionFile(i)}`}): ${pg.message}${pg.code ? ` [${pg.code}]` : ''} in: ${firstLine(statement)}`,
        {
          hint: clash
            ? 'the database already holds objects that ecomdb\'s history does not record (made by hand, by another tool, or from another migrations folder): migrate an empty database, or drop the clashing objects first'
            : 'fix the statement in a new migration (or this file, if it was never applied anywhere) and run migrate again',
          details: {
            file: `${file.tag}.sql`,
            statement: i + 1,
            sql: statement,
            sqlstate: pg.code,
            detail: pg.detail,
            rolledBack: file.transactional,
            statementsKept: file.transactional ? 0 : i,
            alreadyExists: clash,
          },
          cause: error,
        },
      );
    }
    options.onStatement?.(file, i + 1);
  }
  if (createHistory) await ensureHistoryTable(session);
  await session.query(`insert into ${HISTORY_TABLE} (hash, created_at) values ($1, $2)`, [file.hash, file.when]);
  if (file.transactional) await session.exec('COMMIT');
  options.onApplied?.(file);
}

/** Plan against the live history and apply what is pending; see RunOptions. */
export async function runMigrations(db: Database, files: readonly MigrationFile[], options: RunOptions = {}): Promise<RunResult> {
  return db.session(async (session) => {
    if (options.dryRun) {
      const plan = planMigrations(files, await readHistory(session));
      const error = planError(plan);
      if (error) throw error;
      return { plan, applied: plan.pending.map((f) => f.tag), waited: false, dryRun: true };
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
      const applied: string[] = [];
      for (const file of plan.pending) {
        options.onMigration?.(file);
        await applyFile(session, file, !historyReady, options);
        historyReady = true;
        applied.push(file.tag);
      }
      return { plan, applied, waited, dryRun: false };
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

/**
 * "Am I current?": compare a database's migration history with the migration files, for an
 * application at start-up (checkMigrations / assertCurrent) and for `ecomdb status --check`.
 *
 * - current: every file applied, nothing else recorded;
 * - behind: files pending (an older database: run `ecomdb migrate`);
 * - ahead: the database records migrations newer than every file (a newer version of the
 *   application migrated it: this one's code may not fit its tables);
 * - conflict: the history disagrees with the files otherwise (an edited, missing or
 *   out-of-order migration), as `ecomdb status` reports it.
 */
import { sql } from 'drizzle-orm';
import type { AccessDb } from '../access/db.ts';
import type { Database, Session } from '../db/types.ts';
import { EcomdbError } from '../errors.ts';
import { MIGRATIONS_DIR } from '../generate/run.ts';
import { readMigrations, type MigrationFile } from './files.ts';
import { planError, planMigrations, type AppliedMigration, type MigrationPlan, type Problem } from './plan.ts';
import { readHistory } from './run.ts';

export type HistoryState = 'current' | 'behind' | 'ahead' | 'conflict';

export interface MigrationCheck {
  readonly state: HistoryState;
  /** How many of the files are applied. */
  readonly applied: number;
  /** The tags of the files not applied yet, in order. */
  readonly pending: readonly string[];
  /** History rows newer than every file (what makes the database ahead). */
  readonly ahead: readonly AppliedMigration[];
  /** For a conflict: what `ecomdb status` reports. */
  readonly problems: readonly Problem[];
  /** The newest file's tag, or null when there are none. */
  readonly latest: string | null;
}

/** Classify a history against the files. Pure. */
export function checkHistory(files: readonly MigrationFile[], applied: readonly AppliedMigration[]): MigrationCheck & { readonly plan: MigrationPlan } {
  const plan = planMigrations(files, applied);
  const newest = Math.max(-Infinity, ...files.map((f) => f.when));
  const known = new Set(files.map((f) => f.when));
  const ahead = applied.filter((a) => !known.has(a.createdAt) && a.createdAt > newest);
  const aheadWhen = new Set(ahead.map((a) => a.createdAt));
  // An unknown row newer than every file is the mark of "ahead", not a conflict.
  const problems = plan.problems.filter((p) => {
    const recorded = (p.details as { recorded?: AppliedMigration } | undefined)?.recorded;
    return !(p.code === 'E_MIGRATION_UNKNOWN' && p.tag === null && recorded && aheadWhen.has(recorded.createdAt));
  });
  const pending = plan.migrations.filter((m) => m.state === 'pending').map((m) => m.tag);
  const state: HistoryState = problems.length > 0 ? 'conflict' : ahead.length > 0 ? 'ahead' : pending.length > 0 ? 'behind' : 'current';
  return {
    state,
    applied: plan.migrations.filter((m) => m.state === 'applied').length,
    pending,
    ahead,
    problems,
    latest: files.at(-1)?.tag ?? null,
    plan,
  };
}

/** The error of a check that is not current, or undefined. */
export function checkError(check: MigrationCheck & { readonly plan?: MigrationPlan }, where: string): EcomdbError | undefined {
  const facts = { state: check.state, applied: check.applied, pending: check.pending, ahead: check.ahead, latest: check.latest };
  switch (check.state) {
    case 'current':
      return undefined;
    case 'behind': {
      const list = check.pending.length > 3 ? `${check.pending[0]} ... ${check.pending.at(-1)}` : check.pending.join(', ');
      return new EcomdbError('E_STATUS_BEHIND', `${where} is behind its migrations: ${check.pending.length} pending (${list})`, {
        hint: `run ecomdb migrate${check.latest ? ` (or ecomdb migrate --to ${check.latest})` : ''} before starting the application`,
        details: facts,
      });
    }
    case 'ahead': {
      const newest = Math.max(...check.ahead.map((a) => a.createdAt));
      return new EcomdbError('E_STATUS_AHEAD', `${where} records ${check.ahead.length} migration(s) newer than every file here (the newest from ${new Date(newest).toISOString()}): a newer version migrated it`, {
        hint: `run the version that has those migrations, or take the database down with that version's ecomdb migrate --to ${check.latest ?? 'none'}`,
        details: facts,
      });
    }
    case 'conflict': {
      const error = check.plan ? planError(check.plan) : undefined;
      const first = check.problems[0]!;
      return error ?? new EcomdbError(first.code, first.message, { hint: first.hint, details: { ...facts, problems: check.problems } });
    }
  }
}

export interface CheckOptions {
  /** The migrations folder (default: the one that comes with ecomdb). */
  readonly migrationsDir?: string;
}

type Rows = Record<string, unknown>[] | { rows: Record<string, unknown>[] };

/** A query-only session over a drizzle database (postgres.js, PGlite or node-postgres). */
function drizzleSession(db: AccessDb): Pick<Session, 'query'> {
  return {
    async query<Row>(text: string): Promise<Row[]> {
      const result = (await db.execute(sql.raw(text))) as unknown as Rows;
      return (Array.isArray(result) ? result : result.rows) as Row[];
    },
  };
}

const isEcomdbDatabase = (db: AccessDb | Database): db is Database => typeof (db as Database).session === 'function' && 'kind' in db;

/**
 * Where the database stands against the migrations. Reads the history only: takes no lock,
 * changes nothing. `db` is a drizzle database (as the query library takes) or an ecomdb Database.
 *
 * @example
 *   import { assertCurrent } from 'ecomdb/migrations';
 *   await assertCurrent(drizzle(postgres(process.env.DATABASE_URL!)));   // throws unless current
 */
export async function checkMigrations(db: AccessDb | Database, options: CheckOptions = {}): Promise<MigrationCheck> {
  const { plan: _plan, ...check } = await checkAgainstFiles(db, options);
  return check;
}

async function checkAgainstFiles(db: AccessDb | Database, options: CheckOptions): Promise<ReturnType<typeof checkHistory>> {
  const files = readMigrations(options.migrationsDir ?? MIGRATIONS_DIR);
  const applied = isEcomdbDatabase(db) ? await db.session((s) => readHistory(s)) : await readHistory(drizzleSession(db));
  return checkHistory(files, applied);
}

/**
 * Refuse a database that is not on the latest migration: throws an EcomdbError with code
 * E_STATUS_BEHIND, E_STATUS_AHEAD, or the history conflict's code. Call it at start-up.
 */
export async function assertCurrent(db: AccessDb | Database, options: CheckOptions = {}): Promise<MigrationCheck> {
  const check = await checkAgainstFiles(db, options);
  const error = checkError(check, 'the database');
  if (error) throw error;
  const { plan: _plan, ...rest } = check;
  return rest;
}

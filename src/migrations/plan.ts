/**
 * Planning a migration run: compare the files with the history recorded in the database and
 * decide what is applied, what is pending and what is wrong. Pure: no I/O, no database.
 */
import { EcomdbError } from '../errors.ts';
import { NO_TRANSACTION_MARKER, type MigrationFile } from './files.ts';

/** A row of drizzle's bookkeeping table. */
export interface AppliedMigration {
  readonly id: number;
  readonly hash: string;
  /** The journal timestamp of the file when it was applied. */
  readonly createdAt: number;
}

export type MigrationState = 'applied' | 'pending' | 'modified' | 'out_of_order';

export interface MigrationStatus {
  readonly tag: string;
  readonly state: MigrationState;
  readonly statements: number;
  readonly transactional: boolean;
}

export interface Problem {
  readonly code: 'E_MIGRATION_MODIFIED' | 'E_MIGRATION_OUT_OF_ORDER' | 'E_MIGRATION_UNKNOWN' | 'E_MIGRATION_TRANSACTION_CONTROL';
  /** The file concerned, when one can be named. */
  readonly tag: string | null;
  readonly message: string;
  readonly hint: string;
  /** Facts for --json beyond the file (what the database recorded, the offending statement). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface MigrationPlan {
  readonly migrations: readonly MigrationStatus[];
  /** Files to run, in order; empty when problems is not. */
  readonly pending: readonly MigrationFile[];
  readonly problems: readonly Problem[];
}

export function planMigrations(files: readonly MigrationFile[], applied: readonly AppliedMigration[]): MigrationPlan {
  const appliedByWhen = new Map(applied.map((a) => [a.createdAt, a]));
  const fileWhens = new Set(files.map((f) => f.when));
  const problems: Problem[] = [];
  const newestApplied = Math.max(-Infinity, ...applied.map((a) => a.createdAt));
  const lastAppliedIndex = Math.max(-1, ...files.filter((f) => appliedByWhen.has(f.when)).map((f) => f.index));

  for (const row of applied) {
    if (!fileWhens.has(row.createdAt)) problems.push(unknownProblem(row, files));
  }

  const migrations = files.map((file): MigrationStatus => {
    const row = appliedByWhen.get(file.when);
    let state: MigrationState;
    if (row) {
      state = row.hash === file.hash ? 'applied' : 'modified';
      if (state === 'modified') {
        problems.push({
          code: 'E_MIGRATION_MODIFIED',
          tag: file.tag,
          message: `migration ${file.tag}.sql was edited after it was applied`,
          hint: `restore ${file.tag}.sql as it was applied and put the change in a new migration`,
        });
      }
    } else if (file.index < lastAppliedIndex || file.when < newestApplied) {
      state = 'out_of_order';
      problems.push({
        code: 'E_MIGRATION_OUT_OF_ORDER',
        tag: file.tag,
        message: `migration ${file.tag}.sql is new but ordered before an applied migration`,
        hint: `regenerate ${file.tag} after the newest applied migration (drizzle-kit generate) instead of inserting it earlier`,
      });
    } else {
      state = 'pending';
      const control = file.transactionControl;
      if (control) {
        problems.push({
          code: 'E_MIGRATION_TRANSACTION_CONTROL',
          tag: file.tag,
          message: `migration ${file.tag}.sql runs in one transaction but its statement ${control.statement} is ${control.words}, which would commit or undo part of it on its own`,
          hint: `remove the ${control.words} (ecomdb wraps each file in BEGIN ... COMMIT), or, for statements that must run outside a transaction, start the file with "${NO_TRANSACTION_MARKER}"`,
          details: { statement: control.statement, transactionControl: control.words },
        });
      }
    }
    return { tag: file.tag, state, statements: file.statements.length, transactional: file.transactional };
  });

  const pending = problems.length > 0 ? [] : files.filter((f) => !appliedByWhen.has(f.when));
  return { migrations, pending, problems };
}

/** The first problem of a plan as an error, or nothing. */
export function planError(plan: MigrationPlan): EcomdbError | undefined {
  const first = plan.problems[0];
  if (!first) return undefined;
  const more = plan.problems.length > 1 ? ` (and ${plan.problems.length - 1} more problem(s))` : '';
  return new EcomdbError(first.code, first.message + more, {
    hint: first.hint,
    details: { ...first.details, file: first.tag ? `${first.tag}.sql` : null, problems: plan.problems },
  });
}

/**
 * A history row no file matches by timestamp. drizzle's history keeps no file name, only the
 * file's sha256 and its journal timestamp: a file with the same content is named (its timestamp
 * was edited); otherwise the row is placed among the files, and the hint says how to find its
 * name in version control, where the journal still holds that timestamp.
 */
function unknownProblem(row: AppliedMigration, files: readonly MigrationFile[]): Problem {
  const same = files.find((f) => f.hash === row.hash);
  const recorded = { id: row.id, createdAt: row.createdAt, hash: row.hash };
  if (same) {
    return {
      code: 'E_MIGRATION_UNKNOWN',
      tag: same.tag,
      message: `the database records ${same.tag}.sql as applied with the journal timestamp ${row.createdAt}, but the journal now gives it ${same.when}`,
      hint: `restore "when": ${row.createdAt} for ${same.tag} in meta/_journal.json (it was changed after the file was applied)`,
      details: { recorded },
    };
  }
  const after = [...files].filter((f) => f.when < row.createdAt).sort((a, b) => a.when - b.when).at(-1);
  const place = after ? `after ${after.tag}.sql` : 'before every file of the journal';
  return {
    code: 'E_MIGRATION_UNKNOWN',
    tag: null,
    message: `the database records a migration that no file in the journal matches: applied ${place}, journal timestamp ${row.createdAt} (${new Date(row.createdAt).toISOString()}), sha256 ${row.hash.slice(0, 12)}…`,
    hint: `a migration file was deleted or renamed after it was applied, or the database was migrated from another branch: find it with \`git log -S ${row.createdAt} -- '*_journal.json'\` and restore it`,
    details: { recorded, appliedAfter: after ? `${after.tag}.sql` : null },
  };
}

/** The `--to` target that undoes every migration. */
export const NO_MIGRATION = 'none';

/** The files a run to `to` applies (up, in order) or undoes (down, newest first). */
export interface TargetPlan {
  readonly to: string;
  readonly up: readonly MigrationFile[];
  readonly down: readonly MigrationFile[];
}

/** Position of `to` in the journal (-1 for `none`); an unknown tag is a usage error. */
export function targetIndex(files: readonly MigrationFile[], to: string): number {
  if (to === NO_MIGRATION) return -1;
  const index = files.findIndex((f) => f.tag === to);
  if (index >= 0) return index;
  const known = files.length > 2 ? `${files[0]!.tag} ... ${files.at(-1)!.tag}` : files.map((f) => f.tag).join(', ');
  throw new EcomdbError('E_USAGE', `--to ${to}: no migration has that tag (the journal has ${known || 'none'})`, {
    hint: `pass a tag as ecomdb status lists it (e.g. ${files.at(-1)?.tag ?? '0000_schema'}), or ${NO_MIGRATION} to undo every migration`,
    details: { to, tags: files.map((f) => f.tag) },
  });
}

/** Split a problem-free plan at `to`. Pure. */
export function planTarget(files: readonly MigrationFile[], plan: MigrationPlan, to: string): TargetPlan {
  const target = targetIndex(files, to);
  const applied = new Set(plan.migrations.filter((m) => m.state === 'applied').map((m) => m.tag));
  return {
    to,
    up: plan.pending.filter((f) => f.index <= target),
    down: files.filter((f) => f.index > target && applied.has(f.tag)).reverse(),
  };
}

/**
 * Planning a migration run: compare the files with the history recorded in the database and
 * decide what is applied, what is pending and what is wrong. Pure: no I/O, no database.
 */
import { EcomdbError } from '../errors.ts';
import type { MigrationFile } from './files.ts';

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
  readonly code: 'E_MIGRATION_MODIFIED' | 'E_MIGRATION_OUT_OF_ORDER' | 'E_MIGRATION_UNKNOWN';
  readonly tag: string | null;
  readonly message: string;
  readonly hint: string;
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
    if (!fileWhens.has(row.createdAt)) {
      problems.push({
        code: 'E_MIGRATION_UNKNOWN',
        tag: null,
        message: `the database records a migration (id ${row.id}, created_at ${row.createdAt}) that no file in the journal matches`,
        hint: 'a migration file was deleted or renamed after it was applied; restore it from version control',
      });
    }
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
    details: { file: first.tag ? `${first.tag}.sql` : null, problems: plan.problems },
  });
}

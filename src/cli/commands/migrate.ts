/** `ecomdb migrate`: apply pending migrations, safely (see src/migrations/run.ts). */
import { Command } from 'commander';
import { openTarget } from '../../db/open.ts';
import type { Database } from '../../db/types.ts';
import { readMigrations, type MigrationFile } from '../../migrations/files.ts';
import { keptOfNoTransactionFile, runMigrations, type RunOptions, type RunResult } from '../../migrations/run.ts';
import { assertSeedFinished } from '../../seed/marker.ts';
import { contextOf, type Context } from '../context.ts';
import { runOptions, type MigrateFlags, type MigrateListener } from '../flags.ts';
import { onInterrupt } from '../../signals.ts';
import { EcomdbError } from '../../errors.ts';
import { DOWN_FOLDER, readDownMigrations } from '../../migrations/down.ts';
import { NO_MIGRATION, targetIndex } from '../../migrations/plan.ts';

type MigrateResult = RunResult & { target: string; ms: number };

/** Where a run is, so that an interruption can say what it leaves behind. */
class MigrateTracker implements MigrateListener {
  private readonly done: string[] = [];
  private readonly undone: string[] = [];
  private undoing: MigrationFile | null = null;
  private current: MigrationFile | null = null;
  private statements = 0;

  started(file: MigrationFile): void {
    this.current = file;
    this.statements = 0;
  }

  ran(statements: number): void {
    this.statements = statements;
  }

  applied(file: MigrationFile): void {
    this.done.push(file.tag);
    this.current = null;
  }

  reverting(file: MigrationFile): void {
    this.undoing = file;
  }

  reverted(file: MigrationFile): void {
    this.undone.push(file.tag);
    this.undoing = null;
  }

  /** One line: what was interrupted and what the database holds now. */
  interruption(): string {
    if (this.undone.length > 0 || this.undoing) {
      const kept = this.undone.length === 0 ? 'no migration was undone by this run' : `${this.undone.length} migration(s) undone by this run stay undone (${this.undone.join(', ')})`;
      const during = this.undoing ? `while undoing ${this.undoing.tag} (its transaction never committed and is rolled back); ` : '';
      return `interrupted ${during}${kept}; run ecomdb migrate --to again to finish`;
    }
    const kept = this.done.length === 0
      ? 'no migration was applied by this run'
      : `${this.done.length} migration(s) applied by this run stay applied (${this.done.length > 2 ? `${this.done[0]} ... ${this.done.at(-1)}` : this.done.join(', ')})`;
    const file = this.current;
    if (!file) return `interrupted: ${kept}; run ecomdb migrate again to apply the rest`;
    const state = file.transactional ? 'its transaction never committed and is rolled back' : `not rolled back: ${keptOfNoTransactionFile(this.statements)}`;
    return `interrupted during ${file.tag}.sql (${state}); ${kept}; run ecomdb migrate again to apply the rest`;
  }
}

/** Migrate an open database. */
async function migrateOpen(db: Database, files: readonly MigrationFile[], options: RunOptions): Promise<MigrateResult> {
  // A migration on a half-seeded database would change the tables whose definitions the seed's
  // marker holds, and the next seed would restore stale ones: finish or clean up the seed first.
  await db.session(assertSeedFinished);
  const started = Date.now();
  const result = await runMigrations(db, files, options);
  return { ...result, target: db.label, ms: Date.now() - started };
}

const withSemicolon = (s: string) => (s.trimEnd().endsWith(';') ? s : `${s};`);

function printMigrate(ctx: Context, result: MigrateResult): void {
  const { output } = ctx;
  const already = result.plan.migrations.filter((m) => m.state === 'applied').length;
  if (result.dryRun) {
    if (!output.json) {
      for (const file of result.plan.pending.filter((f) => result.applied.includes(f.tag))) {
        const mode = file.transactional ? 'runs in one transaction' : 'runs without a transaction';
        output.text(`-- ${file.tag}.sql (${mode})\n${file.statements.map(withSemicolon).join('\n\n')}\n`);
      }
      for (const down of result.downs) {
        output.text(`-- ${DOWN_FOLDER}/${down.tag}.down.sql (runs in one transaction)\n${down.steps.map((s) => withSemicolon(s.sql)).join('\n\n')}\n`);
      }
    }
    const lossy = result.downs.flatMap((d) => d.steps).filter((step) => step.irreversible).length;
    const needs = lossy > 0 ? ` (${lossy} step(s) marked ecomdb:irreversible lose data: the run needs --force)` : '';
    const undo = result.reverted.length > 0 ? `, ${result.reverted.length} would be undone${needs}` : '';
    output.info(`dry run on ${result.target}: ${result.applied.length} migration(s) would be applied${undo}, ${already} already applied; nothing ran`);
  } else if (result.reverted.length > 0) {
    output.success(`undid ${result.reverted.length} migration(s) on ${result.target} in ${(result.ms / 1000).toFixed(1)}s: ${result.reverted.join(', ')}`);
  } else if (result.applied.length === 0) {
    output.success(`nothing to apply on ${result.target}: all ${already} migration(s) already applied${result.waited ? ' (by a concurrent run)' : ''}`);
  } else {
    output.success(`applied ${result.applied.length} migration(s) to ${result.target} in ${(result.ms / 1000).toFixed(1)}s`);
  }
  output.data({
    target: result.target,
    dryRun: result.dryRun,
    applied: result.applied,
    reverted: result.reverted,
    alreadyApplied: result.dryRun ? already : already - result.applied.length,
    waitedForLock: result.waited,
    ms: result.ms,
    ...(result.dryRun
      ? {
          sql: result.plan.pending.filter((f) => result.applied.includes(f.tag)).map((f) => ({ file: `${f.tag}.sql`, transactional: f.transactional, statements: f.statements })),
          downSql: result.downs.map((d) => ({ file: `${DOWN_FOLDER}/${d.tag}.down.sql`, steps: d.steps })),
        }
      : {}),
  });
}

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('apply the pending migrations, one transaction per file, under an advisory lock')
    .option('--dry-run', 'print the SQL that would run, run nothing')
    .option('--lock-timeout <duration>', 'give up a statement that waits longer than this for a table lock (e.g. 5s; ms, s, min, h, d up to 24d; 0: no limit)')
    .option('--statement-timeout <duration>', 'give up a statement that runs longer than this (e.g. 15min; up to 24d; 0: no limit)')
    .option('--wait <seconds>', 'how long to wait for another migrate to finish', '300')
    .option('--to <tag>', `go up or down to this migration (its tag, e.g. 0005_schema; ${NO_MIGRATION}: undo every migration)`)
    .option('--force', 'going down, run the steps that lose data (dropped tables and columns, narrowing type changes) instead of refusing')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb migrate                               # the embedded database in ./.ecomdb
  $ ecomdb migrate --url postgres://postgres@localhost/shop
  $ DATABASE_URL=postgres://... ecomdb migrate --dry-run > pending.sql
  $ ecomdb migrate --lock-timeout 5s --statement-timeout 10min --json
  $ ecomdb migrate --to 0005_schema              # up to it, or down to it with migrations/down/
  $ ecomdb migrate --to 0002_comments --dry-run  # print the down files that would run, runs nothing

A file whose first line is "-- ecomdb:no-transaction" runs outside a transaction
(for CREATE INDEX CONCURRENTLY); every other file runs in one transaction, and is refused
before anything runs if it holds BEGIN, COMMIT, ROLLBACK, SAVEPOINT or the like.
Going down runs migrations/down/<tag>.down.sql of each migration after the target, newest
first, each in one transaction with the removal of its history row; a step that loses data is
refused (E_MIGRATION_IRREVERSIBLE, exit 4, with the reason) unless --force.
Ctrl-C stops after saying what stays applied; the file in flight is rolled back (exit 130).`,
    )
    .action(async (flags: MigrateFlags, command: Command) => {
      const ctx = contextOf(command);
      const track = new MigrateTracker();
      const options = runOptions(ctx, flags, track);
      const files = readMigrations(ctx.migrationsDir);
      if (flags.to !== undefined) {
        targetIndex(files, flags.to);
        options.downs = readDownMigrations(ctx.migrationsDir, files);
      } else if (flags.force) {
        throw new EcomdbError('E_USAGE', '--force only applies when going down with --to', { hint: 'add --to TAG, or drop --force' });
      }
      // A dry run only reads: it must not leave a new store behind.
      const db = await openTarget(ctx.target, { create: !flags.dryRun });
      const stopListening = onInterrupt(() => ctx.output.warn(track.interruption()));
      try {
        printMigrate(ctx, await migrateOpen(db, files, options));
      } finally {
        stopListening();
        await db.close();
      }
    });
}

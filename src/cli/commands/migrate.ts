/** `ecomdb migrate`: apply pending migrations, safely (see src/migrations/run.ts). */
import { Command } from 'commander';
import { openTarget } from '../../db/open.ts';
import type { Database } from '../../db/types.ts';
import { readMigrations, type MigrationFile } from '../../migrations/files.ts';
import { keptOfNoTransactionFile, runMigrations, type RunOptions, type RunResult } from '../../migrations/run.ts';
import { contextOf, type Context } from '../context.ts';
import { runOptions, type MigrateFlags, type MigrateListener } from '../flags.ts';
import { onInterrupt } from '../../signals.ts';

type MigrateResult = RunResult & { target: string; ms: number };

/** Where a run is, so that an interruption can say what it leaves behind. */
class MigrateTracker implements MigrateListener {
  private readonly done: string[] = [];
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

  /** One line: what was interrupted and what the database holds now. */
  interruption(): string {
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
      for (const file of result.plan.pending) {
        const mode = file.transactional ? 'runs in one transaction' : 'runs without a transaction';
        output.text(`-- ${file.tag}.sql (${mode})\n${file.statements.map(withSemicolon).join('\n\n')}\n`);
      }
    }
    output.info(`dry run on ${result.target}: ${result.applied.length} migration(s) would be applied, ${already} already applied; nothing ran`);
  } else if (result.applied.length === 0) {
    output.success(`nothing to apply on ${result.target}: all ${already} migration(s) already applied${result.waited ? ' (by a concurrent run)' : ''}`);
  } else {
    output.success(`applied ${result.applied.length} migration(s) to ${result.target} in ${(result.ms / 1000).toFixed(1)}s`);
  }
  output.data({
    target: result.target,
    dryRun: result.dryRun,
    applied: result.applied,
    alreadyApplied: result.dryRun ? already : already - result.applied.length,
    waitedForLock: result.waited,
    ms: result.ms,
    ...(result.dryRun
      ? { sql: result.plan.pending.map((f) => ({ file: `${f.tag}.sql`, transactional: f.transactional, statements: f.statements })) }
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
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb migrate                               # the embedded database in ./.ecomdb
  $ ecomdb migrate --url postgres://postgres@localhost/shop
  $ DATABASE_URL=postgres://... ecomdb migrate --dry-run > pending.sql
  $ ecomdb migrate --lock-timeout 5s --statement-timeout 10min --json

A file whose first line is "-- ecomdb:no-transaction" runs outside a transaction
(for CREATE INDEX CONCURRENTLY); every other file runs in one transaction, and is refused
before anything runs if it holds BEGIN, COMMIT, ROLLBACK, SAVEPOINT or the like.
Ctrl-C stops after saying what stays applied; the file in flight is rolled back (exit 130).`,
    )
    .action(async (flags: MigrateFlags, command: Command) => {
      const ctx = contextOf(command);
      const track = new MigrateTracker();
      const options = runOptions(ctx, flags, track);
      const files = readMigrations(ctx.migrationsDir);
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

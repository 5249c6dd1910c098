/** `ecomdb migrate`: apply pending migrations, safely (see src/migrations/run.ts). */
import { Command } from 'commander';
import { openTarget } from '../../db/open.ts';
import type { Database } from '../../db/types.ts';
import { readMigrations, type MigrationFile } from '../../migrations/files.ts';
import { runMigrations, type RunOptions, type RunResult } from '../../migrations/run.ts';
import { contextOf, type Context } from '../context.ts';
import * as parse from '../options.ts';

export interface MigrateFlags {
  dryRun?: boolean;
  lockTimeout?: string;
  statementTimeout?: string;
  wait?: string;
}

export type MigrateResult = RunResult & { target: string; ms: number };

/** Validate the flags before anything connects. */
export function runOptions(ctx: Context, flags: MigrateFlags): RunOptions {
  return {
    dryRun: flags.dryRun,
    lockTimeout: flags.lockTimeout === undefined ? undefined : parse.duration(flags.lockTimeout, '--lock-timeout'),
    statementTimeout: flags.statementTimeout === undefined ? undefined : parse.duration(flags.statementTimeout, '--statement-timeout'),
    waitMs: flags.wait === undefined ? undefined : parse.seconds(flags.wait, '--wait'),
    onMigration: (f) =>
      ctx.output.step(`applying ${f.tag} (${f.statements.length} statements${f.transactional ? '' : ', no transaction'})`),
  };
}

/** Migrate an open database. Shared with `ecomdb up`. */
export async function migrateOpen(db: Database, files: readonly MigrationFile[], options: RunOptions): Promise<MigrateResult> {
  const started = Date.now();
  const result = await runMigrations(db, files, options);
  return { ...result, target: db.label, ms: Date.now() - started };
}

const withSemicolon = (s: string) => (s.trimEnd().endsWith(';') ? s : `${s};`);

export function printMigrate(ctx: Context, result: MigrateResult): void {
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
before anything runs if it holds BEGIN, COMMIT, ROLLBACK, SAVEPOINT or the like.`,
    )
    .action(async (flags: MigrateFlags, command: Command) => {
      const ctx = contextOf(command);
      const options = runOptions(ctx, flags);
      const files = readMigrations(ctx.migrationsDir);
      const db = await openTarget(ctx.target);
      try {
        printMigrate(ctx, await migrateOpen(db, files, options));
      } finally {
        await db.close();
      }
    });
}

/** `ecomdb up`: the main job in one command: migrate the target and show what exists. */
import { Command } from 'commander';
import { openTarget } from '../../db/open.ts';
import { summarize } from '../../summary.ts';
import { contextOf } from '../context.ts';
import { readMigrations } from '../../migrations/files.ts';
import { migrateOpen, runOptions, type MigrateFlags } from './migrate.ts';

export function upCommand(): Command {
  return new Command('up')
    .description('bring the database up: migrate it, then print what exists (the embedded database by default)')
    .option('--lock-timeout <duration>', 'as for migrate')
    .option('--statement-timeout <duration>', 'as for migrate')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb up                                  # nothing installed: embedded PostgreSQL in ./.ecomdb
  $ ecomdb up --url postgres://postgres@localhost/shop --json`,
    )
    .action(async (flags: MigrateFlags, command: Command) => {
      const ctx = contextOf(command);
      const { output } = ctx;
      const options = runOptions(ctx, flags);
      const files = readMigrations(ctx.migrationsDir);
      const db = await openTarget(ctx.target);
      let components;
      let migrated;
      try {
        migrated = await migrateOpen(db, files, options);
        output.success(
          migrated.applied.length > 0
            ? `applied ${migrated.applied.length} migration(s) in ${(migrated.ms / 1000).toFixed(1)}s`
            : 'schema already up to date',
        );
        components = await db.session(summarize);
      } finally {
        await db.close();
      }
      const tables = components.reduce((n, c) => n + c.tables.length, 0);
      output.info(`${db.label}: ${components.length} components, ${tables} tables`);
      output.table(
        ['component', 'schema', 'tables', 'rows'],
        components.map((c) => [c.title, c.schema, String(c.tables.length), String(c.tables.reduce((n, t) => n + t.rows, 0))]),
      );
      output.info(`next: ${output.color.bold('ecomdb sql')} to read the DDL, ${output.color.bold('ecomdb status')} for the migration history`);
      output.data({ target: db.label, applied: migrated.applied, components });
    });
}

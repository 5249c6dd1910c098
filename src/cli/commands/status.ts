/** `ecomdb status`: which migrations are applied, pending, or modified since they were applied. */
import { Command } from 'commander';
import { openTarget } from '../../db/open.ts';
import { readMigrations } from '../../migrations/files.ts';
import { EcomdbError, EXIT } from '../../errors.ts';
import { planError } from '../../migrations/plan.ts';
import { migrationStatus } from '../../migrations/run.ts';
import { contextOf } from '../context.ts';

export function statusCommand(): Command {
  return new Command('status')
    .description('list the migrations and whether each is applied, pending or modified')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb status
  $ ecomdb status --url postgres://postgres@localhost/shop --json

Exits ${EXIT.history} (E_MIGRATION_MODIFIED, E_MIGRATION_OUT_OF_ORDER, E_MIGRATION_UNKNOWN,
E_MIGRATION_TRANSACTION_CONTROL) when the history and the files disagree or a pending file
cannot run safely, so CI can block the change.`,
    )
    .action(async (_options: unknown, command: Command) => {
      const { target, migrationsDir, output } = contextOf(command);
      const files = readMigrations(migrationsDir);
      const db = await openTarget(target, { create: false });
      let plan;
      try {
        plan = await migrationStatus(db, files);
      } finally {
        await db.close();
      }
      output.info(`migrations of ${db.label}:`);
      output.table(
        ['migration', 'state', 'statements'],
        plan.migrations.map((m) => [m.tag, m.state, String(m.statements)]),
      );
      const count = (state: string) => plan.migrations.filter((m) => m.state === state).length;
      output.info(`${count('applied')} applied, ${count('pending')} pending, ${plan.problems.length} problem(s)`);
      const report = { target: db.label, migrations: plan.migrations, problems: plan.problems };
      const error = planError(plan);
      // One JSON document on stdout either way: on a problem, the error carries the report.
      if (!error) return output.data(report);
      throw new EcomdbError(error.code, error.message, { hint: error.hint, details: { ...error.details, ...report }, cause: error });
    });
}

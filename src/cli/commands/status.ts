/** `ecomdb status`: which migrations are applied, pending, or modified since they were applied. */
import { Command } from 'commander';
import { openTarget } from '../../db/open.ts';
import { readMigrations } from '../../migrations/files.ts';
import { EcomdbError, EXIT } from '../../errors.ts';
import { planError } from '../../migrations/plan.ts';
import { readHistory } from '../../migrations/run.ts';
import { checkError, checkHistory } from '../../migrations/check.ts';
import { contextOf } from '../context.ts';

export function statusCommand(): Command {
  return new Command('status')
    .description('list the migrations and whether each is applied, pending or modified')
    .option('--check', `exit ${EXIT.status} unless the database is on the latest migration (behind: pending files; ahead: newer migrations recorded)`)
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb status
  $ ecomdb status --url postgres://postgres@localhost/shop --json
  $ ecomdb status --check --url "$DATABASE_URL"   # in a deploy script: is the database current?

Exits ${EXIT.history} (E_MIGRATION_MODIFIED, E_MIGRATION_OUT_OF_ORDER, E_MIGRATION_UNKNOWN,
E_MIGRATION_TRANSACTION_CONTROL) when the history and the files disagree or a pending file
cannot run safely, so CI can block the change. With --check, also exits ${EXIT.status} (E_STATUS_BEHIND,
E_STATUS_AHEAD) when migrations are pending, or when the database records migrations newer
than every file (a newer version migrated it).`,
    )
    .action(async (flags: { check?: boolean }, command: Command) => {
      const { target, migrationsDir, output } = contextOf(command);
      const files = readMigrations(migrationsDir);
      const db = await openTarget(target, { create: false });
      let check;
      try {
        check = checkHistory(files, await db.session((s) => readHistory(s)));
      } finally {
        await db.close();
      }
      const { plan } = check;
      output.info(`migrations of ${db.label}:`);
      output.table(
        ['migration', 'state', 'statements'],
        plan.migrations.map((m) => [m.tag, m.state, String(m.statements)]),
      );
      const count = (state: string) => plan.migrations.filter((m) => m.state === state).length;
      output.info(`${count('applied')} applied, ${count('pending')} pending, ${plan.problems.length} problem(s)${flags.check ? `: ${check.state}` : ''}`);
      const report = { target: db.label, state: check.state, migrations: plan.migrations, problems: plan.problems };
      const error = flags.check ? checkError(check, db.label) : planError(plan);
      // One JSON document on stdout either way: on a problem, the error carries the report.
      if (!error) return output.data(report);
      throw new EcomdbError(error.code, error.message, { hint: error.hint, details: { ...error.details, ...report }, cause: error });
    });
}

/** `ecomdb generate`: write the migrations for a changed schema source (developers of ecomdb). */
import { Command } from 'commander';
import { generateMigrations } from '../../generate/run.ts';
import { contextOf } from '../context.ts';

export function generateCommand(): Command {
  return new Command('generate')
    .description('write new migrations for changes to schema/ (drizzle-kit, then ecomdb\'s reference rows and comments), and the down file of every migration')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb generate                       # after editing schema/*.ts; commit what it writes
  $ ecomdb generate --migrations /tmp/m   # into another folder

It also writes down/<tag>.down.sql for every migration (what ecomdb migrate --to runs going
down): drizzle-kit's diff from the migration's snapshot back to the previous one, and the undoing
of ecomdb's comments, reference rows and views. A step that loses data is marked
"-- ecomdb:irreversible <reason>".`,
    )
    .action((_options: unknown, command: Command) => {
      const { migrationsDir, output } = contextOf(command);
      const { created, down } = generateMigrations(migrationsDir);
      if (created.length === 0 && down.length === 0) output.success('migrations are up to date with the schema source');
      for (const file of [...created, ...down]) output.success(`wrote ${file}`);
      output.data({ created, down });
    });
}

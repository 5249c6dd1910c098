/** `ecomdb generate`: write the migrations for a changed schema source (developers of ecomdb). */
import { Command } from 'commander';
import { generateMigrations } from '../../generate/run.ts';
import { contextOf } from '../context.ts';

export function generateCommand(): Command {
  return new Command('generate')
    .description('write new migrations for changes to schema/ (drizzle-kit, then ecomdb\'s reference rows and comments)')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb generate                       # after editing schema/*.ts; commit what it writes
  $ ecomdb generate --migrations /tmp/m   # into another folder`,
    )
    .action((_options: unknown, command: Command) => {
      const { migrationsDir, output } = contextOf(command);
      const { created } = generateMigrations(migrationsDir);
      if (created.length === 0) output.success('migrations are up to date with the schema source');
      for (const file of created) output.success(`wrote ${file}`);
      output.data({ created });
    });
}

/** `ecomdb sql`: print the complete DDL, grouped by component, for reading. */
import { Command } from 'commander';
import { ddlSections, renderDdl } from '../../ddl.ts';
import { EcomdbError } from '../../errors.ts';
import { readMigrations } from '../../migrations/files.ts';
import { contextOf } from '../context.ts';

export function sqlCommand(): Command {
  return new Command('sql')
    .description('print the complete DDL of the schema (all components, or one), in the order it runs')
    .option('--component <name>', 'only this component: its schema name, e.g. order_processing')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb sql > schema.sql
  $ ecomdb sql --component order_processing | less`,
    )
    .action((options: { component?: string }, command: Command) => {
      const { migrationsDir, output } = contextOf(command);
      let sections = ddlSections(readMigrations(migrationsDir));
      if (options.component) {
        const wanted = options.component.replaceAll('-', '_').toLowerCase();
        sections = sections.filter((s) => s.schema === wanted);
        if (sections.length === 0) {
          const names = ddlSections([]).map((s) => s.schema).join(', ');
          throw new EcomdbError('E_USAGE', `no component "${options.component}"`, { hint: `use one of: ${names}` });
        }
      }
      if (output.json) output.data({ sections });
      else output.text(renderDdl(sections));
    });
}

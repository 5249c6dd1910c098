/** `ecomdb replica down --local`: stop and remove the local read layer. */
import { Command } from 'commander';
import { DEFAULT_PG_BIN, labDown } from '../../../replica/local.ts';
import { contextOf } from '../../context.ts';
import { dirOption, requireLocal } from './common.ts';

export function down(): Command {
  return new Command('down')
    .description('stop every cluster of the local read layer and remove its folder')
    .option('--local', 'the read layer built by replica up --local (required)')
    .addOption(dirOption())
    .option('--pg-bin <dir>', 'PostgreSQL programs, if the state file is unreadable', DEFAULT_PG_BIN)
    .addHelpText('after', '\nExamples:\n  $ ecomdb replica down --local\n  $ ecomdb replica down --local --dir /tmp/ecomdb-lab')
    .action(async (flags: { local?: boolean; dir: string; pgBin: string }, command: Command) => {
      requireLocal(flags.local, 'down');
      const { output } = contextOf(command);
      const result = await labDown(flags.dir, flags.pgBin);
      if (!result.removed) output.success(`nothing to remove: ${result.dir} does not exist`);
      else output.success(`stopped ${result.stopped.length} cluster(s) and removed ${result.dir}`);
      output.data(result);
    });
}

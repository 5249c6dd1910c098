/** `ecomdb partition detach <region>`: a site's partitions become stand-alone tables. */
import { Command } from 'commander';
import { regionTables } from '../../../partition/catalog.ts';
import { checkSite, checkToTable, detachSitePlan } from '../../../partition/plan.ts';
import { contextOf, type Context } from '../../context.ts';
import { lockTimeoutOption, printRun, runPlanner, type PartitionRun } from './common.ts';

export function collect(context: Context, region: string, flags: { toTable?: string; lockTimeout: string }): Promise<PartitionRun> {
  const site = checkSite(region);
  if (flags.toTable !== undefined) checkToTable(flags.toTable, site, regionTables().map((t) => t.split('.')[1]!));
  return runPlanner(context, `partition detach ${site}`, (s) => detachSitePlan(s, site, flags.toTable), flags.lockTimeout);
}

export function detach(): Command {
  return new Command('detach')
    .description("take a site's partitions out of the live tables, as stand-alone tables (for archiving or a server of its own)")
    .argument('<region>', 'site id, e.g. MCO')
    .option('--to-table <name>', 'name of each detached table; {table} and {region} are replaced (default: the partition name, e.g. orders_mco)')
    .addOption(lockTimeoutOption())
    .action(async (region: string, flags: { toTable?: string; lockTimeout: string }, command: Command) => {
      const context = contextOf(command);
      printRun(context.output, await collect(context, region, flags));
    });
}

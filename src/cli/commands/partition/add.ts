/** `ecomdb partition add <region>`: a site gets its own partitions. */
import { Command } from 'commander';
import { addSitePlan, checkSite } from '../../../partition/plan.ts';
import { contextOf, type Context } from '../../context.ts';
import { lockTimeoutOption, printRun, runPlanner, today, type PartitionRun } from './common.ts';

export function collect(context: Context, region: string, flags: { lockTimeout: string }): Promise<PartitionRun> {
  const site = checkSite(region);
  return runPlanner(context, `partition add ${site}`, (s) => addSitePlan(s, site, { month: today() }), flags.lockTimeout);
}

export function add(): Command {
  return new Command('add')
    .description("give a site its own partitions, moving its rows out of DEFAULT (strong locks only for the short attach phase)")
    .argument('<region>', 'site id, e.g. MLC')
    .addOption(lockTimeoutOption())
    .action(async (region: string, flags: { lockTimeout: string }, command: Command) => {
      const context = contextOf(command);
      printRun(context.output, await collect(context, region, flags));
    });
}

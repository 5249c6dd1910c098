/** `ecomdb partition add <region>`: a site gets its own partitions. */
import { Command } from 'commander';
import { addSitePlan, checkSite } from '../../../partition/plan.ts';
import { execute, lockTimeoutOption, today } from './common.ts';

export function add(): Command {
  return new Command('add')
    .description("give a site its own partitions, moving its rows out of DEFAULT (strong locks only for the short attach phase)")
    .argument('<region>', 'site id, e.g. MLC')
    .addOption(lockTimeoutOption())
    .action(async (region: string, flags: { lockTimeout: string }, command: Command) => {
      const site = checkSite(region);
      await execute(command, `partition add ${site}`, (s) => addSitePlan(s, site, { month: today() }), flags.lockTimeout);
    });
}

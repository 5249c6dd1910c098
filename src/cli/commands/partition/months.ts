/** `ecomdb partition months`: month partitions from now to N months ahead. */
import { Command } from 'commander';
import { PARTITION_LAYOUT } from '../../../../schema/partitions.ts';
import { monthsPlan } from '../../../partition/plan.ts';
import { contextOf, type Context } from '../../context.ts';
import * as parse from '../../options.ts';
import { lockTimeoutOption, printRun, runPlanner, today, type PartitionRun } from './common.ts';

export function collect(context: Context, flags: { ahead: string; lockTimeout: string }): Promise<PartitionRun> {
  const ahead = parse.integer(flags.ahead, '--ahead', { min: 0, max: 120, example: 3 });
  return runPlanner(context, `partition months --ahead ${ahead}`, (s) => monthsPlan(s, { month: today(), ahead }), flags.lockTimeout);
}

export function months(): Command {
  return new Command('months')
    .description('create the month partitions from the current month to N months ahead (idempotent)')
    .option('--ahead <n>', 'months after the current one', String(PARTITION_LAYOUT.monthsAhead))
    .addOption(lockTimeoutOption())
    .action(async (flags: { ahead: string; lockTimeout: string }, command: Command) => {
      const context = contextOf(command);
      printRun(context.output, await collect(context, flags));
    });
}

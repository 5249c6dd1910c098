/** `ecomdb partition months`: month partitions from now to N months ahead. */
import { Command } from 'commander';
import { PARTITION_LAYOUT } from '../../../../schema/partitions.ts';
import { EcomdbError } from '../../../errors.ts';
import { monthsPlan } from '../../../partition/plan.ts';
import { contextOf, type Context } from '../../context.ts';
import { lockTimeoutOption, printRun, runPlanner, today, type PartitionRun } from './common.ts';

export function collect(context: Context, flags: { ahead: string; lockTimeout: string }): Promise<PartitionRun> {
  const ahead = Number(flags.ahead);
  if (!Number.isInteger(ahead) || ahead < 0 || ahead > 120) {
    throw new EcomdbError('E_USAGE', `--ahead "${flags.ahead}" is not a number of months from 0 to 120`, { hint: 'use a value like 3' });
  }
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

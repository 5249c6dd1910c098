/** `ecomdb partition apply`: turn the migrated database into the declared layout. */
import { Command } from 'commander';
import { applyPlan } from '../../../partition/plan.ts';
import { contextOf, type Context } from '../../context.ts';
import { lockTimeoutOption, printRun, runPlanner, today, type PartitionRun } from './common.ts';

export function collect(context: Context, flags: { lockTimeout: string }): Promise<PartitionRun> {
  return runPlanner(context, 'partition apply', (s) => applyPlan(s, { month: today() }), flags.lockTimeout);
}

export function apply(): Command {
  return new Command('apply')
    .description('turn the migrated database into the declared layout (idempotent; one transaction; rows, keys, indexes, comments, grants kept)')
    .addOption(lockTimeoutOption())
    .action(async (flags: { lockTimeout: string }, command: Command) => {
      const context = contextOf(command);
      printRun(context.output, await collect(context, flags));
    });
}

/** `ecomdb partition apply`: turn the migrated database into the declared layout. */
import { Command } from 'commander';
import { applyPlan } from '../../../partition/plan.ts';
import { execute, lockTimeoutOption, today } from './common.ts';

export function apply(): Command {
  return new Command('apply')
    .description('turn the migrated database into the declared layout (idempotent; one transaction; rows, keys, indexes, comments, grants kept)')
    .addOption(lockTimeoutOption())
    .action(async (flags: { lockTimeout: string }, command: Command) => {
      await execute(command, 'partition apply', (s) => applyPlan(s, { month: today() }), flags.lockTimeout);
    });
}

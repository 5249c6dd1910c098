/** `ecomdb partition ...`: generate, plan, apply and manage the geographic and monthly partitions. */
import { Command } from 'commander';
import { EXIT } from '../../../errors.ts';
import { add } from './add.ts';
import { apply } from './apply.ts';
import { detach } from './detach.ts';
import { explain } from './explain.ts';
import { generate } from './generate.ts';
import { list } from './list.ts';
import { months } from './months.ts';
import { plan } from './plan.ts';

export function partitionCommand(): Command {
  const root = new Command('partition')
    .description('geographic (LIST by site) and monthly (RANGE) partitions, declared in schema/partitions.ts')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb partition generate --check                # in CI: partitions/ is a fresh generation
  $ ecomdb partition plan                            # the SQL apply would run here, not run
  $ ecomdb partition apply                           # idempotent; one transaction
  $ ecomdb partition add MLC                         # MLC gets its own partitions
  $ ecomdb partition detach MCO --to-table {table}_mco_archive
  $ ecomdb partition months --ahead 6
  $ ecomdb partition list --json
  $ ecomdb partition explain "SELECT * FROM order_processing.orders WHERE region = 'MLA'"

Exits ${EXIT.usage} for an unknown region or bad option, ${EXIT.partition} when the database is not in a state
the command can work from or a step failed (everything rolled back), ${EXIT.history} for a stale partitions/.`,
    );
  for (const sub of [generate(), plan(), apply(), add(), detach(), months(), list(), explain()]) root.addCommand(sub);
  return root;
}

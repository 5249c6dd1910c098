/** `ecomdb partition plan`: the SQL apply would run here, not run. */
import { Command } from 'commander';
import { applyPlan, type PartitionPlan } from '../../../partition/plan.ts';
import { renderPlan } from '../../../partition/render.ts';
import { snapshotOf } from '../../../partition/run.ts';
import { contextOf, type Context } from '../../context.ts';
import { migrated, today, withDb } from './common.ts';

export async function collect(context: Context): Promise<PartitionPlan> {
  const snapshot = await withDb(context, snapshotOf);
  return migrated((x) => applyPlan(x, { month: today() }))(snapshot);
}

export function plan(): Command {
  return new Command('plan')
    .description('print the SQL `partition apply` would run against the database, without running it')
    .action(async (_flags: unknown, command: Command) => {
      const context = contextOf(command);
      const p = await collect(context);
      for (const note of p.notes) context.output.warn(note);
      if (context.output.json) context.output.data({ kind: p.kind, steps: p.steps, notes: p.notes });
      else context.output.text(renderPlan(p, [`The plan of \`ecomdb partition apply\` for this database, today (${today()}).`, '']));
      context.output.info(p.steps.length === 0 ? 'nothing to do: the database has the declared layout' : `${p.steps.length} step(s)`);
    });
}

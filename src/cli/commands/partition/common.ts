/** What the partition subcommands share: opening the target, the migrated check, running a planner and reporting it. */
import { Option } from 'commander';
import { openTarget } from '../../../db/open.ts';
import type { Database } from '../../../db/types.ts';
import { EcomdbError } from '../../../errors.ts';
import { regionTables } from '../../../partition/catalog.ts';
import { monthOf } from '../../../partition/months.ts';
import type { PartitionPlan } from '../../../partition/plan.ts';
import { DEFAULT_LOCK_TIMEOUT, runPartition, type Planner, type RunReport } from '../../../partition/run.ts';
import type { Context } from '../../context.ts';
import * as parse from '../../options.ts';
import type { Output } from '../../output.ts';
import { assertSeedFinished } from '../../../seed/marker.ts';

export async function withDb<T>(context: Context, work: (db: Database) => Promise<T>): Promise<T> {
  // Every partition command needs a migrated database: none creates a store.
  const db = await openTarget(context.target, { create: false });
  try {
    // A seed that did not finish has dropped keys and indexes a partition step would copy or miss.
    await db.session(assertSeedFinished);
    return await work(db);
  } finally {
    await db.close();
  }
}

export const today = () => monthOf(new Date());

export function lockTimeoutOption() {
  return new Option('--lock-timeout <duration>', 'give up (and change nothing) when a lock is not granted within this time').default(DEFAULT_LOCK_TIMEOUT);
}

/**
 * A database without the region-scoped tables is not "already in the layout": it was never
 * migrated (or is another database), and every command says so instead of finding nothing to do.
 */
export function requireMigrated(found: readonly string[]): void {
  const declared = regionTables();
  const missing = declared.filter((t) => !found.includes(t));
  if (missing.length > 0) {
    throw new EcomdbError('E_PARTITION_STATE', `the database is not migrated: ${missing.length} of the ${declared.length} region-scoped tables are missing (${missing[0]}${missing.length > 1 ? ', ...' : ''})`, {
      hint: 'run `ecomdb migrate` (or `ecomdb up`) first, or check --url',
      details: { missing },
    });
  }
}

export const migrated = (planner: Planner): Planner => (snapshot) => {
  requireMigrated(snapshot.tables.map((t) => t.id));
  return planner(snapshot);
};

/** What apply, add, detach and months did: the plan they ran and how long it took. */
export interface PartitionRun {
  readonly verb: string;
  readonly plan: PartitionPlan;
  readonly report: RunReport;
}

/** Plan and run in one transaction; shared by apply, add, detach and months. */
export async function runPlanner(context: Context, verb: string, planner: Planner, lockTimeout: string): Promise<PartitionRun> {
  const { output } = context;
  const timeout = parse.duration(lockTimeout, '--lock-timeout');
  const { plan, report } = await withDb(context, (db) =>
    runPartition(db, migrated(planner), {
      label: verb,
      lockTimeout: timeout,
      hooks: { onStep: (step, i, total) => output.debug(`[${i + 1}/${total}] ${step.title}`) },
    }),
  );
  return { verb, plan, report };
}

export function printRun(output: Output, { verb, plan, report }: PartitionRun): void {
  for (const note of plan.notes) output.warn(note);
  const ms = (n: number | undefined) => `${Math.round(n ?? 0)} ms`;
  if (plan.steps.length === 0) output.success(`${verb}: nothing to do`);
  else if (plan.kind === 'add') {
    output.success(`${verb}: ${plan.steps.length} step(s), ${report.statements} statement(s) in ${ms(report.totalMs)}; rows moved with only DEFAULT locked in ${ms(report.phaseMs.move)}, strong locks held for ${ms(report.phaseMs.attach)}`);
  } else output.success(`${verb}: ${plan.steps.length} step(s), ${report.statements} statement(s) in ${ms(report.totalMs)}`);
  output.data({ kind: plan.kind, steps: plan.steps.map((s) => ({ title: s.title, phase: s.phase, statements: s.sql.length })), notes: plan.notes, report });
}

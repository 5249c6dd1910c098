/**
 * `ecomdb up`: the main job in one command: migrate the target, partition it as declared in
 * schema/partitions.ts, seed it when it is empty, verify it, and show what exists. On the
 * embedded default it needs nothing but `npm install`.
 */
import { Command } from 'commander';
import { COMPONENTS } from '../../../schema/index.ts';
import { openTarget } from '../../db/open.ts';
import { EcomdbError } from '../../errors.ts';
import { readMigrations } from '../../migrations/files.ts';
import { runMigrations } from '../../migrations/run.ts';
import { monthOf } from '../../partition/months.ts';
import { applyPlan } from '../../partition/plan.ts';
import { runPartition } from '../../partition/run.ts';
import { summarize } from '../../summary.ts';
import { runRules, selectRules } from '../../verify/run.ts';
import { Progress } from '../progress.ts';
import { contextOf } from '../context.ts';
import { DEFAULT_REGIONS, runOptions, seedOptions, type MigrateFlags } from '../flags.ts';
import { assertSeedFinished } from '../../seed/marker.ts';

interface UpFlags extends MigrateFlags {
  seed: boolean;
  partition: boolean;
  scale: string;
  jobs?: string;
}

export function upCommand(): Command {
  return new Command('up')
    .description('bring the database up: migrate, seed when empty, verify, and print what exists (embedded by default)')
    .option('--no-seed', 'migrate and verify only; load no data')
    .option('--no-partition', 'keep plain tables (by default the region-scoped tables are partitioned by site and month)')
    .option('--scale <n>', 'seed size when the database is empty (as for seed)', '1')
    .option('--jobs <n>', 'lanes of the seed on a server (as for seed)')
    .option('--lock-timeout <duration>', 'as for migrate')
    .option('--statement-timeout <duration>', 'as for migrate')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb up                                  # nothing installed: embedded PostgreSQL in ./.ecomdb
  $ ecomdb up --url postgres://postgres@localhost/shop --scale 5 --json
  $ ecomdb up --no-seed                        # schema only
  $ ecomdb up --no-partition                   # plain tables; ecomdb partition apply later

A database that already holds data is not seeded again (use ecomdb seed --truncate for that).`,
    )
    .action(async (flags: UpFlags, command: Command) => {
      const ctx = contextOf(command);
      const { output } = ctx;
      const options = runOptions(ctx, flags);
      const seeding = flags.seed ? seedOptions({ scale: flags.scale, jobs: flags.jobs, seed: '1', regions: DEFAULT_REGIONS.join(','), days: '180', check: true }) : null;
      const files = readMigrations(ctx.migrationsDir);
      if (seeding) await (await import('../../seed/size.ts')).assertSeedFits(ctx.target, seeding);
      const db = await openTarget(ctx.target, { create: true });
      let components;
      let migrated;
      let seeded: { rows: number; ms: number } | 'skipped' | null = null;
      let partitioned: { steps: number } | null = null;
      let failing: string[] = [];
      try {
        await db.session(assertSeedFinished);
        const started = Date.now();
        migrated = { ...(await runMigrations(db, files, options)), ms: Date.now() - started };
        output.success(
          migrated.applied.length > 0 ? `applied ${migrated.applied.length} migration(s) in ${(migrated.ms / 1000).toFixed(1)}s` : 'schema already up to date',
        );
        if (flags.partition) {
          // Before the seed: partitioning an empty database is quick, and the seed fills the partitions.
          const { plan, report } = await runPartition(db, (snapshot) => applyPlan(snapshot, { month: monthOf(new Date()) }));
          partitioned = { steps: plan.steps.length };
          output.success(plan.steps.length === 0 ? 'partitions already as declared' : `partitioned by site and month (${plan.steps.length} steps) in ${(report.totalMs / 1000).toFixed(1)}s`);
        }
        if (seeding) {
          const { seedDatabase } = await import('../../seed/load.ts');
          const progress = new Progress(output, { everyMs: ctx.env.progressEveryMs });
          try {
            output.step(`seeding: scale ${seeding.scale}, seed ${seeding.seed}`);
            const result = await seedDatabase(db, files, { ...seeding, ...progress.seedCallbacks(), onPhase: (phase) => output.step(phase) });
            seeded = { rows: result.rows, ms: result.ms };
            output.success(`seeded ${result.rows.toLocaleString('en-US')} rows in ${(result.ms / 1000).toFixed(1)}s`);
          } catch (error) {
            if (!(error instanceof EcomdbError && error.code === 'E_SEED_NOT_EMPTY')) throw error;
            seeded = 'skipped';
            output.info('data already present: not seeded again');
          } finally {
            progress.stop();
          }
        }
        const schemas = COMPONENTS.map((c) => c.schema.schemaName);
        // The seed has just run the data rules before its commit: do not run them twice.
        const rules = seeded && seeded !== 'skipped' ? selectRules([], ['data']) : selectRules();
        const results = await db.session((s) => runRules(s, rules, schemas, 5));
        failing = results.filter((r) => r.severity === 'error' && r.offenders > 0).map((r) => r.id);
        const dataNote = rules.length < selectRules().length ? ' (the data rules ran in the seed, before its commit)' : '';
        if (failing.length === 0) output.success(`verify: ${results.length} rules clean${dataNote}`);
        else output.warn(`verify: ${failing.length} rule(s) fail: ${failing.join(', ')} (run ecomdb verify for details)`);
        components = await db.session(summarize);
      } finally {
        await db.close();
      }
      const tables = components.reduce((n, c) => n + c.tables.length, 0);
      output.info(`${db.label}: ${components.length} components, ${tables} tables`);
      output.table(
        ['component', 'schema', 'tables', 'rows'],
        components.map((c) => [c.title, c.schema, String(c.tables.length), String(c.tables.reduce((n, t) => n + t.rows, 0))]),
      );
      output.info(`next: ${output.color.bold('ecomdb sql')} to read the DDL, ${output.color.bold('ecomdb verify')} for the full report`);
      output.data({ target: db.label, applied: migrated.applied, partitioned, seeded, verify: { failing }, components });
      if (failing.length > 0) {
        throw new EcomdbError('E_VERIFY_FAILED', `${failing.length} verify rule(s) fail`, { hint: 'run ecomdb verify to see the findings' });
      }
    });
}

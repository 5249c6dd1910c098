/** `ecomdb partition ...`: generate, plan, apply and manage the geographic and monthly partitions. */
import { Command, Option } from 'commander';
import { openTarget } from '../../db/open.ts';
import type { Database } from '../../db/types.ts';
import { EcomdbError, EXIT, pgFields } from '../../errors.ts';
import { readMigrations } from '../../migrations/files.ts';
import { PARTITION_LAYOUT } from '../../../schema/partitions.ts';
import { generatePartitionFiles, PARTITIONS_DIR, staleFiles, writePartitionFiles } from '../../partition/generate.ts';
import { regionTables } from '../../partition/catalog.ts';
import { explainQuery, listPartitions } from '../../partition/inspect.ts';
import { monthOf } from '../../partition/months.ts';
import { addSitePlan, applyPlan, checkSite, checkToTable, detachSitePlan, monthsPlan, type PartitionPlan } from '../../partition/plan.ts';
import { renderPlan } from '../../partition/render.ts';
import { runPartition, snapshotOf, type Planner } from '../../partition/run.ts';
import { contextOf, parseDuration, type Context } from '../context.ts';

async function withDb<T>(context: Context, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openTarget(context.target);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

const today = () => monthOf(new Date());

function lockTimeoutOption() {
  return new Option('--lock-timeout <duration>', 'give up (and change nothing) when a lock is not granted within this time').default('10s');
}

/**
 * A database without the region-scoped tables is not "already in the layout": it was never
 * migrated (or is another database), and every command says so instead of finding nothing to do.
 */
function requireMigrated(found: readonly string[]): void {
  const declared = regionTables();
  const missing = declared.filter((t) => !found.includes(t));
  if (missing.length > 0) {
    throw new EcomdbError('E_PARTITION_STATE', `the database is not migrated: ${missing.length} of the ${declared.length} region-scoped tables are missing (${missing[0]}${missing.length > 1 ? ', ...' : ''})`, {
      hint: 'run `ecomdb migrate` (or `ecomdb up`) first, or check --url',
      details: { missing },
    });
  }
}

const migrated = (planner: Planner): Planner => (snapshot) => {
  requireMigrated(snapshot.tables.map((t) => t.id));
  return planner(snapshot);
};

/** Run a planner and report; shared by apply, add, detach and months. */
async function execute(command: Command, verb: string, planner: Planner, lockTimeout: string): Promise<void> {
  const context = contextOf(command);
  const { output } = context;
  const timeout = parseDuration(lockTimeout, '--lock-timeout');
  const { plan, report } = await withDb(context, (db) =>
    runPartition(db, migrated(planner), {
      label: verb,
      lockTimeout: timeout,
      hooks: { onStep: (step, i, total) => output.debug(`[${i + 1}/${total}] ${step.title}`) },
    }),
  );
  for (const note of plan.notes) output.warn(note);
  const ms = (n: number | undefined) => `${Math.round(n ?? 0)} ms`;
  if (plan.steps.length === 0) output.success(`${verb}: nothing to do`);
  else if (plan.kind === 'add') {
    output.success(`${verb}: ${plan.steps.length} step(s), ${report.statements} statement(s) in ${ms(report.totalMs)}; rows moved with only DEFAULT locked in ${ms(report.phaseMs.move)}, strong locks held for ${ms(report.phaseMs.attach)}`);
  } else output.success(`${verb}: ${plan.steps.length} step(s), ${report.statements} statement(s) in ${ms(report.totalMs)}`);
  output.data({ kind: plan.kind, steps: plan.steps.map((s) => ({ title: s.title, phase: s.phase, statements: s.sql.length })), notes: plan.notes, report });
}

function generate(): Command {
  return new Command('generate')
    .description('write the commented partition DDL of schema/partitions.ts to partitions/ (from the committed migrations)')
    .option('--check', 'write nothing; exit non-zero when partitions/ differs from a fresh generation')
    .action(async (flags: { check?: boolean }, command: Command) => {
      const { migrationsDir, output } = contextOf(command);
      const files = await generatePartitionFiles(readMigrations(migrationsDir));
      if (flags.check) {
        const stale = staleFiles(PARTITIONS_DIR, files);
        output.data({ stale });
        if (stale.length > 0) {
          throw new EcomdbError('E_PARTITION_STALE', `${stale.length} file(s) in partitions/ differ from a fresh generation: ${stale.join(', ')}`, {
            hint: 'run `npm run ecomdb -- partition generate` and commit the result',
            details: { stale },
          });
        }
        output.success(`partitions/ is up to date (${files.length} files)`);
        return;
      }
      const written = writePartitionFiles(PARTITIONS_DIR, files);
      output.data({ written });
      output.success(written.length === 0 ? `partitions/ is up to date (${files.length} files)` : `wrote ${written.length} file(s) to partitions/: ${written.join(', ')}`);
    });
}

function plan(): Command {
  return new Command('plan')
    .description('print the SQL `partition apply` would run against the database, without running it')
    .action(async (_flags: unknown, command: Command) => {
      const context = contextOf(command);
      const snapshot = await withDb(context, snapshotOf);
      const p: PartitionPlan = migrated((x) => applyPlan(x, { month: today() }))(snapshot);
      for (const note of p.notes) context.output.warn(note);
      if (context.output.json) context.output.data({ kind: p.kind, steps: p.steps, notes: p.notes });
      else context.output.text(renderPlan(p, [`The plan of \`ecomdb partition apply\` for this database, today (${today()}).`, '']));
      context.output.info(p.steps.length === 0 ? 'nothing to do: the database has the declared layout' : `${p.steps.length} step(s)`);
    });
}

function apply(): Command {
  return new Command('apply')
    .description('turn the migrated database into the declared layout (idempotent; one transaction; rows, keys, indexes, comments, grants kept)')
    .addOption(lockTimeoutOption())
    .action(async (flags: { lockTimeout: string }, command: Command) => {
      await execute(command, 'partition apply', (s) => applyPlan(s, { month: today() }), flags.lockTimeout);
    });
}

function add(): Command {
  return new Command('add')
    .description("give a site its own partitions, moving its rows out of DEFAULT (strong locks only for the short attach phase)")
    .argument('<region>', 'site id, e.g. MLC')
    .addOption(lockTimeoutOption())
    .action(async (region: string, flags: { lockTimeout: string }, command: Command) => {
      const site = checkSite(region);
      await execute(command, `partition add ${site}`, (s) => addSitePlan(s, site, { month: today() }), flags.lockTimeout);
    });
}

function detach(): Command {
  return new Command('detach')
    .description("take a site's partitions out of the live tables, as stand-alone tables (for archiving or a server of its own)")
    .argument('<region>', 'site id, e.g. MCO')
    .option('--to-table <name>', 'name of each detached table; {table} and {region} are replaced (default: the partition name, e.g. orders_mco)')
    .addOption(lockTimeoutOption())
    .action(async (region: string, flags: { toTable?: string; lockTimeout: string }, command: Command) => {
      const site = checkSite(region);
      if (flags.toTable !== undefined) checkToTable(flags.toTable, site, regionTables().map((t) => t.split('.')[1]!));
      await execute(command, `partition detach ${site}`, (s) => detachSitePlan(s, site, flags.toTable), flags.lockTimeout);
    });
}

function months(): Command {
  return new Command('months')
    .description('create the month partitions from the current month to N months ahead (idempotent)')
    .option('--ahead <n>', 'months after the current one', String(PARTITION_LAYOUT.monthsAhead))
    .addOption(lockTimeoutOption())
    .action(async (flags: { ahead: string; lockTimeout: string }, command: Command) => {
      const ahead = Number(flags.ahead);
      if (!Number.isInteger(ahead) || ahead < 0 || ahead > 120) {
        throw new EcomdbError('E_USAGE', `--ahead "${flags.ahead}" is not a number of months from 0 to 120`, { hint: 'use a value like 3' });
      }
      await execute(command, `partition months --ahead ${ahead}`, (s) => monthsPlan(s, { month: today(), ahead }), flags.lockTimeout);
    });
}

function list(): Command {
  return new Command('list')
    .description('every partition with its bounds, row estimate and size')
    .action(async (_flags: unknown, command: Command) => {
      const context = contextOf(command);
      const rows = await withDb(context, (db) => db.session((s) => listPartitions(s))).catch((error: unknown) => {
        if (error instanceof EcomdbError) throw error;
        const pg = pgFields(error);
        throw new EcomdbError('E_PARTITION_FAILED', `cannot list the partitions: ${pg.message}${pg.code ? ` (SQLSTATE ${pg.code})` : ''}`, {
          hint: pg.code === '42501' ? 'connect as a role with USAGE on the component schemas (the owner of the tables, for example)' : 'run with --verbose for details',
          details: { sqlstate: pg.code },
          cause: error,
        });
      });
      requireMigrated([...new Set(rows.map((r) => r.table))]);
      const size = (b: number) => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MB` : `${Math.round(b / 1024)} kB`);
      context.output.table(
        ['partition', 'bound', 'rows (est.)', 'size'],
        rows.map((r) => [`${'  '.repeat(r.level)}${r.partition}`, r.bound ?? (r.leaf ? 'not partitioned' : 'partitioned'), r.rowEstimate < 0 ? '?' : String(r.rowEstimate), size(r.bytes)]),
      );
      context.output.data({ partitions: rows });
    });
}

function explain(): Command {
  return new Command('explain')
    .description('show which partitions a query reads (EXPLAIN, never run)')
    .argument('<query>', 'one SQL statement, quoted')
    .addOption(lockTimeoutOption())
    .addHelpText(
      'after',
      `
Planning evaluates functions (IMMUTABLE ones called with constants, STABLE ones to prune
partitions). So the query is planned as a throwaway role that may only read (pg_read_all_data),
in a read-only transaction that is rolled back: a function that would act outside the
transaction (dblink, pg_terminate_backend, ...) is refused. What that cannot prevent: a SECURITY
DEFINER function runs as its owner, and a connection string with a password in it still connects.
Making the role needs CREATEROLE; without it the query is planned as you, and explain says so.`,
    )
    .action(async (query: string, flags: { lockTimeout: string }, command: Command) => {
      const context = contextOf(command);
      const lockTimeout = parseDuration(flags.lockTimeout, '--lock-timeout');
      const result = await withDb(context, (db) => db.session((s) => explainQuery(s, query, { lockTimeout })));
      for (const note of result.notes) context.output.warn(note);
      context.output.data(result);
      if (!context.output.json) context.output.text(result.text);
      const scans = result.scans > result.relations.length ? ` in ${result.scans} scans` : '';
      context.output.info(`reads ${result.relations.length} table(s)${scans}: ${result.relations.join(', ') || '(none)'}${result.subplansRemoved ? `; ${result.subplansRemoved} more pruned at run time` : ''}`);
    });
}

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
  for (const sub of [generate(), plan(), apply(), add(), detach(), months(), list(), explain()]) {
    root.addCommand(sub.exitOverride().showSuggestionAfterError());
  }
  return root;
}

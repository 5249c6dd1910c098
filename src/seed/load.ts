/**
 * Loading a seeded marketplace, all or nothing, in one of two ways.
 *
 * One transaction (the embedded database, plain tables on a server with one lane, or
 * `--partitioned-keys rebuild|keep`): the constraints (foreign keys, UNIQUE) and indexes of the
 * seeded tables are dropped, every table is streamed by COPY into its bare heap (NOT NULL, CHECK
 * and primary keys still refuse a malformed row at once), the SQL-derived tables are inserted,
 * the constraints and indexes are rebuilt and validated — a key the data breaks fails here,
 * naming it — and the tables analysed before COMMIT. Loading bare and constraining afterwards is
 * several times faster than loading into constrained tables (docs/design.md, 'Loading bare
 * tables, then constraining'); a failure or a killed process rolls everything back, so the
 * database is left as it was.
 *
 * Phases that each commit (the partitioned layout on a server, and any server seed over more
 * than one lane, phasedSeed): in one transaction, dropping and rebuilding the keys of every
 * partition needs more lock slots than a default server has (`planKeys`), and keeping them
 * during the load made the partitioned seed about 9× slower than plain tables. So no transaction
 * spans more than one key or one table; a marker (src/seed/marker.ts) records the unfinished
 * seed, every other command refuses the database while it exists, and the next seed cleans up
 * and seeds again.
 *
 * Lanes (`jobs`, default 2 on the partitioned layout on a server, 1 on plain tables; docs/design.md, 'Seeding in parallel lanes'): the rows
 * are generated in JavaScript, one thread's worth at a time, so the phased seed spreads the
 * COPY tables over worker threads, each with its own connection and World (lanes.ts), and
 * rebuilds the keys, counts orphans and analyses over as many sessions. Every row is a pure
 * function of (seed, index): the same seed gives the same bytes whatever the number of lanes.
 */
import { CACHE_INVALIDATION_OFF, INVALIDATE_EVERYTHING } from '../cache/outbox.ts';
import { PARTITION_LAYOUT } from '../../schema/partitions.ts';
import { DEFAULT_LOCK_TIMEOUT, runPartition } from '../partition/run.ts';
import { addMonths, maxMonth, minMonth, monthOf, type Month } from '../partition/months.ts';
import { monthsPlan } from '../partition/plan.ts';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { REFERENCE_DATA } from '../../schema/index.ts';
import { TABLE_SEEDS, World, type WorldOptions } from '../../seeds/index.ts';
import type { Database, Session } from '../db/types.ts';
import { EcomdbError, isLockTableFull, pgFields } from '../errors.ts';
import { quoteIdent, quoteLiteral } from '../ident.ts';
import { readHistory } from '../migrations/run.ts';
import { planMigrations } from '../migrations/plan.ts';
import type { MigrationFile } from '../migrations/files.ts';
import { DATA_RULES } from '../verify/data-rules.ts';
import { runRules } from '../verify/run.ts';
import { indexOwnedByConstraint } from '../pg-catalog.ts';
import { auditedAmong, auditTriggersSql, recordSeed } from '../audit/trail.ts';
import { MARKER, MARKER_SCHEMA, readMarker, type Marker, type SeedPhase } from './marker.ts';
import { checkJobs, DEFAULT_JOBS, inParallel, loadInLanes } from './lanes.ts';
import { openPostgres } from '../db/postgres.ts';
import { loadTable, lockTableFull, loud, qualifiedName, quiet, transaction, type TableResult, type WriteMode } from './table-load.ts';

export { qualifiedName, type TableResult } from './table-load.ts';

export interface SeedOptions extends WorldOptions {
  /** Empty the seeded tables first (otherwise a non-empty database is refused). */
  truncate?: boolean;
  /** Run the consistency checks before COMMIT (default true). */
  check?: boolean;
  onTableStart?: (table: string, expected: number) => void;
  onRows?: (table: string, rows: number) => void;
  onTableDone?: (result: TableResult) => void;
  onPhase?: (phase: string) => void;
  /** The keys of partitioned tables during the load: `auto` (default) decides from the server's lock table (planKeys). */
  partitionedKeys?: PartitionedKeys;
  /** Test hook: refuse one row, e.g. `order_processing.orders:100`. */
  fault?: string;
  /** Test hook: stop for good in this phase (after its first commit in a phased seed; in one transaction, only `load`, with it open), once onPause has been called. */
  pauseAt?: string;
  onPause?: (phase: string) => void;
  /** Called when the seed goes the phased way (from then on an interruption leaves the marker). */
  onPhased?: () => void;
  /**
   * Lanes on a server (1 to MAX_JOBS; default DEFAULT_JOBS on the partitioned layout, 1 on plain
   * tables): above 1 the seed goes the phased way
   * (plain tables too) and loads, rebuilds and analyses over that many sessions (lanes.ts). One
   * transaction (PGlite, `partitionedKeys` rebuild or keep) always runs on one.
   */
  jobs?: number;
}

export interface SeedResult {
  readonly tables: readonly TableResult[];
  readonly rows: number;
  /** Time spent streaming rows (COPY and SQL-derived inserts). */
  readonly loadMs: number;
  /** Time spent rebuilding and validating constraints and indexes. */
  readonly constraintsMs: number;
  readonly ms: number;
  readonly checks: readonly { id: string; offenders: number }[];
  /** Peak resident memory of this process so far (MB). */
  readonly peakRssMb: number;
}

const REFERENCE_TABLES = new Set(REFERENCE_DATA.map((r) => qualifiedName(r.table)));

interface SavedDefinition {
  readonly table: string;
  readonly name: string;
  readonly kind: 'primary_key' | 'unique' | 'check' | 'index' | 'foreign_key';
  readonly sql: string;
}

/**
 * The foreign keys, UNIQUE constraints and plain indexes of `tables`, as SQL that recreates
 * them; those of partitioned tables only if `partitioned` (see the top of the file).
 */
async function secondaryDefinitions(session: Session, tables: readonly string[], partitioned: boolean): Promise<SavedDefinition[]> {
  const rows = await session.query<{ tbl: string; name: string; kind: SavedDefinition['kind']; def: string }>(
    `select format('%I.%I', n.nspname, c.relname) as tbl, con.conname as name,
            case con.contype when 'f' then 'foreign_key' when 'p' then 'primary_key' when 'u' then 'unique' else 'check' end as kind,
            pg_get_constraintdef(con.oid) as def
       from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
      where con.conrelid = any($1::regclass[]) and con.contype in ('f', 'u') and con.conparentid = 0 and ($2 or c.relkind <> 'p')
     union all
     select format('%I.%I', n.nspname, c.relname), ic.relname, 'index', pg_get_indexdef(i.indexrelid)
       from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_class ic on ic.oid = i.indexrelid
      where i.indrelid = any($1::regclass[]) and ($2 or c.relkind <> 'p')
        and not ${indexOwnedByConstraint('i')}
      order by 1, 2`,
    [tables, partitioned],
  );
  return rows.map((r) => ({
    table: r.tbl,
    name: r.name,
    kind: r.kind,
    // An index of a partitioned table prints as `ON ONLY parent`, which would build it on the
    // parent alone; without ONLY it is built on every partition too.
    sql: r.kind === 'index' ? r.def.replace(/ ON ONLY /, ' ON ') : `ALTER TABLE ${r.tbl} ADD CONSTRAINT ${quoteIdent(r.name)} ${r.def}`,
  }));
}

/** Foreign keys first: a key cannot go while a foreign key depends on it. */
function dropOrder(saved: readonly SavedDefinition[]): SavedDefinition[] {
  return (['foreign_key', 'unique', 'primary_key', 'check', 'index'] as const).flatMap((kind) => saved.filter((s) => s.kind === kind));
}

/** Keys before the foreign keys that need them. */
function restoreOrder(saved: readonly SavedDefinition[]): SavedDefinition[] {
  return (['primary_key', 'unique', 'check', 'index', 'foreign_key'] as const).flatMap((kind) => saved.filter((s) => s.kind === kind));
}

async function dropDefinitions(session: Session, saved: readonly SavedDefinition[]): Promise<void> {
  for (const d of dropOrder(saved)) {
    const schema = d.table.split('.')[0]!;
    await session.exec(
      d.kind === 'index' ? `DROP INDEX ${schema}.${quoteIdent(d.name)}` : `ALTER TABLE ${d.table} DROP CONSTRAINT ${quoteIdent(d.name)}`,
    );
  }
}

async function restoreDefinitions(session: Session, saved: readonly SavedDefinition[], kept = 'nothing was kept (the load was rolled back)', memory = '256MB'): Promise<void> {
  // Bigger sort memory makes the index builds and the foreign-key validations (one anti-join
  // each) much faster on millions of rows (`memory`: less each when several sessions build at once).
  await session.exec(`SET LOCAL maintenance_work_mem = '${memory}'; SET LOCAL work_mem = '64MB'`);
  for (const d of restoreOrder(saved)) {
    try {
      await session.exec(d.sql);
    } catch (error) {
      const pg = pgFields(error);
      if (isLockTableFull(error)) throw lockTableFull(error);
      throw new EcomdbError('E_SEED_FAILED', `seeded data broke ${d.name} on ${d.table}: ${pg.message}${pg.detail ? ` (${pg.detail})` : ''}`, {
        hint: `this is a bug in the seeder; ${kept}`,
        details: { table: d.table, constraint: d.name, sqlstate: pg.code },
        cause: error,
      });
    }
  }
}

export type PartitionedKeys = 'auto' | 'rebuild' | 'keep';

export interface KeysPlan {
  /** Drop and rebuild the keys of partitioned tables too (otherwise they stay during the load). */
  readonly rebuild: boolean;
  /** Partitions of the tables (0: nothing is partitioned, nothing to decide). */
  readonly partitions: number;
  /** Why, in one line, for the progress output. */
  readonly reason: string;
}

/**
 * Whether the keys of the partitioned tables among `tables` can be dropped and rebuilt inside
 * one transaction. The estimate counts what such a transaction locks: every partition, its
 * indexes, its foreign-key clones and their internal triggers (measured: about the peak seen in
 * pg_locks). The lock table holds max_locks_per_transaction × (max_connections +
 * max_prepared_transactions) slots, shared by every session: the seed takes at most half.
 */
export async function planKeys(session: Session, tables: readonly string[], choice: PartitionedKeys = 'auto'): Promise<KeysPlan> {
  const [row] = await session.query<{ partitions: number; objects: number; capacity: number }>(
    `with leaves as (
       select t.relid from unnest($1::regclass[]) r(root) cross join lateral pg_partition_tree(r.root) t where t.level > 0
     )
     select (select count(*) from leaves)::int as partitions,
            ((select count(*) from leaves)
             + (select count(*) from pg_index where indrelid in (select relid from leaves))
             + (select count(*) from pg_constraint where conrelid in (select relid from leaves) and contype = 'f')
             + (select count(*) from pg_trigger where tgisinternal and tgrelid in (select relid from leaves)))::int as objects,
            (current_setting('max_locks_per_transaction')::int
             * (current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int))::int as capacity`,
    [tables],
  );
  const { partitions, objects, capacity } = row!;
  if (partitions === 0) return { rebuild: true, partitions, reason: 'no partitioned tables' };
  if (choice !== 'auto') return { rebuild: choice === 'rebuild', partitions, reason: `keys of partitioned tables: ${choice} (asked for)` };
  // Calibration: with the declared layout, 365 partitions, 5,025 counted objects; pg_locks
  // showed 8,200 slots at the peak (FK clones on the referenced side, toast tables, ...).
  const locks = Math.round(objects * 1.7);
  const need = `rebuilding the keys of ${partitions} partitions would hold about ${locks.toLocaleString('en-US')} locks until COMMIT`;
  const have = `the server's lock table holds ${capacity.toLocaleString('en-US')} (max_locks_per_transaction × connections)`;
  return locks * 2 <= capacity
    ? { rebuild: true, partitions, reason: `${need}; ${have}: rebuilding them after the load` }
    : { rebuild: false, partitions, reason: `${need}; ${have}: keeping them during the load (slower; raise max_locks_per_transaction for the fast way)` };
}

/**
 * The loading method: inside the caller's transaction, drop the FKs, UNIQUE constraints and
 * secondary indexes of `tables` (of its partitioned tables only if `keys.rebuild`), run `load`,
 * then rebuild and validate them. Shared by the seeder and by its benchmark's raw ceiling, so
 * both load the same way.
 */
export async function loadIntoBareTables<T>(
  session: Session,
  tables: readonly string[],
  load: () => Promise<T>,
  onPhase?: (phase: string) => void,
  keys: KeysPlan = { rebuild: true, partitions: 0, reason: '' },
): Promise<{ result: T; constraints: number; constraintsMs: number }> {
  const saved = await secondaryDefinitions(session, tables, keys.rebuild);
  await dropDefinitions(session, saved);
  const result = await load();
  onPhase?.(`rebuilding and validating ${saved.length} constraints and indexes`);
  const started = Date.now();
  await restoreDefinitions(session, saved);
  // Fresh statistics: the checks that follow (and the user's first queries) plan on them.
  onPhase?.('analysing');
  await session.exec(`ANALYZE ${tables.join(', ')}`);
  return { result, constraints: saved.length, constraintsMs: Date.now() - started };
}

/**
 * On a partitioned database, the month partitions of the history window must exist before the
 * rows arrive (there is no DEFAULT month). They are created first, outside the seed's transaction
 * (exactly what `ecomdb partition months` would do), a few months per transaction: each new
 * partition takes a score of lock slots until COMMIT, and a default server (max_locks_per_transaction
 * 64) has a few thousand in all, so years of history in one transaction would overflow the lock
 * table. The planner fills every gap between the months it is asked for and those that exist, so
 * the batches grow outward from the months already there, each adding at most MONTHS_PER_BATCH.
 * Should the seed fail, the empty months stay: they are part of the declared layout, not data.
 */
async function ensureMonths(db: Database, world: World, onPhase?: (phase: string) => void): Promise<void> {
  const span = { from: monthOf(new Date(world.windowStart)), to: monthOf(new Date(world.options.until)) };
  const now = monthOf(new Date());
  const first = minMonth(span.from, now);
  const last = maxMonth(span.to, addMonths(now, PARTITION_LAYOUT.monthsAhead));
  const batches: { from: Month; to: Month }[] = [{ from: now, to: now }];
  for (let edge = now; edge > first; ) {
    edge = maxMonth(first, addMonths(edge, -MONTHS_PER_BATCH));
    batches.push({ from: edge, to: now });
  }
  for (let edge = addMonths(now, PARTITION_LAYOUT.monthsAhead); edge < last; ) {
    edge = minMonth(last, addMonths(edge, MONTHS_PER_BATCH));
    batches.push({ from: now, to: edge });
  }
  let created = 0;
  for (const batch of batches) {
    // On plain tables the plan is empty: monthsPlan only looks at partitioned ones.
    const { plan } = await runPartition(db, (snapshot) => monthsPlan(snapshot, { month: now, ahead: PARTITION_LAYOUT.monthsAhead, span: batch }), {
      lockTimeout: DEFAULT_LOCK_TIMEOUT,
    }).catch((error: unknown) => {
      const cause = error instanceof EcomdbError ? error : undefined;
      const hint = cause?.details.sqlstate === '53200'
        ? `creating ${MONTHS_PER_BATCH} months of partitions of every monthly table and site in one transaction already fills PostgreSQL's lock table (other sessions hold locks too): retry when fewer transactions run, or raise max_locks_per_transaction and restart the server`
        : undefined;
      throw new EcomdbError('E_SEED_FAILED', `could not create the month partitions of the history window: ${cause?.message ?? pgFields(error).message}`, {
        hint: hint ?? cause?.hint ?? 'nothing was loaded; run `ecomdb partition months` to see the failing step',
        details: { ...cause?.details, months: { from: first, to: last } },
        cause: error,
      });
    });
    created += plan.steps.length;
  }
  if (created > 0) onPhase?.(`created the month partitions of the history window (${span.from} to ${span.to}, ${batches.length} transaction(s))`);
}

/** How many months of partitions one transaction of ensureMonths adds at most (see there). */
const MONTHS_PER_BATCH = 3;

/** The tables `ecomdb seed` fills, in load order (reference tables excluded). */
export function seededTables(): string[] {
  return TABLE_SEEDS.map((s) => qualifiedName(s.table)).filter((t) => !REFERENCE_TABLES.has(t));
}

/** Refuse an unmigrated database before anything runs. */
export async function assertMigrated(session: Session, files: readonly MigrationFile[]): Promise<void> {
  const plan = planMigrations(files, await readHistory(session));
  const missing = plan.migrations.filter((m) => m.state !== 'applied');
  if (missing.length > 0 || plan.problems.length > 0) {
    throw new EcomdbError('E_SEED_NOT_MIGRATED', `the database is not fully migrated (${missing.length} migration(s) not applied)`, {
      hint: 'run ecomdb migrate first (or ecomdb up)',
    });
  }
}

/** What follows the rows: coupon use counts from the live orders, and id sequences past the seeded ids. */
async function finishLoad(session: Session): Promise<void> {
  // A cancelled order gave its coupon use back (the data rule coupon-use-count-matches-orders).
  await session.exec(`
    UPDATE order_processing.coupons c SET use_count = u.n
      FROM (SELECT o.region, o.coupon_id, count(*)::int AS n FROM order_processing.orders o
              JOIN order_processing.order_statuses os ON os.id = o.status_id
             WHERE o.coupon_id IS NOT NULL AND os.name <> 'cancelled' GROUP BY o.region, o.coupon_id) u
     WHERE c.region = u.region AND c.id = u.coupon_id`);
  // Rows carry explicit ids: move each id sequence past them, so the application's inserts work.
  const withId = TABLE_SEEDS.filter((s) => getTableConfig(s.table).columns.some((c) => c.name === 'id')).map((s) => qualifiedName(s.table));
  for (const table of withId) {
    await session.exec(
      `SELECT setval(s, coalesce((SELECT max(id) FROM ${table}), 0) + 1, false)
         FROM pg_get_serial_sequence(${quoteLiteral(table)}, 'id') AS s WHERE s IS NOT NULL`,
    );
  }
}

/** The advisory lock a seed holds on its connection while it runs (one seed per database at a time). */
const SEED_LOCK = 'hashtext(\'ecomdb seed\')';
const SEED_LOCK_WAIT = '3s';

/** Test hook (SeedOptions.pauseAt): at `phase`, say so and wait until the process is killed. */
async function pauseAt(options: SeedOptions, phase: SeedPhase): Promise<void> {
  if (options.pauseAt !== phase) return;
  options.onPause?.(phase);
  await new Promise(() => setInterval(() => {}, 60_000));
}

/**
 * Seed the open, migrated database `db`. On PGlite, on plain tables and when asked for
 * `--partitioned-keys rebuild|keep`, everything happens in one transaction (oneTransaction).
 * The partitioned layout on a server is loaded in phases that each commit (phasedSeed), with a
 * marker that makes every other command refuse the database until the seed has finished; a seed
 * that finds the marker of an unfinished one cleans it up and seeds again.
 */
export async function seedDatabase(db: Database, files: readonly MigrationFile[], options: SeedOptions): Promise<SeedResult> {
  const asked = lanesFor(db, options);
  const world = new World(options);
  const started = Date.now();
  const tables = seededTables();
  return db.session(async (session) => {
    const server = db.kind === 'postgres';
    if (server) {
      // A few seconds' wait: the server may not yet have ended the session of a seed just killed.
      await session.exec(`SET lock_timeout = '${SEED_LOCK_WAIT}'`);
      try {
        await session.query(`select pg_advisory_lock(${SEED_LOCK})`);
      } catch (error) {
        if (pgFields(error).code !== '55P03') throw error;
        throw new EcomdbError('E_SEED_BUSY', 'another ecomdb seed is loading this database', {
          hint: 'wait for it to finish (or stop it), then run ecomdb seed again',
          cause: error,
        });
      } finally {
        await session.exec('RESET lock_timeout');
      }
    }
    try {
      await assertMigrated(session, files);
      const marker = await readMarker(session);
      // With a marker, an interruption leaves it whichever way the seed goes: phased from here.
      if (marker) options.onPhased?.();
      if (marker) options.onPhase?.(`an unfinished seed (stopped in its '${marker.phase}' phase) is cleaned up first`);
      else if (!options.truncate) await assertEmpty(session, tables);
      const layout = await planKeys(session, tables, options.partitionedKeys);
      const auto = (options.partitionedKeys ?? 'auto') === 'auto';
      // Unasked, plain tables keep their one transaction (all or nothing; a second lane measured
      // no faster on two cores) and the partitioned layout, phased anyway, takes the lanes.
      const jobs = asked ?? (server && layout.partitions > 0 ? DEFAULT_JOBS : 1);
      if (server && (marker || ((layout.partitions > 0 || jobs > 1) && auto))) {
        if (!marker) options.onPhased?.();
        const what = layout.partitions > 0 ? `partitioned layout (${layout.partitions} partitions)` : 'plain tables';
        options.onPhase?.(`${what}: loading in phases that each commit, keys dropped and rebuilt table by table${jobs > 1 ? `, over ${jobs} lanes` : ''}`);
        return await phasedSeed(db, session, world, tables, options, marker, started, jobs);
      }
      await ensureMonths(db, world, options.onPhase);
      // Counted again: the months just created have keys too.
      const keys = await planKeys(session, tables, options.partitionedKeys);
      if (keys.partitions > 0) options.onPhase?.(keys.reason);
      return await oneTransaction(session, world, tables, keys, options, started);
    } finally {
      if (server) await session.query(`select pg_advisory_unlock(${SEED_LOCK})`).catch(() => {});
    }
  });
}

/**
 * How many lanes were asked for: `options.jobs` on a server, 1 on PGlite (one connection, one
 * thread); undefined for the default (DEFAULT_JOBS on the partitioned layout, 1 on plain tables).
 * Refused outside 1..MAX_JOBS, and above 1 with `partitionedKeys` rebuild or keep, which ask for
 * the one transaction (one session).
 */
function lanesFor(db: Database, options: SeedOptions): number | undefined {
  const asked = options.jobs;
  checkJobs(asked, options.partitionedKeys);
  if (db.kind !== 'postgres' || !db.connection) return 1;
  return (options.partitionedKeys ?? 'auto') === 'auto' ? asked : 1;
}

async function assertEmpty(session: Session, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const [row] = await session.query<{ any: boolean }>(`select exists (select 1 from ${table}) as any`);
    if (row?.any) {
      throw new EcomdbError('E_SEED_NOT_EMPTY', `${table} already holds rows`, {
        hint: 'pass --truncate to replace the seeded tables\' rows (reference rows stay)',
      });
    }
  }
}

/** The data rules, as verify runs them; E_SEED_FAILED naming those the data breaks. */
async function runChecks(session: Session, options: SeedOptions, kept: string): Promise<SeedResult['checks']> {
  if (options.check === false) return [];
  options.onPhase?.('checking business consistency');
  const report = await runRules(session, DATA_RULES, [], 5, { errors: 'throw' });
  const failed = report.filter((c) => c.offenders > 0);
  if (failed.length > 0) {
    throw new EcomdbError('E_SEED_FAILED', `seeded data breaks ${failed.map((f) => `${f.id} (${f.offenders})`).join(', ')}`, {
      hint: `this is a bug in the seeder; ${kept}`,
      details: { failed },
    });
  }
  return report.map((c) => ({ id: c.id, offenders: c.offenders }));
}

function resultOf(results: TableResult[], loadMs: number, constraintsMs: number, checks: SeedResult['checks'], started: number): SeedResult {
  const rows = results.reduce((n, r) => n + r.rows, 0);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  return { tables: results, rows, loadMs, constraintsMs, ms: Date.now() - started, checks, peakRssMb };
}

/** Everything in one transaction: a failure or a killed process rolls it all back. */
async function oneTransaction(session: Session, world: World, tables: readonly string[], keys: KeysPlan, options: SeedOptions, started: number): Promise<SeedResult> {
  try {
    const loaded = await transaction(session, async () => {
      await session.exec(`SET LOCAL TimeZone = 'UTC'`);
      // Millions of new rows need no invalidation each (docs/design.md, 'The cache layer'); a
      // truncate asks for every cached value to go, once, at COMMIT.
      await session.exec(CACHE_INVALIDATION_OFF);
      // The audit triggers stay off for the load, inside this transaction only: a row per seeded
      // row would slow the COPY and fill the trail with generated data. One SEED row per audited
      // table says what was loaded instead (docs/design.md, 'The audit trail').
      const audited = await auditedAmong(session, tables);
      for (const statement of auditTriggersSql(audited, false)) await session.exec(statement);
      if (options.truncate) {
        options.onPhase?.('emptying the seeded tables');
        await session.exec(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY`);
        await session.exec(INVALIDATE_EVERYTHING);
      }
      let loadMs = 0;
      const { result: results, constraintsMs } = await loadIntoBareTables(
        session,
        tables,
        async () => {
          const loaded: TableResult[] = [];
          for (const seed of TABLE_SEEDS) {
            loaded.push(await loadTable(session, world, seed, options, ROLLED_BACK));
            // Test hook: inside the open transaction, after the first table.
            if (loaded.length === 1) await pauseAt(options, 'load');
          }
          loadMs = Date.now() - started;
          await finishLoad(session);
          return loaded;
        },
        options.onPhase,
        keys,
      );
      const checks = await runChecks(session, options, 'nothing was kept (the load was rolled back)');
      for (const statement of auditTriggersSql(audited, true)) await session.exec(statement);
      await recordSeed(session, results.filter((r) => audited.includes(r.table)), about(options));
      return { results, loadMs, constraintsMs, checks };
    });
    // Timed after COMMIT, which is part of the seed.
    return resultOf(loaded.results, loaded.loadMs, loaded.constraintsMs, loaded.checks, started);
  } catch (error) {
    throw isLockTableFull(error) ? lockTableFull(error) : error;
  }
}

const about = (options: SeedOptions) => ({ seed: options.seed, scale: options.scale, regions: options.regions, truncated: options.truncate === true });

const ROLLED_BACK = 'nothing was kept: the whole seed ran in one transaction and was rolled back';
const CLEANED_UP = 'nothing was kept: the seeded tables were emptied and their keys restored';

/**
 * Whether this role may load with the triggers of foreign keys silent (`session_replication_role
 * = replica`: a superuser, or a role granted SET on it), as pg_restore --disable-triggers does.
 */
async function maySilenceTriggers(session: Session): Promise<boolean> {
  const [row] = await session.query<{ may: boolean }>(
    `select current_setting('is_superuser') = 'on' or coalesce(has_parameter_privilege('session_replication_role', 'SET'), false) as may`,
  );
  return row?.may === true;
}

interface KeptForeignKey {
  readonly table: string;
  readonly name: string;
  /** One query over the parents that counts the rows with no referenced row (MATCH SIMPLE). */
  readonly orphans: string;
}

/**
 * The foreign keys of `tables` (MATCH SIMPLE, declared on the table itself) that stay in place
 * during a load with their triggers silent, each with the query that validates it afterwards,
 * and the keys and indexes they reference, which must stay too.
 */
export async function keptForeignKeys(session: Session, tables: readonly string[]): Promise<{ keys: KeptForeignKey[]; referenced: Set<string> }> {
  const rows = await session.query<{ tbl: string; name: string; ref: string; cols: string[]; refcols: string[]; refindex: string }>(
    `select format('%I.%I', n.nspname, c.relname) as tbl, con.conname as name,
            format('%I.%I', rn.nspname, r.relname) as ref, i.relname as refindex,
            array(select a.attname::text from unnest(con.conkey) with ordinality k(n, o) join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o) as cols,
            array(select a.attname::text from unnest(con.confkey) with ordinality k(n, o) join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.o) as refcols
       from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_class r on r.oid = con.confrelid join pg_namespace rn on rn.oid = r.relnamespace
       join pg_class i on i.oid = con.conindid
      where con.conrelid = any($1::regclass[]) and con.contype = 'f' and con.conparentid = 0 and con.confmatchtype = 's'`,
    [tables],
  );
  const keys = rows.map((r) => ({
    table: r.tbl,
    name: r.name,
    orphans:
      `SELECT count(*)::int AS n FROM ${r.tbl} c WHERE ${r.cols.map((col) => `c.${quoteIdent(col)} IS NOT NULL`).join(' AND ')}` +
      ` AND NOT EXISTS (SELECT 1 FROM ${r.ref} p WHERE ${r.cols.map((col, i) => `p.${quoteIdent(r.refcols[i]!)} = c.${quoteIdent(col)}`).join(' AND ')})`,
  }));
  return { keys, referenced: new Set(rows.map((r) => `${r.ref} ${r.refindex}`)) };
}

const sameDefinition = (a: SavedDefinition, b: SavedDefinition) => a.table === b.table && a.name === b.name && a.kind === b.kind;

/**
 * The partitioned layout on a server (and any server seed over more than one lane), in phases
 * that each commit (docs/design.md, 'Loading bare tables, then constraining'), so that no
 * transaction holds more than one table's locks:
 *   start      the marker (ecomdb_seed.state) with the definitions of the keys and indexes to drop;
 *   drop       each foreign key, UNIQUE constraint and index dropped in its own transaction; the
 *              month partitions of the history window created (ensureMonths), then the seeded
 *              tables emptied (with --truncate, or after an unfinished seed);
 *   load       each table streamed by COPY (or inserted by SQL) in its own transaction; with
 *              `jobs` > 1 the COPY tables over that many worker threads (loadInLanes), the
 *              SQL-derived tables after them on this session;
 *   constrain  each definition rebuilt and validated in its own transaction; with `jobs` > 1 the
 *              keys and indexes over that many sessions, all those of one table on one session
 *              (no two sessions want one table's locks), then the foreign keys on this session,
 *              one after the other (each locks two tables), then the orphan counts of the kept
 *              foreign keys (read-only) in parallel;
 *   check      ANALYZE (a transaction per table, over the lanes), the data rules; the marker
 *              dropped with the audit trail's SEED rows in the last transaction.
 * The marker and its phases are written by this session only. A failure cleans up (the lanes
 * stopped, the tables emptied, the definitions restored, the marker dropped) before it is
 * thrown; a killed process leaves the marker, which the next seed finds.
 */
async function phasedSeed(db: Database, session: Session, world: World, tables: readonly string[], options: SeedOptions, marker: Marker | null, started: number, jobs: number): Promise<SeedResult> {
  const enter = async (phase: SeedPhase) => {
    await session.query(`update ${MARKER} set phase = $1`, [phase]);
  };
  // start: the marker first, with what the next seed needs to restore if this one dies: what an
  // unfinished seed recorded (the catalog may have lost some of it) and whatever is there now.
  // Foreign keys stay in place, unchecked during the load and validated after it by one query
  // each, when the role may silence their triggers: rebuilding one on a partitioned table makes a
  // copy on every partition and validates partition by partition (the most costly definitions).
  const silent = await maySilenceTriggers(session);
  const kept = silent ? await keptForeignKeys(session, tables) : { keys: [], referenced: new Set<string>() };
  const keep = (d: SavedDefinition) =>
    (d.kind === 'foreign_key' && kept.keys.some((k) => k.table === d.table && k.name === d.name)) ||
    ((d.kind === 'unique' || d.kind === 'index') && kept.referenced.has(`${d.table} ${d.name}`));
  const present = (await secondaryDefinitions(session, tables, true)).filter((d) => !keep(d));
  const recorded = marker ? (marker.definitions as SavedDefinition[]) : [];
  const saved = [...recorded, ...present.filter((p) => !recorded.some((r) => sameDefinition(r, p)))];
  await transaction(session, async () => {
    await session.exec(`CREATE SCHEMA IF NOT EXISTS ${MARKER_SCHEMA}`);
    await session.exec(`CREATE TABLE IF NOT EXISTS ${MARKER} (phase text NOT NULL, started_at timestamptz NOT NULL DEFAULT now(), definitions jsonb NOT NULL)`);
    await session.exec(`DELETE FROM ${MARKER}`);
    await session.query(`insert into ${MARKER} (phase, definitions) values ('start', $1::text::jsonb)`, [JSON.stringify(saved)]);
  });
  await pauseAt(options, 'start');
  // Inside each transaction that writes rows: no audit row per seeded row, no cache invalidation (quiet, loud).
  const mode: WriteMode = { silent, audited: await auditedAmong(session, tables) };
  // The other sessions of the constrain and check phases (the load's lanes have their own).
  let pool: Database | undefined;
  const lanes = async () => (pool ??= await openPostgres(db.connection!, db.label, { max: jobs }));
  try {
    // drop: whatever of the saved definitions is still there (all of them, unless a seed died halfway).
    options.onPhase?.(`dropping ${present.length} keys and indexes, one transaction each`);
    let first = true;
    for (const d of dropOrder(present)) {
      await transaction(session, async () => {
        if (first) await enter('drop');
        await dropDefinitions(session, [d]);
      });
      if (first) await pauseAt(options, 'drop');
      first = false;
    }
    if (first) await transaction(session, () => enter('drop'));
    // The month partitions of the history window, now that the parents have no foreign keys and
    // indexes to clone onto each (the constrain phase builds them on every partition anyway).
    await ensureMonths(db, world, options.onPhase);
    if (options.truncate || marker) {
      options.onPhase?.('emptying the seeded tables');
      await emptyTables(session, tables, mode);
    }
    // load: a table per transaction.
    const loadOne = (i: number, first = false) =>
      transaction(session, async () => {
        if (first) await enter('load');
        const table = qualifiedName(TABLE_SEEDS[i]!.table);
        await quiet(session, mode, [table]);
        const result = await loadTable(session, world, TABLE_SEEDS[i]!, options, CLEANED_UP);
        await loud(session, mode, [table]);
        return result;
      });
    const results: TableResult[] = [];
    if (jobs > 1) {
      const copies = [...TABLE_SEEDS.keys()].filter((i) => TABLE_SEEDS[i]!.kind === 'copy');
      options.onPhase?.(`loading ${copies.length} tables over ${Math.min(jobs, copies.length)} lanes`);
      await transaction(session, () => enter('load'));
      const { seed, scale, regions, until, windowDays } = world.options;
      const lane = { connection: db.connection!, label: db.label, world: { seed, scale, regions, until, windowDays }, mode, fault: options.fault, kept: CLEANED_UP };
      results.push(...(await loadInLanes(world, TABLE_SEEDS, copies, jobs, lane, options, () => pauseAt(options, 'load'))));
      for (const [i, seed] of TABLE_SEEDS.entries()) if (seed.kind === 'sql') results.push(await loadOne(i));
    } else {
      for (const i of TABLE_SEEDS.keys()) {
        results.push(await loadOne(i, i === 0));
        if (i === 0) await pauseAt(options, 'load');
      }
    }
    await transaction(session, async () => {
      await quiet(session, mode, tables);
      await finishLoad(session);
      await loud(session, mode, tables);
    });
    const loadMs = Date.now() - started;
    // constrain: a definition per transaction; each locks one table (and its partitions) at a time.
    options.onPhase?.(`rebuilding and validating ${saved.length} constraints and indexes, one transaction each${jobs > 1 ? `, over ${jobs} lanes` : ''}`);
    const constraintsStarted = Date.now();
    const orphans = (k: KeptForeignKey) => async (s: Session) => {
      const [row] = await transaction(s, async () => {
        await s.exec(`SET LOCAL work_mem = '64MB'`);
        return s.query<{ n: number }>(k.orphans);
      });
      if (row!.n > 0) {
        throw new EcomdbError('E_SEED_FAILED', `seeded data broke ${k.name} on ${k.table}: ${row!.n} row(s) reference no row`, {
          hint: `this is a bug in the seeder; ${CLEANED_UP}`,
          details: { table: k.table, constraint: k.name, sqlstate: '23503' },
        });
      }
    };
    if (jobs > 1) {
      await transaction(session, () => enter('constrain'));
      await pauseAt(options, 'constrain');
      // ADD PRIMARY KEY / UNIQUE take an ACCESS EXCLUSIVE lock on their table (and its partitions),
      // CREATE INDEX a SHARE lock: all the definitions of one table go to one session, so no two
      // sessions wait on each other; the biggest tables first. A foreign key locks the referenced
      // table too (SHARE ROW EXCLUSIVE, which conflicts with itself): two at once could deadlock,
      // so they follow, on this session, once every key they need is back.
      const keys = restoreOrder(saved).filter((d) => d.kind !== 'foreign_key');
      const rows = new Map(results.map((r) => [r.table, r.rows]));
      const byTable = [...new Set(keys.map((d) => d.table))]
        .sort((a, b) => (rows.get(b) ?? 0) - (rows.get(a) ?? 0))
        .map((table) => keys.filter((d) => d.table === table));
      const memory = `${Math.max(64, Math.floor(512 / jobs))}MB`;
      await inParallel(await lanes(), jobs, byTable, async (s, group) => {
        for (const d of group) await transaction(s, () => restoreDefinitions(s, [d], CLEANED_UP, memory));
      });
      for (const d of restoreOrder(saved).filter((d) => d.kind === 'foreign_key')) {
        await transaction(session, () => restoreDefinitions(session, [d], CLEANED_UP));
      }
      // Read-only, each under ACCESS SHARE locks: they never block one another.
      await inParallel(await lanes(), jobs, kept.keys, (s, k) => orphans(k)(s));
    } else {
      first = true;
      for (const d of restoreOrder(saved)) {
        await transaction(session, async () => {
          if (first) await enter('constrain');
          await restoreDefinitions(session, [d], CLEANED_UP);
        });
        if (first) await pauseAt(options, 'constrain');
        first = false;
      }
      for (const k of kept.keys) await orphans(k)(session);
    }
    const constraintsMs = Date.now() - constraintsStarted;
    // check: fresh statistics (the checks and the user's first queries plan on them), then the rules.
    await transaction(session, () => enter('check'));
    await pauseAt(options, 'check');
    options.onPhase?.('analysing');
    // Outside a transaction block ANALYZE commits table by table (and partition by partition);
    // over the lanes, a table per session at a time (ANALYZE of one table conflicts with itself only).
    if (jobs > 1) await inParallel(await lanes(), jobs, tables, (s, table) => s.exec(`ANALYZE ${table}`));
    else await session.exec(`ANALYZE ${tables.join(', ')}`);
    const checks = await transaction(session, async () => {
      // As in the one transaction: the rules see the timestamps in UTC.
      await session.exec(`SET LOCAL TimeZone = 'UTC'`);
      return runChecks(session, options, CLEANED_UP);
    });
    // The end: the audit trail's SEED rows, and the marker gone, in one last transaction.
    await transaction(session, async () => {
      await recordSeed(session, results.filter((r) => mode.audited.includes(r.table)), about(options));
      await session.exec(`DROP SCHEMA ${MARKER_SCHEMA} CASCADE`);
    });
    return resultOf(results, loadMs, constraintsMs, checks, started);
  } catch (error) {
    const failure = isLockTableFull(error) ? lockTableFull(error) : error;
    options.onPhase?.('the seed failed: emptying the seeded tables and restoring their keys');
    try {
      await session.exec('ROLLBACK').catch(() => {});
      await emptyTables(session, tables, mode);
      const now = await secondaryDefinitions(session, tables, true);
      for (const d of restoreOrder(saved.filter((s) => !now.some((n) => sameDefinition(n, s))))) {
        await transaction(session, () => restoreDefinitions(session, [d], CLEANED_UP));
      }
      await transaction(session, () => session.exec(`DROP SCHEMA ${MARKER_SCHEMA} CASCADE`));
    } catch (cleanup) {
      // The marker stays: every command refuses the database and the next seed cleans it up.
      if (failure instanceof EcomdbError) {
        throw new EcomdbError(failure.code, failure.message, {
          hint: `the cleanup failed too (${pgFields(cleanup).message}): run ecomdb seed again to clean up and reseed`,
          details: { ...failure.details },
          cause: failure,
        });
      }
    }
    throw failure;
  } finally {
    await pool?.close();
  }
}

/** Empty every seeded table in one statement (they reference one another), in a transaction of its own. */
async function emptyTables(session: Session, tables: readonly string[], mode: WriteMode): Promise<void> {
  await transaction(session, async () => {
    await quiet(session, mode, tables);
    await session.exec(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY`);
    await session.exec(INVALIDATE_EVERYTHING);
    await loud(session, mode, tables);
  });
}

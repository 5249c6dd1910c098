/**
 * Running a partition plan: every step in one transaction, so that a failure leaves the
 * database exactly as it was, under an advisory lock so that two partition commands never
 * interleave. The executor knows nothing about partitions; plan.ts decided everything.
 */
import type { Database, Session } from '../db/types.ts';
import { EcomdbError, LOCK_TABLE_FULL_HINT, pgFields } from '../errors.ts';
import { quoteLiteral } from '../ident.ts';
import { readCatalog, type CatalogSnapshot } from './catalog.ts';
import type { PartitionPlan, Step } from './plan.ts';

/** pg_advisory_xact_lock key of `ecomdb partition` ("ecompart"). */
export const PARTITION_LOCK_KEY = 0x65636f6d70617274n;

/** How long a partition step waits for a lock before giving up and changing nothing (--lock-timeout, explain, the seed's months). */
export const DEFAULT_LOCK_TIMEOUT = '10s';

export interface RunHooks {
  /** Called after the move phase of `add`, while its locks are held (tests use it to probe). */
  afterMove?: () => Promise<void>;
  /** Called before each step. */
  onStep?: (step: Step, index: number, total: number) => void;
}

export interface RunReport {
  readonly statements: number;
  /** Wall time of the whole transaction, in milliseconds. */
  readonly totalMs: number;
  /** Per phase, in milliseconds: `move` and `attach` for add, `main` otherwise. */
  readonly phaseMs: Readonly<Record<string, number>>;
}

/** Read the catalog (for `partition plan` and `list`: nothing runs). */
export async function snapshotOf(db: Database): Promise<CatalogSnapshot> {
  return db.session((s) => readCatalog(s));
}

export type Planner = (snapshot: CatalogSnapshot) => PartitionPlan;

/**
 * Plan and run in one transaction: the catalog is read after the advisory lock is taken, so
 * the plan cannot be outdated by another partition command. An empty plan commits nothing.
 */
export async function runPartition(
  db: Database,
  planner: Planner,
  options: RunOptions = {},
): Promise<{ plan: PartitionPlan; report: RunReport }> {
  return db.session((session) => runOn(session, planner, options));
}

export interface RunOptions {
  lockTimeout?: string;
  hooks?: RunHooks;
  /** What errors call the command before its plan exists (default `partition`), e.g. `partition months`. */
  label?: string;
}

async function runOn(session: Session, planner: Planner, options: RunOptions): Promise<{ plan: PartitionPlan; report: RunReport }> {
  const started = performance.now();
  const phaseMs: Record<string, number> = {};
  let statements = 0;
  let plan: PartitionPlan;
  await session.exec('BEGIN');
  try {
    // The timeout covers every wait, the first ones included: another partition command holding
    // the advisory lock, or a table locked by someone else while the catalog is read.
    if (options.lockTimeout) await session.exec(`SET LOCAL lock_timeout = ${quoteLiteral(options.lockTimeout)}`);
    try {
      await session.query(`select pg_advisory_xact_lock(${PARTITION_LOCK_KEY.toString()})`);
    } catch (error) {
      throw failed(options.label ?? 'partition', 'waiting for other partition commands', error);
    }
    const snapshot = await readCatalog(session).catch((error: unknown) => {
      throw failed(options.label ?? 'partition', 'reading the catalog', error);
    });
    plan = planner(snapshot);
    let previous: Step['phase'] | null = null;
    for (const [index, step] of plan.steps.entries()) {
      if (previous === 'move' && step.phase === 'attach') await options.hooks?.afterMove?.();
      previous = step.phase;
      options.hooks?.onStep?.(step, index, plan.steps.length);
      const t0 = performance.now();
      for (const sql of step.sql) {
        if (/^--[^\n]*$/.test(sql)) continue;
        try {
          await session.exec(sql);
        } catch (error) {
          throw failed(plan.kind, `"${step.title}"`, error, sql);
        }
        statements++;
      }
      phaseMs[step.phase] = (phaseMs[step.phase] ?? 0) + (performance.now() - t0);
    }
    const t0 = performance.now();
    await session.exec('COMMIT');
    // The commit releases the locks: it belongs to the last phase.
    if (previous) phaseMs[previous] = (phaseMs[previous] ?? 0) + (performance.now() - t0);
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return { plan, report: { statements, totalMs: performance.now() - started, phaseMs } };
}

/** A failed statement of a partition command, as one line with a hint (nothing was changed: the caller rolls back). */
function failed(kind: string, where: string, error: unknown, statement?: string): EcomdbError {
  if (error instanceof EcomdbError) return error;
  const pg = pgFields(error);
  return new EcomdbError('E_PARTITION_FAILED', `${kind} failed at ${where}: ${pg.message}${pg.code ? ` (SQLSTATE ${pg.code})` : ''}; nothing was changed`, {
    hint:
      pg.code === '53200'
        ? LOCK_TABLE_FULL_HINT
        : pg.code === '55P03'
          ? 'a lock was not granted within --lock-timeout; retry when the table is quieter, or raise --lock-timeout'
          : pg.code === '42P07' && kind === 'detach'
            ? 'a table or index of that name already exists in the archive schema (an earlier detach of this site?): choose other table names with --to-table, or rename or drop the archived tables first'
            : 'run with --json for the failing statement; `ecomdb partition plan` shows the whole plan',
    details: { step: where, statement, sqlstate: pg.code, detail: pg.detail },
    cause: error,
  });
}

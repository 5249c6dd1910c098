/**
 * Loading one seeded table on one session: what the serial seed (load.ts) and each lane of a
 * parallel one (lane-worker.ts) share, so that both load a table the same way. Kept apart from
 * load.ts so that a lane, a thread of its own, imports only this and the generators.
 */
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { CACHE_INVALIDATION_OFF } from '../cache/outbox.ts';
import { auditTriggersSql } from '../audit/trail.ts';
import type { World, TableSeed } from '../../seeds/index.ts';
import type { Session } from '../db/types.ts';
import { EcomdbError, isLockTableFull, LOCK_TABLE_FULL_HINT, pgFields } from '../errors.ts';
import { quoteIdent, quoteQualified } from '../ident.ts';
import { chunks } from './copy-text.ts';

export function qualifiedName(table: PgTable): string {
  const { schema = 'public', name } = getTableConfig(table);
  return quoteQualified(schema, name);
}

/** What a table's load reports (and what the progress callbacks are told). */
export interface TableResult {
  readonly table: string;
  readonly rows: number;
  readonly ms: number;
}

/** The progress callbacks and the fault hook of SeedOptions that loading a table uses. */
export interface TableLoadOptions {
  onTableStart?: (table: string, expected: number) => void;
  onRows?: (table: string, rows: number) => void;
  onTableDone?: (result: TableResult) => void;
  /** Test hook: refuse one row, e.g. `order_processing.orders:100`. */
  fault?: string;
  /** Abort the COPY (CopyFail, so the session stays usable) at the next chunk of rows: another lane failed. */
  signal?: AbortSignal;
}

/** One transaction on `session`: `work` between BEGIN and COMMIT, ROLLBACK if it throws. */
export async function transaction<T>(session: Session, work: () => Promise<T>): Promise<T> {
  await session.exec('BEGIN');
  try {
    const result = await work();
    await session.exec('COMMIT');
    return result;
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** How a phased seed writes rows: with the triggers of kept foreign keys silent, or with the audit triggers of `audited` switched off. */
export interface WriteMode {
  /** session_replication_role = replica (the role may set it). */
  readonly silent: boolean;
  /** The seeded tables with an audit trigger. */
  readonly audited: readonly string[];
}

/**
 * Inside each transaction of a phased seed that writes rows of `among`: timestamps in UTC, no
 * cache invalidation, and no audit row per seeded row. With `silent`, replica mode silences the
 * triggers of the foreign keys kept in place (validated in the constrain phase) and the audit
 * triggers with them (ordinary triggers do not fire in replica mode); otherwise the audit
 * triggers are switched off here and on again by `loud`, inside the transaction.
 */
export async function quiet(session: Session, mode: WriteMode, among: readonly string[]): Promise<void> {
  await session.exec(`SET LOCAL TimeZone = 'UTC'`);
  await session.exec(CACHE_INVALIDATION_OFF);
  if (mode.silent) return session.exec(`SET LOCAL session_replication_role = replica`);
  for (const statement of auditTriggersSql(mode.audited.filter((t) => among.includes(t)), false)) await session.exec(statement);
}

/** Before COMMIT: the audit triggers `quiet` switched off, on again. */
export async function loud(session: Session, mode: WriteMode, among: readonly string[]): Promise<void> {
  if (mode.silent) return;
  for (const statement of auditTriggersSql(mode.audited.filter((t) => among.includes(t)), true)) await session.exec(statement);
}

export async function count(session: Session, table: string): Promise<number> {
  const [row] = await session.query<{ n: string }>(`select count(*)::text as n from ${table}`);
  return Number(row!.n);
}

export function lockTableFull(cause: unknown): EcomdbError {
  return new EcomdbError('E_SEED_FAILED', `PostgreSQL ran out of lock slots during the seed: ${pgFields(cause).message}; nothing was kept`, {
    hint: LOCK_TABLE_FULL_HINT,
    details: { sqlstate: '53200' },
    cause,
  });
}

async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  for await (const item of source) {
    signal?.throwIfAborted();
    yield item;
  }
}

/** Stream (COPY) or insert (SQL) one table, inside the caller's transaction; `kept` says what a failure keeps. */
export async function loadTable(session: Session, world: World, seed: TableSeed, options: TableLoadOptions, kept: string): Promise<TableResult> {
  const table = qualifiedName(seed.table);
  const started = Date.now();
  let rows: number;
  if (seed.kind === 'sql') {
    options.onTableStart?.(table, 0);
    // These statements join whole tables just loaded bare (their unique keys dropped). The
    // planner misjudges the composite joins (order_details to orders on three correlated
    // columns: estimated 1 row, even after ANALYZE) and picks a nested loop whose inner side has
    // no usable index: the reviews insert was quadratic (scale 10: 79 s; with hash joins 0.3 s).
    // Bulk joins never want a nested loop here.
    await session.exec('SET LOCAL enable_nestloop = off');
    await session.exec(seed.sql(world));
    await session.exec('RESET enable_nestloop');
    rows = await count(session, table);
  } else {
    options.onTableStart?.(table, seed.expected(world));
    const [faultTable, faultRow] = options.fault?.split(':') ?? [];
    const corruptRow = faultTable && table.replaceAll('"', '') === faultTable ? Number(faultRow) : undefined;
    let written = 0;
    const target = `${table} (${seed.columns.map(quoteIdent).join(', ')})`;
    try {
      await session.copyFrom(
        target,
        abortable(chunks(seed.rows(world), { corruptRow, onRows: (n) => ((written = n), options.onRows?.(table, n)) }), options.signal),
      );
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const pg = pgFields(error);
      if (isLockTableFull(error)) throw lockTableFull(error);
      throw new EcomdbError('E_SEED_FAILED', `PostgreSQL refused a row of ${table}: ${pg.message}${pg.code ? ` [${pg.code}]` : ''}`, {
        hint: kept,
        details: { table, sqlstate: pg.code, detail: pg.detail },
        cause: error,
      });
    }
    // Belt and braces for the postgres.js COPY bug (docs/design.md, 'postgres.js'): the server must hold every row sent.
    rows = await count(session, table);
    if (rows !== written) {
      throw new EcomdbError('E_SEED_FAILED', `${table}: sent ${written} rows but the table holds ${rows}`, {
        hint: kept,
      });
    }
  }
  const result = { table, rows, ms: Date.now() - started };
  options.onTableDone?.(result);
  return result;
}

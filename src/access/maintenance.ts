/**
 * Maintenance: the DBA (group role ecomdb_dba) keeps the database healthy — refreshes the BI
 * views (refreshBiViews in bi.ts, as a member of the BI analyst's role that owns them), reads
 * which tables need vacuuming or analysing, and applies the retention of the search history.
 * The DBA holds every privilege on every table but reads no personal column (schema/security.ts).
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import { COMPONENTS, userSearchHistory } from '../../schema/index.ts';
import type { SiteId } from '../../schema/values.ts';
import type { AccessDb } from './db.ts';
import { date, refuse, site } from './guard.ts';

export interface TableHealth {
  /** schema.table (a partition under its own name). */
  readonly table: string;
  readonly liveRows: number;
  readonly deadRows: number;
  /** Dead rows as a share of all rows, 0 to 1. */
  readonly deadShare: number;
  /** When it was last vacuumed or analysed (by hand or by autovacuum), null if never. */
  readonly lastVacuum: Date | null;
  readonly lastAnalyze: Date | null;
  /** Rows changed since the last analyse: the planner's statistics are that far behind. */
  readonly modifiedSinceAnalyze: number;
  /** Table, indexes and TOAST, in bytes. */
  readonly bytes: number;
}

/**
 * The tables of the component schemas (and their partitions) from the statistics collector, the
 * ones with the most dead rows first: what to VACUUM or ANALYZE. `limit` 1 to 500 (default 20).
 */
export async function maintenanceReport(db: AccessDb, params: { readonly limit?: number } = {}): Promise<TableHealth[]> {
  const limit = params.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw refuse('E_ACCESS_INVALID', `limit: ${String(limit)} is not between 1 and 500`, 'pass a whole number from 1 to 500', { param: 'limit' });
  const schemas = COMPONENTS.map((c) => c.schema.schemaName);
  const result = await db.execute(sql`
    SELECT s.schemaname || '.' || s.relname AS "table",
           s.n_live_tup::float8 AS "liveRows", s.n_dead_tup::float8 AS "deadRows",
           CASE WHEN s.n_live_tup + s.n_dead_tup = 0 THEN 0 ELSE s.n_dead_tup::float8 / (s.n_live_tup + s.n_dead_tup) END AS "deadShare",
           GREATEST(s.last_vacuum, s.last_autovacuum) AS "lastVacuum",
           GREATEST(s.last_analyze, s.last_autoanalyze) AS "lastAnalyze",
           s.n_mod_since_analyze::float8 AS "modifiedSinceAnalyze",
           pg_catalog.pg_total_relation_size(s.relid)::float8 AS "bytes"
      FROM pg_catalog.pg_stat_user_tables AS s
     WHERE s.schemaname IN (${sql.join(schemas.map((x) => sql`${x}`), sql`, `)})
     ORDER BY s.n_dead_tup DESC, s.n_mod_since_analyze DESC, 1
     LIMIT ${limit}`);
  const rows = (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows) as Record<string, unknown>[];
  const when = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return rows.map((r) => ({
    table: String(r.table),
    liveRows: Number(r.liveRows),
    deadRows: Number(r.deadRows),
    deadShare: Number(r.deadShare),
    lastVacuum: when(r.lastVacuum),
    lastAnalyze: when(r.lastAnalyze),
    modifiedSinceAnalyze: Number(r.modifiedSinceAnalyze),
    bytes: Number(r.bytes),
  }));
}

export interface PurgeSearchesParams {
  /** Searches made before this instant are deleted (the retention of the search history). */
  readonly before: Date;
  /** Only this site's; omitted: every site. */
  readonly region?: SiteId;
}

/**
 * Delete the search history older than `before`: the retention the sites' data-protection laws
 * ask of data kept for recommendations. Returns how many searches were deleted. `before` may not
 * be in the future.
 */
export async function purgeSearchHistory(db: AccessDb, params: PurgeSearchesParams): Promise<{ deleted: number }> {
  const before = date('before', params.before);
  if (before.getTime() > Date.now()) throw refuse('E_ACCESS_INVALID', 'before: in the future', 'pass the instant before which searches are deleted', { param: 'before' });
  const region = params.region === undefined ? undefined : site(params.region);
  const deleted = await db
    .delete(userSearchHistory)
    .where(and(region === undefined ? undefined : eq(userSearchHistory.region, region), lt(userSearchHistory.searchedAt, before)))
    .returning({ id: userSearchHistory.id });
  return { deleted: deleted.length };
}

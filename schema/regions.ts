/**
 * Which tables are region-scoped, derived from the schema source rather than listed: a table is
 * region-scoped when it has the region column. Partitioning (LIST by region), the read layer
 * (row filters per site) and the partition commands all ask this module, so a new table with a
 * `region()` column is picked up by each of them at once.
 */
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { REGION_COLUMN } from './columns.ts';
import { COMPONENTS, type Component } from './index.ts';

export { REGION_COLUMN };

/** True when the table carries a row's site (has the region column). */
export function isRegionScoped(table: PgTable): boolean {
  return getTableConfig(table).columns.some((c) => c.name === REGION_COLUMN);
}

/** `schema.table` of every region-scoped table, in declaration order. */
export function regionTables(components: readonly Component[] = COMPONENTS): string[] {
  return components.flatMap((c) =>
    c.tables
      .filter((d) => isRegionScoped(d.table))
      .map((d) => {
        const config = getTableConfig(d.table);
        return `${config.schema ?? 'public'}.${config.name}`;
      }),
  );
}

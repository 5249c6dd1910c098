/**
 * What the read layer replicates, read from the schema source (COMPONENTS): every table, and
 * whether it is region-scoped (it has a `region` column: a read node holds only its sites' rows)
 * or global reference data (every read node holds all of it). Pure.
 */
import { getTableConfig } from 'drizzle-orm/pg-core';
import { COMPONENTS, type Component } from '../../schema/index.ts';
import { isRegionScoped } from '../../schema/regions.ts';
import { quoteQualified } from '../ident.ts';

export interface ReplicatedTable {
  readonly schema: string;
  readonly name: string;
  /** True when the table has a `region` column: a read node holds only its sites' rows of it. */
  readonly regional: boolean;
}

/** Every table of every component, in the order of the components. */
export function replicatedTables(components: readonly Component[] = COMPONENTS): ReplicatedTable[] {
  return components.flatMap((component) =>
    component.tables.map(({ table }) => {
      const config = getTableConfig(table);
      return {
        schema: config.schema ?? 'public',
        name: config.name,
        regional: isRegionScoped(table),
      };
    }),
  );
}

/** `"schema"."table"`. */
export const qualified = (table: ReplicatedTable): string => quoteQualified(table.schema, table.name);

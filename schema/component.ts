/**
 * How a component file declares itself: its PostgreSQL schema and, for every table, the
 * comment on the table and on each of its columns. The types make a missing column comment a
 * compile error; ecomdb turns these into `COMMENT ON` statements in a generated migration.
 */
import type { PgSchema, PgTable } from 'drizzle-orm/pg-core';

type ColumnsOf<T extends PgTable> = T['_']['columns'];

/** A table and the words that explain it: one sentence for the table, one per column. */
export interface TableDoc {
  readonly table: PgTable;
  readonly comment: string;
  /** Keyed by the TypeScript property name of each column. */
  readonly columns: Readonly<Record<string, string>>;
}

/** Explain a table: every column must be named, and only its columns. */
export function describe<T extends PgTable>(
  table: T,
  comment: string,
  columns: { readonly [K in keyof ColumnsOf<T>]: string },
): TableDoc {
  return { table, comment, columns: columns as Record<string, string> };
}

/** One of the ten functional areas of the paper, held in a PostgreSQL schema of its own. */
export interface Component {
  readonly schema: PgSchema;
  readonly title: string;
  readonly comment: string;
  readonly tables: readonly TableDoc[];
}

/**
 * How a component's seeder describes a table: rows streamed by COPY, computed in Node from the
 * world, or rows derived in SQL from tables already loaded (when a rule such as "one review per
 * buyer and product" is easier to keep with DISTINCT ON than with arithmetic).
 */
import type { PgTable } from 'drizzle-orm/pg-core';
import type { World } from './world.ts';

export type Cell = string | number | boolean | null;

export interface CopySeed {
  readonly kind: 'copy';
  readonly table: PgTable;
  /** Database column names, in the order of each row's cells. */
  readonly columns: readonly string[];
  /** An estimate of the row count, for progress (exact counts come from the database). */
  expected(world: Pick<World, 'layout'>): number;
  /** Sync for pure rows; async where a row needs work off the main thread (password hashes). */
  rows(world: World): Iterable<readonly Cell[]> | AsyncIterable<readonly Cell[]>;
}

export interface SqlSeed {
  readonly kind: 'sql';
  readonly table: PgTable;
  /** One INSERT ... SELECT over tables loaded before it. */
  sql(world: World): string;
}

export type TableSeed = CopySeed | SqlSeed;

/** Every index in [0, n). */
export function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

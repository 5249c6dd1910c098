/**
 * What lint needs to know of a database: which migration files it has not applied yet, and which
 * of its tables are partitioned parents (a statement on one locks every partition).
 */
import type { Database } from '../db/types.ts';
import type { MigrationFile } from '../migrations/files.ts';
import { migrationStatus } from '../migrations/run.ts';

export interface TargetFacts {
  /** Files not applied on the target (pending, or new but ordered before an applied one), in journal order. */
  readonly unapplied: readonly MigrationFile[];
  /** `schema.table` of every partitioned table (relkind 'p'), sub-partitioned partitions included. */
  readonly partitioned: ReadonlySet<string>;
}

export async function targetFacts(db: Database, files: readonly MigrationFile[]): Promise<TargetFacts> {
  const plan = await migrationStatus(db, files);
  const unapplied = new Set(plan.migrations.filter((m) => m.state === 'pending' || m.state === 'out_of_order').map((m) => m.tag));
  const rows = await db.session((s) =>
    s.query<{ name: string }>(
      `select n.nspname || '.' || c.relname as name
         from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'p'`,
    ),
  );
  return { unapplied: files.filter((f) => unapplied.has(f.tag)), partitioned: new Set(rows.map((r) => r.name)) };
}

/**
 * The databases the query library is tested on, each migrated from the committed migrations: a
 * plain server database, a partitioned one (`partition apply`: LIST by site, months), and an
 * in-memory PGlite. Each gives a drizzle database for the library and raw SQL for assertions.
 */
import { sql, type SQLWrapper } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { AccessDb } from '../../src/access/index.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { monthOf } from '../../src/partition/months.ts';
import { applyPlan } from '../../src/partition/plan.ts';
import { runPartition } from '../../src/partition/run.ts';
import { createMigratedDatabase, migratedPglite } from '../helpers/db.ts';

export interface Target {
  readonly name: string;
  readonly db: AccessDb;
  /** The server's URL (PostgreSQL targets only), for a connection of a test's own. */
  readonly url?: string;
  /** Run SQL text with parameters and return its rows (for assertions and hand-made rows). */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export type TargetKind = 'server' | 'partitioned' | 'pglite';

export async function openTarget(kind: TargetKind, label: string): Promise<Target> {
  if (kind === 'pglite') {
    const { pg } = await migratedPglite();
    return {
      name: 'PGlite',
      db: drizzlePglite(pg),
      query: async (text, params = []) => (await pg.query(text, params as unknown[])).rows as never,
      close: () => pg.close(),
    };
  }
  const test = await createMigratedDatabase(label);
  if (kind === 'partitioned') {
    const db = await openPostgres(test.url);
    try {
      // Months from the one ten days ago (and three after it): a test may date an order back
      // past the seven-day payment window, whatever the day of the month.
      await runPartition(db, (s) => applyPlan(s, { month: monthOf(new Date(Date.now() - 10 * 86_400_000)) }));
    } finally {
      await db.close();
    }
  }
  return {
    name: kind === 'partitioned' ? 'PostgreSQL, partitioned' : 'PostgreSQL',
    db: drizzlePostgres(test.sql),
    url: test.url,
    query: async (text, params = []) => (await test.sql.unsafe(text, params as never[])) as never,
    close: () => test.drop(),
  };
}

/**
 * The text of EXPLAIN for `query` on `t`, with the planner's `switches` (e.g. enable_seqscan)
 * off for that transaction only: what the indexes make possible, whatever the table sizes.
 */
export async function explainPlan(t: Target, query: SQLWrapper, switches: readonly string[]): Promise<string> {
  type Line = { 'QUERY PLAN': string };
  return t.db.transaction(async (tx) => {
    for (const name of switches) await tx.execute(sql.raw(`set local ${name} = off`));
    const out = (await tx.execute(sql`explain ${query}`)) as unknown as Line[] | { rows: Line[] };
    // postgres.js returns the rows, PGlite a result holding them.
    return (Array.isArray(out) ? out : out.rows).map((r) => r['QUERY PLAN']).join('\n');
  });
}

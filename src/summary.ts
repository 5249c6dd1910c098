/** What exists in a database: the components, their tables and row counts. Read-only. */
import { getTableConfig } from 'drizzle-orm/pg-core';
import { COMPONENTS } from '../schema/index.ts';
import { quoteQualified } from './ident.ts';
import type { Session } from './db/types.ts';

export interface ComponentSummary {
  readonly schema: string;
  readonly title: string;
  readonly tables: readonly { readonly name: string; readonly rows: number }[];
}

/** Exact row counts of every table of every component that exists in the database. */
export async function summarize(session: Session): Promise<ComponentSummary[]> {
  const present = new Set(
    (
      await session.query<{ name: string }>(
        `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r', 'p') and not c.relispartition`,
      )
    ).map((r) => r.name),
  );
  const out: ComponentSummary[] = [];
  for (const component of COMPONENTS) {
    const tables = [];
    for (const doc of component.tables) {
      const { schema = 'public', name } = getTableConfig(doc.table);
      if (!present.has(`${schema}.${name}`)) continue;
      const [row] = await session.query<{ n: string }>(`select count(*)::text as n from ${quoteQualified(schema, name)}`);
      tables.push({ name, rows: Number(row?.n ?? 0) });
    }
    out.push({ schema: component.schema.schemaName, title: component.title, tables });
  }
  return out;
}

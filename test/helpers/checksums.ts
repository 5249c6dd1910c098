/** Per-table row counts and content checksums, to compare two databases or a database over time. */
import { COMPONENTS } from '../../schema/index.ts';
import { qualifiedName } from '../../src/seed/load.ts';
import type { Session } from '../../src/db/types.ts';

export const ALL_TABLES = COMPONENTS.flatMap((c) => c.tables.map((t) => qualifiedName(t.table)));

export interface TableChecksum {
  rows: number;
  md5: string;
}

/** md5 of every row's text, in a stable order, with timestamps in UTC. */
export async function checksums(session: Session): Promise<Record<string, TableChecksum>> {
  await session.exec(`SET TimeZone = 'UTC'`);
  const out: Record<string, TableChecksum> = {};
  for (const table of ALL_TABLES) {
    const [row] = await session.query<{ rows: string; md5: string }>(
      `select count(*)::text as rows, md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as md5 from ${table} t`,
    );
    out[table] = { rows: Number(row!.rows), md5: row!.md5 };
  }
  return out;
}

/** Names and definitions of every constraint and index of the component schemas. */
export async function definitions(session: Session): Promise<string[]> {
  const rows = await session.query<{ d: string }>(
    `select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) as d from pg_constraint
      where connamespace::regnamespace::text not in ('pg_catalog', 'information_schema', 'drizzle') and conrelid <> 0
     union all
     select indexrelid::regclass::text || ' ' || pg_get_indexdef(indexrelid) from pg_index
      where indrelid::regclass::text not like 'pg_%' and indrelid::regclass::text not like 'information_schema.%'
     order by 1`,
  );
  return rows.map((r) => r.d);
}

/** Every table's content and every definition: what must be unchanged after a rolled-back operation. */
export async function snapshot(session: Session): Promise<{ sums: Record<string, TableChecksum>; defs: string[] }> {
  return { sums: await checksums(session), defs: await definitions(session) };
}

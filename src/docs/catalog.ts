/**
 * The live catalog of some schemas as plain data, for the data dictionary. Everything is read
 * from pg_catalog (never from schema/*.ts), so the docs describe the database as it is.
 * Partitions are left out: they repeat their parent. Every list is ordered in SQL with the "C"
 * collation, so two servers with different locales give the same order, hence the same bytes.
 */
import type { Session } from '../db/types.ts';
import type { MigrationFile } from '../migrations/files.ts';
import { withMigratedMemoryPglite } from '../migrations/memory.ts';
import { indexOwnedByConstraint } from '../pg-catalog.ts';

export interface CatalogColumn {
  readonly name: string;
  /** As format_type prints it: `numeric(14,2)`, `timestamp with time zone`. */
  readonly type: string;
  readonly nullable: boolean;
  readonly default: string | null;
  readonly comment: string | null;
}

/** A primary key, unique key or check: its name, its columns and its definition as pg_get_constraintdef prints it. */
export interface CatalogConstraint {
  readonly name: string;
  readonly columns: readonly string[];
  readonly definition: string;
}

export interface CatalogForeignKey extends CatalogConstraint {
  readonly targetSchema: string;
  readonly targetTable: string;
  readonly targetColumns: readonly string[];
}

/** An index that no constraint owns (a constraint's own index is documented by the constraint). */
export interface CatalogIndex {
  readonly name: string;
  readonly unique: boolean;
  readonly definition: string;
}

export interface CatalogTable {
  readonly schema: string;
  readonly name: string;
  readonly comment: string | null;
  readonly columns: readonly CatalogColumn[];
  readonly primaryKey: CatalogConstraint | null;
  readonly uniqueKeys: readonly CatalogConstraint[];
  readonly foreignKeys: readonly CatalogForeignKey[];
  readonly checks: readonly CatalogConstraint[];
  readonly indexes: readonly CatalogIndex[];
}

export interface CatalogSchema {
  readonly name: string;
  readonly comment: string | null;
  readonly tables: readonly CatalogTable[];
}

/** The tables of `schemas` (regular and partitioned, not partitions), shared by every query below. */
const TABLES = `
  select c.oid, n.nspname as schema, c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = any($1::text[]) and c.relkind in ('r', 'p') and not c.relispartition`;

/** Column names of an attnum array, in the array's order. */
const attnames = (rel: string, nums: string) => `
  array(select a.attname::text from unnest(${nums}) with ordinality as u(num, pos)
          join pg_attribute a on a.attrelid = ${rel} and a.attnum = u.num order by u.pos)`;

const key = (schema: string, table: string) => `${schema}.${table}`;

/** Read `schemas` (in the order given; absent ones are skipped) with their tables, columns, keys and indexes. */
export async function readCatalog(session: Session, schemas: readonly string[]): Promise<CatalogSchema[]> {
  const params = [schemas];
  const namespaces = await session.query<{ name: string; comment: string | null }>(
    `select nspname as name, obj_description(oid, 'pg_namespace') as comment from pg_namespace where nspname = any($1::text[])`,
    params,
  );
  const tables = await session.query<{ schema: string; name: string; comment: string | null }>(
    `with t as (${TABLES})
     select schema, name, obj_description(oid, 'pg_class') as comment from t order by name collate "C"`,
    params,
  );
  const columns = await session.query<{ schema: string; table: string } & CatalogColumn>(
    `with t as (${TABLES})
     select t.schema, t.name as table, a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
            not a.attnotnull as nullable, pg_get_expr(d.adbin, d.adrelid) as default,
            col_description(t.oid, a.attnum) as comment
       from t join pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
       left join pg_attrdef d on d.adrelid = t.oid and d.adnum = a.attnum
      order by a.attnum`,
    params,
  );
  const constraints = await session.query<{
    schema: string;
    table: string;
    kind: 'p' | 'u' | 'f' | 'c';
    name: string;
    columns: string[];
    definition: string;
    target_schema: string | null;
    target_table: string | null;
    target_columns: string[] | null;
  }>(
    `with t as (${TABLES})
     select t.schema, t.name as table, k.contype::text as kind, k.conname as name,
            ${attnames('t.oid', 'k.conkey')} as columns, pg_get_constraintdef(k.oid) as definition,
            fn.nspname as target_schema, fc.relname as target_table,
            case when k.contype = 'f' then ${attnames('k.confrelid', 'k.confkey')} end as target_columns
       from t join pg_constraint k on k.conrelid = t.oid and k.conparentid = 0 and k.contype in ('p', 'u', 'f', 'c')
       left join pg_class fc on fc.oid = k.confrelid
       left join pg_namespace fn on fn.oid = fc.relnamespace
      order by k.conname collate "C"`,
    params,
  );
  const indexes = await session.query<{ schema: string; table: string } & CatalogIndex>(
    `with t as (${TABLES})
     select t.schema, t.name as table, ic.relname as name, i.indisunique as unique, pg_get_indexdef(i.indexrelid) as definition
       from t join pg_index i on i.indrelid = t.oid join pg_class ic on ic.oid = i.indexrelid
      where not ${indexOwnedByConstraint('i')}
      order by ic.relname collate "C"`,
    params,
  );

  const byTable = <T extends { schema: string; table: string }>(rows: readonly T[]) => {
    const map = new Map<string, T[]>();
    for (const row of rows) map.set(key(row.schema, row.table), [...(map.get(key(row.schema, row.table)) ?? []), row]);
    return (schema: string, table: string) => map.get(key(schema, table)) ?? [];
  };
  const columnsOf = byTable(columns);
  const constraintsOf = byTable(constraints);
  const indexesOf = byTable(indexes);
  const constraint = (row: (typeof constraints)[number]): CatalogConstraint => ({ name: row.name, columns: row.columns, definition: row.definition });

  return schemas.flatMap((name) => {
    const namespace = namespaces.find((n) => n.name === name);
    if (!namespace) return [];
    const schemaTables = tables.filter((t) => t.schema === name).map((t): CatalogTable => {
      const own = constraintsOf(t.schema, t.name);
      const primary = own.find((k) => k.kind === 'p');
      return {
        schema: t.schema,
        name: t.name,
        comment: t.comment,
        columns: columnsOf(t.schema, t.name).map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, default: c.default, comment: c.comment })),
        primaryKey: primary ? constraint(primary) : null,
        uniqueKeys: own.filter((k) => k.kind === 'u').map(constraint),
        foreignKeys: own
          .filter((k) => k.kind === 'f')
          .map((k) => ({ ...constraint(k), targetSchema: k.target_schema ?? '', targetTable: k.target_table ?? '', targetColumns: k.target_columns ?? [] })),
        checks: own.filter((k) => k.kind === 'c').map(constraint),
        indexes: indexesOf(t.schema, t.name).map((i) => ({ name: i.name, unique: i.unique, definition: i.definition })),
      };
    });
    return [{ name, comment: namespace.comment, tables: schemaTables }];
  });
}

/**
 * The catalog the committed migrations define, with no database to hand: migrate an in-memory
 * PGlite from scratch and read it. This is what `ecomdb docs` documents by default, so the
 * committed docs/ never depend on the state of someone's local store.
 */
export async function readMigratedCatalog(files: readonly MigrationFile[], schemas: readonly string[]): Promise<CatalogSchema[]> {
  return withMigratedMemoryPglite(files, (db) => db.session((s) => readCatalog(s, schemas)));
}

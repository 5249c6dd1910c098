/**
 * What the catalog says about the migrated schema: every table has a primary key, every
 * foreign key's columns lead some index, and every table and column carries a comment.
 * Each query is first shown to catch a deliberately broken table, so an empty answer means
 * something.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENTS } from '../../schema/index.ts';
import { createMigratedDatabase, migratedPglite, type TestDatabase } from '../helpers/db.ts';
import type { Database } from '../../src/db/types.ts';

const SCHEMAS = COMPONENTS.map((c) => c.schema.schemaName);
const IN_SCHEMAS = `(${SCHEMAS.map((s) => `'${s}'`).join(', ')})`;

const TABLES_WITHOUT_PK = `
  select n.nspname || '.' || c.relname as object
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname in ${IN_SCHEMAS} and c.relkind in ('r', 'p') and not c.relispartition
     and not exists (select 1 from pg_constraint p where p.conrelid = c.oid and p.contype = 'p')`;

const FKS_WITHOUT_INDEX = `
  select con.conrelid::regclass::text || ' ' || con.conname as object
    from pg_constraint con join pg_namespace n on n.oid = con.connamespace
   where con.contype = 'f' and n.nspname in ${IN_SCHEMAS}
     and not exists (
       select 1 from pg_index i
        where i.indrelid = con.conrelid
          and i.indnkeyatts >= cardinality(con.conkey)
          and (select array_agg(k order by k) from unnest((i.indkey::int2[])[0:cardinality(con.conkey) - 1]) k)
            = (select array_agg(k order by k) from unnest(con.conkey) k))`;

const MISSING_COMMENTS = `
  select n.nspname || '.' || c.relname as object
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname in ${IN_SCHEMAS} and c.relkind in ('r', 'p') and obj_description(c.oid, 'pg_class') is null
  union all
  select n.nspname || '.' || c.relname || '.' || a.attname
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
   where n.nspname in ${IN_SCHEMAS} and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
     and col_description(c.oid, a.attnum) is null
  union all
  select nspname from pg_namespace where nspname in ${IN_SCHEMAS} and obj_description(oid, 'pg_namespace') is null`;

const BROKEN_TABLE = `
  CREATE TABLE marketing.broken (campaign_region text, campaign_id bigint,
    FOREIGN KEY (campaign_region, campaign_id) REFERENCES marketing.campaigns (region, id))`;

type Query = (sql: string) => Promise<string[]>;

/** Run `sql` with a broken table in place, inside a transaction that is rolled back. */
async function withBrokenTable(db: Database, sql: string): Promise<string[]> {
  return db.session(async (s) => {
    await s.exec('BEGIN');
    try {
      await s.exec(BROKEN_TABLE);
      return (await s.query<{ object: string }>(sql)).map((r) => r.object);
    } finally {
      await s.exec('ROLLBACK');
    }
  });
}

const targets: [string, () => Promise<{ query: Query; db: Database; close: () => Promise<void> }>][] = [
  [
    'PostgreSQL server',
    async () => {
      const test: TestDatabase = await createMigratedDatabase('catalog');
      const { openPostgres } = await import('../../src/db/postgres.ts');
      const db = await openPostgres(test.url);
      return {
        db,
        query: async (sql) => (await test.sql.unsafe<{ object: string }[]>(sql)).map((r) => r.object),
        close: async () => {
          await db.close();
          await test.drop();
        },
      };
    },
  ],
  [
    'PGlite',
    async () => {
      const { pg, db } = await migratedPglite();
      return {
        db,
        query: async (sql) => (await pg.query<{ object: string }>(sql)).rows.map((r) => r.object),
        close: () => pg.close(),
      };
    },
  ],
];

describe.each(targets)('catalog of the migrated schema on %s', (_name, open) => {
  let target: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    target = await open();
  });
  afterAll(async () => {
    await target?.close();
  });

  it('has the 10 component schemas and 25 tables', async () => {
    const tables = await target.query(
      `select n.nspname || '.' || c.relname as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ${IN_SCHEMAS} and c.relkind in ('r', 'p') and not c.relispartition`,
    );
    expect(tables).toHaveLength(25);
    expect(new Set(tables.map((t) => t.split('.')[0])).size).toBe(10);
  });

  it('every table has a primary key', async () => {
    expect(await withBrokenTable(target.db, TABLES_WITHOUT_PK)).toEqual(['marketing.broken']);
    expect(await target.query(TABLES_WITHOUT_PK)).toEqual([]);
  });

  it('every foreign key column set leads some index', async () => {
    expect(await withBrokenTable(target.db, FKS_WITHOUT_INDEX)).toEqual(['marketing.broken broken_campaign_region_campaign_id_fkey']);
    expect(await target.query(FKS_WITHOUT_INDEX)).toEqual([]);
  });

  it('every schema, table and column has a comment', async () => {
    expect(await withBrokenTable(target.db, MISSING_COMMENTS)).toEqual([
      'marketing.broken',
      'marketing.broken.campaign_region',
      'marketing.broken.campaign_id',
    ]);
    expect(await target.query(MISSING_COMMENTS)).toEqual([]);
  });
});

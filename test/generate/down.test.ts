/**
 * Deriving down files: the reverse of drizzle-kit's schema changes (tables, columns, types,
 * roles, row-level security policies) runs on PGlite back to the catalog before the change;
 * data-losing steps are marked with their reason; keyed additions are undone or restored.
 */
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { sql } from 'drizzle-orm';
import { integer, pgPolicy, pgRole, pgSchema, text, varchar } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { openMemoryPglite } from '../../src/db/pglite.ts';
import type { Session } from '../../src/db/types.ts';
import { downOfKey, keyOf, type Addition } from '../../src/generate/additions.ts';
import { EMPTY_SNAPSHOT, reverseAdditions, reverseSchema, widens, type Snapshot } from '../../src/generate/down.ts';
import { downPath, parseDown, renderDown } from '../../src/migrations/down.ts';
import { generateMigrations } from '../../src/generate/run.ts';
import { addMigration, copyMigrations } from '../helpers/migrations.ts';
import { readFileSync } from 'node:fs';
import { parseMigration } from '../../src/migrations/files.ts';
import { catalogEntries } from '../../src/verify/drift.ts';

const probe = pgSchema('down_probe');
const reader = pgRole('down_probe_reader');

/** Version 1: one table. Version 2: a new column, a narrower type, RLS with a policy for a new role, a new table. */
function v1() {
  const items = probe.table('items', { id: integer('id').primaryKey(), name: varchar('name', { length: 200 }).notNull() });
  return { probe, items };
}
function v2() {
  const items = probe.table(
    'items',
    { id: integer('id').primaryKey(), name: varchar('name', { length: 50 }).notNull(), note: text('note') },
    () => [pgPolicy('items_read', { for: 'select', to: reader, using: sql`true` })],
  ).enableRLS();
  const tags = probe.table('tags', { id: integer('id').primaryKey(), label: text('label').notNull() });
  return { probe, reader, items, tags };
}

const snapshot = (imports: Record<string, unknown>) => generateDrizzleJson(imports) as unknown as Snapshot;

async function state(session: Session): Promise<Record<string, string>> {
  const entries = Object.fromEntries(await catalogEntries(session, ['down_probe']));
  const extra = await session.query<{ object: string; definition: string }>(
    `select 'policy ' || policyname as object, concat_ws(' ', cmd, roles::text, qual) as definition from pg_policies where schemaname = 'down_probe'
     union all select 'rls ' || relname, relrowsecurity::text from pg_class where relnamespace = 'down_probe'::regnamespace and relkind = 'r'
     union all select 'role ' || rolname, '' from pg_roles where rolname like 'down_probe%'`,
  );
  for (const row of extra) entries[row.object] = row.definition;
  return entries;
}

describe('the reverse of drizzle-kit schema changes', () => {
  it('runs back to the catalog before the change, policies, RLS and roles included; lossy steps carry their reason', async () => {
    const [s1, s2] = [snapshot(v1()), snapshot(v2())];
    const up1 = await generateMigration(EMPTY_SNAPSHOT as never, s1 as never);
    const up2 = await generateMigration(s1 as never, s2 as never);
    const steps = await reverseSchema(s2, s1);
    const { db } = await openMemoryPglite();
    try {
      await db.session(async (session) => {
        for (const statement of up1) await session.exec(statement);
        const before = await state(session);
        for (const statement of up2) await session.exec(statement);
        const after = await state(session);
        expect(after).not.toEqual(before);
        expect(Object.keys(after)).toEqual(expect.arrayContaining(['policy items_read', 'role down_probe_reader']));
        for (const step of steps) await session.exec(step.sql);
        expect(await state(session)).toEqual(before);
      });
    } finally {
      await db.close();
    }
    const lossy = steps.filter((s) => s.irreversible).map((s) => s.irreversible);
    expect(lossy).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^drops table down_probe\.tags /),
        expect.stringMatching(/^drops column down_probe\.items\.note /),
      ]),
    );
    // Going back from varchar(50) to varchar(200) widens: it loses nothing.
    expect(lossy.filter((r) => r!.includes('items.name'))).toEqual([]);
    // The other way round, the type change narrows.
    const narrowing = await reverseSchema(s1, s2);
    expect(narrowing.find((s) => /SET DATA TYPE/.test(s.sql))?.irreversible).toMatch(/changes column down_probe\.items\.name from varchar\(200\) to varchar\(50\)/);
  });

  it('knows which type changes keep every value', () => {
    expect(widens('varchar(50)', 'varchar(200)')).toBe(true);
    expect(widens('varchar(200)', 'varchar(50)')).toBe(false);
    expect(widens('varchar(20)', 'text')).toBe(true);
    expect(widens('text', 'varchar(20)')).toBe(false);
    expect(widens('integer', 'bigint')).toBe(true);
    expect(widens('bigint', 'integer')).toBe(false);
    expect(widens('numeric(12, 2)', 'numeric(14, 2)')).toBe(true);
    expect(widens('numeric(12, 2)', 'numeric(12, 4)')).toBe(false);
    expect(widens('timestamp with time zone', 'timestamp')).toBe(false);
  });
});

describe('the reverse of keyed additions', () => {
  const files = [
    parseMigration(0, '0000_comments', 1, `COMMENT ON TABLE "a"."t" IS 'first';\n--> statement-breakpoint\nCOMMENT ON COLUMN "a"."t"."c" IS 'column';`),
    parseMigration(1, '0001_comments', 2, `-- header\nCOMMENT ON TABLE "a"."t" IS 'second';\n--> statement-breakpoint\nINSERT INTO "a"."r" ("id", "name", "description") VALUES (3, 'x', 'y') ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name", "description" = EXCLUDED."description";\n--> statement-breakpoint\nCREATE FUNCTION a.f() RETURNS int LANGUAGE sql AS 'select 1';`),
  ];

  it('restores a changed statement to its earlier text, undoes a new key, and marks what it cannot undo', () => {
    const steps = reverseAdditions(files, 1, [], true);
    expect(steps.map((s) => s.sql)).toEqual([
      expect.stringMatching(/^SELECT 'not undone: CREATE FUNCTION/),
      'DELETE FROM "a"."r" WHERE "id" = 3;',
      `COMMENT ON TABLE "a"."t" IS 'first';`,
    ]);
    expect(steps[0]!.irreversible).toMatch(/cannot derive the reverse of 0001_comments\.sql's statement 3/);
    expect(steps.slice(1).every((s) => s.irreversible === null)).toBe(true);
  });

  it("an Addition's own down undoes a statement ecomdb has no key rule for", () => {
    const known: Addition[] = [{ key: 'FUNCTION a.f', sql: `CREATE FUNCTION a.f() RETURNS int LANGUAGE sql AS 'select 1';`, down: 'DROP FUNCTION a.f();' }];
    expect(reverseAdditions(files, 1, known, true)[0]).toEqual({ sql: 'DROP FUNCTION a.f();', irreversible: null });
    // In a drizzle-kit migration, an unkeyed statement is the snapshot diff's to undo.
    expect(reverseAdditions([files[0]!, { ...files[1]!, statements: [files[1]!.statements[2]!] }], 1, [], false)).toEqual([]);
  });

  it('derives the undoing of each built-in kind from its key', () => {
    expect(downOfKey(keyOf(`COMMENT ON COLUMN "a"."t"."c" IS 'x';`)!)).toBe('COMMENT ON COLUMN "a"."t"."c" IS NULL;');
    expect(downOfKey(keyOf('DROP MATERIALIZED VIEW IF EXISTS "a"."v";\nCREATE MATERIALIZED VIEW "a"."v" AS SELECT 1;')!)).toBe('DROP MATERIALIZED VIEW IF EXISTS "a"."v";');
    expect(downOfKey('something else')).toBeUndefined();
  });
});

describe('generating into a folder with a migration written by hand', () => {
  it('gives it a down file whose unknown statement is marked irreversible, and leaves the others as they are', () => {
    const dir = copyMigrations();
    const tag = addMigration(dir, 'by_hand', 'CREATE TABLE "marketing"."by_hand" (id int);');
    const { created, down } = generateMigrations(dir);
    expect(created).toEqual([]);
    expect(down).toEqual([`down/${tag}.down.sql`]);
    const file = parseDown(tag, readFileSync(downPath(dir, tag), 'utf8'));
    expect(file.steps).toHaveLength(1);
    expect(file.steps[0]!.irreversible).toMatch(/cannot derive the reverse of .*by_hand\.sql's statement 1/);
  });
});

describe('the down file format', () => {
  it('round-trips its steps and their reasons, and detects an edit of its body', () => {
    const up = parseMigration(0, '0000_x', 1, 'CREATE TABLE t (a int);');
    const text = renderDown(up, [{ sql: 'DROP TABLE t;', irreversible: 'drops table t and every row it holds' }, { sql: 'SELECT 1;', irreversible: null }]);
    const down = parseDown('0000_x', text);
    expect(down.upHash).toBe(up.hash);
    expect(down.hash).toBe(down.declaredHash);
    expect(down.steps.map((s) => s.irreversible)).toEqual(['drops table t and every row it holds', null]);
    const edited = parseDown('0000_x', text.replace('SELECT 1;', 'SELECT 2;'));
    expect(edited.hash).not.toBe(edited.declaredHash);
    expect(() => parseDown('0001_y', text)).toThrow(expect.objectContaining({ code: 'E_MIGRATION_MODIFIED' }));
  });
});

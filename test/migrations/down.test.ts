/**
 * Down migrations on the real PostgreSQL server (and PGlite): every committed migration goes up,
 * down and up again leaving the catalog as a database migrated straight to the same point; a
 * step that loses data is refused unless forced; a partitioned database refuses a descent that
 * cannot work on it; an edited down file is refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Database, Session } from '../../src/db/types.ts';
import { MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { downPath, readDownMigrations } from '../../src/migrations/down.ts';
import { readMigrations } from '../../src/migrations/files.ts';
import { NO_MIGRATION } from '../../src/migrations/plan.ts';
import { readHistory, runMigrations } from '../../src/migrations/run.ts';
import { catalogEntries } from '../../src/verify/drift.ts';
import { openMemoryPglite } from '../../src/db/pglite.ts';
import { COMPONENTS } from '../../schema/index.ts';
import { ecomdb, errorCode, jsonError } from '../helpers/cli.ts';
import { databasesForBlock, withPostgres } from '../helpers/db.ts';
import { copyMigrations } from '../helpers/migrations.ts';

const SCHEMAS = COMPONENTS.map((c) => c.schema.schemaName);
const files = readMigrations(MIGRATIONS_DIR);
const downs = readDownMigrations(MIGRATIONS_DIR, files);
const tags = files.map((f) => f.tag);

/**
 * What the migrations define, as comparable text: drift's catalog entries (tables, columns,
 * constraints, indexes, comments), plus the schemas and their comments, the materialized views,
 * the functions and the reference rows.
 */
async function catalog(session: Session): Promise<Record<string, string>> {
  const entries = Object.fromEntries(await catalogEntries(session, SCHEMAS));
  const extra = await session.query<{ object: string; definition: string }>(
    `select 'schema ' || nspname as object, coalesce(obj_description(oid, 'pg_namespace'), '(none)') as definition
       from pg_namespace where nspname = any($1)
     union all
     select 'matview ' || schemaname || '.' || matviewname, definition from pg_matviews where schemaname = any($1)
     union all
     select 'function ' || p.oid::regprocedure::text, pg_get_functiondef(p.oid)
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = any($1) and p.prokind in ('f', 'p')`,
    [SCHEMAS],
  );
  for (const row of extra) entries[row.object] = row.definition;
  // Reference rows: every table with the (id, name, description) shape of schema/values.ts.
  const reference = await session.query<{ t: string }>(
    `select format('%I.%I', table_schema, table_name) as t from information_schema.columns
      where table_schema = any($1) and column_name in ('id', 'name', 'description')
      group by table_schema, table_name having count(*) = 3`,
    [SCHEMAS],
  );
  for (const { t } of reference) {
    const rows = await session.query<{ r: string }>(`select string_agg(format('%s=%s:%s', id, name, description), ' | ' order by id) as r from ${t}`);
    entries[`rows ${t}`] = rows[0]?.r ?? '(none)';
  }
  return entries;
}

/** Go to `to` (a tag or `none`), forced, with the committed down files. */
async function goTo(db: Database, to: string): Promise<void> {
  await runMigrations(db, files, { to, downs, force: true });
}

const below = (i: number) => (i === 0 ? NO_MIGRATION : tags[i - 1]!);

/**
 * The catalog after each migration, from a database migrated one file at a time: expected[i+1]
 * after files[i], expected[0] before any.
 */
async function stepCatalogs(db: Database): Promise<Record<string, string>[]> {
  const out = [await db.session(catalog)];
  for (const tag of tags) {
    await goTo(db, tag);
    out.push(await db.session(catalog));
  }
  return out;
}

/** Every migration, newest first: down one, compare; up one, compare; down again. Then all the way up. */
async function upDownUp(db: Database, expected: Record<string, string>[]): Promise<void> {
  for (let i = tags.length - 1; i >= 0; i--) {
    await goTo(db, below(i));
    expect(await db.session(catalog), `after undoing ${tags[i]}`).toEqual(expected[i]);
    expect(await db.session(readHistory)).toHaveLength(i);
    await goTo(db, tags[i]!);
    expect(await db.session(catalog), `after applying ${tags[i]} again`).toEqual(expected[i + 1]);
    await goTo(db, below(i));
  }
  await goTo(db, tags.at(-1)!);
  expect(await db.session(catalog)).toEqual(expected.at(-1));
}

/** The newest migration whose down file holds a step that loses data, and that step's reason. */
function newestLossy(): { index: number; reason: string } {
  for (let i = files.length - 1; i >= 0; i--) {
    const step = downs.get(tags[i]!)!.steps.find((s) => s.irreversible);
    if (step) return { index: i, reason: step.irreversible! };
  }
  throw new Error('no committed migration has an irreversible down step');
}

const databases = databasesForBlock();

describe('down migrations on PostgreSQL', () => {
  it('every committed migration has a down file, made for it as committed', () => {
    for (const file of files) {
      const down = downs.get(file.tag);
      expect(down, `${file.tag} has no down file`).toBeDefined();
      expect(down!.upHash).toBe(file.hash);
      expect(down!.hash).toBe(down!.declaredHash);
    }
  });

  it('each migration, newest first, goes down and up again to the catalog of a database migrated straight there; verify finds no drift', async () => {
    const reference = await databases('down_reference', { migrated: false });
    const expected = await withPostgres(reference.url, stepCatalogs);
    // The migrations change the catalog: a comparison that always passes would prove nothing.
    expect(expected[0]).not.toEqual(expected.at(-1));
    const test = await databases('down_cycle');
    await withPostgres(test.url, (db) => upDownUp(db, expected));
    const drift = await ecomdb(['verify', '--only', 'drift', '--url', test.url, '--json']);
    expect(drift.code, drift.stdout + drift.stderr).toBe(0);
  });

  it('a step that loses data is refused with its reason, nothing undone, until --force', async () => {
    const { index, reason } = newestLossy();
    const test = await databases('down_lossy');
    const before = await test.sql`select id, hash from drizzle.__drizzle_migrations order by id`;
    const refused = await ecomdb(['migrate', '--to', below(index), '--url', test.url]);
    expect(refused.code, refused.stderr).toBe(4);
    expect(errorCode(refused)).toBe('E_MIGRATION_IRREVERSIBLE');
    expect(refused.stderr).toContain(reason);
    expect(await test.sql`select id, hash from drizzle.__drizzle_migrations order by id`).toEqual(before);

    const json = await ecomdb(['migrate', '--to', below(index), '--url', test.url, '--json']);
    const details = jsonError(json).details as { irreversible: { tag: string; reason: string }[] };
    expect(details.irreversible.map((s) => s.reason)).toContain(reason);

    const forced = await ecomdb(['migrate', '--to', below(index), '--force', '--url', test.url, '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).reverted).toEqual(tags.slice(index).reverse());
    expect(await test.sql`select id from drizzle.__drizzle_migrations`).toHaveLength(index);
  });

  it('going down only as far as the steps that lose nothing needs no --force; --to goes up again', async () => {
    const { index } = newestLossy();
    const test = await databases('down_safe');
    const down = await ecomdb(['migrate', '--to', tags[index]!, '--url', test.url, '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout).reverted).toEqual(tags.slice(index + 1).reverse());
    const up = await ecomdb(['migrate', '--to', tags.at(-1)!, '--url', test.url, '--json']);
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout).applied).toEqual(tags.slice(index + 1));
  });

  it('a dry run going down prints the down files and changes nothing', async () => {
    const test = await databases('down_dry');
    const { reason } = newestLossy();
    const run = await ecomdb(['migrate', '--to', tags[0]!, '--dry-run', '--url', test.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`down/${tags.at(-1)}.down.sql`);
    // The steps that lose data are shown, marked, rather than refused.
    expect(run.stdout).toContain(`-- ecomdb:irreversible ${reason}`);
    expect(run.stderr).toMatch(/needs --force/);
    expect(await test.sql`select id from drizzle.__drizzle_migrations`).toHaveLength(tags.length);
  });

  it('refuses an unknown tag, and --force without --to (E_USAGE), before connecting', async () => {
    for (const args of [['--to', '9999_nothing'], ['--force']]) {
      const run = await ecomdb(['migrate', ...args, '--url', 'postgres://postgres@127.0.0.1:1/none']);
      expect(run.code, run.stderr).toBe(2);
      expect(errorCode(run)).toBe('E_USAGE');
    }
  });

  it('refuses a down file edited by hand, or made for another version of its migration, before anything runs', async () => {
    const test = await databases('down_edited');
    const dir = copyMigrations();
    const newest = tags.at(-1)!;
    const path = downPath(dir, newest);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, `${text}--> statement-breakpoint\nDROP SCHEMA "payments" CASCADE;\n`);
    const edited = await ecomdb(['migrate', '--to', below(tags.length - 1), '--url', test.url, '--migrations', dir]);
    expect(edited.code, edited.stderr).toBe(4);
    expect(errorCode(edited)).toBe('E_MIGRATION_MODIFIED');

    // A down file copied from another migration reverses another file.
    writeFileSync(path, readFileSync(downPath(dir, tags.at(-2)!), 'utf8').replace(`of=${tags.at(-2)}`, `of=${newest}`));
    const other = await ecomdb(['migrate', '--to', below(tags.length - 1), '--url', test.url, '--migrations', dir]);
    expect(errorCode(other)).toBe('E_MIGRATION_MODIFIED');
    expect(await test.sql`select id from drizzle.__drizzle_migrations`).toHaveLength(tags.length);
    const [payments] = await test.sql`select to_regnamespace('payments') is not null as present`;
    expect(payments!.present).toBe(true);
  });

  it('on a partitioned database, each migration either goes down (and up again) or is refused before it runs, even forced, when it would give a partitioned table a key without its partition key', async () => {
    const test = await databases('down_partitioned');
    const partition = await ecomdb(['partition', 'apply', '--url', test.url]);
    expect(partition.code, partition.stderr).toBe(0);
    const history = () => test.sql`select id, hash from drizzle.__drizzle_migrations order by id`;
    let refusal: { reason: string } | undefined;
    for (let i = tags.length - 1; i >= 0 && !refusal; i--) {
      const before = await history();
      const run = await ecomdb(['migrate', '--to', below(i), '--force', '--url', test.url, '--json']);
      if (run.code === 0) {
        expect(JSON.parse(run.stdout).reverted).toEqual([tags[i]]);
        continue;
      }
      // Never a failure half-way (exit 5): refused before anything ran, with the reason.
      expect(run.code, run.stdout).toBe(4);
      const error = jsonError(run);
      expect(error.code).toBe('E_MIGRATION_IRREVERSIBLE');
      refusal = (error.details.conflicts as { reason: string }[])[0];
      expect(await history()).toEqual(before);
    }
    expect(refusal?.reason).toMatch(/partitioned on .*must hold/);
    const up = await ecomdb(['migrate', '--url', test.url]);
    expect(up.code, up.stderr).toBe(0);
    expect((await ecomdb(['status', '--check', '--url', test.url])).code).toBe(0);
  });
});

describe('down migrations on PGlite', () => {
  it('every migration, newest first, goes down and up again to the catalog of a database migrated straight there', async () => {
    const reference = await openMemoryPglite();
    let expected: Record<string, string>[];
    try {
      expected = await stepCatalogs(reference.db);
    } finally {
      await reference.db.close();
    }
    const test = await openMemoryPglite();
    try {
      await runMigrations(test.db, files);
      await upDownUp(test.db, expected);
    } finally {
      await test.db.close();
    }
  });
});

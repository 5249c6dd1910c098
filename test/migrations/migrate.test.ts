/**
 * `ecomdb migrate` and `ecomdb status` against the real PostgreSQL server, through the real
 * executable: fresh runs, concurrency, edited and misordered history, failures and rollback.
 */
import { describe, expect, it } from 'vitest';
import { ecomdb, errorCode, jsonError } from '../helpers/cli.ts';
import { databasesForBlock, type TestDatabase } from '../helpers/db.ts';
import { addMigration, copyMigrations, editMigration, tags } from '../helpers/migrations.ts';

const COMPONENT_SCHEMAS = [
  'user_management', 'seller_management', 'product_catalog', 'order_processing', 'reviews_questions',
  'payments', 'shipping_logistics', 'marketing', 'messaging', 'recommendations',
];

const databases = databasesForBlock();
const database = (label: string) => databases(label, { migrated: false });

async function tableCount(db: TestDatabase): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from pg_tables where schemaname = any(${COMPONENT_SCHEMAS})`;
  return row!.n;
}

async function history(db: TestDatabase): Promise<{ hash: string; created_at: string }[]> {
  return db.sql`select hash, created_at::text from drizzle.__drizzle_migrations order by id`;
}

describe('ecomdb migrate on PostgreSQL', () => {
  it('creates the 10 component schemas and the 25 tables, then applies nothing on a second run', async () => {
    const db = await database('fresh');
    const first = await ecomdb(['migrate', '--url', db.url, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).applied).toEqual(tags(copyMigrations()));

    const schemas = await db.sql<{ nspname: string }[]>`
      select nspname from pg_namespace where nspname = any(${COMPONENT_SCHEMAS}) order by nspname`;
    expect(schemas.map((s) => s.nspname)).toEqual([...COMPONENT_SCHEMAS].sort());
    expect(await tableCount(db)).toBe(25);

    const second = await ecomdb(['migrate', '--url', db.url, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).applied).toEqual([]);
    expect(await history(db)).toHaveLength(tags(copyMigrations()).length);
  });

  it('five processes started together all exit 0 and record each migration once', async () => {
    const db = await database('concurrent');
    const runs = await Promise.all(Array.from({ length: 5 }, () => ecomdb(['migrate', '--url', db.url, '--json'])));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const appliedBy = runs.map((r) => JSON.parse(r.stdout).applied as string[]);
    // Exactly one process applied the files; the others found nothing to do.
    expect(appliedBy.filter((a) => a.length > 0)).toHaveLength(1);
    const rows = await history(db);
    expect(rows).toHaveLength(tags(copyMigrations()).length);
    expect(new Set(rows.map((r) => r.created_at)).size).toBe(rows.length);
    expect(await tableCount(db)).toBe(25);
  });

  it('refuses to run when an applied file was edited, naming it, and runs nothing', async () => {
    const db = await database('edited');
    const dir = copyMigrations();
    expect((await ecomdb(['migrate', '--url', db.url, '--migrations', dir])).code).toBe(0);
    editMigration(dir, '0001_reference_data', (t) => t.replace("'Buyer:", "'Buyer (edited):"));
    const pending = addMigration(dir, 'later', 'CREATE TABLE public.should_not_exist (id int PRIMARY KEY);');

    for (const command of ['migrate', 'status']) {
      const run = await ecomdb([command, '--url', db.url, '--migrations', dir, '--json']);
      expect(run.code, run.stderr).toBe(4);
      expect(errorCode(run)).toBe('E_MIGRATION_MODIFIED');
      // stdout is one JSON document (jsonError parses all of it); status's error carries its report.
      expect(jsonError(run).details).toMatchObject({ file: '0001_reference_data.sql' });
      if (command === 'status') expect(jsonError(run).details).toHaveProperty('migrations');
    }
    const [exists] = await db.sql`select to_regclass('public.should_not_exist') as t`;
    expect(exists!.t).toBeNull();
    expect(pending).toMatch(/later$/);
  });

  it('refuses a new file ordered before an applied one', async () => {
    const db = await database('order');
    const dir = copyMigrations();
    expect((await ecomdb(['migrate', '--url', db.url, '--migrations', dir])).code).toBe(0);
    const newest = tags(dir).length;
    addMigration(dir, 'from_a_branch', 'CREATE TABLE public.branch (id int PRIMARY KEY);', { position: 1, when: 1 });
    const run = await ecomdb(['migrate', '--url', db.url, '--migrations', dir, '--json']);
    expect(run.code).toBe(4);
    expect(errorCode(run)).toBe('E_MIGRATION_OUT_OF_ORDER');
    expect(jsonError(run).details).toMatchObject({ file: '0001_from_a_branch.sql' });
    expect(await history(db)).toHaveLength(newest);
  });

  it('rolls back a migration that fails half-way and names the file and the statement', async () => {
    const db = await database('failing');
    const dir = copyMigrations();
    const tag = addMigration(
      dir,
      'half_way',
      [
        'CREATE TABLE public.first_half (id int PRIMARY KEY);',
        'INSERT INTO public.first_half VALUES (1);',
        'ALTER TABLE user_management.users ADD COLUMN nickname text NOT NULL DEFAULT \'x\';',
        'INSERT INTO public.first_half VALUES (1);',
      ].join('\n--> statement-breakpoint\n'),
    );
    const run = await ecomdb(['migrate', '--url', db.url, '--migrations', dir, '--json']);
    expect(run.code).toBe(5);
    expect(errorCode(run)).toBe('E_MIGRATION_FAILED');
    expect(jsonError(run)).toMatchObject({ code: 'E_MIGRATION_FAILED', details: { file: `${tag}.sql`, statement: 4, sqlstate: '23505' } });

    const [trace] = await db.sql`
      select to_regclass('public.first_half') as t,
             (select count(*)::int from information_schema.columns where table_name = 'users' and column_name = 'nickname') as c`;
    expect(trace).toEqual({ t: null, c: 0 });
    // The files before it were applied and recorded; the failed one was not.
    expect(await history(db)).toHaveLength(tags(dir).length - 1);
    expect(await tableCount(db)).toBe(25);
  });

  it('runs a no-transaction file outside a transaction (CREATE INDEX CONCURRENTLY)', async () => {
    const db = await database('concurrently');
    const dir = copyMigrations();
    addMigration(dir, 'concurrent_index', '-- ecomdb:no-transaction\nCREATE INDEX CONCURRENTLY users_name_idx ON user_management.users (name);');
    const run = await ecomdb(['migrate', '--url', db.url, '--migrations', dir]);
    expect(run.code, run.stderr).toBe(0);
    const [index] = await db.sql`select indisvalid from pg_index where indexrelid = 'user_management.users_name_idx'::regclass`;
    expect(index!.indisvalid).toBe(true);

    // Without the marker the same statement cannot run: it is inside the file's transaction.
    const db2 = await database('concurrently_tx');
    const dir2 = copyMigrations();
    addMigration(dir2, 'concurrent_index', 'CREATE INDEX CONCURRENTLY users_name_idx ON user_management.users (name);');
    const failed = await ecomdb(['migrate', '--url', db2.url, '--migrations', dir2, '--json']);
    expect(failed.code).toBe(5);
    expect(jsonError(failed)).toMatchObject({ code: 'E_MIGRATION_FAILED', details: { sqlstate: '25001' } });
  });

  it('--dry-run prints the pending SQL and creates nothing, not even the history table', async () => {
    const db = await database('dry');
    const run = await ecomdb(['migrate', '--dry-run', '--url', db.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('CREATE TABLE "order_processing"."orders"');
    expect(run.stdout).toContain('-- 0000_schema.sql (runs in one transaction)');
    const [row] = await db.sql`select to_regnamespace('drizzle') as d, to_regnamespace('order_processing') as o`;
    expect(row).toEqual({ d: null, o: null });
  });

  it('--statement-timeout stops a statement that runs too long and rolls its file back', async () => {
    const db = await database('timeout');
    const dir = copyMigrations();
    const tag = addMigration(dir, 'slow', 'CREATE TABLE public.slow (id int);\n--> statement-breakpoint\nSELECT pg_sleep(5);');
    const run = await ecomdb(['migrate', '--url', db.url, '--migrations', dir, '--statement-timeout', '200ms', '--json']);
    expect(run.code).toBe(5);
    expect(jsonError(run)).toMatchObject({ code: 'E_MIGRATION_FAILED', details: { file: `${tag}.sql`, statement: 2, sqlstate: '57014' } });
    const [row] = await db.sql`select to_regclass('public.slow') as t`;
    expect(row!.t).toBeNull();
  });

  it('--lock-timeout stops a statement that waits for a table lock', async () => {
    const db = await database('locktimeout');
    expect((await ecomdb(['migrate', '--url', db.url])).code).toBe(0);
    const dir = copyMigrations();
    addMigration(dir, 'needs_lock', 'ALTER TABLE user_management.roles ADD COLUMN extra text;');
    const holder = await db.sql.reserve();
    try {
      await holder`begin`;
      await holder`lock table user_management.roles in access exclusive mode`;
      const run = await ecomdb(['migrate', '--url', db.url, '--migrations', dir, '--lock-timeout', '300ms', '--json']);
      expect(run.code).toBe(5);
      expect(jsonError(run)).toMatchObject({ code: 'E_MIGRATION_FAILED', details: { sqlstate: '55P03' } });
    } finally {
      await holder`rollback`;
      holder.release();
    }
  });

  it('status lists applied and pending migrations as JSON', async () => {
    const db = await database('status');
    const dir = copyMigrations();
    expect((await ecomdb(['migrate', '--url', db.url, '--migrations', dir])).code).toBe(0);
    const tag = addMigration(dir, 'next', 'CREATE TABLE public.next_one (id int PRIMARY KEY);');
    const run = await ecomdb(['status', '--url', db.url, '--migrations', dir, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { migrations: { tag: string; state: string }[]; problems: unknown[] };
    expect(report.migrations.at(-1)).toMatchObject({ tag, state: 'pending' });
    expect(report.migrations.filter((m) => m.state === 'applied')).toHaveLength(tags(dir).length - 1);
    expect(report.problems).toEqual([]);
  });
});

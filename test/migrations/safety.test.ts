/**
 * What `ecomdb migrate` leaves behind when it cannot finish: nothing before its plan is known to
 * run, nothing of a failed first migration (not even the drizzle schema), a true account of a
 * no-transaction file, a named unknown migration, and one line on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/postgres.ts';
import { readMigrations } from '../../src/migrations/files.ts';
import { runMigrations } from '../../src/migrations/run.ts';
import { BIN, ecomdb } from '../helpers/cli.ts';
import { databasesForBlock, type TestDatabase } from '../helpers/db.ts';
import { addMigration, copyMigrations, tags } from '../helpers/migrations.ts';

const databases = databasesForBlock();
const database = (label: string) => databases(label, { migrated: false });

async function historyRows(db: TestDatabase): Promise<number | null> {
  const [row] = await db.sql<{ t: string | null }[]>`select to_regclass('drizzle.__drizzle_migrations')::text as t`;
  if (!row!.t) return null;
  const [count] = await db.sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
  return count!.n;
}

const drizzleSchema = async (db: TestDatabase) => (await db.sql`select to_regnamespace('drizzle')::text as d`)[0]!.d;

describe('ecomdb migrate leaves nothing it did not finish', () => {
  it('a timeout PostgreSQL refuses creates nothing, not even the drizzle schema', async () => {
    const db = await database('refused_timeout');
    const target = await openPostgres(db.url);
    try {
      // Past the CLI's own check, as a library caller could: the server refuses the setting.
      await expect(runMigrations(target, readMigrations(copyMigrations()), { lockTimeout: '30d' })).rejects.toThrow();
    } finally {
      await target.close();
    }
    expect(await drizzleSchema(db)).toBeNull();
  });

  it('a schema clash (a table that exists outside the history) leaves no drizzle schema behind, and says so', async () => {
    const db = await database('clash');
    await db.sql`create schema user_management`;
    await db.sql`create table user_management.users (id int)`;
    const run = await ecomdb(['migrate', '--url', db.url, '--json']);
    expect(run.code, run.stderr).toBe(5);
    expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'E_MIGRATION_FAILED', details: { file: '0000_schema.sql', alreadyExists: true, rolledBack: true } });
    expect(await drizzleSchema(db)).toBeNull();
  });

  it('a no-transaction file failing at its first statement keeps none of it (no "statements 1-0")', async () => {
    const db = await database('notx_first');
    const dir = copyMigrations();
    const tag = addMigration(dir, 'bad_index', '-- ecomdb:no-transaction\nCREATE INDEX CONCURRENTLY bad_idx ON public.no_such_table (id);\n--> statement-breakpoint\nCREATE TABLE public.never (id int);');
    const run = await ecomdb(['migrate', '--url', db.url, '--migrations', dir, '--json']);
    expect(run.code).toBe(5);
    expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'E_MIGRATION_FAILED', details: { file: `${tag}.sql`, statement: 1, rolledBack: false, statementsKept: 0 } });

    const db2 = await database('notx_second');
    const dir2 = copyMigrations();
    addMigration(dir2, 'half_index', '-- ecomdb:no-transaction\nCREATE TABLE public.kept (id int);\n--> statement-breakpoint\nCREATE INDEX CONCURRENTLY bad_idx ON public.no_such_table (id);');
    const second = await ecomdb(['migrate', '--url', db2.url, '--migrations', dir2, '--json']);
    expect(second.code).toBe(5);
    expect(JSON.parse(second.stdout).error).toMatchObject({ details: { statement: 2, statementsKept: 1 } });
    const [kept] = await db2.sql`select to_regclass('public.kept') is not null as present`;
    expect(kept!.present).toBe(true);
  });
});

describe('E_MIGRATION_UNKNOWN names what it can', () => {
  function setWhen(dir: string, tag: string, when: number): void {
    const path = join(dir, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(path, 'utf8')) as { entries: { tag: string; when: number }[] };
    journal.entries.find((e) => e.tag === tag)!.when = when;
    writeFileSync(path, JSON.stringify(journal, null, 2));
  }

  it('names the file whose journal timestamp changed after it was applied', async () => {
    const db = await database('unknown_when');
    const dir = copyMigrations();
    const last = tags(dir).at(-1)!;
    expect((await ecomdb(['migrate', '--url', db.url, '--migrations', dir])).code).toBe(0);
    setWhen(dir, last, Date.UTC(2030, 0, 1));
    const run = await ecomdb(['migrate', '--url', db.url, '--migrations', dir, '--json']);
    expect(run.code).toBe(4);
    expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'E_MIGRATION_UNKNOWN', details: { file: `${last}.sql` } });
  });

  it('places a deleted file among the others (the file before it) and gives what the history holds', async () => {
    const db = await database('unknown_deleted');
    const dir = copyMigrations();
    const tag = addMigration(dir, 'later_deleted', 'CREATE TABLE public.gone (id int);');
    const before = tags(dir).at(-2)!;
    expect((await ecomdb(['migrate', '--url', db.url, '--migrations', dir])).code).toBe(0);
    const run = await ecomdb(['migrate', '--url', db.url, '--json']);
    expect(run.code).toBe(4);
    const error = JSON.parse(run.stdout).error;
    expect(error).toMatchObject({ code: 'E_MIGRATION_UNKNOWN', details: { appliedAfter: `${before}.sql` } });
    expect(error.details.recorded.createdAt).toBeGreaterThan(0);
    expect(tag).toMatch(/later_deleted$/);
  });
});

describe('Ctrl-C during ecomdb migrate', () => {
  it('exits 130 with one line naming the interrupted file; the files before it stay applied, it does not', async () => {
    const db = await database('interrupt');
    const dir = copyMigrations();
    const slow = addMigration(dir, 'slow', 'CREATE TABLE public.half_done (id int);\n--> statement-breakpoint\nSELECT pg_sleep(60);');
    const child = spawn(process.execPath, [BIN, 'migrate', '--url', db.url, '--migrations', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes(slow)) resolve();
      });
      child.on('exit', () => reject(new Error(`migrate ended before it could be interrupted: ${stderr}`)));
    });
    const printed = stderr;
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? signal)));
    expect(code).toBe(130);
    const added = stderr.slice(printed.length).trim().split('\n');
    expect(added).toHaveLength(1);
    expect(added[0]).toContain(`${slow}.sql`);
    expect(await historyRows(db)).toBe(tags(dir).length - 1);
    const [row] = await db.sql`select to_regclass('public.half_done')::text as t`;
    expect(row!.t).toBeNull();
  });
});

/**
 * "Am I current?": `ecomdb status --check` and the library's checkMigrations / assertCurrent, on
 * a database behind its files, ahead of them and current, on PostgreSQL and on PGlite.
 */
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.ts';
import { MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { readMigrations } from '../../src/migrations/files.ts';
import { assertCurrent, checkMigrations } from '../../src/migrations/index.ts';
import { checkHistory } from '../../src/migrations/check.ts';
import { HISTORY_TABLE, runMigrations } from '../../src/migrations/run.ts';
import { openMemoryPglite } from '../../src/db/pglite.ts';
import { ecomdb, errorCode, jsonError, tempDir } from '../helpers/cli.ts';
import { databasesForBlock, type TestDatabase } from '../helpers/db.ts';

const files = readMigrations(MIGRATIONS_DIR);
const tags = files.map((f) => f.tag);
const newest = files.at(-1)!;

/** Record a migration a newer version would have made: a journal timestamp after every file's. */
async function recordNewer(db: TestDatabase): Promise<void> {
  await db.sql.unsafe(`insert into ${HISTORY_TABLE} (hash, created_at) values ($1, $2)`, ['f'.repeat(64), newest.when + 60_000]);
}

const databases = databasesForBlock();

describe('checkHistory (pure)', () => {
  const recorded = (f: { hash: string; when: number }, id: number) => ({ id, hash: f.hash, createdAt: f.when });
  const all = files.map((f, i) => recorded(f, i + 1));

  it('current, behind, ahead; an unknown row among the files is a conflict, not ahead', () => {
    expect(checkHistory(files, all).state).toBe('current');
    expect(checkHistory(files, all.slice(0, -2))).toMatchObject({ state: 'behind', pending: tags.slice(-2) });
    const newer = { id: 99, hash: 'f'.repeat(64), createdAt: newest.when + 1 };
    expect(checkHistory(files, [...all, newer])).toMatchObject({ state: 'ahead', ahead: [newer], problems: [] });
    const between = { id: 99, hash: 'f'.repeat(64), createdAt: files[0]!.when + 1 };
    const conflict = checkHistory(files, [...all, between]);
    expect(conflict.state).toBe('conflict');
    expect(conflict.problems.map((p) => p.code)).toEqual(['E_MIGRATION_UNKNOWN']);
    // Ahead and missing a file at once: the files after the newest applied one cannot run.
    expect(checkHistory(files, [...all.slice(0, -1), newer]).state).toBe('conflict');
  });
});

describe('ecomdb status --check on PostgreSQL', () => {
  it('exits 0 on a current database, with state current in --json', async () => {
    const db = await databases('check_current');
    const run = await ecomdb(['status', '--check', '--url', db.url, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).state).toBe('current');
  });

  it(`exits ${EXIT.status} (E_STATUS_BEHIND) on a database behind the files, naming what is pending`, async () => {
    const db = await databases('check_behind');
    const down = await ecomdb(['migrate', '--to', tags.at(-2)!, '--url', db.url, '--force']);
    expect(down.code, down.stderr).toBe(0);
    const run = await ecomdb(['status', '--check', '--url', db.url]);
    expect(run.code, run.stderr).toBe(16);
    expect(errorCode(run)).toBe('E_STATUS_BEHIND');
    const json = jsonError(await ecomdb(['status', '--check', '--url', db.url, '--json']));
    expect(json.details.pending).toEqual([newest.tag]);
    // Without --check, pending files are no error.
    expect((await ecomdb(['status', '--url', db.url])).code).toBe(0);
  });

  it('an empty database is behind every file', async () => {
    const db = await databases('check_empty', { migrated: false });
    const run = await ecomdb(['status', '--check', '--url', db.url, '--json']);
    expect(run.code).toBe(16);
    expect(jsonError(run).details.pending).toEqual(tags);
  });

  it(`exits ${EXIT.status} (E_STATUS_AHEAD) on a database that records a migration newer than every file`, async () => {
    const db = await databases('check_ahead');
    await recordNewer(db);
    const run = await ecomdb(['status', '--check', '--url', db.url, '--json']);
    expect(run.code, run.stdout).toBe(16);
    const error = jsonError(run);
    expect(error.code).toBe('E_STATUS_AHEAD');
    expect(error.details.ahead).toHaveLength(1);
    // Without --check it stays what it was: a history the files do not explain.
    const plain = await ecomdb(['status', '--url', db.url]);
    expect(plain.code).toBe(4);
    expect(errorCode(plain)).toBe('E_MIGRATION_UNKNOWN');
  });

  it('a history that conflicts otherwise (an edited file) keeps its own code and status', async () => {
    const db = await databases('check_conflict');
    await db.sql.unsafe(`update ${HISTORY_TABLE} set hash = $1 where created_at = $2`, ['0'.repeat(64), newest.when]);
    const run = await ecomdb(['status', '--check', '--url', db.url]);
    expect(run.code).toBe(4);
    expect(errorCode(run)).toBe('E_MIGRATION_MODIFIED');
  });
});

describe('ecomdb status --check and migrate --to on the embedded database', () => {
  it('current after migrate, behind after going down one migration, current again after going up', async () => {
    const cwd = tempDir();
    expect((await ecomdb(['migrate'], { cwd })).code).toBe(0);
    expect((await ecomdb(['status', '--check'], { cwd })).code).toBe(0);
    const down = await ecomdb(['migrate', '--to', tags.at(-2)!, '--force', '--json'], { cwd });
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout).reverted).toEqual([newest.tag]);
    const behind = await ecomdb(['status', '--check'], { cwd });
    expect(behind.code).toBe(16);
    expect(errorCode(behind)).toBe('E_STATUS_BEHIND');
    expect((await ecomdb(['migrate', '--to', newest.tag], { cwd })).code).toBe(0);
    expect((await ecomdb(['status', '--check'], { cwd })).code).toBe(0);
  });
});

describe('checkMigrations / assertCurrent (ecomdb/migrations)', () => {
  it('on a drizzle database over postgres.js: current, then behind, then ahead', async () => {
    const db = await databases('check_library');
    const client = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const orm = drizzlePostgres(client);
      expect((await checkMigrations(orm)).state).toBe('current');
      await expect(assertCurrent(orm)).resolves.toMatchObject({ state: 'current', applied: tags.length });

      await db.sql.unsafe(`delete from ${HISTORY_TABLE} where created_at = $1`, [newest.when]);
      expect(await checkMigrations(orm)).toMatchObject({ state: 'behind', pending: [newest.tag] });
      await expect(assertCurrent(orm)).rejects.toMatchObject({ code: 'E_STATUS_BEHIND', exitCode: 16 });

      await db.sql.unsafe(`insert into ${HISTORY_TABLE} (hash, created_at) values ($1, $2)`, [newest.hash, newest.when]);
      await recordNewer(db);
      expect((await checkMigrations(orm)).state).toBe('ahead');
      await expect(assertCurrent(orm)).rejects.toMatchObject({ code: 'E_STATUS_AHEAD' });
    } finally {
      await client.end();
    }
  });

  it('on PGlite (drizzle and ecomdb handles): behind before migrating, current after', async () => {
    const { pg, db } = await openMemoryPglite();
    try {
      const orm = drizzlePglite(pg);
      expect(await checkMigrations(orm)).toMatchObject({ state: 'behind', pending: tags, applied: 0 });
      await expect(assertCurrent(db)).rejects.toMatchObject({ code: 'E_STATUS_BEHIND' });
      await runMigrations(db, files);
      expect((await checkMigrations(orm)).state).toBe('current');
      expect((await checkMigrations(db)).state).toBe('current');
    } finally {
      await db.close();
    }
  });
});

/**
 * `ecomdb rehearse` on the real server, run as a user runs it. The blocking index holds its lock
 * for 1.5 s by construction (a pg_sleep in the same transaction), so writers are seen waiting
 * whatever the machine's speed; the assertions are "a wait was observed / none was", never times.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import type { RehearseReport } from '../../src/rehearse/run.ts';
import { MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { ecomdb, errorCode, jsonError, spawnEcomdb, tempDir } from '../helpers/cli.ts';
import { SERVER_URL, databasesForBlock } from '../helpers/db.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
/** Writers of product_catalog.products (placeOrder takes stock, updateListing restocks) and a reader. */
const WRITERS = 'placeOrder=40,updateListing=40,productPage=20';

const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
afterAll(() => admin.end());

async function databaseExists(name: string): Promise<boolean> {
  const rows = await admin`select 1 from pg_database where datname = ${name}`;
  return rows.length > 0;
}

const statement = (report: RehearseReport, file: string, n: number) => {
  const found = report.migrations.find((m) => m.file === file);
  if (!found) throw new Error(`${file} is not in the report: ${report.migrations.map((m) => m.file).join(', ')}`);
  return found.statements[n - 1]!;
};

describe('ecomdb rehearse at scale 20 under a writing workload', () => {
  // One scratch database for the four fixtures: building one at scale 20 is the slow part.
  // Plain tables: CREATE INDEX CONCURRENTLY is not possible on a partitioned parent in PostgreSQL 15.
  let run: Awaited<ReturnType<typeof ecomdb>>;
  let report: RehearseReport;
  const fixtures = ['index-blocking.sql', 'index-concurrent.sql', 'alter-type-rewrite.sql', 'widen-varchar.sql'].map(fixture);

  it('exits 15 (E_REHEARSE_LOCK) past --max-lock-ms, with the report in the error', async () => {
    run = await ecomdb(['rehearse', '--url', SERVER_URL, '--plain', '--scale', '20', '--clients', '4', '--mix', WRITERS, '--max-lock-ms', '500', '--json', ...fixtures], {
      killAfterMs: 1_200_000,
    });
    expect(run.code, run.stderr).toBe(15);
    const error = jsonError(run);
    expect(error.code).toBe('E_REHEARSE_LOCK');
    report = error.details.report as RehearseReport;
    expect(report.overLimit).toContain('index-blocking.sql#1');
    expect(report.workload.ok).toBeGreaterThan(0);
  }, 1_300_000);

  it('CREATE INDEX without CONCURRENTLY: the SHARE lock on the table, and the writers waiting for it', () => {
    const create = statement(report, 'index-blocking.sql', 1);
    expect(create.locks).toContainEqual(expect.objectContaining({ relation: 'product_catalog.products', mode: 'ShareLock', blocks: 'writes' }));
    expect(create.blocked.waits).toBeGreaterThan(0);
    expect(create.blocked.relations).toContain('product_catalog.products');
    expect(create.blocked.longestWaitMs).toBeGreaterThan(report.maxLockMs!);
    expect(create.rewritten).toEqual([]);
    // The text report says it too.
    expect(run.stderr).toMatch(/ShareLock on product_catalog\.products — blocks writes/);
  });

  it('its CONCURRENTLY twin blocks nobody and takes no SHARE lock', () => {
    const twin = report.migrations.find((m) => m.file === 'index-concurrent.sql')!;
    expect(twin.transactional).toBe(false);
    expect(twin.statements).toHaveLength(2);
    for (const s of twin.statements) {
      expect(s.blocked.waits).toBe(0);
      expect(s.locks.map((l) => l.mode)).not.toContain('ShareLock');
    }
    expect(report.overLimit.filter((s) => s.startsWith('index-concurrent.sql'))).toEqual([]);
  });

  it('ALTER COLUMN TYPE integer to bigint: the table and its indexes rewritten, under an ACCESS EXCLUSIVE lock', () => {
    const alter = statement(report, 'alter-type-rewrite.sql', 1);
    expect(alter.rewritten).toContainEqual(expect.objectContaining({ relation: 'product_catalog.products', kind: 'table' }));
    expect(alter.rewritten).toContainEqual(expect.objectContaining({ relation: 'product_catalog.products_pkey', kind: 'index' }));
    expect(alter.locks).toContainEqual(expect.objectContaining({ relation: 'product_catalog.products', mode: 'AccessExclusiveLock', blocks: 'reads and writes' }));
  });

  it('a metadata-only change (varchar widening) rewrites nothing', () => {
    const add = statement(report, 'widen-varchar.sql', 1);
    const widen = statement(report, 'widen-varchar.sql', 2);
    expect(add.rewritten).toEqual([]);
    expect(widen.rewritten).toEqual([]);
    expect(widen.sql).toMatch(/TYPE varchar\(64\)/);
  });

  it('the scratch database is gone afterwards', async () => {
    expect(report.scratch.name).toMatch(/^ecomdb_rehearse_\d+_\d+_[0-9a-f]+$/);
    expect(await databaseExists(report.scratch.name)).toBe(false);
  });
});

describe('ecomdb rehearse --from', () => {
  const fresh = databasesForBlock();

  it('copies a database nobody is connected to with TEMPLATE, one in use with pg_dump | pg_restore; both dropped; exit 0 under the limit', async () => {
    const source = await fresh('rehearse_from');
    const args = ['rehearse', '--url', SERVER_URL, '--from', source.url, '--clients', '0', '--max-lock-ms', '60000', '--json', fixture('widen-varchar.sql')];
    const idle = await ecomdb(args);
    expect(idle.code, idle.stderr).toBe(0);
    const first = JSON.parse(idle.stdout) as RehearseReport;
    expect(first.scratch.how).toBe('template');
    expect(first.migrations.map((m) => m.file)).toEqual(['widen-varchar.sql']);
    expect(statement(first, 'widen-varchar.sql', 2).rewritten).toEqual([]);

    await source.sql`select 1`; // a session on the source: TEMPLATE is refused
    const busy = await ecomdb(args);
    expect(busy.code, busy.stderr).toBe(0);
    const second = JSON.parse(busy.stdout) as RehearseReport;
    expect(second.scratch.how).toBe('dump');
    expect(statement(second, 'widen-varchar.sql', 1).locks).toContainEqual(expect.objectContaining({ relation: 'product_catalog.products', mode: 'AccessExclusiveLock' }));
    for (const r of [first, second]) expect(await databaseExists(r.scratch.name)).toBe(false);
    // The source itself was not migrated.
    const [column] = await source.sql`select 1 from information_schema.columns where table_schema = 'product_catalog' and column_name = 'rehearse_sku'`;
    expect(column).toBeUndefined();
  });
});

describe('ecomdb rehearse without FILES: the journal against a git revision', () => {
  it('rehearses the files added since --base, and nothing when the journal is as committed', async () => {
    const repo = tempDir('ecomdb-rehearse-git-');
    const migrations = join(repo, 'migrations');
    cpSync(MIGRATIONS_DIR, migrations, { recursive: true });
    const journalPath = join(migrations, 'meta', '_journal.json');
    const full = readFileSync(journalPath, 'utf8');
    const journal = JSON.parse(full) as { entries: { tag: string }[] };
    const last = journal.entries.at(-1)!.tag;
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'as committed');
    const args = ['rehearse', '--url', SERVER_URL, '--migrations', migrations, '--plain', '--scale', '0.05', '--clients', '0', '--json'];

    const nothing = await ecomdb(args);
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(JSON.parse(nothing.stdout)).toMatchObject({ migrations: [] });

    // The last migration is new on this branch: HEAD's journal does not list it yet.
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, -1) }, null, 2));
    git('commit', '-qam', 'base without the last migration');
    writeFileSync(journalPath, full);
    const run = await ecomdb(args);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RehearseReport;
    expect(report.migrations.map((m) => m.file)).toEqual([`${last}.sql`]);
    expect(await databaseExists(report.scratch.name)).toBe(false);
  });
});

describe('ecomdb rehearse: refusals and interruptions', () => {
  it('refuses the embedded database: it needs concurrent connections', async () => {
    const run = await ecomdb(['rehearse', fixture('widen-varchar.sql')]);
    expect(run.code).toBe(2);
    expect(errorCode(run)).toBe('E_USAGE');
  });

  it('a migration that fails on the scratch database exits 15 (E_REHEARSE_FAILED), and the scratch database goes', async () => {
    const run = await ecomdb(['rehearse', '--url', SERVER_URL, '--plain', '--scale', '0.05', '--clients', '0', '--json', fixture('widen-varchar.sql'), fixture('add-existing-column.sql')]);
    expect(run.code, run.stderr).toBe(15);
    const error = jsonError(run);
    expect(error.code).toBe('E_REHEARSE_FAILED');
    const report = error.details.report as RehearseReport;
    expect(report.failure).toMatchObject({ file: 'add-existing-column.sql', statement: 1 });
    // What ran before it is reported.
    expect(statement(report, 'widen-varchar.sql', 2).rewritten).toEqual([]);
    expect(await databaseExists(report.scratch.name)).toBe(false);
  });

  it('SIGTERM while the scratch database is being built: exit 143 and the database is dropped', async () => {
    const { child, done } = spawnEcomdb(['rehearse', '--url', SERVER_URL, '--plain', '--scale', '5', '--clients', '1', fixture('widen-varchar.sql')], { killAfterMs: 300_000 });
    const pattern = `^ecomdb_rehearse_[0-9]+_${child.pid}_[0-9a-f]+$`;
    let name: string | undefined;
    for (let i = 0; i < 600 && !name; i++) {
      const [row] = await admin`select datname::text as name from pg_database where datname ~ ${pattern}`;
      name = row?.name as string | undefined;
      if (!name) await new Promise((r) => setTimeout(r, 100));
    }
    expect(name).toBeDefined();
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code, result.stderr).toBe(143);
    expect(await databaseExists(name!)).toBe(false);
  });

  it('Ctrl-C while a migration holds its lock and the workload waits: exit 130 and the database is dropped', async () => {
    const { child, done } = spawnEcomdb(['rehearse', '--url', SERVER_URL, '--plain', '--scale', '0.05', '--clients', '2', '--mix', WRITERS, '--json', fixture('index-blocking.sql')], { killAfterMs: 300_000 });
    // index-blocking.sql sleeps 1.5 s after its CREATE INDEX: the signal lands while it runs.
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('applying index-blocking')) resolve();
      });
      child.on('close', () => resolve());
    });
    const [row] = await admin`select datname::text as name from pg_database where datname ~ ${`^ecomdb_rehearse_[0-9]+_${child.pid}_[0-9a-f]+$`}`;
    expect(row?.name).toBeDefined();
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(130);
    expect(await databaseExists(row!.name as string)).toBe(false);
  });
});

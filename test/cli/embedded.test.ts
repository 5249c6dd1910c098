/**
 * The embedded default: with no --url and no DATABASE_URL, ecomdb uses PGlite in ./.ecomdb.
 * A newcomer's `ecomdb up` needs nothing installed; a second process is refused, not let in.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ecomdb, errorCode, jsonError, tempDir } from '../helpers/cli.ts';
import { copyMigrations, tags } from '../helpers/migrations.ts';

const HOLDER = fileURLToPath(new URL('../helpers/hold-pglite.ts', import.meta.url));

describe('ecomdb on the embedded default (PGlite)', () => {
  it('up migrates, seeds and verifies ./.ecomdb; a second up applies nothing and seeds nothing', async () => {
    const cwd = tempDir();
    const first = await ecomdb(['up', '--json'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as {
      applied: string[];
      seeded: { rows: number } | 'skipped' | null;
      verify: { failing: string[] };
      components: { tables: { name: string; rows: number }[] }[];
    };
    expect(report.applied).toEqual(tags(copyMigrations()));
    expect(report.components).toHaveLength(10);
    expect(report.components.flatMap((c) => c.tables)).toHaveLength(25);
    // Every table holds rows, and the verify rules pass.
    expect(report.components.flatMap((c) => c.tables).filter((t) => t.rows === 0)).toEqual([]);
    expect(report.seeded).toMatchObject({ rows: expect.any(Number) });
    expect(report.verify.failing).toEqual([]);
    // The seven roles are reference rows of the migrations.
    expect(report.components[0]!.tables.find((t) => t.name === 'roles')?.rows).toBe(7);
    expect(existsSync(join(cwd, '.ecomdb', 'pgdata'))).toBe(true);
    expect(existsSync(join(cwd, '.ecomdb', 'lock'))).toBe(false);

    const second = await ecomdb(['up', '--json'], { cwd });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ applied: [], seeded: 'skipped' });

    const status = await ecomdb(['status', '--json'], { cwd });
    expect(status.code, status.stderr).toBe(0);
    const states = (JSON.parse(status.stdout) as { migrations: { state: string }[] }).migrations.map((m) => m.state);
    expect(states.every((s) => s === 'applied')).toBe(true);
  }, 300_000); // two full runs on the embedded database: bounded, never timed

  it('refuses a second process on the same folder with one clear line naming the holder', async () => {
    const dir = join(tempDir(), 'store');
    const holder = spawn(process.execPath, ['--import', 'tsx', HOLDER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      const run = await ecomdb(['migrate', '--data-dir', dir, '--json']);
      expect(run.code).toBe(3);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(errorCode(run)).toBe('E_TARGET_LOCKED');
      expect(jsonError(run).details).toMatchObject({ pid: holder.pid });
    } finally {
      holder.kill('SIGTERM');
      await new Promise((resolve) => holder.on('close', resolve));
    }
    // Once the holder has gone, the folder opens again.
    const after = await ecomdb(['migrate', '--data-dir', dir]);
    expect(after.code, after.stderr).toBe(0);
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, '.ecomdb'));
    writeFileSync(join(cwd, '.ecomdb', 'lock'), '2147483646\n');
    const run = await ecomdb(['migrate'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(cwd, '.ecomdb', 'lock'))).toBe(false);
  });

  it('ECOMDB_DATA_DIR chooses the folder; migrate creates it, parents included, and status reads it', async () => {
    const cwd = tempDir();
    const dir = join(tempDir(), 'a', 'b', 'elsewhere');
    const env = { ECOMDB_DATA_DIR: dir };
    const migrate = await ecomdb(['migrate'], { cwd, env });
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(existsSync(join(dir, 'pgdata'))).toBe(true);
    expect(existsSync(join(cwd, '.ecomdb'))).toBe(false);
    const status = await ecomdb(['status', '--json'], { cwd, env });
    expect(status.code, status.stderr).toBe(0);
  });
});

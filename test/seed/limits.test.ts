/**
 * A seed that cannot fit is refused before anything runs, and a seed whose stderr is not a
 * terminal still reports progress while a table loads.
 */
import { existsSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REGIONS, MAX_SCALE } from '../../src/cli/flags.ts';
import { PROGRESS_MARKER } from '../../src/cli/progress.ts';
import { SERVER_CEILING_BYTES, seedSize } from '../../src/seed/size.ts';
import { snapshot } from '../helpers/checksums.ts';
import { ecomdb, tempDir } from '../helpers/cli.ts';
import { createMigratedDatabase, createTestDatabase, databasesForBlock, withPostgres } from '../helpers/db.ts';

const UNTIL = '2026-11-01';
const sizeAt = (scale: number) => seedSize({ seed: 1, scale, regions: DEFAULT_REGIONS, until: Date.UTC(2026, 10, 1), windowDays: 180 });

describe('seed size', () => {
  it('is estimated from the seed plan: linear in the scale, about 60k rows per unit', () => {
    const one = sizeAt(1);
    expect(one.rows).toBeGreaterThan(55_000);
    expect(one.rows).toBeLessThan(70_000);
    expect(sizeAt(1000).rows / one.rows).toBeCloseTo(1000, -1);
    expect(sizeAt(1e9).rows).toBeGreaterThan(5e13);
  });
});

describe('ecomdb seed refuses what cannot fit, before anything runs', () => {
  const databases = databasesForBlock();

  it('--scale 1e9: a plainly absurd scale is a usage error (exit 2); no embedded database is even created', async () => {
    const cwd = tempDir();
    const run = await ecomdb(['seed', '--scale', '1e9', '--until', UNTIL, '--json'], { cwd });
    expect(run.code, run.stderr).toBe(2);
    expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'E_USAGE', details: { option: '--scale' } });
    expect(existsSync(join(cwd, '.ecomdb'))).toBe(false);
  });

  it('on a server, a seed above the ceiling: E_SEED_TOO_LARGE, exit 7, nothing written', async () => {
    const db = await databases('seed_too_large');
    const scale = Math.ceil((SERVER_CEILING_BYTES / sizeAt(1).bytes) * 2);
    expect(scale).toBeLessThanOrEqual(MAX_SCALE);
    const before = await withPostgres(db.url, (d) => d.session(snapshot));
    const run = await ecomdb(['seed', '--url', db.url, '--scale', String(scale), '--until', UNTIL, '--json']);
    expect(run.code, run.stderr).toBe(7);
    expect(JSON.parse(run.stdout).error.code).toBe('E_SEED_TOO_LARGE');
    expect(await withPostgres(db.url, (d) => d.session(snapshot))).toEqual(before);
  });

  it('on the embedded database, a seed above the free space of its folder: E_SEED_TOO_LARGE, exit 7, nothing created', async () => {
    const cwd = tempDir();
    const fs = statfsSync(cwd);
    const scale = Math.ceil(((fs.bavail * fs.bsize) / sizeAt(1).bytes) * 2);
    // A machine with terabytes free in its temp folder would need a scale ecomdb calls absurd.
    expect(scale).toBeLessThanOrEqual(MAX_SCALE);
    const run = await ecomdb(['seed', '--scale', String(scale), '--until', UNTIL, '--json'], { cwd });
    expect(run.code, run.stderr).toBe(7);
    expect(JSON.parse(run.stdout).error.code).toBe('E_SEED_TOO_LARGE');
    expect(existsSync(join(cwd, '.ecomdb'))).toBe(false);
  });
});

describe('ecomdb seed and up progress when stderr is not a terminal', () => {
  it('prints periodic progress lines while a table loads (every ECOMDB_PROGRESS_SECONDS)', async () => {
    const db = await createMigratedDatabase('seed_progress');
    try {
      // The test runner's pipe is not a terminal; 0 s means a line after every chunk of rows.
      const run = await ecomdb(['seed', '--url', db.url, '--scale', '0.1', '--until', UNTIL, '--jobs', '3'], { env: { ECOMDB_PROGRESS_SECONDS: '0' } });
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stderr.split('\n').filter((l) => l.trimStart().startsWith(PROGRESS_MARKER));
      expect(lines.length).toBeGreaterThan(0);
      // Three lanes load three tables at once: each line names the table its rows belong to, so
      // no line counts more rows than its table's summary line says it ended with.
      const number = (text: string) => Number(text.replaceAll(',', ''));
      const final = new Map([...run.stderr.matchAll(/^ {2}("[^"]+"\."[^"]+") +([\d,]+) rows /gm)].map((m) => [m[1]!, number(m[2]!)]));
      for (const line of lines) {
        const [, table, rows] = /("[^"]+"\."[^"]+") ([\d,]+) of/.exec(line)!;
        expect(number(rows!), line).toBeLessThanOrEqual(final.get(table!)!);
      }
    } finally {
      await db.drop();
    }
  });

  it('up, which seeds too, prints them as well', async () => {
    const db = await createTestDatabase('up_progress');
    try {
      const run = await ecomdb(['up', '--url', db.url, '--no-partition', '--scale', '0.1'], { env: { ECOMDB_PROGRESS_SECONDS: '0' } });
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stderr.split('\n').filter((l) => l.trimStart().startsWith(PROGRESS_MARKER));
      expect(lines.length).toBeGreaterThan(0);
    } finally {
      await db.drop();
    }
  });
});

describe('a long history on a partitioned database', () => {
  it('--days 1095: the month partitions are created a few months per transaction, within a default lock table', async () => {
    const db = await createMigratedDatabase('seed_long_window');
    try {
      expect((await ecomdb(['partition', 'apply', '--url', db.url])).code).toBe(0);
      const run = await ecomdb(['seed', '--url', db.url, '--scale', '0.05', '--days', '1095', '--until', UNTIL, '--json']);
      expect(run.code, run.stderr).toBe(0);
      // Every month of the window has its partition of orders in every site.
      const [row] = await db.sql<{ months: number }[]>`
        select count(distinct to_char(created_at, 'YYYY-MM'))::int as months from order_processing.orders`;
      expect(row!.months).toBeGreaterThanOrEqual(36);
    } finally {
      await db.drop();
    }
  });
});

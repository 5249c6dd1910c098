/**
 * Option values are refused at parse time, with exit 2 and the accepted range, before anything
 * connects or is created: durations within PostgreSQL's range, strict calendar dates, bounded
 * history windows and scales.
 */
import { describe, expect, it } from 'vitest';
import * as parse from '../../src/cli/options.ts';
import { EcomdbError } from '../../src/errors.ts';
import { ecomdb } from '../helpers/cli.ts';
import { databasesForBlock } from '../helpers/db.ts';

/** A URL nothing listens on: an option checked before connecting exits 2, not 3. */
const NOWHERE = 'postgres://127.0.0.1:1/x';

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return error instanceof EcomdbError ? error.code : 'not an EcomdbError';
  }
  return undefined;
}

describe('option parsers', () => {
  it('durations: the units PostgreSQL reads, from 0 (no timeout) to 2147483647 ms', () => {
    expect(parse.durationMs('500ms')).toBe(500);
    expect(parse.durationMs('5 s')).toBe(5000);
    expect(parse.durationMs('2min')).toBe(120_000);
    expect(parse.durationMs('1h')).toBe(3_600_000);
    expect(parse.durationMs('250')).toBe(250);
    for (const ok of ['0', '0s', '24d', '2147483647', '2147483647ms']) expect(parse.duration(ok, '--lock-timeout')).toBe(ok);
    for (const bad of ['30d', '25d', '2147483648ms', '596524h', 'soon', '1.5s', '-1s', '5sec', '']) {
      expect(codeOf(() => parse.duration(bad, '--lock-timeout')), bad).toBe('E_USAGE');
    }
  });

  it('dates: YYYY-MM-DD only, real calendar dates, within the bounds', () => {
    const bounds = { min: Date.UTC(2000, 0, 1), max: Date.UTC(2030, 0, 1) };
    expect(parse.date('2024-02-29', '--until', bounds)).toBe(Date.UTC(2024, 1, 29));
    expect(parse.date('2000-01-01', '--until', bounds)).toBe(bounds.min);
    for (const bad of ['2026-02-30', '2025-02-29', '2026-13-01', '2026-00-10', '1', '99999', '2099', '2026-2-3', '2026-02-03T00:00', '1999-12-31', '2030-01-02']) {
      expect(codeOf(() => parse.date(bad, '--until', bounds)), bad).toBe('E_USAGE');
    }
  });

  it('integers: decimal digits within the bounds; no exponent, hex or blank', () => {
    expect(parse.integer('30', '--days', { min: 30, max: 3650 })).toBe(30);
    for (const bad of ['29', '3651', '1e2', '0x20', '', ' ', '40.5', 'abc']) {
      expect(codeOf(() => parse.integer(bad, '--days', { min: 30, max: 3650 })), bad).toBe('E_USAGE');
    }
    expect(parse.positive('1e3', '--scale', { max: 100_000 })).toBe(1000);
    expect(parse.positive('0.5', '--scale', { max: 100_000 })).toBe(0.5);
    for (const bad of ['0', '-1', '1e9', 'Infinity', 'NaN', '']) expect(codeOf(() => parse.positive(bad, '--scale', { max: 100_000 })), bad).toBe('E_USAGE');
    expect(parse.seconds('1.5', '--wait')).toBe(1500);
    expect(codeOf(() => parse.seconds('-1', '--wait'))).toBe('E_USAGE');
  });
});

describe('seed dates and window, refused before connecting', () => {
  // Each of these was accepted before (2026-02-30 became 2026-03-02, 1 became 2001, 99999 a year
  // 99999) or failed late: with nothing listening at the URL they exited 3, not 2.
  for (const args of [
    ['--until', '2026-02-30'],
    ['--until', '1'],
    ['--until', '99999'],
    ['--until', '2099'],
    ['--until', '2099-01-01'],
    ['--days', '100000000'],
  ]) {
    it(`seed ${args.join(' ')}: E_USAGE, exit 2`, async () => {
      const run = await ecomdb(['seed', '--url', NOWHERE, ...args, '--json']);
      expect(run.code, run.stderr).toBe(2);
      expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'E_USAGE', details: { option: args[0] } });
    });
  }

  it('--days 0 is refused with the real bounds (30 to 3650), as data in --json', async () => {
    const run = await ecomdb(['seed', '--url', NOWHERE, '--days', '0', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'E_USAGE', details: { option: '--days', accepted: { min: 30, max: 3650 } } });
  });
});

describe('--lock-timeout within PostgreSQL\'s range', () => {
  const databases = databasesForBlock();

  it('30d (above PostgreSQL\'s limit) is refused with exit 2, and nothing is created', async () => {
    const db = await databases('locktimeout_range', { migrated: false });
    for (const option of ['--lock-timeout', '--statement-timeout']) {
      const run = await ecomdb(['migrate', '--url', db.url, option, '30d', '--json']);
      expect(run.code, run.stderr).toBe(2);
      expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'E_USAGE', details: { option } });
    }
    const [row] = await db.sql`select to_regnamespace('drizzle') as d, to_regnamespace('user_management') as u`;
    expect(row).toEqual({ d: null, u: null });
  });

  it('24d, the largest whole number of days PostgreSQL accepts, and 0 (no timeout) both run', async () => {
    const db = await databases('locktimeout_max', { migrated: false });
    const run = await ecomdb(['migrate', '--url', db.url, '--lock-timeout', '24d', '--statement-timeout', '0']);
    expect(run.code, run.stderr).toBe(0);
    const [row] = await db.sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(row!.n).toBeGreaterThan(0);
  });
});

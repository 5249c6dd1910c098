/** `ecomdb seed`: load a realistic, consistent, deterministic marketplace, all or nothing. */
import { Command } from 'commander';
import { SITE_IDS, type SiteId } from '../../../schema/values.ts';
import { openTarget } from '../../db/open.ts';
import { EcomdbError } from '../../errors.ts';
import { readMigrations } from '../../migrations/files.ts';
import type { SeedOptions } from '../../seed/load.ts';
import { contextOf } from '../context.ts';
import * as parse from '../options.ts';
import { onInterrupt } from '../interrupt.ts';
import { Progress, PROGRESS_MARKER } from '../progress.ts';

interface SeedFlags {
  scale: string;
  seed: string;
  regions: string;
  until?: string;
  days: string;
  truncate?: boolean;
  check: boolean;
  partitionedKeys?: string;
}

export const DEFAULT_REGIONS = ['MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE'] as const;

/**
 * The bounds of the flags. Days: at least 30, because the generators place events a month into
 * the window (coupons that have expired by --until); ten years is far more than a demo reads.
 * Until: not before 2000 and at most a year ahead, so that a typo (`--until 1`, `--until 99999`)
 * is refused instead of simulating a century. Scale: above 100,000 (about 6 billion rows, terabytes)
 * no machine ecomdb targets can hold it, whatever its free space.
 */
export const SEED_DAYS = { min: 30, max: 3650 } as const;
export const EARLIEST_UNTIL = Date.UTC(2000, 0, 1);
export const MAX_SCALE = 100_000;

/** Validate the flags into world options, before anything connects. */
export function seedOptions(flags: SeedFlags, env: { now?: number; fault?: string } = {}): Omit<SeedOptions, 'onRows'> {
  const regions = flags.regions.split(',').map((r) => r.trim().toUpperCase()).filter(Boolean);
  const unknown = regions.filter((r) => !(SITE_IDS as readonly string[]).includes(r));
  if (unknown.length > 0 || regions.length === 0) {
    throw new EcomdbError('E_USAGE', `unknown region ${unknown.join(', ') || '(none given)'}`, { hint: `use site ids: ${SITE_IDS.join(', ')}` });
  }
  const today = Math.floor((env.now ?? Date.now()) / parse.DAY_MS) * parse.DAY_MS;
  const latest = Date.UTC(new Date(today).getUTCFullYear() + 1, new Date(today).getUTCMonth(), new Date(today).getUTCDate());
  return {
    seed: parse.integer(flags.seed, '--seed', { min: 0, max: 2 ** 31 - 1, example: 42 }),
    scale: parse.positive(flags.scale, '--scale', { max: MAX_SCALE }),
    regions: [...new Set(regions)] as SiteId[],
    until: flags.until === undefined ? today : parse.date(flags.until, '--until', { min: EARLIEST_UNTIL, max: latest }),
    windowDays: parse.integer(flags.days, '--days', { ...SEED_DAYS, example: 180 }),
    truncate: flags.truncate,
    check: flags.check,
    partitionedKeys: parse.oneOf(flags.partitionedKeys ?? 'auto', '--partitioned-keys', ['auto', 'rebuild', 'keep'] as const, "leave it to auto unless you know the server's lock table"),
    fault: env.fault,
  };
}

export function seedCommand(): Command {
  return new Command('seed')
    .description('load realistic marketplace data into every table, in one transaction (all or nothing)')
    .option('--scale <n>', `size: 1 is a demo of ~60k rows; rows grow linearly (at most ${MAX_SCALE}, and what the disk can hold)`, '1')
    .option('--seed <n>', 'random seed: the same seed, scale, regions and --until give identical data', '1')
    .option('--regions <list>', 'comma-separated site ids', DEFAULT_REGIONS.join(','))
    .option('--until <date>', 'end of the simulated history, YYYY-MM-DD from 2000-01-01 to a year from today (default: today, UTC)')
    .option('--days <n>', `days of order history before --until (${SEED_DAYS.min} to ${SEED_DAYS.max})`, '180')
    .option('--truncate', 'empty the seeded tables first (reference rows stay)')
    .option('--no-check', 'skip the business consistency checks before commit')
    .option(
      '--partitioned-keys <how>',
      'keys of partitioned tables during the load: rebuild after it (fast, locks every partition), keep (checked row by row), or auto: rebuild when that fits in half of the server\'s lock table',
      'auto',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb seed                                   # the embedded database, scale 1
  $ ecomdb seed --url postgres://postgres@localhost/shop --scale 80 --seed 7
  $ ecomdb seed --regions MLA,MLU --truncate --json

A seed that cannot fit (more rows than the free space of the embedded database's folder, or
than ecomdb loads into a server) is refused before anything runs. When stderr is not a terminal,
a progress line (starting with ${PROGRESS_MARKER}) is printed at most every ECOMDB_PROGRESS_SECONDS (10).

Interrupted (Ctrl-C, killed), a seed leaves the database exactly as it was: everything,
including rebuilding the constraints, happens in one transaction. Run it again. (On a
partitioned database the empty month partitions of the history window are created first and
stay: the layout wants them anyway.)`,
    )
    .action(async (flags: SeedFlags, command: Command) => {
      const { target, migrationsDir, output, env } = contextOf(command);
      const options = seedOptions(flags, { fault: env.seedFault });
      const files = readMigrations(migrationsDir);
      // Loaded on demand: faker and the generators are only needed by this command.
      const { seedDatabase } = await import('../../seed/load.ts');
      const { assertSeedFits } = await import('../../seed/size.ts');
      const size = await assertSeedFits(target, options);
      const db = await openTarget(target);
      const progress = new Progress(output, { everyMs: env.progressEveryMs });
      // Leaving mid-load is safe (one transaction, never committed); say so.
      const stopListening = onInterrupt(() => {
        progress.stop();
        output.warn('interrupted: the seed transaction is rolled back, the database is as it was');
      });
      try {
        output.info(`seeding ${db.label}: scale ${options.scale} (~${size.rows.toLocaleString('en-US')} rows), seed ${options.seed}, regions ${options.regions.join(',')}`);
        const result = await seedDatabase(db, files, {
          ...options,
          onTableStart: (table, expected) => progress.start(table, expected),
          onRows: (_table, rows) => progress.update(rows),
          onTableDone: (r) => progress.done(r.table, r.rows, r.ms),
          onPhase: (phase) => output.step(phase),
        });
        const rate = Math.round(result.rows / (result.ms / 1000));
        output.success(
          `seeded ${result.rows.toLocaleString('en-US')} rows in ${(result.ms / 1000).toFixed(1)}s (${rate.toLocaleString('en-US')} rows/s); ` +
            `constraints rebuilt in ${(result.constraintsMs / 1000).toFixed(1)}s; ${result.checks.length} consistency checks clean`,
        );
        output.data({ target: db.label, ...options, fault: undefined, ...result });
      } finally {
        stopListening();
        progress.stop();
        await db.close();
      }
    });
}

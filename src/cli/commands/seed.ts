/** `ecomdb seed`: load a realistic, consistent, deterministic marketplace, all or nothing. */
import { Command } from 'commander';
import { parseSites } from '../../../schema/values.ts';
import { openTarget } from '../../db/open.ts';
import { EcomdbError } from '../../errors.ts';
import { readMigrations } from '../../migrations/files.ts';
import type { PartitionedKeys, SeedOptions } from '../../seed/load.ts';
import { contextOf } from '../context.ts';
import { Progress } from '../progress.ts';

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

const DAY = 86_400_000;

export const DEFAULT_REGIONS = ['MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE'] as const;

function positiveNumber(value: string, option: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new EcomdbError('E_USAGE', `${option} "${value}" is not a positive ${integer ? 'whole ' : ''}number`, { hint: `e.g. ${option} 1` });
  }
  return n;
}

/** Validate the flags into world options, before anything connects. */
export function seedOptions(flags: SeedFlags, now = Date.now()): Omit<SeedOptions, 'onRows'> {
  const regions = parseSites(flags.regions.split(',').filter((r) => r.trim() !== ''), 'E_USAGE', '--regions');
  const until = flags.until === undefined ? Math.floor(now / DAY) * DAY : Date.parse(flags.until);
  if (Number.isNaN(until)) throw new EcomdbError('E_USAGE', `--until "${flags.until}" is not a date`, { hint: 'use YYYY-MM-DD' });
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) {
    throw new EcomdbError('E_USAGE', `--seed "${flags.seed}" is not a whole number from 0 to 2147483647`, { hint: 'e.g. --seed 42' });
  }
  const windowDays = positiveNumber(flags.days, '--days', true);
  if (windowDays < 30) throw new EcomdbError('E_USAGE', '--days must be at least 30', { hint: 'the history always covers the last 30 days' });
  const keys = flags.partitionedKeys ?? 'auto';
  if (!['auto', 'rebuild', 'keep'].includes(keys)) {
    throw new EcomdbError('E_USAGE', `--partitioned-keys "${keys}" is not auto, rebuild or keep`, { hint: 'leave it to auto unless you know the server\'s lock table' });
  }
  return {
    seed,
    scale: positiveNumber(flags.scale, '--scale', false),
    regions,
    until,
    windowDays,
    truncate: flags.truncate,
    check: flags.check,
    partitionedKeys: keys as PartitionedKeys,
    fault: process.env.ECOMDB_SEED_FAULT || undefined,
  };
}

export function seedCommand(): Command {
  return new Command('seed')
    .description('load realistic marketplace data into every table, in one transaction (all or nothing)')
    .option('--scale <n>', 'size: 1 is a demo of ~60k rows; rows grow linearly', '1')
    .option('--seed <n>', 'random seed: the same seed, scale, regions and --until give identical data', '1')
    .option('--regions <list>', 'comma-separated site ids', DEFAULT_REGIONS.join(','))
    .option('--until <date>', 'end of the simulated history (default: today, UTC)')
    .option('--days <n>', 'days of order history before --until (at least 30)', '180')
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

Interrupted (Ctrl-C, killed), a seed leaves the database exactly as it was: everything,
including rebuilding the constraints, happens in one transaction. Run it again. (On a
partitioned database the empty month partitions of the history window are created first and
stay: the layout wants them anyway.)`,
    )
    .action(async (flags: SeedFlags, command: Command) => {
      const { target, migrationsDir, output } = contextOf(command);
      const options = seedOptions(flags);
      const files = readMigrations(migrationsDir);
      // Loaded on demand: faker and the generators are only needed by this command.
      const { seedDatabase } = await import('../../seed/load.ts');
      const db = await openTarget(target);
      const progress = new Progress(output);
      // Leaving mid-load is safe (one transaction, never committed); say so, exit 130 like a shell.
      const interrupted = () => {
        progress.stop();
        output.warn('interrupted: the seed transaction is rolled back, the database is as it was');
        process.exit(130);
      };
      process.once('SIGINT', interrupted);
      process.once('SIGTERM', interrupted);
      try {
        output.info(`seeding ${db.label}: scale ${options.scale}, seed ${options.seed}, regions ${options.regions.join(',')}`);
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
        process.removeListener('SIGINT', interrupted);
        process.removeListener('SIGTERM', interrupted);
        progress.stop();
        await db.close();
      }
    });
}

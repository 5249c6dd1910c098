/**
 * The flags of migrate and seed, validated into library options before anything connects.
 * `ecomdb up` accepts them too, so they live here rather than in either command's file.
 */
import { parseSites } from '../../schema/values.ts';
import { EcomdbError } from '../errors.ts';
import type { RunOptions } from '../migrations/run.ts';
import type { PartitionedKeys, SeedOptions } from '../seed/load.ts';
import { parseDuration, parseSeconds, type Context } from './context.ts';

export interface MigrateFlags {
  dryRun?: boolean;
  lockTimeout?: string;
  statementTimeout?: string;
  wait?: string;
}

/** Validate the flags before anything connects. */
export function runOptions(ctx: Context, flags: MigrateFlags): RunOptions {
  return {
    dryRun: flags.dryRun,
    lockTimeout: flags.lockTimeout === undefined ? undefined : parseDuration(flags.lockTimeout, '--lock-timeout'),
    statementTimeout:
      flags.statementTimeout === undefined ? undefined : parseDuration(flags.statementTimeout, '--statement-timeout'),
    waitMs: flags.wait === undefined ? undefined : parseSeconds(flags.wait, '--wait') * 1000,
    onMigration: (f) =>
      ctx.output.step(`applying ${f.tag} (${f.statements.length} statements${f.transactional ? '' : ', no transaction'})`),
  };
}

export interface SeedFlags {
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

/**
 * The flags of migrate and seed, validated into library options before anything connects.
 * `ecomdb up` accepts them too, so they live here rather than in either command's file.
 */
import { parseSites, SITES, type SiteId } from '../../schema/values.ts';
import type { RunOptions } from '../migrations/run.ts';
import type { MigrationFile } from '../migrations/files.ts';
import type { SeedOptions } from '../seed/load.ts';
import { checkJobs, DEFAULT_JOBS, MAX_JOBS } from '../seed/lanes.ts';
import type { Context } from './context.ts';
import * as parse from './options.ts';
import { EcomdbError } from '../errors.ts';
import { DAY_MS } from '../time.ts';

export interface MigrateFlags {
  dryRun?: boolean;
  lockTimeout?: string;
  statementTimeout?: string;
  wait?: string;
  to?: string;
  force?: boolean;
}

/** What `ecomdb migrate` follows, to say what an interruption leaves behind. */
export interface MigrateListener {
  started(file: MigrationFile): void;
  ran(statements: number): void;
  applied(file: MigrationFile): void;
  /** Going down: a file is about to be undone, or was undone (committed). */
  reverting(file: MigrationFile): void;
  reverted(file: MigrationFile): void;
}

/** Validate the flags before anything connects. */
export function runOptions(ctx: Context, flags: MigrateFlags, track?: MigrateListener): RunOptions {
  return {
    dryRun: flags.dryRun,
    lockTimeout: flags.lockTimeout === undefined ? undefined : parse.duration(flags.lockTimeout, '--lock-timeout'),
    statementTimeout: flags.statementTimeout === undefined ? undefined : parse.duration(flags.statementTimeout, '--statement-timeout'),
    waitMs: flags.wait === undefined ? undefined : parse.seconds(flags.wait, '--wait'),
    onMigration: (f) => {
      track?.started(f);
      ctx.output.step(`applying ${f.tag} (${f.statements.length} statements${f.transactional ? '' : ', no transaction'})`);
    },
    onStatement: (_f, done) => track?.ran(done),
    onApplied: (f) => track?.applied(f),
    to: flags.to,
    force: flags.force,
    onReverting: (f) => {
      track?.reverting(f);
      ctx.output.step(`undoing ${f.tag}`);
    },
    onReverted: (f) => track?.reverted(f),
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
  /** Lanes on a server (src/seed/lanes.ts); undefined: the default. */
  jobs?: string;
}

/** The sites the seed fills by default: those with a volume share (schema/values.ts). */
export const DEFAULT_REGIONS: readonly SiteId[] = SITES.filter((s) => s.share > 0).map((s) => s.id);

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
  const regions = parseSites(flags.regions.split(',').filter((r) => r.trim() !== ''), 'E_USAGE', '--regions');
  const partitionedKeys = parse.oneOf(flags.partitionedKeys ?? 'auto', '--partitioned-keys', ['auto', 'rebuild', 'keep'] as const, "leave it to auto unless you know the server's lock table");
  const jobs = flags.jobs === undefined ? undefined : parse.integer(flags.jobs, '--jobs', { min: 1, max: MAX_JOBS, example: DEFAULT_JOBS });
  checkJobs(jobs, partitionedKeys);
  const today = Math.floor((env.now ?? Date.now()) / DAY_MS) * DAY_MS;
  const latest = Date.UTC(new Date(today).getUTCFullYear() + 1, new Date(today).getUTCMonth(), new Date(today).getUTCDate());
  return {
    seed: parse.integer(flags.seed, '--seed', { min: 0, max: 2 ** 31 - 1, example: 42 }),
    scale: parse.positive(flags.scale, '--scale', { max: MAX_SCALE }),
    regions,
    until: flags.until === undefined ? today : parse.date(flags.until, '--until', { min: EARLIEST_UNTIL, max: latest }),
    windowDays: parse.integer(flags.days, '--days', { ...SEED_DAYS, example: 180 }),
    truncate: flags.truncate,
    check: flags.check,
    partitionedKeys,
    jobs,
    fault: env.fault,
  };
}

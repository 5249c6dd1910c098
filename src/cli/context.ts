/**
 * Options every command shares, parsed once: where the database is, where the migrations
 * are, and how to print. Commands receive a Context and never read process.env themselves.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveRedisTarget, type RedisTarget } from '../cache/client.ts';
import { defaultPrefix } from '../cache/keys.ts';
import { resolveTarget, type Target } from '../db/open.ts';
import { parseDatabaseUrl } from '../db/url.ts';
import { MIGRATIONS_DIR } from '../generate/run.ts';
import * as parse from './options.ts';
import { Output } from './output.ts';

export interface GlobalOptions {
  url?: string;
  dataDir?: string;
  migrations?: string;
  redisUrl?: string;
  json?: boolean;
  verbose?: boolean;
}

export interface Context {
  readonly target: Target;
  /** True when a database was named (--url, DATABASE_URL, --data-dir, ECOMDB_DATA_DIR) rather than defaulted. */
  readonly targetNamed: boolean;
  readonly migrationsDir: string;
  readonly output: Output;
  /** The Redis of the cache layer: --redis-url, else REDIS_URL, else the default. */
  readonly redis: RedisTarget;
  /** The prefix of this database's keys in Redis: ECOMDB_CACHE_PREFIX, else one per database name. */
  readonly cachePrefix: string;
  /** The environment variables that tune a command, read here once. */
  readonly env: CommandEnv;
}

export interface CommandEnv {
  /** ECOMDB_PROGRESS_SECONDS: when stderr is not a terminal, a progress line at most this often (default 10 s). */
  readonly progressEveryMs: number;
  /** ECOMDB_SEED_FAULT, a test hook: make the seed send one malformed row, e.g. `order_processing.orders:100`. */
  readonly seedFault: string | undefined;
  /** ECOMDB_SEED_PAUSE_AT, a test hook: a phased seed stops for good after the first commit of this phase (start, drop, load, constrain, check), to be killed there. */
  readonly seedPauseAt: string | undefined;
}

/** Seconds between two progress lines in a log when ECOMDB_PROGRESS_SECONDS is not set. */
export const DEFAULT_PROGRESS_SECONDS = '10';

export function commandEnv(env: NodeJS.ProcessEnv = process.env): CommandEnv {
  return {
    progressEveryMs: parse.seconds(env.ECOMDB_PROGRESS_SECONDS || DEFAULT_PROGRESS_SECONDS, 'ECOMDB_PROGRESS_SECONDS'),
    seedFault: env.ECOMDB_SEED_FAULT || undefined,
    seedPauseAt: env.ECOMDB_SEED_PAUSE_AT || undefined,
  };
}

/** The cache's key prefix: ECOMDB_CACHE_PREFIX, else `ecomdb:<database>:` (`embedded` for PGlite). */
export function cachePrefixOf(target: Target, env: NodeJS.ProcessEnv = process.env): string {
  if (env.ECOMDB_CACHE_PREFIX) return env.ECOMDB_CACHE_PREFIX;
  if (target.kind === 'pglite') return defaultPrefix('embedded');
  const c = parseDatabaseUrl(target.url);
  return defaultPrefix(c.database ?? c.user ?? 'postgres');
}

export function contextOf(command: Command): Context {
  const options = command.optsWithGlobals<GlobalOptions>();
  const target = resolveTarget({ url: options.url, dataDir: options.dataDir });
  return {
    target,
    targetNamed: Boolean(options.url || process.env.DATABASE_URL || options.dataDir || process.env.ECOMDB_DATA_DIR),
    redis: resolveRedisTarget({ redisUrl: options.redisUrl }),
    cachePrefix: cachePrefixOf(target),
    migrationsDir: options.migrations ? resolve(options.migrations) : MIGRATIONS_DIR,
    output: new Output({ json: options.json, verbose: options.verbose }),
    env: commandEnv(),
  };
}

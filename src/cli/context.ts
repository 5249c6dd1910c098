/**
 * Options every command shares, parsed once: where the database is, where the migrations
 * are, and how to print. Commands receive a Context and never read process.env themselves.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveTarget, type Target } from '../db/open.ts';
import { MIGRATIONS_DIR } from '../generate/run.ts';
import { EcomdbError } from '../errors.ts';
import { Output } from './output.ts';

export interface GlobalOptions {
  url?: string;
  dataDir?: string;
  migrations?: string;
  json?: boolean;
  verbose?: boolean;
}

export interface Context {
  readonly target: Target;
  readonly migrationsDir: string;
  readonly output: Output;
}

export function contextOf(command: Command): Context {
  const options = command.optsWithGlobals<GlobalOptions>();
  return {
    target: resolveTarget({ url: options.url, dataDir: options.dataDir }),
    migrationsDir: options.migrations ? resolve(options.migrations) : MIGRATIONS_DIR,
    output: new Output({ json: options.json, verbose: options.verbose }),
  };
}

/** A PostgreSQL duration such as 500ms, 5s, 2min, 1h; bare numbers are milliseconds. */
export function parseDuration(value: string, option: string): string {
  if (!/^\d+\s*(ms|s|min|h|d)?$/.test(value.trim())) {
    throw new EcomdbError('E_USAGE', `${option} "${value}" is not a duration`, { hint: 'use a value like 500ms, 5s, 2min or 1h' });
  }
  return value.trim();
}

export function parseSeconds(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new EcomdbError('E_USAGE', `${option} "${value}" is not a number of seconds`, { hint: 'use a value like 30' });
  }
  return n;
}

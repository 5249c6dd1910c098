/** Choosing the target: --url, else DATABASE_URL, else the embedded store. */
import { resolve } from 'node:path';
import { openPostgres } from './postgres.ts';
import type { Database } from './types.ts';

export interface TargetOptions {
  /** A postgres:// URL; wins over the environment. */
  url?: string;
  /** The embedded store's folder, when no URL is given. */
  dataDir?: string;
}

/** The default folder of the embedded store. */
export const DEFAULT_DATA_DIR = '.ecomdb';

export type Target = { kind: 'postgres'; url: string } | { kind: 'pglite'; dir: string };

/** Decide where to connect, from options then environment; pure. */
export function resolveTarget(options: TargetOptions, env: NodeJS.ProcessEnv = process.env): Target {
  const url = options.url ?? env.DATABASE_URL;
  if (url) return { kind: 'postgres', url };
  return { kind: 'pglite', dir: resolve(options.dataDir ?? env.ECOMDB_DATA_DIR ?? DEFAULT_DATA_DIR) };
}

export interface OpenOptions {
  /**
   * Whether an embedded store may be created where there is none: only for commands that can
   * do their work on a new, empty database (migrate, up). Reading must not leave a 39 MB
   * cluster behind in a mistyped --data-dir. A server's database is never created.
   */
  readonly create: boolean;
}

export function openTarget(target: Target, options: OpenOptions): Promise<Database> {
  if (target.kind === 'postgres') return openPostgres(target.url);
  // PGlite (WebAssembly PostgreSQL) is loaded only when the embedded target is used.
  return import('./pglite.ts').then(({ openPglite }) => openPglite(target.dir, options));
}

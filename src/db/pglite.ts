/**
 * Embedded PostgreSQL (PGlite) in a folder of the current directory: the default target, so
 * that a newcomer needs nothing but `npm install`. One process at a time, by lockfile.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { EcomdbError } from '../errors.ts';
import { acquireLock } from './lockfile.ts';
import { SET_FIXED_SEARCH_PATH } from './search-path.ts';
import { makeFolderLevels } from '../generated-folder.ts';
import type { OpenOptions } from './open.ts';
import type { Database, Session } from './types.ts';

/** PGlite reads COPY data from a blob: send it in blobs of about 4 MB. */
export async function pgliteCopy(db: PGlite, target: string, chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
  let pending: string[] = [];
  let size = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const blob = new Blob(pending);
    pending = [];
    size = 0;
    await db.query(`COPY ${target} FROM '/dev/blob'`, [], { blob });
    // PGlite works on the main thread: give the event loop a turn so Ctrl-C is not held back.
    await new Promise((resolve) => setImmediate(resolve));
  };
  for await (const chunk of chunks) {
    pending.push(chunk);
    size += chunk.length;
    if (size >= 4_000_000) await flush();
  }
  await flush();
}

/** A PGlite instance as an ecomdb Session (PGlite has one connection: every session is it). */
export function pgliteSession(db: PGlite): Session {
  return {
    query: async (text, params = []) => (await db.query(text, params as unknown[])).rows as never,
    exec: async (text) => {
      await db.exec(text);
    },
    copyFrom: (target, chunks) => pgliteCopy(db, target, chunks),
  };
}

/**
 * Server settings of every PGlite ecomdb starts. The seed rebuilds the keys of every partition in
 * one transaction only if the lock table holds them (src/seed/load.ts, planKeys: about 9,300 locks
 * for the declared layout, with room to spare); a default lock table (64 per connection × 100
 * connections) does not, and keeping the keys during the load made `ecomdb up` seed scale 1 in
 * about 16 s instead of a few. The lock table holds max_locks_per_transaction × max_connections
 * slots, in PGlite's own memory: an embedded database serves one connection, so fewer connection
 * slots make room for more locks each (40,960 slots against the default's 6,400; a few MB).
 */
export const PGLITE_CONF = ['max_connections = 10', 'max_locks_per_transaction = 4096'];

/** A new, empty in-memory PGlite as a Database (no folder, so no lockfile). */
export async function openMemoryPglite(label = 'in-memory PGlite'): Promise<{ pg: PGlite; db: Database }> {
  const pg = await PGlite.create({ postgresqlconf: PGLITE_CONF });
  await pg.exec(SET_FIXED_SEARCH_PATH);
  const session = pgliteSession(pg);
  return { pg, db: { kind: 'pglite', label, session: (work) => work(session), close: () => pg.close() } };
}

/** The cluster's folder in a data dir; PGlite writes PG_VERSION into it when it creates one. */
const PGDATA = 'pgdata';

function unusable(dir: string, reason: string, cause?: unknown): EcomdbError {
  return new EcomdbError('E_TARGET_DATA_DIR', `cannot keep the embedded database in ${dir}: ${reason}`, {
    hint: 'pass --data-dir (or ECOMDB_DATA_DIR) a folder you can write, or --url to use a PostgreSQL server',
    cause,
  });
}

const fsReason = (error: unknown) => (error as Error).message;


/** Check the data dir before anything touches it; make it only when the command may create. */
function prepareDataDir(dir: string, { create }: OpenOptions): void {
  const missing = () =>
    new EcomdbError('E_TARGET_MISSING', `no embedded database in ${dir}`, {
      hint: 'create it with `ecomdb migrate` or `ecomdb up` (same --data-dir), or check --data-dir / ECOMDB_DATA_DIR',
    });
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unusable(dir, fsReason(error), error);
    if (!create) throw missing();
    try {
      makeFolderLevels(dir); // one level at a time: see src/generated-folder.ts
    } catch (cause) {
      throw unusable(dir, fsReason(cause), cause);
    }
    return;
  }
  if (!isDirectory) throw unusable(dir, 'it is a file, not a folder');
  if (!create && !existsSync(join(dir, PGDATA, 'PG_VERSION'))) throw missing();
}

/** Open the store in `dir`; without `create`, only one that exists (tests reopen a store this way). */
export async function openPglite(dir: string, options: OpenOptions = { create: false }): Promise<Database> {
  const label = `embedded PGlite in ${relative(process.cwd(), dir) || '.'}`;
  prepareDataDir(dir, options);
  let release: () => void;
  try {
    release = acquireLock(join(dir, 'lock'), `the embedded database in ${dir}`);
  } catch (error) {
    if (error instanceof EcomdbError) throw error;
    throw unusable(dir, fsReason(error), error);
  }
  let db: PGlite;
  try {
    db = await PGlite.create(join(dir, PGDATA), { postgresqlconf: PGLITE_CONF });
    // PGlite has no startup parameters: the session setting wins over the database's and roles'.
    await db.exec(SET_FIXED_SEARCH_PATH);
  } catch (error) {
    release();
    throw new EcomdbError('E_TARGET_UNREACHABLE', `cannot open ${label}: ${String((error as Error).message ?? error)}`, {
      hint: `move ${dir} aside and run the command again to start from an empty store`,
      cause: error,
    });
  }
  const session = pgliteSession(db);
  return {
    kind: 'pglite',
    label,
    session: (work) => work(session),
    async close() {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}

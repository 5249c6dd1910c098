/**
 * Embedded PostgreSQL (PGlite) in a folder of the current directory: the default target, so
 * that a newcomer needs nothing but `npm install`. One process at a time, by lockfile.
 */
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { EcomdbError } from '../errors.ts';
import { acquireLock } from './lockfile.ts';
import type { Database, Session } from './types.ts';

/** PGlite reads COPY data from a blob: send it in blobs of about 4 MB. */
export async function pgliteCopy(db: PGlite, target: string, chunks: Iterable<string>): Promise<void> {
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
  for (const chunk of chunks) {
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

/** A new, empty in-memory PGlite as a Database (no folder, so no lockfile). */
export async function openMemoryPglite(label = 'in-memory PGlite'): Promise<{ pg: PGlite; db: Database }> {
  const pg = await PGlite.create();
  const session = pgliteSession(pg);
  return { pg, db: { kind: 'pglite', label, session: (work) => work(session), close: () => pg.close() } };
}

export async function openPglite(dir: string): Promise<Database> {
  const label = `embedded PGlite in ${relative(process.cwd(), dir) || '.'}`;
  mkdirSync(dir, { recursive: true });
  const release = acquireLock(join(dir, 'lock'), `the embedded database in ${dir}`);
  let db: PGlite;
  try {
    db = await PGlite.create(join(dir, 'pgdata'));
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

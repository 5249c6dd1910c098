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
  const session: Session = {
    query: async (text, params = []) => (await db.query(text, params as unknown[])).rows as never,
    exec: async (text) => {
      await db.exec(text);
    },
  };
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

/**
 * A throwaway PostgreSQL with the migrations applied: an in-memory PGlite, for whatever needs
 * "the catalog the migrations define" without a database to hand (the partitions/ files, the
 * docs, drift's reference when no scratch database can be made on the server, the tests).
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Database } from '../db/types.ts';
import type { MigrationFile } from './files.ts';
import { runMigrations } from './run.ts';

/** A new in-memory PGlite with `files` applied; the caller closes it. */
export async function openMigratedMemoryPglite(files: readonly MigrationFile[], label?: string): Promise<{ pg: PGlite; db: Database }> {
  // Loaded on demand: PGlite's WebAssembly is only paid for by the commands that use it.
  const { openMemoryPglite } = await import('../db/pglite.ts');
  const handle = await openMemoryPglite(label);
  try {
    await runMigrations(handle.db, files);
  } catch (error) {
    await handle.db.close();
    throw error;
  }
  return handle;
}

/** Run `work` on an in-memory PGlite with `files` applied, closed afterwards whatever happens. */
export async function withMigratedMemoryPglite<T>(files: readonly MigrationFile[], work: (db: Database) => Promise<T>, label?: string): Promise<T> {
  const { db } = await openMigratedMemoryPglite(files, label);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

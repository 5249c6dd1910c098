/**
 * Real databases for tests: each test file gets its own database on the server at
 * TEST_DATABASE_URL (default: the local server as postgres), dropped afterwards; PGlite
 * databases are in-memory or in a temporary folder.
 */
import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { readMigrations } from '../../src/migrations/files.ts';
import { runMigrations } from '../../src/migrations/run.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { openMemoryPglite } from '../../src/db/pglite.ts';
import { openMigratedMemoryPglite } from '../../src/migrations/memory.ts';
import type { Database } from '../../src/db/types.ts';

export const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The server URL with another database name. */
export function urlFor(database: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** A postgres.js client on it, for assertions. */
  readonly sql: postgres.Sql;
  drop(): Promise<void>;
}

function admin(): postgres.Sql {
  return postgres(SERVER_URL, { max: 1, onnotice: () => {} });
}

/** A new, empty database on the test server. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `ecomdb_test_${label}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const a = admin();
  try {
    await a.unsafe(`create database "${name}"`);
  } finally {
    await a.end();
  }
  const url = urlFor(name);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  return {
    name,
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      const b = admin();
      try {
        await b.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await b.end();
      }
    },
  };
}

/** A new database on the test server with every committed migration applied. */
export async function createMigratedDatabase(label: string): Promise<TestDatabase> {
  const test = await createTestDatabase(label);
  const db = await openPostgres(test.url);
  try {
    await runMigrations(db, readMigrations(MIGRATIONS_DIR));
  } finally {
    await db.close();
  }
  return test;
}

/**
 * Databases for one describe block, all dropped after it: call in the block's body, then
 * `await fresh('label')` for a migrated database (`{ migrated: false }` for an empty one).
 */
export function databasesForBlock(): (label: string, options?: { migrated?: boolean }) => Promise<TestDatabase> {
  const made: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(made.splice(0).map((d) => d.drop()));
  });
  return async (label, { migrated = true } = {}) => {
    const d = migrated ? await createMigratedDatabase(label) : await createTestDatabase(label);
    made.push(d);
    return d;
  };
}

/** In-memory PGlite with every committed migration applied. */
export async function migratedPglite(): Promise<{ pg: PGlite; db: Database }> {
  return openMigratedMemoryPglite(readMigrations(MIGRATIONS_DIR));
}

/**
 * An in-memory PGlite for one describe block (migrated, or empty), opened before its tests and
 * closed after them: call in the block's body, then `pglite()` inside a test.
 */
export function pgliteForBlock({ migrated }: { migrated: boolean }): () => PGlite {
  let pg: PGlite | undefined;
  beforeAll(async () => {
    ({ pg } = migrated ? await migratedPglite() : await openMemoryPglite());
  });
  afterAll(async () => {
    await pg?.close();
  });
  return () => {
    if (!pg) throw new Error('pgliteForBlock: the PGlite is opened in beforeAll; use it inside a test');
    return pg;
  };
}

/** Run `work` on a fresh connection to the server database at `url`, closed afterwards. */
export async function withPostgres<T>(url: string, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openPostgres(url);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}


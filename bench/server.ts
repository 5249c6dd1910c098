/**
 * The benchmarks' scratch databases on one PostgreSQL server (BENCH_DATABASE_URL, default the
 * local server as postgres): created fresh (optionally migrated), and all dropped at the end.
 */
import postgres from 'postgres';
import { openPostgres } from '../src/db/postgres.ts';
import { MIGRATIONS_DIR } from '../src/generate/run.ts';
import { readMigrations } from '../src/migrations/files.ts';
import { runMigrations } from '../src/migrations/run.ts';

export const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The server URL with its password hidden, for printing. */
export const SERVER_SHOWN = SERVER.replace(/:[^:@/]*@/, ':***@');

export const urlFor = (name: string) => Object.assign(new URL(SERVER), { pathname: `/${name}` }).toString();

export const admin = postgres(SERVER, { max: 1, onnotice: () => {} });
const created: string[] = [];

/** Drop `name` if it exists, create it empty, and migrate it unless told not to; its URL. */
export async function freshDatabase(name: string, migrate = true): Promise<string> {
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`create database "${name}"`);
  created.push(name);
  const url = urlFor(name);
  if (migrate) {
    const db = await openPostgres(url);
    try {
      await runMigrations(db, readMigrations(MIGRATIONS_DIR));
    } finally {
      await db.close();
    }
  }
  return url;
}

/** Drop `name` if it exists and create it as a copy of `template` (which nobody may be connected to); its URL. */
export async function cloneDatabase(name: string, template: string): Promise<string> {
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`create database "${name}" template "${template}"`);
  created.push(name);
  return urlFor(name);
}

/** Drop one database now (it is no longer dropped at the end). */
export async function dropDatabase(name: string): Promise<void> {
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  const at = created.indexOf(name);
  if (at >= 0) created.splice(at, 1);
}

/** Drop every database freshDatabase created and close the admin connection. */
export async function dropAll(log: (line: string) => void = () => {}): Promise<void> {
  for (const name of created.splice(0)) {
    await admin.unsafe(`drop database if exists "${name}" with (force)`).catch((e: unknown) => log(`could not drop ${name}: ${String(e)}`));
  }
  await admin.end({ timeout: 2 }).catch(() => {});
}

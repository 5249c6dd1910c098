/** Scratch copies of the migrations folder, to add, edit or reorder files in tests. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { tempDir } from './cli.ts';

interface Journal {
  entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
}

/** A temporary copy of the committed migrations/ folder. */
export function copyMigrations(): string {
  const dir = join(tempDir('ecomdb-migrations-'), 'migrations');
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

function journal(dir: string): Journal {
  return JSON.parse(readFileSync(join(dir, 'meta', '_journal.json'), 'utf8')) as Journal;
}

/** Add a migration file to the journal at `position` (default: the end). */
export function addMigration(dir: string, name: string, sql: string, options: { position?: number; when?: number } = {}): string {
  const j = journal(dir);
  const position = options.position ?? j.entries.length;
  const last = j.entries.at(-1)?.when ?? 0;
  const tag = `${String(position).padStart(4, '0')}_${name}`;
  j.entries.splice(position, 0, { idx: position, version: '7', when: options.when ?? last + 1000, tag, breakpoints: true });
  j.entries.forEach((e, i) => (e.idx = i));
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify(j, null, 2));
  writeFileSync(join(dir, `${tag}.sql`), sql);
  return tag;
}

/** Replace the text of a migration file. */
export function editMigration(dir: string, tag: string, edit: (text: string) => string): void {
  const path = join(dir, `${tag}.sql`);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
}

/** The journal's tags, in order. */
export function tags(dir: string): string[] {
  return journal(dir).entries.map((e) => e.tag);
}

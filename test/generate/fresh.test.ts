/**
 * The committed migrations are what the schema source generates: generating again into a copy
 * of migrations/ must write nothing and change nothing. A stale folder fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateMigrations, MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { copyMigrations, editMigration } from '../helpers/migrations.ts';

function sqlFiles(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

describe('generated migrations', () => {
  it('are up to date: a fresh generation writes nothing new', () => {
    const dir = copyMigrations();
    const { created, down } = generateMigrations(dir);
    expect(created, `migrations/ is stale; run npm run generate and commit: ${created.join(', ')}`).toEqual([]);
    expect(down, `migrations/down/ is stale; run npm run generate and commit: ${down.join(', ')}`).toEqual([]);
    // Down files included: every migration has one, and generating rewrote none of them.
    const files = sqlFiles(dir);
    expect(files).toEqual(sqlFiles(MIGRATIONS_DIR));
    const ups = Object.keys(files).filter((f) => !f.startsWith('down/'));
    expect(Object.keys(files).filter((f) => f.startsWith('down/'))).toEqual(ups.map((f) => `down/${f.replace(/\.sql$/, '.down.sql')}`));
  });

  it('a comment missing from the migrations is generated into a new migration, alone', () => {
    const dir = copyMigrations();
    const comments = Object.keys(sqlFiles(dir)).find((f) => f.endsWith('_comments.sql'))!.replace('.sql', '');
    let removed = '';
    editMigration(dir, comments, (text) => {
      const pieces = text.split('\n--> statement-breakpoint\n');
      removed = pieces.pop()!.trim();
      return `${pieces.join('\n--> statement-breakpoint\n')}\n`;
    });
    const { created } = generateMigrations(dir);
    expect(created).toHaveLength(1);
    const text = readFileSync(join(dir, created[0]!), 'utf8');
    const statements = text.split('--> statement-breakpoint').map((s) => s.replace(/^(--.*\n)+/, '').trim());
    expect(statements).toEqual([removed]);
    // Its down file takes the comment away again: the key was new in that migration.
    const down = readFileSync(join(dir, 'down', created[0]!.replace(/\.sql$/, '.down.sql')), 'utf8');
    expect(down).toContain(`${removed.slice(0, removed.indexOf(' IS '))} IS NULL;`);
  });
});

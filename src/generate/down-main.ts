/**
 * Writes migrations/down/ (see src/generate/down.ts), in a process of its own: drizzle-kit's API
 * and PostgreSQL's parser are large, and `ecomdb generate` runs under a small heap cap.
 * argv[2]: the migrations folder; stdin: the additions the schema source generates, as JSON.
 * stdout: the down files written or removed, as JSON.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMigrations } from '../migrations/files.ts';
import { DOWN_FOLDER, downPath, renderDown } from '../migrations/down.ts';
import type { Addition } from './additions.ts';
import { downSteps } from './down.ts';

const dir = process.argv[2]!;
const known = JSON.parse(readFileSync(0, 'utf8')) as Addition[];
const files = readMigrations(dir);
const folder = join(dir, DOWN_FOLDER);
mkdirSync(folder, { recursive: true });
const changed: string[] = [];
for (const [index, file] of files.entries()) {
  const text = renderDown(file, await downSteps(dir, files, index, known));
  const path = downPath(dir, file.tag);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
  writeFileSync(path, text);
  changed.push(`${DOWN_FOLDER}/${file.tag}.down.sql`);
}
// A down file whose migration left the journal reverses nothing any more.
const tags = new Set(files.map((f) => `${f.tag}.down.sql`));
for (const name of readdirSync(folder).filter((f) => f.endsWith('.down.sql') && !tags.has(f))) {
  rmSync(join(folder, name));
  changed.push(`${DOWN_FOLDER}/${name}`);
}
process.stdout.write(JSON.stringify(changed));

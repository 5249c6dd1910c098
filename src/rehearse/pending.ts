/**
 * Which migrations of the folder are pending when no files are named and nothing is cloned: those
 * the journal lists now but did not list at a git revision (`--base`, default HEAD). A branch's
 * new migrations are rehearsed on a scratch database migrated to its base's.
 */
import { execFileSync } from 'node:child_process';
import { EcomdbError } from '../errors.ts';

function git(dir: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The tags of the journal at `ref`; empty when the journal did not exist there yet. */
export function baseTags(migrationsDir: string, ref: string): Set<string> {
  try {
    git(migrationsDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new EcomdbError('E_USAGE', `cannot read the migrations as of "${ref}": ${migrationsDir} is not in a git repository, or ${ref} is not a commit there`, {
      hint: 'name the migration files to rehearse (ecomdb rehearse migrations/0008_x.sql), pass --base <git ref> (e.g. origin/main), or --from a database to compare with',
    });
  }
  let text: string;
  try {
    text = git(migrationsDir, ['show', `${ref}:./meta/_journal.json`]);
  } catch {
    return new Set();
  }
  try {
    return new Set((JSON.parse(text) as { entries: { tag: string }[] }).entries.map((e) => e.tag));
  } catch {
    throw new EcomdbError('E_MIGRATIONS_DIR', `the migration journal at ${ref} is not valid JSON`, { hint: 'pass --base a revision whose meta/_journal.json is intact' });
  }
}

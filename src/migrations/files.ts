/**
 * Reading the migrations folder as drizzle-kit writes it: `meta/_journal.json` gives the order
 * and each file's timestamp; `<tag>.sql` holds statements separated by
 * `--> statement-breakpoint`. The hash is drizzle's (sha256 of the whole file), so a database
 * migrated by drizzle's own migrator is recognised.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EcomdbError } from '../errors.ts';
import { transactionControl } from './transaction-control.ts';

export const BREAKPOINT = '--> statement-breakpoint';

/** A first-line marker for a migration whose statements cannot run in a transaction. */
export const NO_TRANSACTION_MARKER = '-- ecomdb:no-transaction';

export interface MigrationFile {
  /** Position in the journal, from 0. */
  readonly index: number;
  /** File name without `.sql`, e.g. `0000_schema`. */
  readonly tag: string;
  /** The journal's timestamp (ms); drizzle records it as created_at. */
  readonly when: number;
  readonly hash: string;
  readonly text: string;
  readonly statements: readonly string[];
  /** False when the file opts out with the no-transaction marker. */
  readonly transactional: boolean;
  /**
   * In a transactional file, the first statement that would take over ecomdb's transaction
   * (COMMIT, BEGIN, SAVEPOINT, ...): 1-based statement number and its words. Such a file is
   * refused before anything runs (see plan.ts).
   */
  readonly transactionControl: { readonly statement: number; readonly words: string } | null;
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

export function hashMigration(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Split a file into statements; blank pieces (a trailing breakpoint) are dropped. */
export function splitStatements(text: string): string[] {
  return text
    .split(BREAKPOINT)
    .map((s) => s.trim())
    .filter((s) => s.replace(/^--.*$/gm, '').trim().length > 0);
}

/** False when the file opts out of its transaction with the marker on its first line. */
export function isTransactional(text: string): boolean {
  return !text.trimStart().startsWith(NO_TRANSACTION_MARKER);
}

/** Parse one file's text; pure. */
export function parseMigration(index: number, tag: string, when: number, text: string): MigrationFile {
  const transactional = isTransactional(text);
  const statements = splitStatements(text);
  return { index, tag, when, hash: hashMigration(text), text, statements, transactional, transactionControl: transactional ? firstControl(statements) : null };
}

function firstControl(statements: readonly string[]): MigrationFile['transactionControl'] {
  for (const [i, statement] of statements.entries()) {
    const words = transactionControl(statement);
    if (words) return { statement: i + 1, words };
  }
  return null;
}

/** Read every migration listed in the journal of `dir`, in journal order. */
export function readMigrations(dir: string): MigrationFile[] {
  const journalPath = join(dir, 'meta', '_journal.json');
  let entries: JournalEntry[];
  try {
    entries = (JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: JournalEntry[] }).entries;
  } catch (error) {
    throw new EcomdbError('E_MIGRATIONS_DIR', `cannot read the migration journal ${journalPath}`, {
      hint: 'point --migrations at a folder written by drizzle-kit generate',
      cause: error,
    });
  }
  return entries.map((entry, index) => {
    const path = join(dir, `${entry.tag}.sql`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new EcomdbError('E_MIGRATIONS_DIR', `the journal lists ${entry.tag} but ${path} cannot be read`, {
        hint: 'restore the file, or regenerate the migrations',
        cause: error,
      });
    }
    return parseMigration(index, entry.tag, entry.when, text);
  });
}

/**
 * A folder ecomdb generates and the project commits (partitions/, replicas/, docs/): written from
 * a fresh generation, or compared with one for `--check`. What the folder may also hold differs
 * (docs/ sits beside hand-written pages), so each generator says which files found there are its
 * own: only those are ever reported as removed or deleted.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export interface GeneratedFile {
  /** Relative to the folder, with forward slashes. */
  readonly path: string;
  readonly text: string;
  /** Compared and set only when given (shell scripts). */
  readonly executable?: boolean;
}

export interface FolderRules {
  /** Whether a file found in the folder (relative path, forward slashes) belongs to the generation. */
  readonly owns: (path: string, read: () => string) => boolean;
  /** Look into subfolders too. */
  readonly recursive?: boolean;
}

/** How the folder differs from a fresh generation; each list sorted. */
export interface FolderChanges {
  /** Generated files the folder lacks. */
  readonly added: readonly string[];
  /** Generated files whose text (or executable bit) differs. */
  readonly changed: readonly string[];
  /** Files of the generation that it no longer produces. */
  readonly removed: readonly string[];
}

/** Every file the folder differs in, sorted: what `--check` reports. */
export const staleOf = (changes: FolderChanges): string[] => [...changes.added, ...changes.changed, ...changes.removed].sort();

function listFiles(dir: string, recursive: boolean): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (recursive) walk(path);
      } else found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found.sort();
}

const isExecutable = (path: string): boolean => (statSync(path).mode & 0o111) !== 0;

/** How `dir` differs from `files`. Reads only; a folder that does not exist lacks every file. */
export function compareFolder(dir: string, files: readonly GeneratedFile[], rules: FolderRules): FolderChanges {
  const present = new Set(listFiles(dir, rules.recursive ?? false));
  const wanted = new Set(files.map((f) => f.path));
  const added: string[] = [];
  const changed: string[] = [];
  for (const file of files) {
    const path = join(dir, file.path);
    if (!present.has(file.path)) added.push(file.path);
    else if (readFileSync(path, 'utf8') !== file.text || (file.executable !== undefined && isExecutable(path) !== file.executable)) changed.push(file.path);
  }
  const removed = [...present].filter((p) => !wanted.has(p) && rules.owns(p, () => readFileSync(join(dir, p), 'utf8')));
  return { added: added.sort(), changed: changed.sort(), removed };
}

/** Make `dir` equal to `files` (creating it if need be); returns what changed. */
export function writeFolder(dir: string, files: readonly GeneratedFile[], rules: FolderRules): FolderChanges {
  mkdirSync(dir, { recursive: true });
  const changes = compareFolder(dir, files, rules);
  const touched = new Set([...changes.added, ...changes.changed]);
  for (const file of files.filter((f) => touched.has(f.path))) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
    if (file.executable !== undefined) chmodSync(path, file.executable ? 0o755 : 0o644);
  }
  for (const path of changes.removed) rmSync(join(dir, path));
  return changes;
}

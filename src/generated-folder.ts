/**
 * A folder ecomdb generates and the project commits (partitions/, replicas/, docs/): written from
 * a fresh generation, or compared with one for `--check`. What the folder may also hold differs
 * (docs/ sits beside hand-written pages), so each generator says which files found there are its
 * own: only those are ever reported as removed or deleted.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { EcomdbError } from './errors.ts';

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

/**
 * A file-system failure on the folder the user named is theirs to fix, not a bug: one line with
 * the path and the reason (ENOTDIR, EACCES, EROFS, ENOSPC, ...).
 */
export function outputPathError(path: string, error: unknown): EcomdbError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reason: Record<string, string> = {
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'a file (or a broken link) is in the way of a folder',
    ENOENT: 'a folder on the path cannot hold new entries',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EISDIR: 'a folder is in the way of a file',
  };
  return new EcomdbError('E_OUTPUT_PATH', `cannot use ${path}: ${(code && reason[code]) ?? (error instanceof Error ? error.message : String(error))}${code ? ` (${code})` : ''}`, {
    hint: 'choose a folder you can write to (an existing one, or one whose parent exists and is writable)',
    details: { path, errno: code },
    cause: error,
  });
}

/** Run a file-system step on `path`, turning its failure into E_OUTPUT_PATH. */
function onPath<T>(path: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof EcomdbError) throw error;
    throw outputPathError(path, error);
  }
}

/** The levels of `dir` that do not exist yet, outermost first. */
function missingLevels(dir: string): string[] {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  return missing;
}

function requireFolder(dir: string): void {
  if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
}

/**
 * mkdir -p, one level at a time. Node's recursive mkdir retries the parent whenever a level
 * answers ENOENT; under /proc (or past a broken link) the parent exists yet the child can never
 * be made, and Node spins forever at full CPU. Making each missing level once fails instead.
 */
export function makeFolder(dir: string): void {
  onPath(dir, () => makeFolderLevels(dir));
}

/** makeFolder without the E_OUTPUT_PATH wrapping: the caller turns the errno into its own error. */
export function makeFolderLevels(dir: string): void {
  for (const level of missingLevels(dir)) mkdirSync(level);
  requireFolder(dir);
}

/**
 * Refuse a folder that cannot be written before any work is done, leaving nothing behind: the
 * outermost missing level made and removed again, or a probe file in the existing folder.
 */
export function checkWritable(dir: string): void {
  onPath(dir, () => {
    const [outermost] = missingLevels(dir);
    if (outermost) {
      mkdirSync(outermost);
      rmdirSync(outermost);
      return;
    }
    requireFolder(dir);
    const probe = join(dir, `.ecomdb-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  });
}

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
  return onPath(dir, () => differences(dir, files, rules));
}

function differences(dir: string, files: readonly GeneratedFile[], rules: FolderRules): FolderChanges {
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
  checkWritable(dir);
  makeFolder(dir);
  const changes = compareFolder(dir, files, rules);
  const touched = new Set([...changes.added, ...changes.changed]);
  for (const file of files.filter((f) => touched.has(f.path))) {
    const path = join(dir, file.path);
    makeFolder(dirname(path));
    onPath(path, () => {
      writeFileSync(path, file.text);
      if (file.executable !== undefined) chmodSync(path, file.executable ? 0o755 : 0o644);
    });
  }
  for (const path of changes.removed) onPath(join(dir, path), () => rmSync(join(dir, path)));
  return changes;
}

/**
 * Writing the planned replica files to a folder, and comparing a folder with a fresh plan (the
 * staleness check). The folder is wholly generated: a file the plan no longer holds is removed,
 * but only from a folder whose README.md shows it was generated.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { PROJECT_ROOT } from '../generate/run.ts';
import type { ReplicaFile } from './plan.ts';

/** The committed folder of generated replica files. */
export const REPLICAS_DIR = join(PROJECT_ROOT, 'replicas');

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found.sort();
}

const isExecutable = (path: string): boolean => (statSync(path).mode & 0o111) !== 0;
const isGenerated = (dir: string): boolean =>
  existsSync(join(dir, 'README.md')) && readFileSync(join(dir, 'README.md'), 'utf8').startsWith('# replicas/');

export interface ReplicaDiff {
  readonly missing: readonly string[];
  readonly changed: readonly string[];
  readonly extra: readonly string[];
}

/** How `dir` differs from `files` (contents and the executable bit). */
export function diffReplicaFiles(dir: string, files: readonly ReplicaFile[]): ReplicaDiff {
  const present = new Set(listFiles(dir));
  const planned = new Set(files.map((f) => f.path));
  const missing: string[] = [];
  const changed: string[] = [];
  for (const file of files) {
    const path = join(dir, file.path);
    if (!present.has(file.path)) missing.push(file.path);
    else if (readFileSync(path, 'utf8') !== file.text || isExecutable(path) !== file.executable) changed.push(file.path);
  }
  return { missing, changed, extra: [...present].filter((p) => !planned.has(p)) };
}

/** Write `files` into `dir`; returns what changed. */
export function writeReplicaFiles(dir: string, files: readonly ReplicaFile[]): ReplicaDiff {
  const diff = diffReplicaFiles(dir, files);
  const generated = isGenerated(dir);
  for (const file of files) {
    if (!diff.missing.includes(file.path) && !diff.changed.includes(file.path)) continue;
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
    chmodSync(path, file.executable ? 0o755 : 0o644);
  }
  const removable = generated ? diff.extra : [];
  for (const path of removable) rmSync(join(dir, path));
  return { ...diff, extra: removable };
}

/**
 * Writing the planned replica files to a folder, and comparing a folder with a fresh plan (the
 * staleness check). The folder is wholly generated: a file the plan no longer holds is removed,
 * but only from a folder whose README.md shows it was generated.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../generate/run.ts';
import { compareFolder, writeFolder, type FolderChanges, type FolderRules } from '../generated-folder.ts';
import type { ReplicaFile } from './plan.ts';

/** The committed folder of generated replica files. */
export const REPLICAS_DIR = join(PROJECT_ROOT, 'replicas');

const isGenerated = (dir: string): boolean =>
  existsSync(join(dir, 'README.md')) && readFileSync(join(dir, 'README.md'), 'utf8').startsWith('# replicas/');

/** Every file of a generated replicas folder, subfolders included, is the generation's; none of another folder is. */
function rulesFor(dir: string): FolderRules {
  const generated = isGenerated(dir);
  return { owns: () => generated, recursive: true };
}

/** How `dir` differs from `files` (contents and the executable bit). */
export const diffReplicaFiles = (dir: string, files: readonly ReplicaFile[]): FolderChanges => compareFolder(dir, files, rulesFor(dir));

/** Write `files` into `dir`; returns what changed. */
export const writeReplicaFiles = (dir: string, files: readonly ReplicaFile[]): FolderChanges => writeFolder(dir, files, rulesFor(dir));

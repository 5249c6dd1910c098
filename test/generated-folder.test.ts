/**
 * The one implementation of "a generated folder with --check" behind partitions/, replicas/ and
 * docs/: what it reports, what it writes, and what it never touches.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareFolder, staleOf, writeFolder, type FolderRules, type GeneratedFile } from '../src/generated-folder.ts';
import { tempDir } from './helpers/cli.ts';

const MARK = '<!-- generated -->';
/** Like docs/: only marked Markdown files are the generation's. */
const marked: FolderRules = { owns: (path, read) => path.endsWith('.md') && read().startsWith(MARK) };
const files: GeneratedFile[] = [
  { path: 'a.md', text: `${MARK}\na` },
  { path: 'b.md', text: `${MARK}\nb` },
  { path: 'c.md', text: `${MARK}\nc` },
];

describe('a generated folder', () => {
  it('reports added, changed and removed files, sorted, and leaves hand-written files out', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.md'), `${MARK}\na`);
    writeFileSync(join(dir, 'b.md'), `${MARK}\nB`);
    writeFileSync(join(dir, 'z.md'), `${MARK}\nno longer generated`);
    writeFileSync(join(dir, 'notes.md'), '# hand-written');
    const changes = compareFolder(dir, files, marked);
    expect(changes).toEqual({ added: ['c.md'], changed: ['b.md'], removed: ['z.md'] });
    expect(staleOf(changes)).toEqual(['b.md', 'c.md', 'z.md']);
  });

  it('a folder that does not exist lacks every file, and comparing it creates nothing', () => {
    const dir = join(tempDir(), 'absent');
    expect(compareFolder(dir, files, marked)).toEqual({ added: ['a.md', 'b.md', 'c.md'], changed: [], removed: [] });
    expect(existsSync(dir)).toBe(false);
  });

  it('writing makes the folder equal to the generation and keeps what is not its own', () => {
    const dir = join(tempDir(), 'out');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b.md'), 'hand-written over a generated name');
    writeFileSync(join(dir, 'z.md'), `${MARK}\nold`);
    writeFileSync(join(dir, 'notes.md'), '# mine');
    expect(writeFolder(dir, files, marked)).toEqual({ added: ['a.md', 'c.md'], changed: ['b.md'], removed: ['z.md'] });
    expect(compareFolder(dir, files, marked)).toEqual({ added: [], changed: [], removed: [] });
    expect(existsSync(join(dir, 'z.md'))).toBe(false);
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('# mine');
  });

  it('in subfolders when asked, and with the executable bit when a file states it', () => {
    const dir = tempDir();
    const scripts: GeneratedFile[] = [
      { path: 'run.sh', text: 'echo run\n', executable: true },
      { path: 'node/setup.sql', text: 'select 1;\n', executable: false },
    ];
    const all: FolderRules = { owns: () => true, recursive: true };
    writeFolder(dir, scripts, all);
    expect(statSync(join(dir, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'node/setup.sql')).mode & 0o777).toBe(0o644);
    chmodSync(join(dir, 'run.sh'), 0o644);
    writeFileSync(join(dir, 'node/old.sql'), 'select 2;\n');
    expect(compareFolder(dir, scripts, all)).toEqual({ added: [], changed: ['run.sh'], removed: ['node/old.sql'] });
    // Without `recursive`, the subfolder is not looked into.
    expect(compareFolder(dir, scripts.slice(0, 1), { owns: () => true }).removed).toEqual([]);
  });
});

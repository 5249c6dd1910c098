/**
 * A folder ecomdb cannot write is the user's to fix, not a bug: one line, E_OUTPUT_PATH, exit 10,
 * before any work is done. Tests run as root, whom permission bits do not stop: the unwritable
 * places here are a path under a regular file and /proc, which even root cannot write.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ecomdb, tempDir, type CliResult } from '../helpers/cli.ts';

function refused(run: CliResult): void {
  expect(run.code, run.stderr).toBe(10);
  const lines = run.stderr.trim().split('\n').filter((l) => l.startsWith('error '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error E_OUTPUT_PATH: /);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'E_OUTPUT_PATH' } });
}

describe('an output folder that cannot be written', () => {
  it('docs --out a regular file, or a folder under one: exit 10', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'not a folder');
    refused(await ecomdb(['docs', '--out', file, '--json']));
    refused(await ecomdb(['docs', '--out', join(file, 'docs'), '--json']));
  });

  it('docs --out /proc (a folder even root cannot write): exit 10', async () => {
    refused(await ecomdb(['docs', '--out', '/proc', '--json']));
  });

  it('docs --out /proc/nope returns (it used to spin forever in mkdir -p): exit 10', async () => {
    // The kill is only a safety net so that a regression does not leave a process spinning.
    refused(await ecomdb(['docs', '--out', '/proc/nope', '--json'], { killAfterMs: 60_000 }));
    expect(existsSync('/proc/nope')).toBe(false);
  });

  it('replica generate --out shares the same folder code: exit 10 under a file and under /proc', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'not a folder');
    refused(await ecomdb(['replica', 'generate', '--out', join(file, 'replicas'), '--json']));
    refused(await ecomdb(['replica', 'generate', '--out', '/proc/nope', '--json'], { killAfterMs: 60_000 }));
  });
});

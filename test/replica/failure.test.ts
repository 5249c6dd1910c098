/**
 * A build that fails half-way cleans up after itself: the script's failure is reported with its
 * code and output, every cluster it started is stopped and its folder is gone.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PG_BIN } from '../../src/replica/local.ts';
import { run } from '../../src/replica/process.ts';
import { ecomdb } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'ecomdb-replica-failure-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('replica up --local, when a generated script fails', () => {
  it('exits with E_REPLICA_SCRIPT, stops what it started and removes its folder', async () => {
    // PostgreSQL's programs, but a pg_basebackup that fails: the primary is built, the standby is not.
    chmodSync(root, 0o755);
    const bin = join(root, 'bin');
    const dir = join(root, 'lab');
    mkdirSync(bin, { mode: 0o755 });
    for (const program of readdirSync(DEFAULT_PG_BIN)) symlinkSync(join(DEFAULT_PG_BIN, program), join(bin, program));
    rmSync(join(bin, 'pg_basebackup'));
    writeFileSync(join(bin, 'pg_basebackup'), '#!/bin/sh\necho "pg_basebackup: error: simulated failure" >&2\nexit 1\n', { mode: 0o755 });

    const result = await ecomdb(['replica', 'up', '--local', '--dir', dir, '--pg-bin', bin, '--port', '54420', '--json'], { cwd: root });
    expect(result.code).toBe(1);
    const error = JSON.parse(result.stdout).error as { code: string; message: string; details: { script: string; output: string } };
    expect(error.code).toBe('E_REPLICA_SCRIPT');
    expect(error.details.script).toBe('standby1/setup.sh');
    expect(error.details.output).toContain('simulated failure');
    expect(existsSync(dir)).toBe(false);
    const running = await run('pgrep', ['-f', `${dir}/`]);
    expect(running.stdout.trim()).toBe('');
  });
});

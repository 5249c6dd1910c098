/** Running the real `ecomdb` executable as a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/ecomdb.js', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Run `ecomdb ...args`; never rejects on a non-zero exit. DATABASE_URL is cleared unless given. */
export function ecomdb(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return spawnEcomdb(args, options).done;
}

/**
 * Start `ecomdb ...args` and return at once: the child (to signal it; its pid is ecomdb's own,
 * bin/ecomdb.js runs in-process) and its result once it has exited. A child killed by a signal it
 * did not handle has code -1.
 */
export function spawnEcomdb(args: readonly string[], options: CliOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const started = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', DATABASE_URL: '', ECOMDB_DATA_DIR: '', ...options.env };
  for (const key of ['DATABASE_URL', 'ECOMDB_DATA_DIR']) if (env[key] === '') delete env[key];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? tempDir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
  return { child, done };
}

const made: string[] = [];

/** Remove every folder tempDir() made (test/helpers/setup.ts calls it after each test file). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A new empty folder under the system temp dir, removed after the test file. */
export function tempDir(prefix = 'ecomdb-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

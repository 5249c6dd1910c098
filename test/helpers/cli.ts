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
  /** Kill the child after this many ms: a safety net for a test of something that once hung, never an assertion. */
  killAfterMs?: number;
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
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? tempDir(), env, stdio: ['ignore', 'pipe', 'pipe'], timeout: options.killAfterMs, killSignal: 'SIGKILL' });
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

/**
 * The code of the error a failed run printed as its last stderr line, `error E_CODE: what is
 * wrong — what to do` (undefined when the line has another form). Tests assert this code and the
 * exit status, never the wording after it, which is free to improve.
 */
export function errorCode(run: Pick<CliResult, 'stderr'>): string | undefined {
  return /^error (E_[A-Z_]+): /.exec(run.stderr.trim().split('\n').at(-1) ?? '')?.[1];
}

/** The error of a run made with --json, as printed on stdout: its code, hint and structured details. */
export function jsonError(run: Pick<CliResult, 'stdout'>): { code: string; hint: string | null; details: Record<string, unknown> } {
  return (JSON.parse(run.stdout) as { error: { code: string; hint: string | null; details: Record<string, unknown> } }).error;
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

/**
 * Running PostgreSQL's programs and the generated scripts. PostgreSQL refuses to run as root, so
 * when ecomdb runs as root its server programs run as the `postgres` OS user (runuser).
 */
import { spawn } from 'node:child_process';
import { EcomdbError } from '../errors.ts';

export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/** The OS user that owns and runs the clusters. */
export const CLUSTER_OS_USER = 'postgres';

/** Run a program; resolves with its exit code and output (never rejects on a non-zero exit). */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; asPostgres?: boolean; onStderrLine?: (line: string) => void } = {},
): Promise<ProcessResult> {
  const [cmd, argv] = options.asPostgres && isRoot() ? ['runuser', ['-u', CLUSTER_OS_USER, '--', command, ...args]] : [command, [...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr += text;
      if (!options.onStderrLine) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onStderrLine(line);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (partial && options.onStderrLine) options.onStderrLine(partial);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The last `n` non-empty lines of some output. */
export function tail(text: string, n = 12): string {
  return text.split('\n').filter((l) => l.trim()).slice(-n).join('\n');
}

/**
 * Run a generated script with bash. Its `==> step` lines go to `onStep`; a failure becomes
 * E_REPLICA_SCRIPT naming the script and its last line of output.
 */
export async function runScript(path: string, label: string, env: NodeJS.ProcessEnv, onStep: (line: string) => void): Promise<ProcessResult> {
  const result = await run('bash', [path], {
    env,
    onStderrLine: (line) => {
      if (line.startsWith('==> ')) onStep(line.slice(4));
    },
  });
  if (result.code !== 0) {
    const output = tail(`${result.stdout}\n${result.stderr}`);
    throw new EcomdbError('E_REPLICA_SCRIPT', `${label} failed (exit ${result.code}): ${output.split('\n').at(-1) ?? ''}`, {
      hint: 'run with --verbose for the script\'s output and the servers\' logs',
      details: { script: label, exitCode: result.code, output },
    });
  }
  return result;
}

/**
 * The command line's own errors (unknown option or command, missing argument, bad choice) are
 * errors like any other: one line E_USAGE on stderr, exit 2, and with --json the same JSON error
 * object on stdout as every other error, with no human text there.
 */
import { describe, expect, it } from 'vitest';
import { ecomdb } from '../helpers/cli.ts';

const MISTAKES = [
  ['migrate', '--bogus'],
  ['nope'],
  ['partition'],
  ['partition', 'add'],
  ['verify', '--format', 'yaml'],
  ['migrate', 'extra'],
  ['user'],
  ['user', 'erase'],
  ['user', 'erase', 'abc'],
  ['user', 'erase', '0'],
  ['user', 'erase', '5', '--region', 'XYZ'],
].map((args) => [args.join(' '), args] as const);

describe("commander's errors", () => {
  it.each(MISTAKES)('%s: with --json, the JSON error on stdout, exit 2', async (_name, args) => {
    const run = await ecomdb([...args, '--json']);
    expect(run.code, run.stderr).toBe(2);
    const parsed = JSON.parse(run.stdout) as { error: Record<string, unknown> };
    expect(Object.keys(parsed)).toEqual(['error']);
    expect(Object.keys(parsed.error).sort()).toEqual(['code', 'details', 'hint', 'message']);
    expect(parsed.error.code).toBe('E_USAGE');
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error E_USAGE: /)]);
  });

  it('without --json: one line on stderr, nothing on stdout', async () => {
    const run = await ecomdb(['migrate', '--bogus']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error E_USAGE: /)]);
  });

  it('help and version are not errors: exit 0, on stdout', async () => {
    const help = await ecomdb(['migrate', '--help', '--json']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ecomdb migrate/);
    const version = await ecomdb(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

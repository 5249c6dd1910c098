/**
 * Bad input gets one clear line, a documented non-zero exit status and no stack trace (unless
 * --verbose); a password never reaches the output.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecomdb, errorCode, jsonError } from '../helpers/cli.ts';
import { urlFor } from '../helpers/db.ts';

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

describe('ecomdb errors', () => {
  let silent: Server;
  let silentPort = 0;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // A loopback port that accepts connections and never answers, like a wrong service.
    silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('a malformed URL: E_TARGET_URL, exit 3', async () => {
    const run = await ecomdb(['migrate', '--url', 'not a url']);
    expect(run.code).toBe(3);
    oneLine(run.stderr);
    expect(errorCode(run)).toBe('E_TARGET_URL');
  });

  it('a refused connection: E_TARGET_UNREACHABLE, exit 3, password masked', async () => {
    const run = await ecomdb(['migrate', '--url', 'postgres://postgres:hunter2@127.0.0.1:1/shop']);
    expect(run.code).toBe(3);
    expect(errorCode(run)).toBe('E_TARGET_UNREACHABLE');
    // The URL is named, with its password masked.
    expect(oneLine(run.stderr)).toContain('postgres://postgres:***@127.0.0.1:1/shop');
    expect(run.stderr + run.stdout).not.toContain('hunter2');
  });

  it('a server that never answers: E_TARGET_UNREACHABLE once the connect timeout expires', async () => {
    const run = await ecomdb(['status', '--url', `postgres://postgres@127.0.0.1:${silentPort}/shop`, '--json']);
    expect(run.code).toBe(3);
    oneLine(run.stderr);
    expect(jsonError(run)).toMatchObject({ code: 'E_TARGET_UNREACHABLE', details: { sqlstate: 'CONNECT_TIMEOUT' } });
  });

  it('a database that does not exist: exit 3 with a hint to create it', async () => {
    const run = await ecomdb(['status', '--url', urlFor('ecomdb_no_such_database'), '--json']);
    expect(run.code).toBe(3);
    oneLine(run.stderr);
    const error = jsonError(run);
    expect(error).toMatchObject({ code: 'E_TARGET_UNREACHABLE', details: { sqlstate: '3D000' } });
    expect(error.hint).toBeTruthy();
  });

  it('DATABASE_URL is used when --url is absent', async () => {
    const run = await ecomdb(['status'], { env: { DATABASE_URL: 'postgres://u:pw@127.0.0.1:1/db' } });
    expect(run.code).toBe(3);
    expect(oneLine(run.stderr)).toContain('postgres://u:***@127.0.0.1:1/db');
  });

  it('--json puts the error on stdout as JSON; --verbose adds the stack trace', async () => {
    const json = await ecomdb(['migrate', '--url', 'postgres://127.0.0.1:1/x', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'E_TARGET_UNREACHABLE' } });
    const verbose = await ecomdb(['migrate', '--url', 'postgres://127.0.0.1:1/x', '--verbose']);
    expect(verbose.code).toBe(3);
    expect(verbose.stderr).toMatch(/^\s+at /m);
  });

  it('usage errors exit 2: unknown option, bad duration, bad --partitioned-keys, unknown component', async () => {
    const unknown = await ecomdb(['migrate', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(errorCode(unknown)).toBe('E_USAGE');

    const duration = await ecomdb(['migrate', '--lock-timeout', 'soon', '--url', 'postgres://127.0.0.1:1/x']);
    expect(duration.code).toBe(2);
    oneLine(duration.stderr);
    expect(errorCode(duration)).toBe('E_USAGE');

    // Checked before the (unreachable) database is opened: exit 2, not 3.
    const keys = await ecomdb(['seed', '--partitioned-keys', 'sometimes', '--url', 'postgres://127.0.0.1:1/x']);
    expect(keys.code).toBe(2);
    oneLine(keys.stderr);
    expect(errorCode(keys)).toBe('E_USAGE');

    const component = await ecomdb(['sql', '--component', 'nope']);
    expect(component.code).toBe(2);
    oneLine(component.stderr);
    expect(errorCode(component)).toBe('E_USAGE');
  });

  it('a missing migrations folder: E_MIGRATIONS_DIR before any connection', async () => {
    const run = await ecomdb(['migrate', '--migrations', '/nonexistent/migrations', '--url', 'postgres://127.0.0.1:1/x']);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(/^error E_MIGRATIONS_DIR/);
  });
});

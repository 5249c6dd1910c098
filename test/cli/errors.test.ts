/**
 * Bad input gets one clear line, a documented non-zero exit status and no stack trace (unless
 * --verbose); a password never reaches the output.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecomdb } from '../helpers/cli.ts';
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
    expect(oneLine(run.stderr)).toMatch(/^error E_TARGET_URL: .* — use postgres:\/\//);
  });

  it('a refused connection: E_TARGET_UNREACHABLE, exit 3, password masked', async () => {
    const run = await ecomdb(['migrate', '--url', 'postgres://postgres:hunter2@127.0.0.1:1/shop']);
    expect(run.code).toBe(3);
    const line = oneLine(run.stderr);
    expect(line).toMatch(/^error E_TARGET_UNREACHABLE: cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/shop/);
    expect(run.stderr + run.stdout).not.toContain('hunter2');
    expect(run.ms).toBeLessThan(10_000);
  });

  it('a server that never answers: E_TARGET_UNREACHABLE within 10 seconds', async () => {
    const run = await ecomdb(['status', '--url', `postgres://postgres@127.0.0.1:${silentPort}/shop`]);
    expect(run.code).toBe(3);
    expect(oneLine(run.stderr)).toMatch(/no answer within 5s/);
    expect(run.ms).toBeLessThan(10_000);
  });

  it('a database that does not exist: exit 3 with a hint to create it', async () => {
    const run = await ecomdb(['status', '--url', urlFor('ecomdb_no_such_database')]);
    expect(run.code).toBe(3);
    expect(oneLine(run.stderr)).toMatch(/createdb/);
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
    expect(unknown.stderr).toContain("unknown option '--bogus'");

    const duration = await ecomdb(['migrate', '--lock-timeout', 'soon', '--url', 'postgres://127.0.0.1:1/x']);
    expect(duration.code).toBe(2);
    expect(oneLine(duration.stderr)).toMatch(/^error E_USAGE: --lock-timeout "soon"/);

    // Checked before the (unreachable) database is opened: exit 2, not 3.
    const keys = await ecomdb(['seed', '--partitioned-keys', 'sometimes', '--url', 'postgres://127.0.0.1:1/x']);
    expect(keys.code).toBe(2);
    expect(oneLine(keys.stderr)).toMatch(/^error E_USAGE: --partitioned-keys "sometimes" is not auto, rebuild or keep/);

    const component = await ecomdb(['sql', '--component', 'nope']);
    expect(component.code).toBe(2);
    expect(oneLine(component.stderr)).toMatch(/^error E_USAGE: no component "nope" — use one of: user_management, seller_management/);
  });

  it('a missing migrations folder: E_MIGRATIONS_DIR before any connection', async () => {
    const run = await ecomdb(['migrate', '--migrations', '/nonexistent/migrations', '--url', 'postgres://127.0.0.1:1/x']);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toMatch(/^error E_MIGRATIONS_DIR/);
  });
});

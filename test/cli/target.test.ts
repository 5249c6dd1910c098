/**
 * Where the database is, as a user gets it wrong: a URL whose port answers but is not PostgreSQL,
 * a URL ecomdb cannot honour, a --data-dir that holds no database or cannot hold one. Each is one
 * line and exit 3, and a command that only reads creates nothing.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecomdb, jsonError, tempDir, type CliResult } from '../helpers/cli.ts';
import { SERVER_URL, withPostgres } from '../helpers/db.ts';

/** The error code of a --json run, with the exit status; stderr must be one line. */
function failure(run: CliResult): { status: number; code: string } {
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  return { status: run.code, code: jsonError(run).code };
}

const sockets = new Set<Socket>();

/** A loopback server that does `answer` to every connection. */
async function listen(answer: (socket: Socket) => void): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    answer(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, connections: () => connections };
}

describe('a --url whose port is not PostgreSQL', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('an HTTP server: E_TARGET_PROTOCOL, exit 3, after one connection (no reconnect loop)', async () => {
    const http = await listen((socket) => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    servers.push(http.server);
    for (const sslmode of ['prefer', 'disable']) {
      const run = await ecomdb(['status', '--json', '--url', `postgres://postgres@127.0.0.1:${http.port}/shop?sslmode=${sslmode}`]);
      expect(failure(run)).toEqual({ status: 3, code: 'E_TARGET_PROTOCOL' });
    }
    expect(http.connections()).toBe(2);
  });

  it('a server that accepts and closes without a word, or answers garbage and stays open: exit 3', async () => {
    const silent = await listen((socket) => socket.end());
    const garbage = await listen((socket) => socket.write(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])));
    servers.push(silent.server, garbage.server);
    for (const { port } of [silent, garbage]) {
      const run = await ecomdb(['migrate', '--json', '--url', `postgres://postgres@127.0.0.1:${port}/shop`]);
      expect(failure(run)).toEqual({ status: 3, code: 'E_TARGET_PROTOCOL' });
    }
  });
});

describe('--url forms', () => {
  let socketUrl: string;
  beforeAll(async () => {
    const url = new URL(SERVER_URL);
    const dir = await withPostgres(SERVER_URL, (db) =>
      db.session(async (s) => (await s.query<{ dir: string }>(`select split_part(current_setting('unix_socket_directories'), ',', 1) as dir`))[0]!.dir.trim()),
    );
    socketUrl = `postgres://${url.username || 'postgres'}@${encodeURIComponent(dir)}:${url.port || 5432}${url.pathname}`;
  });

  it('a %2F-encoded socket folder as the host reaches the server over its Unix socket', async () => {
    const run = await ecomdb(['status', '--json', '--url', socketUrl]);
    expect(run.code, run.stderr).toBe(0);
  });

  it('refuses an sslmode, parameter or port it cannot honour: E_TARGET_URL, exit 3', async () => {
    for (const query of ['sslmode=bogus', 'schema=public', 'port=99999']) {
      const run = await ecomdb(['status', '--json', '--url', `${SERVER_URL}?${query}`]);
      expect([query, failure(run)]).toEqual([query, { status: 3, code: 'E_TARGET_URL' }]);
    }
  });
});

describe('--data-dir', () => {
  it('status and verify on a folder that does not exist: E_TARGET_MISSING, exit 3, nothing created', async () => {
    const dir = join(tempDir(), 'typo');
    for (const args of [['status'], ['verify', '--only', 'catalog'], ['migrate', '--dry-run'], ['seed'], ['partition', 'list']]) {
      const run = await ecomdb([...args, '--json', '--data-dir', dir]);
      expect([args, failure(run)]).toEqual([args, { status: 3, code: 'E_TARGET_MISSING' }]);
      expect(existsSync(dir)).toBe(false);
    }
  });

  it('status on an existing folder that holds no database: E_TARGET_MISSING, and the folder stays empty', async () => {
    const dir = tempDir();
    const run = await ecomdb(['status', '--json', '--data-dir', dir]);
    expect(failure(run)).toEqual({ status: 3, code: 'E_TARGET_MISSING' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a regular file, a path under a file, or a place no folder can be made: E_TARGET_DATA_DIR, exit 3', async () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, 'not a folder\n');
    for (const [command, dir] of [
      ['status', file],
      ['migrate', file],
      ['migrate', join(file, 'store')],
      ['migrate', '/proc/ecomdb-no-such-folder/store'],
    ] as const) {
      const run = await ecomdb([command, '--json', '--data-dir', dir]);
      expect([command, dir, failure(run)]).toEqual([command, dir, { status: 3, code: 'E_TARGET_DATA_DIR' }]);
    }
  });

});

/**
 * The URL forms of src/db/url.ts reach the server they name: a Unix socket spelled three ways, a
 * role from user=, a password from password= (on a private cluster that asks for one: the test
 * server trusts everyone, so it would accept any password).
 */
import { chownSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/postgres.ts';
import { parseDatabaseUrl } from '../../src/db/url.ts';
import { EcomdbError } from '../../src/errors.ts';
import { DEFAULT_PG_BIN } from '../../src/replica/local.ts';
import { CLUSTER_OS_USER, isRoot, run } from '../../src/replica/process.ts';
import { tempDir } from '../helpers/cli.ts';
import { createTestDatabase, withPostgres, type TestDatabase } from '../helpers/db.ts';

/** Where the connection landed: inet_server_addr() is null over a Unix socket. */
async function landing(url: string): Promise<{ addr: string | null; db: string; user: string }> {
  return withPostgres(url, (db) =>
    db.session(async (s) => (await s.query<{ addr: string | null; db: string; user: string }>('select inet_server_addr()::text as addr, current_database() as db, current_user as user'))[0]!),
  );
}

async function codeOf(work: Promise<unknown>): Promise<{ code: string; sqlstate?: unknown }> {
  try {
    await work;
  } catch (error) {
    if (error instanceof EcomdbError) return { code: error.code, sqlstate: error.details.sqlstate };
    throw error;
  }
  return { code: 'connected' };
}

describe('connection URLs on the test server', () => {
  let test: TestDatabase;
  let socketDir: string;
  let port: number;
  let user: string;
  const role = `ecomdb_test_url_${process.pid}`;
  beforeAll(async () => {
    test = await createTestDatabase('url');
    const [settings] = await test.sql<{ dir: string; port: string }[]>`
      select split_part(current_setting('unix_socket_directories'), ',', 1) as dir, current_setting('port') as port`;
    socketDir = settings!.dir.trim();
    port = Number(settings!.port);
    user = parseDatabaseUrl(test.url).user ?? 'postgres';
    await test.sql.unsafe(`create role "${role}" login`);
  });
  afterAll(async () => {
    await test.sql.unsafe(`drop role if exists "${role}"`);
    await test.drop();
  });

  it('host=/socket/dir, a %2F-encoded host and user@/db?host= all go through the Unix socket', async () => {
    const forms = [
      `postgres:///${test.name}?host=${socketDir}&port=${port}&user=${user}`,
      `postgres://${user}@${encodeURIComponent(socketDir)}:${port}/${test.name}`,
      `postgresql://${user}@/${test.name}?host=${encodeURIComponent(socketDir)}&port=${port}`,
    ];
    for (const url of forms) expect([url, await landing(url)]).toEqual([url, { addr: null, db: test.name, user }]);
    // Over TCP, the same server says where it was reached.
    expect((await landing(test.url)).addr).not.toBeNull();
  });

  it('user= chooses the role', async () => {
    expect((await landing(`${test.url}?user=${role}`)).user).toBe(role);
  });
});

/** A free TCP port on loopback (taken back at once, for a server started right after). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('password= on a server that asks for a password', () => {
  const password = 'pa ss&w+rd';
  let data: string;
  let url: string;
  beforeAll(async () => {
    const dir = tempDir('ecomdb-password-');
    data = join(dir, 'data');
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, `${password}\n`);
    // PostgreSQL refuses to run as root: as root, its programs run as the postgres OS user.
    if (isRoot()) {
      const { code, stdout } = await run('id', ['-u', CLUSTER_OS_USER]);
      expect(code).toBe(0);
      for (const path of [dir, pwfile]) chownSync(path, Number(stdout.trim()), -1);
    }
    const asPostgres = { asPostgres: true };
    const initdb = await run(join(DEFAULT_PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--no-sync', '-E', 'UTF8', '--locale=C'], asPostgres);
    expect(initdb.code, initdb.stderr).toBe(0);
    const port = await freePort();
    const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=8MB -c max_connections=10`;
    const start = await run(join(DEFAULT_PG_BIN, 'pg_ctl'), ['-D', data, '-o', settings, '-l', join(dir, 'log'), '-w', 'start'], asPostgres);
    expect(start.code, start.stderr).toBe(0);
    url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  });
  afterAll(async () => {
    if (data) await run(join(DEFAULT_PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], { asPostgres: true });
  });

  it('the right password in password= connects; a wrong one is refused as such (28P01)', async () => {
    expect(await codeOf(landing(`${url}?password=${encodeURIComponent(password)}`))).toEqual({ code: 'connected' });
    expect(await codeOf(landing(url.replace('postgres@', `postgres:${encodeURIComponent(password)}@`)))).toEqual({ code: 'connected' });
    expect(await codeOf(openPostgres(`${url}?password=wrong`))).toEqual({ code: 'E_TARGET_UNREACHABLE', sqlstate: '28P01' });
  });
});

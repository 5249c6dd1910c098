/** Where the database is, as a user gets it wrong: a URL ecomdb cannot honour is one line and exit 3. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ecomdb, type CliResult } from '../helpers/cli.ts';
import { SERVER_URL, withPostgres } from '../helpers/db.ts';

/** The error code of a --json run, with the exit status; stderr must be one line. */
function failure(run: CliResult): { status: number; code: string } {
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  return { status: run.code, code: (JSON.parse(run.stdout) as { error: { code: string } }).error.code };
}

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

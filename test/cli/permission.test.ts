/**
 * A role without the privileges a command needs gets one line, E_PERMISSION and exit 11, with
 * what to do, instead of an internal error: status, migrate, seed, verify and up on a migrated
 * database, as a LOGIN role that was granted nothing (and one that may not even connect).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecomdb } from '../helpers/cli.ts';
import { createMigratedDatabase, SERVER_URL, type TestDatabase } from '../helpers/db.ts';

describe('a role without privileges', () => {
  let db: TestDatabase;
  const role = `ecomdb_noprivs_${randomBytes(4).toString('hex')}`;
  let url = '';
  beforeAll(async () => {
    db = await createMigratedDatabase('perm');
    await db.sql.unsafe(`create role ${role} login`);
    url = Object.assign(new URL(db.url), { username: role }).toString();
  });
  afterAll(async () => {
    // Roles are cluster-wide: the role goes whatever the outcome (after the database, which
    // would hold anything it was let create).
    await db?.drop();
    const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`drop role if exists ${role}`);
    } finally {
      await admin.end();
    }
  });

  it.each([['status'], ['migrate'], ['seed'], ['verify'], ['up']])('%s: E_PERMISSION, exit 11, one line', async (command) => {
    const run = await ecomdb([command, '--url', url, '--json']);
    expect(run.code, run.stderr).toBe(11);
    const errors = run.stderr.trim().split('\n').filter((l) => l.startsWith('error '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error E_PERMISSION: .* — /);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'E_PERMISSION', details: { sqlstate: '42501' } } });
  });

  it('without CONNECT on the database: E_PERMISSION, exit 11', async () => {
    await db.sql.unsafe(`revoke connect on database ${db.name} from public`);
    try {
      const run = await ecomdb(['status', '--url', url, '--json']);
      expect(run.code, run.stderr).toBe(11);
      expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'E_PERMISSION' } });
    } finally {
      await db.sql.unsafe(`grant connect on database ${db.name} to public`);
    }
  });

  it('partition list: E_PERMISSION, exit 11, like every other command', async () => {
    const run = await ecomdb(['partition', 'list', '--url', url, '--json']);
    expect(run.code).toBe(11);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'E_PERMISSION' } });
  });
});

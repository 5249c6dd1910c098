/** `ecomdb roles grant-login` and `roles list` on a server: logins in groups, refusals with exit 18, passwords never shown. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scramVerifier } from '../../src/roles/plan.ts';
import { ecomdb } from '../helpers/cli.ts';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db.ts';

const tag = randomBytes(3).toString('hex');
const login = `t_cli_${tag}`;
const group = `t_cli_group_${tag}`;
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;

describe('ecomdb roles', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase('roles_cli');
  }, 120_000);
  afterAll(async () => {
    await db.sql.unsafe(`DROP ROLE IF EXISTS "${login}"`);
    await db.sql.unsafe(`DROP ROLE IF EXISTS "${group}"`);
    await db.drop();
  });

  it('grant-login creates an ordinary login in the group with a SCRAM verifier of the password, never printed', async () => {
    const run = await ecomdb(['roles', 'grant-login', login, '--role', 'seller', '--password-env', 'T_PW', '--url', db.url, '--json'], { env: { T_PW: PASSWORD } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    expect(JSON.parse(run.stdout)).toMatchObject({ name: login, group: 'ecomdb_seller', created: true, passwordSet: true });
    const [role] = await db.sql<{ rolcanlogin: boolean; rolsuper: boolean; rolbypassrls: boolean; rolpassword: string; member: boolean }[]>`
      select rolcanlogin, rolsuper, rolbypassrls, rolpassword, pg_has_role(rolname, 'ecomdb_seller', 'member') as member from pg_authid where rolname = ${login}`;
    expect(role).toMatchObject({ rolcanlogin: true, rolsuper: false, rolbypassrls: false, member: true });
    // The stored verifier is that of the password: recomputed with its salt, it is the same.
    const m = /^SCRAM-SHA-256\$4096:([^$]+)\$/.exec(role!.rolpassword);
    expect(m).not.toBeNull();
    expect(scramVerifier(PASSWORD, Buffer.from(m![1]!, 'base64'))).toBe(role!.rolpassword);
    expect(scramVerifier('another', Buffer.from(m![1]!, 'base64'))).not.toBe(role!.rolpassword);
  });

  it('grant-login again updates it (another group, no password change); list shows it', async () => {
    const [before] = await db.sql<{ p: string }[]>`select rolpassword as p from pg_authid where rolname = ${login}`;
    const run = await ecomdb(['roles', 'grant-login', login, '--role', 'ecomdb_bi_analyst', '--url', db.url, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ created: false, group: 'ecomdb_bi_analyst', passwordSet: false });
    const [after] = await db.sql<{ p: string }[]>`select rolpassword as p from pg_authid where rolname = ${login}`;
    expect(after!.p).toBe(before!.p);
    const list = await ecomdb(['roles', 'list', '--url', db.url, '--json']);
    expect(list.code, list.stderr).toBe(0);
    const roles = (JSON.parse(list.stdout) as { roles: { role: string; exists: boolean; logins: string[] }[] }).roles;
    expect(roles.map((r) => r.role)).toEqual(['ecomdb_user', 'ecomdb_seller', 'ecomdb_dba', 'ecomdb_administrator', 'ecomdb_platform_manager', 'ecomdb_bi_analyst', 'ecomdb_marketing_specialist']);
    expect(roles.every((r) => r.exists)).toBe(true);
    expect(roles.find((r) => r.role === 'ecomdb_bi_analyst')!.logins).toContain(login);
  });

  it('refuses with exit 18: an unknown role, a reserved or malformed name, a group role, an unset password variable', async () => {
    await db.sql.unsafe(`CREATE ROLE "${group}" NOLOGIN`);
    const cases: [string[], string][] = [
      [['roles', 'grant-login', `x_${tag}`, '--role', 'buyer'], 'E_ROLES_ROLE'],
      [['roles', 'grant-login', 'ecomdb_user', '--role', 'user'], 'E_ROLES_NAME'],
      [['roles', 'grant-login', 'postgres', '--role', 'user'], 'E_ROLES_NAME'],
      [['roles', 'grant-login', 'Robert"); DROP', '--role', 'user'], 'E_ROLES_NAME'],
      [['roles', 'grant-login', group, '--role', 'user'], 'E_ROLES_CONFLICT'],
      [['roles', 'grant-login', `x_${tag}`, '--role', 'user', '--password-env', `T_UNSET_${tag}`], 'E_ROLES_PASSWORD'],
    ];
    for (const [args, code] of cases) {
      const run = await ecomdb([...args, '--url', db.url]);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(18);
      expect(run.stderr).toMatch(new RegExp(`^error ${code}: `));
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    const [made] = await db.sql<{ n: number }[]>`select count(*)::int as n from pg_roles where rolname = ${`x_${tag}`}`;
    expect(made!.n).toBe(0);
    const [still] = await db.sql<{ rolcanlogin: boolean }[]>`select rolcanlogin from pg_roles where rolname = ${group}`;
    expect(still!.rolcanlogin).toBe(false);
  });
});

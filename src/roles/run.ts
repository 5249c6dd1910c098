/** Executing `ecomdb roles`: checks against the live catalog, then the statements of plan.ts in one transaction. */
import { DB_ROLES } from '../../schema/security.ts';
import type { Session } from '../db/types.ts';
import { EcomdbError, isInsufficientPrivilege, permissionError } from '../errors.ts';
import { grantLoginSql, type GrantLogin } from './plan.ts';

export interface RoleRow {
  readonly role: string;
  /** Login roles that are members of it. */
  readonly logins: readonly string[];
}

/** The group roles that exist on the server, with their logins; missing ones are absent. */
export async function listRoles(session: Session): Promise<RoleRow[]> {
  const rows = await session.query<{ role: string; logins: string[] }>(
    `select g.rolname as role,
            array(select m.rolname::text from pg_catalog.pg_auth_members a join pg_catalog.pg_roles m on m.oid = a.member
                   where a.roleid = g.oid and m.rolcanlogin order by 1) as logins
       from pg_catalog.pg_roles g where g.rolname = any($1::text[])`,
    [DB_ROLES],
  );
  return DB_ROLES.flatMap((role) => rows.filter((r) => r.role === role).map((r) => ({ role: r.role, logins: r.logins })));
}

export interface GrantLoginResult {
  readonly name: string;
  readonly group: string;
  readonly created: boolean;
  readonly passwordSet: boolean;
}

/** Create or update the login and add it to its group; refused when the group is missing or the name is a role ecomdb must not change. */
export async function grantLogin(session: Session, grant: GrantLogin): Promise<GrantLoginResult> {
  const statements = grantLoginSql(grant);
  const group = `ecomdb_${grant.role}`;
  const [state] = await session.query<{ group_exists: boolean; login: { super: boolean; login: boolean } | null }>(
    `select exists (select from pg_catalog.pg_roles where rolname = $1) as group_exists,
            (select json_build_object('super', rolsuper, 'login', rolcanlogin) from pg_catalog.pg_roles where rolname = $2) as login`,
    [group, grant.name],
  );
  if (!state!.group_exists) {
    throw new EcomdbError('E_ROLES_NOT_MIGRATED', `the group role ${group} does not exist on this server`, { hint: 'run `ecomdb migrate` (or `ecomdb up`) first: the migrations create the seven group roles' });
  }
  if (state!.login?.super) {
    throw new EcomdbError('E_ROLES_CONFLICT', `${grant.name} is a superuser; ecomdb does not turn it into an application login`, { hint: 'pick another name for the login' });
  }
  if (state!.login && !state!.login.login) {
    throw new EcomdbError('E_ROLES_CONFLICT', `${grant.name} exists and is not a login (a group role)`, { hint: 'pick another name for the login' });
  }
  try {
    await session.exec('BEGIN');
    for (const statement of statements) await session.exec(statement);
    await session.exec('COMMIT');
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => {});
    if (isInsufficientPrivilege(error)) throw permissionError(error, 'roles grant-login creates roles: connect as a role with CREATEROLE (and ADMIN OPTION on the group roles on PostgreSQL 16+), or a superuser');
    throw error;
  }
  return { name: grant.name, group, created: state!.login === null, passwordSet: grant.password !== undefined };
}

/**
 * `ecomdb roles`: logins in the group roles of schema/security.ts. Pure: names and a password
 * in, SQL out. The password never reaches the server as text: the statement carries its
 * SCRAM-SHA-256 verifier, computed here, so neither the server's log nor pg_stat_activity can
 * show it.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { DB_ROLES, dbRole, type RoleName } from '../../schema/security.ts';
import { ROLES } from '../../schema/values.ts';
import { EcomdbError } from '../errors.ts';
import { quoteIdent, quoteLiteral } from '../ident.ts';

/** A marketplace role typed by a user: its machine name (`seller`) or its group role (`ecomdb_seller`). */
export function parseRole(input: string): RoleName {
  const name = input.trim().toLowerCase().replace(/^ecomdb_/, '');
  const role = ROLES.find((r) => r.name === name);
  if (!role) {
    throw new EcomdbError('E_ROLES_ROLE', `--role: "${input}" is not a marketplace role`, { hint: `use one of ${ROLES.map((r) => r.name).join(', ')}` });
  }
  return role.name;
}

/** Names a login may not take: the group roles, PostgreSQL's own (pg_*), and the bootstrap superuser. */
export function checkLoginName(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new EcomdbError('E_ROLES_NAME', `"${name}" is not a login name ecomdb creates`, { hint: 'use lower-case letters, digits and _ (at most 63), starting with a letter or _' });
  }
  if (DB_ROLES.includes(name) || name.startsWith('pg_') || name === 'postgres' || name === 'public') {
    throw new EcomdbError('E_ROLES_NAME', `"${name}" is reserved`, { hint: 'pick a name of its own for the login (the group roles, pg_* and postgres are not logins ecomdb manages)' });
  }
  return name;
}

/** PostgreSQL's SCRAM-SHA-256 verifier of `password` (RFC 5803 form, 4096 iterations, as the server makes it). */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export interface GrantLogin {
  readonly name: string;
  readonly role: RoleName;
  /** Absent: a new login gets none (it cannot sign in by password), an existing one keeps its own. */
  readonly password?: string;
}

/**
 * The statements of `roles grant-login`: create the login if missing (guarded: a role is
 * cluster-wide), make it an ordinary login (no superuser, no CREATEROLE, no BYPASSRLS: row
 * security must apply to it), set its password, and add it to the group. Idempotent.
 */
export function grantLoginSql(grant: GrantLogin): string[] {
  const name = checkLoginName(grant.name);
  const login = quoteIdent(name);
  return [
    `DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(name)}) THEN
    CREATE ROLE ${login} LOGIN;
  END IF;
END $$`,
    `ALTER ROLE ${login} WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS${grant.password === undefined ? '' : ` PASSWORD ${quoteLiteral(scramVerifier(grant.password))}`}`,
    `GRANT ${quoteIdent(dbRole(grant.role))} TO ${login}`,
  ];
}

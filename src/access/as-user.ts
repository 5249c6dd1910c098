/**
 * Run operations as a marketplace role and user, under row-level security. Two ways:
 *
 * - `asUser(db, acting, work)`: one transaction that takes the role's group role (`SET LOCAL
 *   ROLE ecomdb_<role>`, as `set_config('role', ..., true)`) and names the acting user
 *   (`set_config('ecomdb.user_id', id, true)`). Both end with the transaction, so the connection
 *   returns to the pool as it was: this works behind a transaction-pooling pooler. On postgres.js
 *   BEGIN and the settings are sent without waiting for their answer, so they travel in the same
 *   round trip as the work's first statement (a connection's queries are pipelined): the cost is
 *   COMMIT's round trip, and with `{ readOnly: true }` (a READ ONLY transaction) not even that,
 *   its COMMIT travelling ahead of the connection's next statement.
 * - `openRoleSession(db, role)`: a connection dedicated to one role (a postgres.js client with
 *   `max: 1`, or PGlite), which takes the role once for the whole session; each call names its
 *   user with a session-level `set_config` pipelined ahead of its first statement and cleared
 *   after it, and opens no transaction of its own. No round trip is added, but the connection
 *   is the role's for its life: not behind a transaction-pooling pooler.
 *
 * The login that runs either must be a member of the group role (`ecomdb roles grant-login`), or
 * the owner of the database (a superuser may take any role).
 *
 * @example
 *   const orders = await asUser(db, { role: 'user', userId: 12 }, (tx) => orderHistory(tx, { region: 'MLB', buyerId: 12 }));
 *   const buyers = await openRoleSession(drizzle(postgres(url, { max: 1 })), 'user');
 *   const page = await buyers.run(12, (db) => orderHistory(db, { region: 'MLB', buyerId: 12 }));
 */
import { sql } from 'drizzle-orm';
import { PostgresJsSession, PostgresJsTransaction } from 'drizzle-orm/postgres-js';
import { dbRole, type RoleName } from '../../schema/security.ts';
import { ROLES } from '../../schema/values.ts';
import type { AccessDb } from './db.ts';
import { id, refuse } from './guard.ts';

export interface Acting {
  /** The marketplace role (`user` for a buyer, `seller`, `bi_analyst`, ...). */
  readonly role: RoleName;
  /** The acting user (users.id); staff roles may act without one. */
  readonly userId?: number;
}

function checkRole(role: unknown): RoleName {
  if (!ROLES.some((r) => r.name === role)) {
    throw refuse('E_ACCESS_INVALID', `role: "${String(role)}" is not a marketplace role`, `use one of ${ROLES.map((r) => r.name).join(', ')}`, { param: 'role' });
  }
  return role as RoleName;
}

const userText = (userId: number | undefined) => (userId === undefined ? '' : String(id('userId', userId)));

/** A postgres.js client (or transaction) under a drizzle database: `unsafe(text, [])` sends a statement of no parameters by the simple protocol. */
interface RawClient {
  unsafe(text: string, params: unknown[]): { execute(): unknown } & PromiseLike<unknown>;
}

/** The postgres.js client under `db`, if `db` runs on postgres.js (PGlite has no round trips to save). */
function rawClient(db: AccessDb): RawClient | undefined {
  const client = (db as unknown as { session?: { client?: { unsafe?: unknown; query?: unknown } } }).session?.client;
  return client && typeof client.unsafe === 'function' ? (client as unknown as RawClient) : undefined;
}

/**
 * Send `text` first and run `work` without waiting for its answer; fail with its error if it
 * failed. On postgres.js the statement is queued on the connection now, before any statement of
 * the work (postgres.js sends a connection's queries in the order they are queued), so both
 * travel in one round trip. On other drivers it is awaited first.
 */
async function settingsThen<T>(db: AccessDb, text: string, work: () => Promise<T>): Promise<T> {
  const raw = rawClient(db);
  if (!raw) {
    await db.execute(sql.raw(text));
    return work();
  }
  const started = sendNow(raw, text);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await started;
    throw error;
  }
  await started;
  return result;
}

/** Queue `text` on a postgres.js connection now, without waiting for it; its outcome, which never rejects unhandled. */
function sendNow(client: RawClient, text: string): Promise<unknown> {
  const query = client.unsafe(text, []);
  query.execute();
  const outcome = Promise.resolve(query);
  outcome.catch(() => {});
  return outcome;
}

export interface AsUserOptions {
  /**
   * The work only reads (an operation of OPERATIONS with `readOnly`): the transaction is READ
   * ONLY, so a write fails (SQLSTATE 25006), and on postgres.js its COMMIT is not waited for.
   */
  readonly readOnly?: boolean;
}

/** Run `work` in one transaction as `acting`; everything it does is subject to the role's grants and policies. */
export async function asUser<T>(db: AccessDb, acting: Acting, work: (tx: AccessDb) => Promise<T>, options: AsUserOptions = {}): Promise<T> {
  const role = checkRole(acting.role);
  const userId = userText(acting.userId);
  const readOnly = options.readOnly === true;
  const pool = poolClient(db);
  if (pool) return pipelinedTransaction(db, pool, setLocal(dbRole(role), userId), work, readOnly);
  return db.transaction(
    async (tx) =>
      // First on the transaction's connection: no statement of the work runs before it, and if it
      // fails the transaction is aborted, so none runs without the role.
      settingsThen(tx as unknown as AccessDb, setLocal(dbRole(role), userId), () => work(tx as unknown as AccessDb)),
    readOnly ? { accessMode: 'read only' } : undefined,
  );
}

/** A postgres.js client that owns its connections (not a transaction's): it can reserve one. */
interface PoolClient extends RawClient {
  reserve(): Promise<ReservedClient>;
}
interface ReservedClient extends RawClient {
  release(): void;
  savepoint?: (fn: (client: ReservedClient) => Promise<unknown>) => Promise<unknown>;
}

/** The postgres.js pool under `db`, when `db` is a database on postgres.js and not a transaction. */
function poolClient(db: AccessDb): PoolClient | undefined {
  const client = rawClient(db) as (RawClient & { reserve?: unknown }) | undefined;
  return client && typeof client.reserve === 'function' ? (client as PoolClient) : undefined;
}

/**
 * asUser on postgres.js, in the round trips of the work alone. postgres.js's own transaction
 * waits for the answer to BEGIN before the first statement and for COMMIT's before returning:
 * two round trips more than the same work without a transaction, which were most of what
 * row-level security cost the bench's short reads (the policies themselves add a few hundredths
 * of a millisecond to a statement). Here the transaction runs on a reserved connection: BEGIN
 * and the settings are queued ahead of the work's first statement and travel with it (postgres.js
 * writes a connection's queries in order without waiting for the answers); a nested
 * db.transaction is a savepoint, queued the same way. A read-only transaction's COMMIT is queued
 * and the connection released at once: COMMIT travels ahead of the connection's next statement,
 * and a READ ONLY transaction has nothing to lose if it failed. Otherwise COMMIT is waited for. On
 * failure, ROLLBACK is queued and the connection released; a failed setting is the error reported
 * (the work's statements then fail as the aborted transaction's).
 */
async function pipelinedTransaction<T>(db: AccessDb, pool: PoolClient, settings: string, work: (tx: AccessDb) => Promise<T>, readOnly: boolean): Promise<T> {
  const connection = await pool.reserve();
  let released = false;
  const release = () => {
    if (!released) {
      released = true;
      connection.release();
    }
  };
  const queue = (text: string) => sendNow(connection, text);
  // One simple-protocol message: BEGIN and the settings, answered once.
  const begun = queue(`${readOnly ? 'BEGIN READ ONLY' : 'BEGIN'}; ${settings}`);
  let savepoints = 0;
  connection.savepoint = async (fn) => {
    const name = `ecomdb_${++savepoints}`;
    const saved = queue(`SAVEPOINT ${name}`);
    try {
      const result = await fn(connection);
      await saved;
      return result;
    } catch (error) {
      await queue(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    }
  };
  const outer = (db as unknown as { session: { dialect: unknown; schema: unknown; options: unknown } }).session;
  const session = new PostgresJsSession(connection as never, outer.dialect as never, outer.schema as never, outer.options as never);
  const tx = new PostgresJsTransaction(outer.dialect as never, session, outer.schema as never) as unknown as AccessDb;
  let result: T;
  try {
    result = await work(tx);
    await begun;
  } catch (error) {
    void queue('ROLLBACK');
    release();
    await begun;
    throw error;
  }
  if (readOnly) {
    void queue('COMMIT');
    release();
    return result;
  }
  try {
    await queue('COMMIT');
  } finally {
    release();
  }
  return result;
}

/*
 * The settings are statements of literals, not of parameters. postgres.js sends a statement with
 * parameters (unprepared, as drizzle asks) as Parse and Describe, and waits for the description
 * before it binds the values: a round trip of its own, during which nothing queued behind it
 * leaves, so the work's first statement waited for it. A statement without parameters goes by the
 * simple protocol, in the same write as what follows it. The values are safe to inline: a role
 * name checked against ROLES and a user id checked as a positive integer (and quoted anyway).
 */
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;
/** SET LOCAL ROLE and the acting user, for the transaction. */
const setLocal = (role: string, userId: string) =>
  `SELECT pg_catalog.set_config('role', ${literal(role)}, true), pg_catalog.set_config('ecomdb.user_id', ${literal(userId)}, true)`;
/** The acting user, for the session. */
const setUser = (userId: string) => `SELECT pg_catalog.set_config('ecomdb.user_id', ${literal(userId)}, false)`;

/** A connection that acts as one role for its whole life (openRoleSession). */
export interface RoleSession {
  readonly role: RoleName;
  /** Run `work` as `userId` (none: as no marketplace user), under the role's grants and policies. One call at a time. */
  run<T>(userId: number | undefined, work: (db: AccessDb) => Promise<T>): Promise<T>;
}

/**
 * Dedicate `db`'s one connection to `role`: `SET ROLE` for the session. `db` must hold exactly
 * one connection (postgres.js `max: 1`, or PGlite): settings made on one connection of a pool do
 * not reach the others. Refused with E_ACCESS_INVALID otherwise.
 */
export async function openRoleSession(db: AccessDb, role: RoleName): Promise<RoleSession> {
  const checked = checkRole(role);
  const client = (db as { $client?: { options?: { max?: number } } }).$client;
  if (client?.options !== undefined && client.options.max !== 1) {
    throw refuse('E_ACCESS_INVALID', `a role session needs a client of one connection, not ${String(client.options.max)}`, 'open it on postgres(url, { max: 1 })', { param: 'db' });
  }
  await db.execute(sql`SELECT pg_catalog.set_config('role', ${dbRole(checked)}, false), pg_catalog.set_config('ecomdb.user_id', '', false)`);
  let busy = false;
  return {
    role: checked,
    async run<T>(userId: number | undefined, work: (db: AccessDb) => Promise<T>): Promise<T> {
      const named = userText(userId);
      if (busy) throw refuse('E_ACCESS_INVALID', 'a role session runs one call at a time', 'open one session per concurrent caller', { param: 'db' });
      busy = true;
      try {
        // Pipelined ahead of the work on the one connection. Cleared afterwards (also pipelined):
        // a call whose setting failed would otherwise act as the user before it.
        return await settingsThen(db, setUser(named), () => work(db));
      } finally {
        busy = false;
        const raw = rawClient(db);
        if (raw) void sendNow(raw, setUser(''));
        else await db.execute(sql`SELECT pg_catalog.set_config('ecomdb.user_id', '', false)`);
      }
    },
  };
}

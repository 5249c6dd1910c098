/**
 * `ecomdb partition explain` executes nothing, even though planning evaluates functions: the query is
 * planned as a throwaway role that may only read, so a function with an effect outside the
 * transaction (here pg_terminate_backend, as a function calling dblink_exec would delete rows on
 * a second connection) is refused; the role is never committed, so nothing remains, on the
 * server (where roles are cluster-wide) as on the embedded database. A user who may not make the
 * role is told what explain could not prevent.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainQuery } from '../../src/partition/inspect.ts';
import { ecomdb } from '../helpers/cli.ts';
import { createMigratedDatabase, migratedPglite, withPostgres, type TestDatabase } from '../helpers/db.ts';

/** An IMMUTABLE function the planner folds: it reports who runs it. */
const WHOAMI = `create function public.ecomdb_test_whoami() returns text language sql immutable as $$ select current_user::text $$`;
const PLANNED_AS = `SELECT * FROM user_management.users WHERE name = public.ecomdb_test_whoami()`;

describe('partition explain on a server', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase('part_explain');
    await db.sql.unsafe(WHOAMI);
    // Immutable, so the planner calls it with its constant argument; its effect is outside any transaction.
    await db.sql.unsafe(`create function public.ecomdb_test_terminate(victim int) returns bigint language plpgsql immutable as $$
      begin perform pg_terminate_backend(victim, 5000); return 1; end $$`);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const explainRoles = async () => (await db.sql`select rolname from pg_roles where rolname like 'ecomdb\\_explain\\_%'`).length;

  it('refuses a query whose planning would act outside the transaction, and nothing happened (exit 2)', async () => {
    const victim = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const [me] = await victim`select pg_backend_pid() as pid`;
      const pid = Number(me!.pid);
      const run = await ecomdb(['partition', 'explain', '--url', db.url, '--json', `SELECT * FROM order_processing.orders WHERE id = public.ecomdb_test_terminate(${pid})`]);
      expect(run.code, run.stderr).toBe(2);
      expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'E_USAGE', details: { sqlstate: '42501' } });
      const [alive] = await db.sql`select count(*)::int as n from pg_stat_activity where pid = ${pid}`;
      expect(alive!.n).toBe(1);
      expect((await victim`select 1 as ok`)[0]!.ok).toBe(1);
    } finally {
      await victim.end({ timeout: 1 });
    }
    expect(await explainRoles()).toBe(0);
  });

  it('plans as a read-only role made for the occasion; concurrent explains leave no role behind', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => withPostgres(db.url, (d) => d.session((s) => explainQuery(s, PLANNED_AS)))));
    for (const r of results) {
      expect(r.guarded).toBe(true);
      expect(r.plannedAs).toMatch(/^ecomdb_explain_[0-9a-f]{12}$/);
      // The planner folded the function as that role.
      expect(r.text).toContain(`'${r.plannedAs}'::text`);
    }
    expect(new Set(results.map((r) => r.plannedAs)).size).toBe(4);
    expect(await explainRoles()).toBe(0);
  });

  it('a user who may not make the role gets the plan and a note of what was not prevented', async () => {
    const user = `ecomdb_test_reader_${process.pid}`;
    await db.sql.unsafe(`create role ${user} login`);
    try {
      await db.sql.unsafe(`grant usage on schema user_management to ${user}; grant select on all tables in schema user_management to ${user}`);
      const url = Object.assign(new URL(db.url), { username: user }).toString();
      const run = await ecomdb(['partition', 'explain', '--url', url, '--json', PLANNED_AS]);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as { guarded: boolean; plannedAs: string; notes: string[]; text: string };
      expect(result).toMatchObject({ guarded: false, plannedAs: user });
      expect(result.notes).toHaveLength(1);
      expect(result.text).toContain(`'${user}'::text`);
    } finally {
      await db.sql.unsafe(`drop owned by ${user}; drop role ${user}`);
    }
    expect(await explainRoles()).toBe(0);
  });
});

describe('partition explain on the embedded database', () => {
  it('plans as a read-only role there too, and leaves none behind', async () => {
    const { db } = await migratedPglite();
    try {
      await db.session((s) => s.exec(WHOAMI));
      const result = await db.session((s) => explainQuery(s, PLANNED_AS));
      expect(result.guarded).toBe(true);
      expect(result.text).toContain(`'${result.plannedAs}'::text`);
      const roles = await db.session((s) => s.query(`select rolname from pg_roles where rolname like 'ecomdb\\_explain\\_%'`));
      expect(roles).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

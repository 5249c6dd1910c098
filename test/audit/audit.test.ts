/**
 * The audit trail on the real server and on PGlite: every change to an audited table is
 * recorded with the acting login and marketplace user, nobody but its owner's triggers writes
 * it (a role granted everything on it is still refused), its months are kept ahead, and
 * `ecomdb audit tail` reads it.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDITED_TABLES, auditedTableIds, tableId } from '../../schema/audit.ts';
import { tail } from '../../src/audit/trail.ts';
import { addMonths, monthOf } from '../../src/partition/months.ts';
import { monthsPlan } from '../../src/partition/plan.ts';
import { ecomdb, errorCode } from '../helpers/cli.ts';
import { databasesForBlock, pgliteForBlock, urlFor, type TestDatabase } from '../helpers/db.ts';

// Well-formed argon2id strings (the CHECK on password_hash accepts nothing else); what they hash does not matter here.
const HASH = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const NEW_HASH = '$argon2id$v=19$m=65536,t=3,p=4$ZXBwZXJwZXBwZXJwZXBwZQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const APPLICATION_ROLES = ['ecomdb_user', 'ecomdb_seller', 'ecomdb_marketing_specialist', 'ecomdb_bi_analyst', 'ecomdb_administrator', 'ecomdb_platform_manager', 'ecomdb_dba'];

/** SQL that changes audited rows as the marketplace user 777, in one transaction. */
const CHANGES = [
  `BEGIN`,
  `SELECT set_config('ecomdb.user_id', '777', true)`,
  `INSERT INTO user_management.users (region, id, role_id, name, email, password_hash) VALUES ('MLA', 9001, 1, 'Ana Audit', 'ana.audit@example.com', '${HASH}')`,
  `UPDATE user_management.users SET name = 'Ana B. Audit', password_hash = '${NEW_HASH}' WHERE region = 'MLA' AND id = 9001`,
  `INSERT INTO product_catalog.categories (id, name, description) VALUES (9001, 'Audited category', 'A category made to be audited.')`,
  `DELETE FROM product_catalog.categories WHERE id = 9001`,
  `DELETE FROM user_management.users WHERE region = 'MLA' AND id = 9001`,
  `COMMIT`,
];

interface Row { login: string; user_id: string | null; table_name: string; op: string; key: Record<string, unknown> | null; old: Record<string, unknown> | null; new: Record<string, unknown> | null }

function expectChangesRecorded(rows: Row[], login: string): void {
  expect(rows.map((r) => `${r.table_name} ${r.op}`)).toEqual([
    'user_management.users INSERT',
    'user_management.users UPDATE',
    'product_catalog.categories INSERT',
    'product_catalog.categories DELETE',
    'user_management.users DELETE',
  ]);
  for (const r of rows) {
    expect(r.login).toBe(login);
    expect(r.user_id).toBe('777');
  }
  const [insert, update] = rows;
  expect(insert!.key).toEqual({ region: 'MLA', id: 9001 });
  expect(insert!.old).toBeNull();
  expect(insert!.new).toMatchObject({ name: 'Ana Audit', email: 'ana.audit@example.com', password_hash: '[redacted]' });
  expect(update!.old).toMatchObject({ name: 'Ana Audit' });
  expect(update!.new).toMatchObject({ name: 'Ana B. Audit', password_hash: '[redacted, changed]' });
  expect(rows[4]!.new).toBeNull();
  expect(rows[4]!.old).toMatchObject({ name: 'Ana B. Audit' });
  // No secret reaches the trail.
  expect(JSON.stringify(rows)).not.toContain('$argon2id$');
}

const TRAIL_ROWS = `SELECT login, user_id, table_name, op, key, old, new FROM audit.trail WHERE op <> 'SEED' ORDER BY id`;

/** Every way a role could change the trail, each expected to be refused. */
function attempts(partition: string): string[] {
  return [
    `INSERT INTO audit.trail (table_name, op) VALUES ('user_management.users', 'DELETE')`,
    `UPDATE audit.trail SET login = 'nobody'`,
    `UPDATE audit.${partition} SET new = '{}'`,
    `DELETE FROM audit.trail`,
    `DELETE FROM audit.${partition}`,
    `TRUNCATE audit.trail`,
    `TRUNCATE audit.${partition}`,
  ];
}

describe('audit trail on PostgreSQL', () => {
  const fresh = databasesForBlock();
  const suffix = randomBytes(4).toString('hex');
  const actor = `ecomdb_t_actor_${suffix}`;
  const intruder = `ecomdb_t_intruder_${suffix}`;
  let db: TestDatabase;
  let admin: postgres.Sql;

  beforeAll(async () => {
    db = await fresh('audit');
    admin = db.sql;
    // The actor stands for any writer: row-level security (tested on its own) is not what this checks.
    await admin.unsafe(`CREATE ROLE ${actor} LOGIN BYPASSRLS; CREATE ROLE ${intruder} LOGIN`);
    await admin.unsafe(`GRANT CONNECT ON DATABASE ${db.name} TO ${actor}, ${intruder};
      GRANT USAGE ON SCHEMA user_management, product_catalog TO ${actor};
      GRANT SELECT, INSERT, UPDATE, DELETE ON user_management.users, product_catalog.categories TO ${actor};
      GRANT USAGE ON SCHEMA audit TO ${intruder};
      GRANT ALL ON ALL TABLES IN SCHEMA audit TO ${intruder};`);
  });

  afterAll(async () => {
    await db.drop();
    const server = postgres(urlFor('postgres'), { max: 1, onnotice: () => {} });
    try {
      await server.unsafe(`DROP ROLE IF EXISTS ${actor}; DROP ROLE IF EXISTS ${intruder}`);
    } finally {
      await server.end();
    }
  });

  /** A client logged in as `role`. */
  function as(role: string): postgres.Sql {
    const url = new URL(db.url);
    url.username = role;
    return postgres(url.toString(), { max: 1, onnotice: () => {} });
  }

  it('records every change with the acting login and ecomdb.user_id, old and new rows, secrets redacted', async () => {
    const client = as(actor);
    try {
      for (const statement of CHANGES) await client.unsafe(statement);
    } finally {
      await client.end();
    }
    expectChangesRecorded(await admin.unsafe<Row[]>(TRAIL_ROWS), actor);
  });

  it('refuses every change of the trail to a role granted all privileges on it, and to the application roles', async () => {
    const [{ partition }] = (await admin.unsafe<{ partition: string }[]>(
      `SELECT c.relname AS partition FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit.trail'::regclass ORDER BY 1 LIMIT 1`,
    )) as unknown as [{ partition: string }];
    const before = await admin.unsafe(`SELECT * FROM audit.trail ORDER BY id`);
    expect(before.length).toBeGreaterThan(0);
    const existing = (await admin.unsafe<{ rolname: string }[]>(`SELECT rolname FROM pg_roles WHERE rolname = ANY($1)`, [APPLICATION_ROLES])).map((r) => r.rolname);
    const client = as(intruder);
    try {
      // The grants are real: the intruder may read the trail.
      expect((await client.unsafe(`SELECT count(*) FROM audit.trail`))[0]!.count).toBe(String(before.length));
      for (const role of [intruder, ...existing]) {
        for (const statement of attempts(partition)) {
          const error = await client
            .begin(async (tx) => {
              if (role !== intruder) await admin.unsafe(`GRANT ${role} TO ${intruder}`);
              if (role !== intruder) await tx.unsafe(`SET LOCAL ROLE ${role}`);
              await tx.unsafe(statement);
            })
            .then(() => undefined, (e: { code?: string }) => e);
          expect(error?.code, `${role}: ${statement}`).toBe('42501');
        }
        if (role !== intruder) await admin.unsafe(`REVOKE ${role} FROM ${intruder}`);
      }
    } finally {
      await client.end();
    }
    expect(await admin.unsafe(`SELECT * FROM audit.trail ORDER BY id`)).toEqual(before);
    // Even the owner cannot update or delete a row by accident.
    for (const statement of [`UPDATE audit.trail SET login = 'x'`, `DELETE FROM audit.trail`, `TRUNCATE audit.trail`]) {
      await expect(admin.unsafe(statement), statement).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('lets the owner rewrite only old and new, under ecomdb.audit_redact (erasure)', async () => {
    await admin.begin(async (tx) => {
      await tx.unsafe(`SET LOCAL ecomdb.audit_redact = on`);
      const changed = await tx.unsafe(`UPDATE audit.trail SET old = old || '{"name": "erased"}' WHERE old ? 'name' RETURNING id`);
      expect(changed.length).toBe(3);
      const refused = await tx.savepoint((sp) => sp.unsafe(`UPDATE audit.trail SET login = 'someone else'`)).then(() => undefined, (e: { code?: string }) => e);
      expect(refused?.code).toBe('42501');
    });
    const names = await admin.unsafe<{ name: string }[]>(`SELECT old->>'name' AS name FROM audit.trail WHERE old ? 'name'`);
    expect(names.map((n) => n.name)).toEqual(['erased', 'erased', 'erased']);
  });

  it('partition months keeps the trail months ahead, each guarded against TRUNCATE', async () => {
    const run = await ecomdb(['partition', 'months', '--ahead', '6', '--url', db.url, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const months = await admin.unsafe<{ name: string; guarded: boolean }[]>(
      `SELECT c.relname AS name, EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'trail_no_truncate') AS guarded
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit.trail'::regclass ORDER BY 1`,
    );
    const now = monthOf(new Date());
    expect(months.map((m) => m.name)).toEqual(expect.arrayContaining([0, 1, 2, 3, 4, 5, 6].map((n) => `trail_${addMonths(now, n).replace('-', '_')}`)));
    expect(months.every((m) => m.guarded)).toBe(true);
  });

  it('audit tail prints the trail oldest first, filtered by table, time and count; refusals exit 18', async () => {
    const all = await ecomdb(['audit', 'tail', '--url', db.url, '--json']);
    expect(all.code, all.stderr).toBe(0);
    const rows = (JSON.parse(all.stdout) as { rows: { op: string; table: string; login: string; userId: string }[] }).rows;
    expect(rows.map((r) => `${r.table} ${r.op}`)).toEqual([
      'user_management.users INSERT',
      'user_management.users UPDATE',
      'product_catalog.categories INSERT',
      'product_catalog.categories DELETE',
      'user_management.users DELETE',
    ]);
    expect(rows[0]).toMatchObject({ login: actor, userId: '777' });

    const users = await ecomdb(['audit', 'tail', '--table', 'users', '--limit', '2', '--url', db.url, '--json']);
    expect(users.code, users.stderr).toBe(0);
    expect((JSON.parse(users.stdout) as { rows: { op: string }[] }).rows.map((r) => r.op)).toEqual(['UPDATE', 'DELETE']);

    const human = await ecomdb(['audit', 'tail', '--table', 'product_catalog.categories', '--url', db.url]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout + human.stderr).toContain('2 change(s) of product_catalog.categories');

    const future = await ecomdb(['audit', 'tail', '--since', '2999-01-01', '--url', db.url, '--json']);
    expect((JSON.parse(future.stdout) as { rows: unknown[] }).rows).toEqual([]);

    const unknown = await ecomdb(['audit', 'tail', '--table', 'orders', '--url', db.url]);
    expect([unknown.code, errorCode(unknown)]).toEqual([18, 'E_AUDIT_TABLE']);
    const badSince = await ecomdb(['audit', 'tail', '--since', 'yesterday', '--url', db.url]);
    expect([badSince.code, errorCode(badSince)]).toEqual([2, 'E_USAGE']);

    const reader = new URL(db.url);
    reader.username = actor;
    const forbidden = await ecomdb(['audit', 'tail', '--url', reader.toString()]);
    expect([forbidden.code, errorCode(forbidden)]).toEqual([18, 'E_AUDIT_FORBIDDEN']);

    const empty = await fresh('audit_none', { migrated: false });
    const missing = await ecomdb(['audit', 'tail', '--url', empty.url]);
    expect([missing.code, errorCode(missing)]).toEqual([18, 'E_AUDIT_NOT_INSTALLED']);
  });

  it('every audited table carries the trigger, and the trigger functions fix their search_path', async () => {
    const triggers = await admin.unsafe<{ tbl: string }[]>(
      `SELECT c.relnamespace::regnamespace::text || '.' || c.relname AS tbl FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE t.tgname = 'audit_trail' AND t.tgenabled = 'O' ORDER BY 1`,
    );
    expect(triggers.map((t) => t.tbl).sort()).toEqual(auditedTableIds().sort());
    const functions = await admin.unsafe<{ name: string; definer: boolean; config: string[] }[]>(
      `SELECT p.proname AS name, p.prosecdef AS definer, p.proconfig AS config FROM pg_proc p WHERE p.pronamespace = 'audit'::regnamespace ORDER BY 1`,
    );
    expect(functions).toEqual([
      { name: 'record', definer: true, config: ['search_path=pg_catalog, pg_temp'] },
      { name: 'refuse_change', definer: false, config: ['search_path=pg_catalog, pg_temp'] },
    ]);
  });
});

describe('audit trail on PGlite', () => {
  const pglite = pgliteForBlock({ migrated: true });

  it('records changes, refuses to change the trail (even to a role granted everything), and tail reads it', async () => {
    const pg = pglite();
    const [{ login }] = (await pg.query<{ login: string }>(`SELECT session_user AS login`)).rows as [{ login: string }];
    for (const statement of CHANGES) await pg.exec(statement);
    expectChangesRecorded((await pg.query<Row>(TRAIL_ROWS)).rows, login);

    const role = `ecomdb_t_pglite_${randomBytes(3).toString('hex')}`;
    await pg.exec(`CREATE ROLE ${role}; GRANT USAGE ON SCHEMA audit TO ${role}; GRANT ALL ON ALL TABLES IN SCHEMA audit TO ${role}`);
    const [{ partition }] = (await pg.query<{ partition: string }>(
      `SELECT c.relname AS partition FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit.trail'::regclass ORDER BY 1 LIMIT 1`,
    )).rows as [{ partition: string }];
    for (const statement of attempts(partition)) {
      await pg.exec('BEGIN');
      await pg.exec(`SET LOCAL ROLE ${role}`);
      const error = await pg.exec(statement).then(() => undefined, (e: { code?: string }) => e);
      await pg.exec('ROLLBACK');
      expect(error?.code, statement).toBe('42501');
    }
    const rows = await tail({ query: async (text, params) => (await pg.query(text, params as unknown[])).rows as never, exec: async () => {}, copyFrom: async () => {} }, { table: 'user_management.users', limit: 10 });
    expect(rows.map((r) => r.op)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
  });
});

describe('the trail months in the partition planner', () => {
  it('plans the missing months of the trail from now to now + ahead, with its TRUNCATE guard', () => {
    const plan = monthsPlan(
      { tables: [], views: [], foreignKeys: [], currentUser: 'postgres', serverVersion: 150000,
        monthlyOnly: [{ schema: 'audit', name: 'trail', id: 'audit.trail', owner: 'owner', months: ['2026-11'], partitionTriggers: ['CREATE TRIGGER g BEFORE TRUNCATE ON {partition} FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();'] }] },
      { month: '2026-12', ahead: 2 },
    );
    expect(plan.steps.map((s) => s.table)).toEqual(['audit.trail']);
    const sql = plan.steps[0]!.sql.join('\n');
    expect(sql).toContain(`CREATE TABLE "audit"."trail_2026_12" PARTITION OF "audit"."trail"`);
    expect(sql).toContain(`"audit"."trail_2027_02"`);
    expect(sql).not.toContain('trail_2026_11"');
    expect(sql).toContain('ALTER TABLE "audit"."trail_2027_01" OWNER TO "owner";');
    expect(sql).toContain('BEFORE TRUNCATE ON "audit"."trail_2027_01" FOR EACH STATEMENT');
  });

  it('declares the audited tables once, each with its key', () => {
    expect(AUDITED_TABLES.map((a) => tableId(a.table))).toEqual(expect.arrayContaining(['user_management.users', 'seller_management.stores', 'payments.payments', 'order_processing.coupons', 'user_management.roles']));
  });
});

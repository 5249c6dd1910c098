/**
 * `ecomdb partition` on a seeded database, on the real server and on PGlite: apply keeps every
 * row and every constraint, queries are pruned to the expected partitions, add / detach / months
 * work and are idempotent, and later migrations still apply to the partitioned tables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Session } from '../../src/db/types.ts';
import { MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { readMigrations } from '../../src/migrations/files.ts';
import { runMigrations } from '../../src/migrations/run.ts';
import { readCatalog, regionTables } from '../../src/partition/catalog.ts';
import { explainQuery } from '../../src/partition/inspect.ts';
import { addMonths, monthOf } from '../../src/partition/months.ts';
import { addSitePlan, applyPlan, detachSitePlan, monthsPlan } from '../../src/partition/plan.ts';
import { runPartition } from '../../src/partition/run.ts';
import { seedDatabase } from '../../src/seed/load.ts';
import { seedOptions } from '../../src/cli/flags.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { PARTITION_LAYOUT } from '../../schema/partitions.ts';
import { ALL_TABLES, checksums, type TableChecksum } from '../helpers/checksums.ts';
import { createMigratedDatabase, migratedPglite, type TestDatabase } from '../helpers/db.ts';
import { addMigration, copyMigrations } from '../helpers/migrations.ts';

const UNTIL = '2026-11-01';
const SEED = seedOptions({ scale: '1', seed: '7', regions: 'MLB,MLA,MLM,MCO,MLC,MLU,MPE', until: UNTIL, days: '60', check: true });
const today = () => monthOf(new Date());
const apply = (db: Database) => runPartition(db, (s) => applyPlan(s, { month: today() }));

interface Target {
  name: string;
  open(): Promise<{ db: Database; close(): Promise<void>; url?: string }>;
}

const role = `ecomdb_part_${process.pid}`;

const TARGETS: Target[] = [
  {
    name: 'PostgreSQL server',
    async open() {
      const test: TestDatabase = await createMigratedDatabase('partition');
      const db = await openPostgres(test.url);
      return {
        db,
        url: test.url,
        async close() {
          await db.close();
          await test.drop();
        },
      };
    },
  },
  {
    name: 'PGlite',
    async open() {
      const { db } = await migratedPglite();
      return { db, close: () => db.close() };
    },
  },
];

async function counts(s: Session, where: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ALL_TABLES) {
    const has = await s.query<{ n: number }>(`select count(*)::int as n from information_schema.columns where table_schema || '.' || table_name = $1 and column_name = 'region'`, [t.replaceAll('"', '')]);
    if (has[0]!.n === 0) continue;
    const [r] = await s.query<{ n: number }>(`select count(*)::int as n from ${t} where ${where}`);
    out[t] = r!.n;
  }
  return out;
}

/** Run `write` under a savepoint; the SQLSTATE it fails with, or null. */
async function attempt(s: Session, write: string): Promise<string | null> {
  await s.exec('SAVEPOINT w');
  try {
    await s.exec(write);
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? 'unknown';
  } finally {
    await s.exec('ROLLBACK TO SAVEPOINT w');
  }
}

/** Insert MLB orders one by one, autocommit, until stopped; the count and the longest single insert. */
function backgroundWriter(url: string) {
  let running = true;
  const done = (async () => {
    const db = await openPostgres(url);
    let count = 0;
    let maxMs = 0;
    let error: string | null = null;
    try {
      await db.session(async (s) => {
        const [u] = await s.query<{ id: number; address: number }>(
          `select u.id, a.id as address from user_management.users u join user_management.addresses a on a.region = u.region and a.user_id = u.id where u.region = 'MLB' limit 1`,
        );
        while (running) {
          const t0 = performance.now();
          await s.query(
            `INSERT INTO order_processing.orders (region, buyer_id, status_id, shipping_address_id, total, currency, created_at) VALUES ('MLB', $1, 1, $2, 0, 'BRL', now())`,
            [u!.id, u!.address],
          );
          maxMs = Math.max(maxMs, performance.now() - t0);
          count++;
          await new Promise((r) => setTimeout(r, 5));
        }
      });
    } catch (e) {
      error = (e as Error).message;
    } finally {
      await db.close();
    }
    return { count, maxMs, error };
  })();
  return {
    stop: async () => {
      running = false;
      return done;
    },
  };
}

describe.each(TARGETS)('ecomdb partition on $name', (target) => {
  let handle: Awaited<ReturnType<Target['open']>>;
  let db: Database;
  let before: Record<string, TableChecksum>;
  let firstApply: Awaited<ReturnType<typeof apply>>;

  beforeAll(async () => {
    handle = await target.open();
    db = handle.db;
    await seedDatabase(db, readMigrations(MIGRATIONS_DIR), SEED);
    await db.session(async (s) => {
      // Things a DBA adds by hand, which a rebuild must not lose.
      await s.exec(`DO $$ BEGIN CREATE ROLE ${role}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
      await s.exec(`GRANT SELECT ON order_processing.orders TO ${role}`);
      await s.exec(`GRANT SELECT (id, region, name) ON user_management.users TO ${role}`);
      await s.exec(`ALTER TABLE order_processing.coupons ENABLE ROW LEVEL SECURITY`);
      await s.exec(`CREATE POLICY coupons_active ON order_processing.coupons FOR SELECT TO ${role} USING (is_active)`);
      await s.exec(`CREATE PUBLICATION ecomdb_part_mla FOR TABLE user_management.users WHERE (region = 'MLA') WITH (publish_via_partition_root = true)`);
      before = await checksums(s);
    });
    firstApply = await apply(db);
  }, 180_000);

  afterAll(async () => {
    try {
      await handle?.db.session(async (s) => {
        await s.exec(`DROP PUBLICATION IF EXISTS ecomdb_part_mla`);
        await s.exec(`DROP POLICY IF EXISTS coupons_active ON order_processing.coupons`);
        // Its table and column privileges go with it.
        await s.exec(`DROP OWNED BY ${role}`);
        await s.exec(`DROP ROLE IF EXISTS ${role}`);
      });
    } finally {
      await handle?.close();
    }
  });

  it('apply rebuilt every region-scoped table, and kept every row of every table (counts and checksums)', async () => {
    expect(firstApply.plan.steps.length).toBeGreaterThan(20);
    const after = await db.session(checksums);
    expect(Object.keys(after)).toHaveLength(25);
    expect(after).toEqual(before);
    for (const t of ALL_TABLES) expect(before[t]!.rows, t).toBeGreaterThan(0);
  });

  it('every region-scoped table has the declared layout: LIST by region, monthly RANGE where declared', async () => {
    const snapshot = await db.session((s) => readCatalog(s));
    // 19 region-scoped tables; the 6 reference tables stay plain.
    expect(snapshot.tables.map((t) => t.id)).toEqual(regionTables());
    expect(snapshot.tables).toHaveLength(19);
    for (const t of snapshot.tables) {
      expect(t.partitionKey, t.id).toBe('LIST (region)');
      const sites = t.partitions.map((p) => (p.bound.kind === 'list' ? p.bound.values.join() : p.bound.kind));
      expect(sites.sort(), t.id).toEqual([...PARTITION_LAYOUT.sites, 'default'].sort());
      const monthly = PARTITION_LAYOUT.monthly[t.id];
      for (const p of t.partitions) {
        if (!monthly) expect(p.children, t.id).toEqual([]);
        else {
          const months = p.children.map((c) => (c.bound.kind === 'month' ? c.bound.month : '?'));
          expect(months, p.name).toContain(addMonths(today(), PARTITION_LAYOUT.monthsAhead));
          expect(months, p.name).toContain('2026-09');
        }
      }
    }
  });

  it('a second apply plans nothing and changes nothing', async () => {
    const again = await apply(db);
    expect(again.plan.steps).toEqual([]);
    expect(await db.session(checksums)).toEqual(before);
  });

  it('kept comments, table and column grants, row-level security, policies and publications', async () => {
    await db.session(async (s) => {
      const [c] = await s.query<{ c: string }>(`select obj_description('order_processing.orders'::regclass, 'pg_class') as c`);
      expect(c!.c).toMatch(/^A purchase by one buyer/);
      const [col] = await s.query<{ c: string }>(`select col_description('order_processing.orders'::regclass, 2) as c`);
      expect(col!.c).toMatch(/Surrogate key/);
      const [g] = await s.query<{ ok: boolean }>(`select has_table_privilege('${role}', 'order_processing.orders', 'SELECT') as ok`);
      expect(g!.ok).toBe(true);
      const [cg] = await s.query<{ name: boolean; email: boolean }>(
        `select has_column_privilege('${role}', 'user_management.users', 'name', 'SELECT') as name,
                has_column_privilege('${role}', 'user_management.users', 'email', 'SELECT') as email`,
      );
      expect(cg).toEqual({ name: true, email: false });
      const [r] = await s.query<{ rls: boolean }>(`select relrowsecurity as rls from pg_class where oid = 'order_processing.coupons'::regclass`);
      expect(r!.rls).toBe(true);
      const policies = await s.query<{ policyname: string; qual: string }>(`select policyname, qual from pg_policies where tablename = 'coupons'`);
      expect(policies).toContainEqual({ policyname: 'coupons_active', qual: 'is_active' });
      // Every partition carries the parent's policies (a query naming it is filtered by its own).
      const onPartition = await s.query<{ policyname: string }>(`select policyname from pg_policies where tablename = 'coupons_mla'`);
      expect(onPartition.map((p) => p.policyname).sort()).toEqual(policies.map((p) => p.policyname).sort());
      const pub = await s.query<{ tablename: string; rowfilter: string }>(`select tablename, rowfilter from pg_publication_tables where pubname = 'ecomdb_part_mla'`);
      expect(pub).toHaveLength(1);
      expect(pub[0]!.tablename).toBe('users');
      expect(pub[0]!.rowfilter).toMatch(/region = 'MLA'/);
      const [seq] = await s.query<{ owner: string }>(`select pg_get_serial_sequence('order_processing.orders', 'id') as owner`);
      expect(seq!.owner).toBe('order_processing.orders_id_seq');
    });
  });

  it('region-scoped queries are planned on exactly the expected partitions', async () => {
    await db.session(async (s) => {
      const snapshot = await readCatalog(s);
      const orders = snapshot.tables.find((t) => t.id === 'order_processing.orders')!;
      const mlaMonths = orders.partitions.find((p) => p.name === 'orders_mla')!.children.map((c) => `order_processing.${c.name}`).sort();
      const region = await explainQuery(s, `select * from order_processing.orders where region = 'MLA'`);
      expect(region.relations.sort()).toEqual(mlaMonths);
      const month = await explainQuery(s, `select * from order_processing.orders where region = 'MLA' and created_at >= '2026-10-01 00:00+00' and created_at < '2026-11-01 00:00+00'`);
      expect(month.relations).toEqual(['order_processing.orders_mla_2026_10']);
      const lines = await explainQuery(
        s,
        `select d.product_id, sum(d.quantity) from order_processing.order_details d
          where d.region = 'MLM' and d.order_created_at >= '2026-10-01 00:00+00' and d.order_created_at < '2026-11-01 00:00+00' group by 1`,
      );
      expect(lines.relations).toEqual(['order_processing.order_details_mlm_2026_10']);
      expect((await explainQuery(s, `select * from user_management.users where region = 'MCO' and id = 3`)).relations).toEqual(['user_management.users_mco']);
      // A site without a partition of its own reads DEFAULT only.
      expect((await explainQuery(s, `select * from user_management.users where region = 'MLU'`)).relations).toEqual(['user_management.users_default']);
      // Without the region every site is read: the contrast the student should see.
      expect((await explainQuery(s, `select * from user_management.users where id = 3`)).relations).toHaveLength(PARTITION_LAYOUT.sites.length + 1);
    });
  });

  it('constraints still refuse bad writes across partitions, and their valid twins pass', async () => {
    await db.session(async (s) => {
      await s.exec('BEGIN');
      try {
        const [o] = await s.query<{ id: number; at: string; product: number }>(
          `select o.id, o.created_at::text as at, (select p.id from product_catalog.products p where p.region = 'MLA' and p.id not in
              (select product_id from order_processing.order_details where region = 'MLA' and order_id = o.id) limit 1) as product
             from order_processing.orders o where o.region = 'MLA' order by o.id limit 1`,
        );
        const line = (region: string, at: string) =>
          `INSERT INTO order_processing.order_details (region, order_id, order_created_at, product_id, quantity, unit_price) VALUES ('${region}', ${o!.id}, '${at}', ${o!.product}, 1, 10)`;
        expect(await attempt(s, line('MLA', o!.at))).toBeNull();
        // The same order id and time under another site: no such order there (co-location).
        expect(await attempt(s, line('MLB', o!.at))).toBe('23503');
        // The right site, the order's id, but another month: another order's key, which does not exist.
        expect(await attempt(s, line('MLA', '2026-10-15 00:00:00+00'))).toBe('23503');
        // CHECK on the partitioned parent.
        expect(await attempt(s, `UPDATE order_processing.orders SET total = -1 WHERE region = 'MLA' AND id = ${o!.id}`)).toBe('23514');
        expect(await attempt(s, `UPDATE order_processing.orders SET total = total WHERE region = 'MLA' AND id = ${o!.id}`)).toBeNull();
        // Primary key inside a partition.
        expect(await attempt(s, `INSERT INTO order_processing.orders SELECT * FROM order_processing.orders WHERE region = 'MLA' AND id = ${o!.id}`)).toBe('23505');
        // A referenced row cannot go while its lines point at it (RESTRICT from payments).
        const [paid] = await s.query<{ id: number }>(`select order_id as id from payments.payments where region = 'MLA' limit 1`);
        expect(await attempt(s, `DELETE FROM order_processing.orders WHERE region = 'MLA' AND id = ${paid!.id}`)).toMatch(/^23(001|503)$/);
      } finally {
        await s.exec('ROLLBACK');
      }
    });
  });

  it(`add MLC moves every MLC row out of DEFAULT into MLC's own partitions, losing and duplicating nothing`, async () => {
    const mlcBefore = await db.session((s) => counts(s, `region = 'MLC'`));
    expect(Object.values(mlcBefore).reduce((a, b) => a + b)).toBeGreaterThan(100);
    // A publication that carries MLC's rows would see them deleted and never inserted: refused,
    // nothing changed. (ecomdb_part_mla, filtered to MLA, is no obstacle.)
    await db.session((s) => s.exec(`CREATE PUBLICATION ecomdb_part_all FOR TABLE messaging.messages WITH (publish_via_partition_root = true)`));
    try {
      await expect(runPartition(db, (s) => addSitePlan(s, 'MLC', { month: today() }))).rejects.toMatchObject({
        code: 'E_PARTITION_STATE',
        message: expect.stringContaining('publication ecomdb_part_all publishes MLC'),
      });
      expect(await db.session((s) => counts(s, `region = 'MLC'`))).toEqual(mlcBefore);
    } finally {
      await db.session((s) => s.exec(`DROP PUBLICATION ecomdb_part_all`));
    }
    let writerDuringMove: string | null = 'not run';
    const hooks =
      handle.url === undefined
        ? {}
        : {
            // While add holds its locks on DEFAULT, another session writes to MLB and commits.
            afterMove: async () => {
              const other = await openPostgres(handle.url!);
              try {
                writerDuringMove = await other.session(async (s) => {
                  await s.exec(`SET statement_timeout = '10s'`);
                  const [u] = await s.query<{ id: number; address: number }>(
                    `select u.id, a.id as address from user_management.users u join user_management.addresses a on a.region = u.region and a.user_id = u.id where u.region = 'MLB' limit 1`,
                  );
                  try {
                    await s.exec(
                      `INSERT INTO order_processing.orders (region, buyer_id, status_id, shipping_address_id, total, currency, created_at)
                       VALUES ('MLB', ${u!.id}, 1, ${u!.address}, 0, 'BRL', now())`,
                    );
                    return null;
                  } catch (error) {
                    return (error as Error).message;
                  }
                });
              } finally {
                await other.close();
              }
            },
          };
    // On the server, a second writer inserts MLB orders for the whole of the add, timing each.
    const writer = handle.url === undefined ? null : backgroundWriter(handle.url);
    const result = await runPartition(db, (s) => addSitePlan(s, 'MLC', { month: today() }), { hooks });
    const written = await writer?.stop();
    console.info(
      `[${target.name}] add MLC: rows moved with only DEFAULT locked in ${Math.round(result.report.phaseMs.move!)} ms; ` +
        `strong locks (attach phase) held ${Math.round(result.report.phaseMs.attach!)} ms` +
        (written ? `; a concurrent MLB writer committed ${written.count} orders meanwhile, its longest wait ${Math.round(written.maxMs)} ms` : ''),
    );
    if (handle.url !== undefined) {
      expect(writerDuringMove, 'a writer to MLB during the move phase').toBeNull();
      expect(written!.error).toBeNull();
      expect(written!.count).toBeGreaterThan(0);
    }
    await db.session(async (s) => {
      expect(await counts(s, `region = 'MLC'`)).toEqual(mlcBefore);
      for (const [table, n] of Object.entries(mlcBefore)) {
        const [part] = await s.query<{ n: number }>(`select count(*)::int as n from ${table.replace(/"$/, '_mlc"')}`);
        expect(part!.n, table).toBe(n);
        const [left] = await s.query<{ n: number }>(`select count(*)::int as n from ${table.replace(/"$/, '_default"')} where region = 'MLC'`);
        expect(left!.n, table).toBe(0);
      }
      const after = await checksums(s);
      const orders = '"order_processing"."orders"';
      for (const t of ALL_TABLES) if (t !== orders || handle.url === undefined) expect(after[t], t).toEqual(before[t]);
    });
    const again = await runPartition(db, (s) => addSitePlan(s, 'MLC', { month: today() }));
    expect(again.plan.steps).toEqual([]);
  });

  it('months --ahead creates the future months, is idempotent, and a row of the last month lands in it', async () => {
    const ahead = PARTITION_LAYOUT.monthsAhead + 3;
    const first = await runPartition(db, (s) => monthsPlan(s, { month: today(), ahead }));
    // One step per monthly table, and one for each table split by month only (the audit trail).
    expect(first.plan.steps.length).toBe(Object.keys(PARTITION_LAYOUT.monthly).length + Object.keys(PARTITION_LAYOUT.monthlyOnly).length);
    const again = await runPartition(db, (s) => monthsPlan(s, { month: today(), ahead }));
    expect(again.plan.steps).toEqual([]);
    const last = addMonths(today(), ahead);
    await db.session(async (s) => {
      await s.exec('BEGIN');
      try {
        const [u] = await s.query<{ id: number; address: number }>(
          `select u.id, a.id as address from user_management.users u join user_management.addresses a on a.region = u.region and a.user_id = u.id where u.region = 'MLM' limit 1`,
        );
        const [row] = await s.query<{ part: string }>(
          `INSERT INTO order_processing.orders (region, buyer_id, status_id, shipping_address_id, total, currency, created_at)
           VALUES ('MLM', $1, 1, $2, 0, 'MXN', '${last}-15 12:00:00+00') RETURNING tableoid::regclass::text as part`,
          [u!.id, u!.address],
        );
        expect(row!.part).toBe(`order_processing.orders_mlm_${last.replace('-', '_')}`);
        // One month further has no partition: refused, never parked in a default.
        expect(await attempt(s, `INSERT INTO order_processing.orders (region, buyer_id, status_id, shipping_address_id, total, currency, created_at)
           VALUES ('MLM', ${u!.id}, 1, ${u!.address}, 0, 'MXN', '${addMonths(last, 1)}-15 12:00:00+00')`)).toBe('23514');
      } finally {
        await s.exec('ROLLBACK');
      }
    });
  });

  it('detach MLC moves its partitions into the archive schema, rows intact; a second detach does nothing; after coming back, MLC can leave again', async () => {
    const mlc = await db.session((s) => counts(s, `region = 'MLC'`));
    const result = await runPartition(db, (s) => detachSitePlan(s, 'MLC', '{table}_{region}_2026'));
    expect(result.plan.steps.length).toBe(1 + 19);
    await db.session(async (s) => {
      expect(Object.values(await counts(s, `region = 'MLC'`)).every((n) => n === 0)).toBe(true);
      for (const [table, n] of Object.entries(mlc)) {
        const name = table.split('.')[1]!.replaceAll('"', '');
        const [r] = await s.query<{ n: number }>(`select count(*)::int as n from archive.${name}_mlc_2026`);
        expect(r!.n, table).toBe(n);
      }
      // The archive no longer draws ids from the live sequences.
      const [seqDefaults] = await s.query<{ n: number }>(
        `select count(*)::int as n from pg_attrdef d join pg_class c on c.oid = d.adrelid join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'archive' and pg_get_expr(d.adbin, d.adrelid) like 'nextval%'`,
      );
      expect(seqDefaults!.n).toBe(0);
      // The month partitions follow their parent's new name, and nothing of MLC stays behind.
      const months = await s.query<{ schema: string; name: string }>(
        `select schemaname as schema, tablename as name from pg_tables where tablename like 'orders\\_mlc\\_%' order by 1, 2`,
      );
      expect(months.length).toBeGreaterThan(2);
      for (const m of months) {
        expect(m.schema).toBe('archive');
        expect(m.name).toMatch(/^orders_mlc_2026(_\d{4}_\d{2})?$/);
      }
    });
    const again = await runPartition(db, (s) => detachSitePlan(s, 'MLC', '{table}_{region}_2026'));
    expect(again.plan.steps).toEqual([]);

    // The site comes back and leaves again under another name: its indexes, renamed with their
    // tables the first time, do not collide in the archive.
    await runPartition(db, (s) => addSitePlan(s, 'MLC', { month: today() }));
    await runPartition(db, (s) => detachSitePlan(s, 'MLC', '{table}_{region}_2027'));
    await db.session(async (s) => {
      const idx = await s.query<{ name: string }>(
        `select indexname as name from pg_indexes where schemaname = 'archive' and tablename in ('orders_mlc_2026', 'orders_mlc_2027') and indexname like '%pkey' order by 1`,
      );
      expect(idx.map((i) => i.name)).toEqual(['orders_mlc_2026_pkey', 'orders_mlc_2027_pkey']);
    });
  });

  it('a later migration (column, index, check) applies to the partitioned tables and their partitions', async () => {
    const dir = copyMigrations();
    addMigration(
      dir,
      'gift_note',
      [
        `ALTER TABLE "order_processing"."orders" ADD COLUMN "gift_note" text;`,
        `CREATE INDEX "orders_region_gift_note_idx" ON "order_processing"."orders" USING btree ("region", "gift_note");`,
        `ALTER TABLE "order_processing"."orders" ADD CONSTRAINT "orders_gift_note_check" CHECK (length(gift_note) <= 200);`,
      ].join('\n--> statement-breakpoint\n'),
    );
    await runMigrations(db, readMigrations(dir));
    await db.session(async (s) => {
      const [col] = await s.query<{ n: number }>(
        `select count(*)::int as n from information_schema.columns where table_schema = 'order_processing' and table_name = 'orders_mla_2026_10' and column_name = 'gift_note'`,
      );
      expect(col!.n).toBe(1);
      const idx = await s.query<{ indexdef: string }>(`select indexdef from pg_indexes where schemaname = 'order_processing' and tablename = 'orders_mla_2026_10' and indexdef like '%gift_note%'`);
      expect(idx).toHaveLength(1);
      await s.exec('BEGIN');
      try {
        expect(await attempt(s, `UPDATE order_processing.orders SET gift_note = repeat('x', 201) WHERE region = 'MLA'`)).toBe('23514');
        expect(await attempt(s, `UPDATE order_processing.orders SET gift_note = 'feliz cumple' WHERE region = 'MLA'`)).toBeNull();
      } finally {
        await s.exec('ROLLBACK');
      }
    });
  });
});

describe('seeding a partitioned database on the server', () => {
  it('keeps the lock table well within a default server: at most half of max_locks_per_transaction × max_connections', async () => {
    const test = await createMigratedDatabase('part_locks');
    const db = await openPostgres(test.url);
    try {
      await apply(db);
      const [settings] = await test.sql<{ per: number; conns: number }[]>`
        select current_setting('max_locks_per_transaction')::int as per, current_setting('max_connections')::int as conns`;
      // Every partition, index, constraint and trigger the seed's transaction touches stays
      // locked until its COMMIT; dropping and rebuilding the foreign keys of the partitioned
      // tables took ~8,000 lock slots at scale 1 (the lock table of a default server holds
      // about 7,800 in all, shared by every connection), so the seed keeps those keys in place.
      let phase = '';
      let peak = 0;
      const poll = setInterval(() => {
        const during = phase.startsWith('seed:');
        void test.sql<{ n: number }[]>`
          select count(distinct (locktype, relation, objid, classid, objsubid))::int as n
            from pg_locks where database = (select oid from pg_database where datname = current_database()) and pid <> pg_backend_pid()`.then(
          ([r]) => {
            if (during) peak = Math.max(peak, r!.n);
          },
          () => {},
        );
      }, 25);
      try {
        await seedDatabase(db, readMigrations(MIGRATIONS_DIR), { ...SEED, onPhase: (p) => (phase = `seed: ${p}`), onTableStart: () => (phase ||= 'seed: load') });
      } finally {
        clearInterval(poll);
      }
      const budget = (settings!.per * settings!.conns) / 2;
      console.log(`partitioned seed: peak ${peak} lock slots in its transaction (budget ${budget})`);
      expect(peak).toBeGreaterThan(100);
      expect(peak).toBeLessThan(budget);
    } finally {
      await db.close();
      await test.drop();
    }
  });
});

describe('seeding a partitioned PGlite database', () => {
  it('loads the same rows whether the keys of partitioned tables are rebuilt after the load or kept during it', async () => {
    const sums: Record<string, Record<string, TableChecksum>> = {};
    for (const keys of ['rebuild', 'keep'] as const) {
      const { db } = await migratedPglite();
      try {
        await apply(db);
        const phases: string[] = [];
        const result = await seedDatabase(db, readMigrations(MIGRATIONS_DIR), { ...SEED, partitionedKeys: keys, onPhase: (p) => phases.push(p) });
        expect(phases).toContain(`keys of partitioned tables: ${keys} (asked for)`);
        // Rebuilding covers the keys of partitioned tables too: many more definitions are rebuilt.
        const rebuilt = phases.find((p) => p.startsWith('rebuilding and validating'));
        const count = Number(/(\d+) constraints/.exec(rebuilt ?? '')?.[1]);
        if (keys === 'rebuild') expect(count).toBeGreaterThan(50);
        else expect(count).toBeLessThan(10);
        expect(result.rows).toBeGreaterThan(10_000);
        sums[keys] = await db.session((s) => checksums(s));
      } finally {
        await db.close();
      }
    }
    expect(Object.keys(sums.keep!)).toHaveLength(ALL_TABLES.length);
    expect(sums.keep).toEqual(sums.rebuild);
    // Two partitioned seeds on PGlite; every partition also gets its row-security policies.
  }, 300_000);
});

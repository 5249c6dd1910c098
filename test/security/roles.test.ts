/**
 * The seven roles in PostgreSQL, checked by connecting as each: a login made for the test in the
 * role's group runs the query library's operations through asUser() (SET LOCAL ROLE + the acting
 * user). On a plain and on a partitioned database: each role can do its work and not others';
 * buyers and sellers see and change only their own rows, through the parent and through a
 * partition named directly; BI analysts read no personal column; the roles apply twice and in a
 * second database.
 */
import { randomBytes } from 'node:crypto';
import { drizzle } from 'drizzle-orm/postgres-js';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addCategory,
  askQuestion,
  assignRole,
  asUser,
  banQuestion,
  cancelOrder,
  createCoupon,
  describeReference,
  maintenanceReport,
  moderateReview,
  openRoleSession,
  purgeSearchHistory,
  reactivateUser,
  signIn,
  suspendUser,
  updateCategory,
  orderHistory,
  payOrder,
  placeOrder,
  refreshBiViews,
  registerUser,
  searchProducts,
  storeSalesRanking,
  trackOrder,
  updateListing,
  type AccessDb,
  type PlacedOrder,
} from '../../src/access/index.ts';
import { IMPERSONAL_VIEWS, PERSONAL_COLUMNS, type RoleName } from '../../schema/security.ts';
import { ROLES } from '../../schema/values.ts';
import { roleStatements, securityStatements } from '../../src/generate/additions.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { grantLogin } from '../../src/roles/run.ts';
import { openTarget, type Target } from '../access/targets.ts';
import { HASH, makeWorld, type World } from '../access/world.ts';
import { createMigratedDatabase, SERVER_URL } from '../helpers/db.ts';

const suffix = randomBytes(3).toString('hex');
const loginOf = (role: RoleName) => `t_roles_${suffix}_${role}`;
const logins: string[] = [];

/** The SQLSTATE of a failure, through drizzle's wrapping. */
function sqlstate(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.cause?.code ?? e?.code;
}

/** Expect `work` to fail with a permission error (42501). */
async function denied(work: Promise<unknown>): Promise<void> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error, 'expected a permission error, but it succeeded').toBeDefined();
  expect(sqlstate(error), String((error as Error).message)).toBe('42501');
}

async function admin(): Promise<postgres.Sql> {
  return postgres(SERVER_URL, { max: 1, onnotice: () => {} });
}

afterAll(async () => {
  const a = await admin();
  try {
    for (const login of logins) await a.unsafe(`DROP ROLE IF EXISTS "${login}"`);
  } finally {
    await a.end();
  }
});

for (const kind of ['server', 'partitioned'] as const) {
  describe(`the seven roles, ${kind}`, () => {
    let t: Target;
    let w: World;
    let order: PlacedOrder;
    let order2: PlacedOrder;
    let dbUrl: string;
    const clients: postgres.Sql[] = [];
    const as = new Map<RoleName, AccessDb>();

    beforeAll(async () => {
      t = await openTarget(kind, `roles_${kind}`);
      w = await makeWorld(t);
      order = await placeOrder(t.db, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] });
      order2 = await placeOrder(t.db, { region: w.region, buyerId: w.buyer2, lines: [{ productId: w.headset, quantity: 1 }] });
      await payOrder(t.db, { region: w.region, buyerId: w.buyer, order, payments: [{ method: 'credit_card', amount: order.total, outcome: 'approved' }] });
      await payOrder(t.db, { region: w.region, buyerId: w.buyer2, order: order2, payments: [{ method: 'credit_card', amount: order2.total, outcome: 'approved' }] });
      await refreshBiViews(t.db);
      const [{ db }] = (await t.query<{ db: string }>('select current_database() as db')) as [{ db: string }];
      const url = new URL(SERVER_URL);
      url.pathname = `/${db}`;
      dbUrl = url.toString();
      const session = await openPostgres(dbUrl);
      try {
        for (const role of ROLES.map((r) => r.name)) {
          await session.session((s) => grantLogin(s, { name: loginOf(role), role }));
          if (!logins.includes(loginOf(role))) logins.push(loginOf(role));
          const login = new URL(dbUrl);
          login.username = loginOf(role);
          const client = postgres(login.toString(), { max: 1, onnotice: () => {} });
          clients.push(client);
          as.set(role, drizzle(client));
        }
      } finally {
        await session.close();
      }
    }, 240_000);

    afterAll(async () => {
      for (const c of clients) await c.end({ timeout: 5 });
      await t?.close();
    });

    const db = (role: RoleName) => as.get(role)!;

    it('each login is an ordinary login (no superuser, no BYPASSRLS) in its group', async () => {
      const rows = await t.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; member: boolean }>(
        `select r.rolname, r.rolsuper, r.rolbypassrls, pg_has_role(r.rolname, 'ecomdb_' || substr(r.rolname, length($1) + 1), 'member') as member
           from pg_roles r where r.rolname like $1 || '%' order by 1`,
        [`t_roles_${suffix}_`],
      );
      expect(rows).toHaveLength(7);
      for (const r of rows) expect(r).toMatchObject({ rolsuper: false, rolbypassrls: false, member: true });
    });

    it('buyer: places and lists their own orders; cannot read BI, another buyer\'s orders, or write coupons', async () => {
      const buyer = db('user');
      const placed = await asUser(buyer, { role: 'user', userId: w.buyer }, (tx) =>
        placeOrder(tx, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] }),
      );
      expect(placed.total).toBe('80.00');
      const mine = await asUser(buyer, { role: 'user', userId: w.buyer }, (tx) => orderHistory(tx, { region: w.region, buyerId: w.buyer }));
      expect(mine.orders.length).toBeGreaterThanOrEqual(2);
      // Forbidden: another buyer's history is empty, the BI views and coupons are refused.
      const theirs = await asUser(buyer, { role: 'user', userId: w.buyer }, (tx) => orderHistory(tx, { region: w.region, buyerId: w.buyer2 }));
      expect(theirs.orders).toHaveLength(0);
      await denied(asUser(buyer, { role: 'user', userId: w.buyer }, (tx) => storeSalesRanking(tx, { region: w.region })));
      await denied(asUser(buyer, { role: 'user', userId: w.buyer }, (tx) => tx.execute(sql`insert into order_processing.coupons (region, code, percentage, currency, max_uses, expires_at) values ('MLA', 'HACK1', 100, 'ARS', 9, now() + interval '1 day')`)));
      // Without an acting user a buyer sees nothing of anyone's.
      const nobody = await asUser(buyer, { role: 'user' }, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from order_processing.orders`));
      expect((nobody as unknown as { n: number }[])[0]!.n).toBe(0);
      // A read-only call writes nothing (25006); a nested transaction that fails rolls back to its savepoint only.
      const write = await asUser(buyer, { role: 'user', userId: w.buyer }, (tx) => tx.execute(sql`update user_management.users set phone = phone where id = ${w.buyer}`), { readOnly: true }).then(() => undefined, (e: unknown) => e);
      expect(sqlstate(write)).toBe('25006');
      const nested = await asUser(buyer, { role: 'user', userId: w.buyer }, async (tx) => {
        const failed = await tx.transaction(async (inner) => inner.execute(sql`select 1 / 0`)).then(() => 'ok', (e: unknown) => sqlstate(e));
        const [row] = (await tx.execute(sql`select count(*)::int as n from order_processing.orders`)) as unknown as { n: number }[];
        return { failed, n: row!.n };
      });
      expect(nested.failed).toBe('22012');
      expect(nested.n).toBeGreaterThan(0);
    });

    it('buyer and seller cannot read or change another\'s rows through the parent', async () => {
      const buyer = db('user');
      const counts = await asUser(buyer, { role: 'user', userId: w.buyer }, async (tx) => {
        const read = await tx.execute(sql`select count(*)::int as n from order_processing.orders where buyer_id = ${w.buyer2}`);
        const changed = await tx.execute(sql`update order_processing.orders set status_id = status_id where buyer_id = ${w.buyer2}`);
        const profile = await tx.execute(sql`select count(*)::int as n from user_management.users where id = ${w.buyer2}`);
        const addresses = await tx.execute(sql`update user_management.addresses set city = 'x' where user_id = ${w.buyer2}`);
        const payments = await tx.execute(sql`select count(*)::int as n from payments.payments where order_id = ${order2.id}`);
        return { read: (read as unknown as { n: number }[])[0]!.n, changed: (changed as unknown as { count: number }).count, profile: (profile as unknown as { n: number }[])[0]!.n, addresses: (addresses as unknown as { count: number }).count, payments: (payments as unknown as { n: number }[])[0]!.n };
      });
      expect(counts).toEqual({ read: 0, changed: 0, profile: 0, addresses: 0, payments: 0 });
      const tracked = await asUser(buyer, { role: 'user', userId: w.buyer }, (tx) => trackOrder(tx, { region: w.region, buyerId: w.buyer, order: order2 })).then(
        () => 'ok',
        (e: { code?: string }) => e.code,
      );
      expect(tracked).toBe('E_ACCESS_NOT_FOUND');
      const seller = db('seller');
      const s = await asUser(seller, { role: 'seller', userId: w.seller }, async (tx) => {
        const other = await tx.execute(sql`update product_catalog.products set price = 1 where region = ${w.region} and id = ${w.headset}`);
        const theirOrder = await tx.execute(sql`select count(*)::int as n from order_processing.orders where region = ${w.region} and id = ${order2.id}`);
        const ownOrder = await tx.execute(sql`select count(*)::int as n from order_processing.orders where region = ${w.region} and id = ${order.id}`);
        return { other: (other as unknown as { count: number }).count, theirOrder: (theirOrder as unknown as { n: number }[])[0]!.n, ownOrder: (ownOrder as unknown as { n: number }[])[0]!.n };
      });
      expect(s).toEqual({ other: 0, theirOrder: 0, ownOrder: 1 });
    });

    it('seller: updates their own listing; cannot read BI or create coupons', async () => {
      const seller = db('seller');
      const updated = await asUser(seller, { role: 'seller', userId: w.seller }, (tx) => updateListing(tx, { region: w.region, sellerId: w.seller, productId: w.phone, price: '990.00' }));
      expect(updated).toMatchObject({ price: '990.00' });
      await denied(asUser(seller, { role: 'seller', userId: w.seller }, (tx) => storeSalesRanking(tx, { region: w.region })));
      await denied(asUser(seller, { role: 'seller', userId: w.seller }, (tx) => tx.execute(sql`insert into order_processing.coupons (region, code, percentage, currency, max_uses, expires_at) values ('MLA', 'HACK2', 100, 'ARS', 9, now() + interval '1 day')`)));
    });

    it('marketing specialist: creates a coupon; cannot place orders or read personal data', async () => {
      const m = db('marketing_specialist');
      const coupon = await asUser(m, { role: 'marketing_specialist', userId: w.marketer }, (tx) =>
        createCoupon(tx, { region: w.region, actorId: w.marketer, code: `MKT-${w.tag}`, percentage: 5, maxUses: 3, expiresAt: new Date(Date.now() + 86_400_000) }),
      );
      expect(coupon).toBeDefined();
      await denied(asUser(m, { role: 'marketing_specialist', userId: w.marketer }, (tx) => placeOrder(tx, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] })));
      await denied(asUser(m, { role: 'marketing_specialist', userId: w.marketer }, (tx) => tx.execute(sql`select email from user_management.users limit 1`)));
    });

    it('BI analyst: reads the reports and the views without personal data; no personal column of any table', async () => {
      const bi = db('bi_analyst');
      const ranking = await asUser(bi, { role: 'bi_analyst' }, (tx) => storeSalesRanking(tx, { region: w.region }));
      expect(ranking.length).toBeGreaterThan(0);
      const live = await asUser(bi, { role: 'bi_analyst' }, (tx) => storeSalesRanking(tx, { region: w.region, live: true }));
      expect(live.length).toBeGreaterThan(0);
      for (const [table, columns] of Object.entries(PERSONAL_COLUMNS)) {
        for (const column of columns) await denied(asUser(bi, { role: 'bi_analyst' }, (tx) => tx.execute(sql.raw(`select ${column} from ${table} limit 1`))));
      }
      for (const view of IMPERSONAL_VIEWS) {
        const cols = await t.query<{ column_name: string }>(`select column_name from information_schema.columns where table_schema || '.' || table_name = $1`, [view.name]);
        expect(cols.length).toBeGreaterThan(0);
        for (const c of cols) expect(PERSONAL_COLUMNS[view.table]).not.toContain(c.column_name);
        // Every row, as the view's owner reads them (the BI analyst has no grant on the table).
        const rows = await asUser(bi, { role: 'bi_analyst' }, (tx) => tx.execute(sql.raw(`select count(*)::int as n from ${view.name}`)));
        const [all] = await t.query<{ n: number }>(`select count(*)::int as n from ${view.table}`);
        expect((rows as unknown as { n: number }[])[0]!.n).toBe(all!.n);
      }
      await denied(asUser(bi, { role: 'bi_analyst' }, (tx) => placeOrder(tx, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] })));
    });

    it('administrator: registers an account; cannot read password hashes or create coupons', async () => {
      const a = db('administrator');
      const made = await asUser(a, { role: 'administrator' }, (tx) =>
        registerUser(tx, { region: w.region, name: 'Flor', email: `flor.${w.tag}@example.com`.toLowerCase(), passwordHash: HASH }),
      );
      expect(made.userId).toBeGreaterThan(0);
      await denied(asUser(a, { role: 'administrator' }, (tx) => tx.execute(sql`select password_hash from user_management.users limit 1`)));
      await denied(asUser(a, { role: 'administrator' }, (tx) =>
        createCoupon(tx, { region: w.region, actorId: w.marketer, code: `ADM-${w.tag}`, percentage: 5, maxUses: 3, expiresAt: new Date(Date.now() + 86_400_000) }),
      ));
    });

    it('platform manager: searches the catalogue and adds a category; cannot place orders or create coupons', async () => {
      const p = db('platform_manager');
      const hits = await asUser(p, { role: 'platform_manager' }, (tx) => searchProducts(tx, { region: w.region, words: 'cable' }));
      expect(hits.length).toBeGreaterThan(0);
      await asUser(p, { role: 'platform_manager' }, (tx) => tx.execute(sql`insert into product_catalog.categories (parent_id, name, description) values (null, ${`Hogar ${w.tag}`}, 'Casa')`));
      await denied(asUser(p, { role: 'platform_manager' }, (tx) => placeOrder(tx, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] })));
      await denied(asUser(p, { role: 'platform_manager' }, (tx) =>
        createCoupon(tx, { region: w.region, actorId: w.marketer, code: `PM-${w.tag}`, percentage: 5, maxUses: 3, expiresAt: new Date(Date.now() + 86_400_000) }),
      ));
    });

    it('DBA: refreshes the BI views and changes the schema; reads no password hash and no message', async () => {
      const d = db('dba');
      await asUser(d, { role: 'dba' }, (tx) => refreshBiViews(tx));
      await asUser(d, { role: 'dba' }, async (tx) => {
        await tx.execute(sql`create table marketing.t_dba_scratch (id int)`);
        await tx.execute(sql`drop table marketing.t_dba_scratch`);
      });
      await denied(asUser(d, { role: 'dba' }, (tx) => tx.execute(sql`select password_hash from user_management.users limit 1`)));
      await denied(asUser(d, { role: 'dba' }, (tx) => tx.execute(sql`select body from messaging.messages limit 1`)));
    });

    /** One value of a query as the superuser (facts to compare, not the operation under test). */
    const fact = async (q: string, params: unknown[] = []) => Object.values((await t.query<Record<string, unknown>>(q, params))[0]!)[0];
    const one = (result: unknown) => Object.values((result as Record<string, unknown>[])[0]!)[0];

    it('buyer: stock and coupon uses change only through placing and cancelling an order, never by UPDATE', async () => {
      const buyer = db('user');
      const me = <T,>(work: (tx: AccessDb) => Promise<T>) => asUser(buyer, { role: 'user', userId: w.buyer }, work);
      // Forbidden: the counters of any listing or coupon, directly; through a partition named directly too.
      await denied(me((tx) => tx.execute(sql`update product_catalog.products set stock = 0 where region = ${w.region} and id = ${w.headset}`)));
      await denied(me((tx) => tx.execute(sql`update product_catalog.products set low_stock_since = now() where region = ${w.region} and id = ${w.headset}`)));
      await denied(me((tx) => tx.execute(sql`update order_processing.coupons set use_count = 0 where region = ${w.region} and code = ${w.percentCoupon}`)));
      if (kind === 'partitioned') await denied(me((tx) => tx.execute(sql`update product_catalog.products_mla set stock = 0 where id = ${w.headset}`)));
      const stock = () => fact(`select stock from product_catalog.products where region = $1 and id = $2`, [w.region, w.charger]);
      const uses = () => fact(`select use_count from order_processing.coupons where region = $1 and code = $2`, [w.region, w.percentCoupon]);
      const [stock0, uses0] = [await stock(), await uses()];
      // Allowed: an order with a coupon takes units and a use, its cancellation gives them back, under the policies.
      const placed = await me((tx) => placeOrder(tx, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 2 }], couponCode: w.percentCoupon }));
      expect(placed.couponId).not.toBeNull();
      expect([await stock(), await uses()]).toEqual([Number(stock0) - 2, Number(uses0) + 1]);
      const cancelled = await me((tx) => cancelOrder(tx, { region: w.region, buyerId: w.buyer, order: placed }));
      expect(cancelled).toMatchObject({ status: 'cancelled', couponReleased: true, restocked: [{ productId: w.charger, quantity: 2 }] });
      expect([await stock(), await uses()]).toEqual([stock0, uses0]);
      // Called by hand, the function gives back nothing twice, nor for another buyer's order.
      const again = await me((tx) => tx.execute(sql`select order_processing.release_order(${w.region}, ${placed.id}::bigint, ${placed.createdAt.toISOString()}::timestamptz) as v`));
      expect(one(again)).toBe(false);
      const theirs = await me((tx) => tx.execute(sql`select order_processing.release_order(${w.region}, ${order2.id}::bigint, ${order2.createdAt.toISOString()}::timestamptz) as v`));
      expect(one(theirs)).toBe(false);
      expect([await stock(), await uses()]).toEqual([stock0, uses0]);
      expect(await fact(`select s.name from order_processing.orders o join order_processing.order_statuses s on s.id = o.status_id where o.region = $1 and o.id = $2`, [w.region, order2.id])).toBe('paid');
      // A quantity outside an order line's is refused; other roles may not call the functions at all.
      const wrong = await me((tx) => tx.execute(sql`select order_processing.place_order(${w.region}, ${w.buyer}::bigint, 1::bigint, ${`{${w.charger}}`}::bigint[], '{5000}'::integer[], null) as v`)).then(() => undefined, (e: unknown) => e);
      expect(sqlstate(wrong)).toBe('22023');
      await denied(asUser(db('seller'), { role: 'seller', userId: w.seller }, (tx) => tx.execute(sql`select product_catalog.reserve_stock(${w.region}, ${w.headset}::bigint, 1) as v`)));
      await denied(asUser(db('marketing_specialist'), { role: 'marketing_specialist', userId: w.marketer }, (tx) => tx.execute(sql`select order_processing.take_coupon(${w.region}, ${w.percentCoupon}) as v`)));
      expect([await stock(), await uses()]).toEqual([stock0, uses0]);
    });

    it('buyer: writes no order, order line or reservation itself, so a cancellation gives back only the units its order took', async () => {
      const me = <T,>(work: (tx: AccessDb) => Promise<T>) => asUser(db('user'), { role: 'user', userId: w.buyer }, work);
      const stocks = async () => [await fact(`select stock from product_catalog.products where region = $1 and id = $2`, [w.region, w.charger]), await fact(`select stock from product_catalog.products where region = $1 and id = $2`, [w.region, w.headset])];
      const before = await stocks();
      const placed = await me((tx) => placeOrder(tx, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] }));
      // Forbidden: a line of another seller's listing in the buyer's own order, units never taken (it would be given back on cancelling) ...
      await denied(me((tx) => tx.execute(sql`insert into order_processing.order_details (region, order_id, order_created_at, product_id, quantity, unit_price) values (${w.region}, ${placed.id}, ${placed.createdAt.toISOString()}::timestamptz, ${w.headset}, 3, 1)`)));
      // ... an order written by hand, and the steps of place_order alone.
      await denied(me((tx) => tx.execute(sql`insert into order_processing.orders (region, buyer_id, status_id, shipping_address_id, total, currency) select region, buyer_id, status_id, shipping_address_id, total, currency from order_processing.orders where region = ${w.region} and id = ${placed.id}`)));
      await denied(me((tx) => tx.execute(sql`select product_catalog.reserve_stock(${w.region}, ${w.headset}::bigint, 1) as v`)));
      await denied(me((tx) => tx.execute(sql`select order_processing.take_coupon(${w.region}, ${w.percentCoupon}) as v`)));
      // Nor an order for another buyer through the function (the library refuses it before: that buyer is not found).
      const theirAddress = await fact(`select id from user_management.addresses where region = $1 and user_id = $2 limit 1`, [w.region, w.buyer2]);
      await denied(me((tx) => tx.execute(sql`select order_processing.place_order(${w.region}, ${w.buyer2}::bigint, ${theirAddress}::bigint, ${`{${w.charger}}`}::bigint[], '{1}'::integer[], null) as v`)));
      const cancelled = await me((tx) => cancelOrder(tx, { region: w.region, buyerId: w.buyer, order: placed }));
      expect(cancelled.restocked).toEqual([{ productId: w.charger, quantity: 1 }]);
      expect(await stocks()).toEqual(before);
      // A cancelled order stays cancelled: the buyer cannot make it cancellable again to give its units back twice.
      const revived = await me((tx) => tx.execute(sql`update order_processing.orders set status_id = 1 where region = ${w.region} and id = ${placed.id}`));
      expect((revived as unknown as { count: number }).count).toBe(0);
      expect(one(await me((tx) => tx.execute(sql`select order_processing.release_order(${w.region}, ${placed.id}::bigint, ${placed.createdAt.toISOString()}::timestamptz) as v`)))).toBe(false);
      expect(await stocks()).toEqual(before);
    });

    it('a role session: the buyer login takes its role once; each call sees its own user\'s rows, none without one', async () => {
      const login = new URL(dbUrl);
      login.username = loginOf('user');
      const c = postgres(login.toString(), { max: 1, onnotice: () => {} });
      try {
        const s = await openRoleSession(drizzle(c) as unknown as AccessDb, 'user');
        const mine = await s.run(w.buyer, (d) => orderHistory(d, { region: w.region, buyerId: w.buyer }));
        expect(mine.orders.length).toBeGreaterThan(0);
        expect((await s.run(w.buyer, (d) => orderHistory(d, { region: w.region, buyerId: w.buyer2 }))).orders).toHaveLength(0);
        expect((await s.run(undefined, (d) => orderHistory(d, { region: w.region, buyerId: w.buyer }))).orders).toHaveLength(0);
        const placed = await s.run(w.buyer, (d) => placeOrder(d, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] }));
        expect(await s.run(w.buyer, (d) => cancelOrder(d, { region: w.region, buyerId: w.buyer, order: placed }))).toMatchObject({ status: 'cancelled' });
        await denied(s.run(w.buyer, (d) => d.execute(sql`update product_catalog.products set stock = 0 where region = ${w.region} and id = ${w.headset}`)));
      } finally {
        await c.end({ timeout: 5 });
      }
    });

    it('a login outside a group role cannot act as it: the settings fail first and nothing of the work runs', async () => {
      const seller = db('seller');
      const before = await fact(`select count(*)::int from order_processing.orders`);
      await denied(asUser(seller, { role: 'user', userId: w.buyer }, (tx) => placeOrder(tx, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] })));
      expect(await fact(`select count(*)::int from order_processing.orders`)).toBe(before);
      // A role session the same: refused when it takes the role.
      await denied(openRoleSession(seller, 'dba'));
      // And it needs a client of exactly one connection.
      const pool = postgres(new URL(dbUrl).toString(), { max: 2, onnotice: () => {} });
      try {
        const refusedPool = await openRoleSession(drizzle(pool) as unknown as AccessDb, 'user').then(() => undefined, (e: { code?: string }) => e.code);
        expect(refusedPool).toBe('E_ACCESS_INVALID');
      } finally {
        await pool.end({ timeout: 5 });
      }
    });

    it('administrator: suspends, reactivates, assigns a role, hides a review, bans a question; cannot add a category or purge searches', async () => {
      const a = db('administrator');
      const admin = <T,>(work: (tx: AccessDb) => Promise<T>) => asUser(a, { role: 'administrator' }, work);
      const { userId } = await registerUser(t.db, { region: w.region, name: 'Gil', email: `gil.${w.tag}@example.com`.toLowerCase(), passwordHash: HASH });
      expect(await admin((tx) => suspendUser(tx, { region: w.region, userId }))).toEqual({ userId, status: 'suspended', role: 'user' });
      expect(await fact(`select status::text from user_management.users where region = $1 and id = $2`, [w.region, userId])).toBe('suspended');
      expect(await admin((tx) => reactivateUser(tx, { region: w.region, userId }))).toEqual({ userId, status: 'active', role: 'user' });
      expect(await admin((tx) => assignRole(tx, { region: w.region, userId, role: 'seller' }))).toEqual({ userId, status: 'active', role: 'seller' });
      const [review] = await t.query<{ id: string }>(`insert into reviews_questions.reviews (region, buyer_id, product_id, rating, comment) values ($1, $2, $3, 1, 'Terrible, no lo compren') returning id`, [w.region, userId, w.phone]);
      expect(await admin((tx) => moderateReview(tx, { region: w.region, reviewId: Number(review!.id), decision: 'rejected' }))).toEqual({ reviewId: Number(review!.id), moderationStatus: 'rejected' });
      const { questionId } = await askQuestion(t.db, { region: w.region, askerId: w.buyer, productId: w.phone, body: 'Llamame al 11 5555 0000' });
      expect(await admin((tx) => banQuestion(tx, { region: w.region, questionId }))).toEqual({ questionId, status: 'banned' });
      // Every change of the account is in the audit trail, with the acting login.
      expect(Number(await fact(`select count(*) from audit.trail where table_name = 'user_management.users' and key ->> 'id' = $1 and op = 'UPDATE' and login = $2`, [String(userId), loginOf('administrator')]))).toBe(3);
      // Forbidden: reference data, maintenance.
      await denied(admin((tx) => addCategory(tx, { name: `Admin ${w.tag}`, description: 'no' })));
      await denied(admin((tx) => purgeSearchHistory(tx, { before: new Date(Date.now() - 7 * 86_400_000) })));
    });

    it('platform manager: adds, moves and renames categories and describes a payment method; cannot suspend, moderate or purge', async () => {
      const p = db('platform_manager');
      const pm = <T,>(work: (tx: AccessDb) => Promise<T>) => asUser(p, { role: 'platform_manager' }, work);
      const top = await pm((tx) => addCategory(tx, { name: `Hogar y jardín ${w.tag}`, description: 'Casa' }));
      const leaf = await pm((tx) => addCategory(tx, { name: `Macetas ${w.tag}`, description: 'Macetas', parentId: w.topCategory }));
      const moved = await pm((tx) => updateCategory(tx, { categoryId: leaf.categoryId, parentId: top.categoryId, name: `Macetas y jardineras ${w.tag}` }));
      expect(moved).toMatchObject({ parentId: top.categoryId, name: `Macetas y jardineras ${w.tag}` });
      expect(await fact(`select parent_id from product_catalog.categories where id = $1`, [leaf.categoryId])).toBe(top.categoryId);
      const loop = await pm((tx) => updateCategory(tx, { categoryId: top.categoryId, parentId: leaf.categoryId })).then(() => undefined, (e: { code?: string }) => e.code);
      expect(loop).toBe('E_ACCESS_INVALID');
      const described = await pm((tx) => describeReference(tx, { kind: 'payment_method', name: 'bank_transfer', description: 'Transferencia instantánea (PIX, CVU, SPEI, PSE).' }));
      expect(described).toMatchObject({ name: 'bank_transfer', description: 'Transferencia instantánea (PIX, CVU, SPEI, PSE).' });
      // Forbidden: accounts, moderation, maintenance.
      await denied(pm((tx) => suspendUser(tx, { region: w.region, userId: w.buyer2 })));
      const [review] = await t.query<{ id: string }>(`select id from reviews_questions.reviews where region = $1 limit 1`, [w.region]);
      await denied(pm((tx) => moderateReview(tx, { region: w.region, reviewId: Number(review?.id ?? 1), decision: 'rejected' })));
      await denied(pm((tx) => purgeSearchHistory(tx, { before: new Date(Date.now() - 7 * 86_400_000) })));
      expect(await fact(`select status::text from user_management.users where region = $1 and id = $2`, [w.region, w.buyer2])).toBe('active');
    });

    it('DBA: purges old searches and reads the maintenance report; cannot sign a user in; a buyer or a BI analyst cannot purge', async () => {
      const d = db('dba');
      const dba = <T,>(work: (tx: AccessDb) => Promise<T>) => asUser(d, { role: 'dba' }, work);
      // The oldest row the current month's partition takes, and a new one (a partitioned copy has no earlier month).
      await t.query(`insert into recommendations.user_search_history (region, user_id, query_text, searched_at) values ($1, $2, 'celular viejo', date_trunc('month', now())), ($1, $2, 'celular nuevo', now())`, [w.region, w.buyer]);
      const before = new Date(String(await fact(`select (date_trunc('month', now()) + interval '1 millisecond')::text`)));
      const old = Number(await fact(`select count(*) from recommendations.user_search_history where searched_at < $1`, [before.toISOString()]));
      expect(old).toBeGreaterThanOrEqual(1);
      expect(await dba((tx) => purgeSearchHistory(tx, { before, region: w.region }))).toEqual({ deleted: old });
      expect(Number(await fact(`select count(*) from recommendations.user_search_history where searched_at < $1`, [before.toISOString()]))).toBe(0);
      expect(Number(await fact(`select count(*) from recommendations.user_search_history where user_id = $1`, [w.buyer]))).toBeGreaterThanOrEqual(1);
      const report = await dba((tx) => maintenanceReport(tx, { limit: 500 }));
      expect(report.length).toBeGreaterThan(0);
      expect(report.some((r) => r.table.startsWith('order_processing.orders'))).toBe(true);
      // Forbidden: password hashes (signIn reads one), and a buyer's work.
      await denied(dba((tx) => signIn(tx, { region: w.region, email: `ana.${w.tag}@example.com`.toLowerCase(), password: 'x'.repeat(12) })));
      await denied(asUser(db('user'), { role: 'user', userId: w.buyer }, (tx) => purgeSearchHistory(tx, { before })));
      await denied(asUser(db('bi_analyst'), { role: 'bi_analyst' }, (tx) => purgeSearchHistory(tx, { before })));
    });

    if (kind === 'partitioned') {
      it('through a partition named directly: refused, and filtered by the partition\'s own policies when granted', async () => {
        const buyer = db('user');
        await denied(asUser(buyer, { role: 'user', userId: w.buyer }, (tx) => tx.execute(sql`select * from order_processing.orders_mla`)));
        // Even a login granted the partition itself sees only its own rows there.
        await t.query(`grant select, update on order_processing.orders_mla, product_catalog.products_mla to "${loginOf('user')}", "${loginOf('seller')}"`);
        try {
          const seen = await asUser(buyer, { role: 'user', userId: w.buyer }, async (tx) => {
            await tx.execute(sql.raw(`reset role`));
            const other = await tx.execute(sql`select count(*)::int as n from order_processing.orders_mla where buyer_id = ${w.buyer2}`);
            const own = await tx.execute(sql`select count(*)::int as n from order_processing.orders_mla where buyer_id = ${w.buyer}`);
            const changed = await tx.execute(sql`update order_processing.orders_mla set status_id = status_id where buyer_id = ${w.buyer2}`);
            return { other: (other as unknown as { n: number }[])[0]!.n, own: (own as unknown as { n: number }[])[0]!.n > 0, changed: (changed as unknown as { count: number }).count };
          });
          expect(seen).toEqual({ other: 0, own: true, changed: 0 });
          const month = await t.query<{ name: string }>(
            `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'order_processing.orders_mla'::regclass order by 1 desc limit 1`,
          );
          expect(month.length).toBe(1);
          const policies = await t.query<{ n: number; rls: boolean }>(
            `select count(*)::int as n, bool_and(c.relrowsecurity) as rls from pg_policy p join pg_class c on c.oid = p.polrelid where c.relname = $1`,
            [month[0]!.name],
          );
          expect(policies[0]).toMatchObject({ rls: true });
          expect(policies[0]!.n).toBeGreaterThanOrEqual(3);
          const s = await asUser(db('seller'), { role: 'seller', userId: w.seller }, async (tx) => {
            await tx.execute(sql.raw(`reset role`));
            return tx.execute(sql`update product_catalog.products_mla set price = 1 where id = ${w.headset}`);
          });
          expect((s as unknown as { count: number }).count).toBe(0);
        } finally {
          await t.query(`revoke all on order_processing.orders_mla, product_catalog.products_mla from "${loginOf('user')}", "${loginOf('seller')}"`);
        }
      });
    }
  });
}

describe('roles are cluster-wide', () => {
  it('apply twice, and in a second database of the same server', async () => {
    const second = await createMigratedDatabase('roles_second');
    try {
      for (const a of [...roleStatements(), ...securityStatements()]) await second.sql.unsafe(a.sql);
      const [row] = await second.sql<{ n: number }[]>`select count(*)::int as n from pg_roles where rolname like 'ecomdb\_%' and not rolcanlogin and rolname = any(${ROLES.map((r) => `ecomdb_${r.name}`)})`;
      expect(row!.n).toBe(7);
      const [rls] = await second.sql<{ n: number }[]>`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname <> 'pg_catalog' and c.relrowsecurity`;
      expect(rls!.n).toBe(19);
    } finally {
      await second.drop();
    }
  }, 120_000);
});

describe('the roles on PGlite (embedded, same migrations)', () => {
  let t: Target;
  let w: World;
  beforeAll(async () => {
    t = await openTarget('pglite', 'roles_pglite');
    w = await makeWorld(t);
    await placeOrder(t.db, { region: w.region, buyerId: w.buyer2, lines: [{ productId: w.headset, quantity: 1 }] });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a buyer sees only their own orders; a BI analyst reads no personal column; a seller changes no other store\'s listing', async () => {
    await asUser(t.db, { role: 'user', userId: w.buyer }, (tx) => placeOrder(tx, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 1 }] }));
    const mine = await asUser(t.db, { role: 'user', userId: w.buyer }, (tx) => orderHistory(tx, { region: w.region, buyerId: w.buyer }));
    expect(mine.orders.length).toBe(1);
    const theirs = await asUser(t.db, { role: 'user', userId: w.buyer }, (tx) => orderHistory(tx, { region: w.region, buyerId: w.buyer2 }), { readOnly: true });
    expect(theirs.orders).toHaveLength(0);
    const write = await asUser(t.db, { role: 'user', userId: w.buyer }, (tx) => tx.execute(sql`update user_management.users set phone = phone where id = ${w.buyer}`), { readOnly: true }).then(() => undefined, (e: unknown) => e);
    expect(sqlstate(write)).toBe('25006');
    await denied(asUser(t.db, { role: 'bi_analyst' }, (tx) => tx.execute(sql`select email from user_management.users limit 1`)));
    const changed = await asUser(t.db, { role: 'seller', userId: w.seller }, (tx) =>
      tx.execute(sql`update product_catalog.products set price = 1 where region = ${w.region} and id = ${w.headset} returning id`),
    );
    expect((changed as unknown as { rows: unknown[] }).rows).toHaveLength(0);
  });

  it('a buyer updates no stock or coupon use directly, and places and cancels an order through the functions', async () => {
    const me = <T,>(work: (tx: AccessDb) => Promise<T>) => asUser(t.db, { role: 'user', userId: w.buyer }, work);
    await denied(me((tx) => tx.execute(sql`update product_catalog.products set stock = 0 where region = ${w.region} and id = ${w.headset}`)));
    await denied(me((tx) => tx.execute(sql`update order_processing.coupons set use_count = 0 where region = ${w.region} and code = ${w.percentCoupon}`)));
    const stock = async () => (await t.query<{ stock: number }>(`select stock from product_catalog.products where region = $1 and id = $2`, [w.region, w.charger]))[0]!.stock;
    const before = await stock();
    const placed = await me((tx) => placeOrder(tx, { region: w.region, buyerId: w.buyer, lines: [{ productId: w.charger, quantity: 3 }], couponCode: w.percentCoupon }));
    expect(await stock()).toBe(before - 3);
    await me((tx) => cancelOrder(tx, { region: w.region, buyerId: w.buyer, order: placed }));
    expect(await stock()).toBe(before);
  });
});

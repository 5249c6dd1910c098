/**
 * verify's security rules: clean on a database migrated and partitioned by ecomdb (server and
 * PGlite), and each finds what breaks it: a partition without row-level security or without its
 * parent's policies, a grant on a partition, a column or to PUBLIC that the role matrix does not give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENTS } from '../../schema/index.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import type { Database } from '../../src/db/types.ts';
import { monthOf } from '../../src/partition/months.ts';
import { applyPlan } from '../../src/partition/plan.ts';
import { runPartition } from '../../src/partition/run.ts';
import { runRules } from '../../src/verify/run.ts';
import { SECURITY_RULES } from '../../src/verify/security.ts';
import { createMigratedDatabase, migratedPglite, type TestDatabase } from '../helpers/db.ts';

const SCHEMAS = COMPONENTS.map((c) => c.schema.schemaName);

async function findings(db: Database): Promise<Record<string, string[]>> {
  const results = await db.session((s) => runRules(s, SECURITY_RULES, SCHEMAS, 100));
  return Object.fromEntries(results.map((r) => [r.id, r.findings.map((f) => `${f.object}: ${f.message}`)]));
}

describe('verify security rules on a partitioned server database', () => {
  let test: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    test = await createMigratedDatabase('verify_security');
    db = await openPostgres(test.url);
    await runPartition(db, (s) => applyPlan(s, { month: monthOf(new Date()) }));
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await test?.drop();
  });

  it('are clean as ecomdb made it', async () => {
    expect(await findings(db)).toEqual({ 'security/row-security': [], 'security/grants': [] });
  });

  it('find a partition without row security or without its policies, and grants beyond the matrix', async () => {
    const [month] = await test.sql<{ name: string }[]>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'order_processing.orders_mla'::regclass order by 1 limit 1`;
    await test.sql.unsafe(`alter table order_processing.${month!.name} disable row level security`);
    await test.sql.unsafe(`drop policy orders_buyer on order_processing.orders_mlb`);
    await test.sql.unsafe(`grant select on payments.payments_mla to ecomdb_user`);
    await test.sql.unsafe(`grant update (price) on product_catalog.products to ecomdb_user`);
    await test.sql.unsafe(`grant select on user_management.users to ecomdb_bi_analyst`);
    await test.sql.unsafe(`grant select on marketing.campaigns to public`);
    await test.sql.unsafe(`grant execute on function order_processing.release_order(text, bigint, timestamptz) to ecomdb_seller, public`);
    const found = await findings(db);
    expect(found['security/row-security']).toEqual([
      `order_processing.${month!.name}: partition without row-level security`,
      'order_processing.orders_mlb: partition without the policies of order_processing.orders',
    ]);
    expect(found['security/grants']).toEqual([
      'marketing.campaigns: PUBLIC holds SELECT, which the role matrix does not give it',
      'order_processing.release_order(text, bigint, timestamp with time zone): PUBLIC holds EXECUTE, which the role matrix does not give it',
      'order_processing.release_order(text, bigint, timestamp with time zone): ecomdb_seller holds EXECUTE, which the role matrix does not give it',
      'payments.payments_mla: ecomdb_user holds SELECT, which the role matrix does not give it',
      'product_catalog.products.price: ecomdb_user holds UPDATE on this column, which the role matrix does not give it',
      'user_management.users: ecomdb_bi_analyst holds SELECT, which the role matrix does not give it',
    ]);
  });
});

describe('verify security rules on PGlite', () => {
  it('are clean on a migrated embedded database', async () => {
    const { pg, db } = await migratedPglite();
    try {
      expect(await findings(db)).toEqual({ 'security/row-security': [], 'security/grants': [] });
      await pg.exec(`alter table messaging.messages disable row level security`);
      expect((await findings(db))['security/row-security']).toEqual(['messaging.messages: region-scoped table without row-level security']);
    } finally {
      await pg.close();
    }
  }, 60_000);
});

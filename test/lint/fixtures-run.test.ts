/**
 * The lint fixtures are real migrations: each runs on PostgreSQL against the tables it assumes
 * (populated), the way ecomdb migrate runs a file (one transaction, unless it opens with the
 * no-transaction marker). Unsafe ones run too, except the three whose rule says they fail: a
 * CONCURRENTLY inside a transaction, an enum value used in the transaction that added it, and a
 * NOT NULL column without a default added to a table that holds rows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { lintSources } from '../../src/lint/index.ts';
import { parseMigration } from '../../src/migrations/files.ts';
import { databasesForBlock, type TestDatabase } from '../helpers/db.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
/** The unsafe fixtures whose rule is that they fail, with the SQLSTATE they fail with. */
const FAILS_WHEN_RUN = new Map([
  ['needs-no-transaction.unsafe.sql', '25001'],
  ['enum-value-in-transaction.unsafe.sql', '55P04'],
  ['add-column-required.unsafe.sql', '23502'],
]);

const SETUP = `
DROP SCHEMA IF EXISTS shop, order_processing, product_catalog CASCADE;
CREATE SCHEMA shop;
CREATE TYPE shop.account_state AS ENUM ('active', 'banned');
CREATE TABLE shop.accounts (id int PRIMARY KEY, email text, phone text, name text, legacy_code text,
  state shop.account_state NOT NULL DEFAULT 'active', banned boolean NOT NULL DEFAULT false);
INSERT INTO shop.accounts (id, email, phone, name) SELECT i, 'u' || i || '@example.com', '+55' || i, 'User ' || i FROM generate_series(1, 200) i;
CREATE INDEX accounts_email_idx ON shop.accounts (email);
CREATE TABLE shop.orders (id int PRIMARY KEY, account_id int NOT NULL, total numeric(14,2) NOT NULL);
INSERT INTO shop.orders SELECT i, 1 + i % 200, 10 + i FROM generate_series(1, 500) i;
CREATE TABLE shop.legacy_sessions (id int);
CREATE MATERIALIZED VIEW shop.account_totals AS SELECT account_id, sum(total) AS total FROM shop.orders GROUP BY account_id;
CREATE UNIQUE INDEX account_totals_key ON shop.account_totals (account_id);
CREATE SCHEMA order_processing;
CREATE TABLE order_processing.orders (region text NOT NULL, id int NOT NULL, total numeric(14,2), currency text) PARTITION BY LIST (region);
CREATE TABLE order_processing.orders_mlb PARTITION OF order_processing.orders FOR VALUES IN ('MLB');
CREATE TABLE order_processing.orders_default PARTITION OF order_processing.orders DEFAULT;
INSERT INTO order_processing.orders SELECT CASE WHEN i % 2 = 0 THEN 'MLB' ELSE 'MLA' END, i, i FROM generate_series(1, 100) i;
CREATE SCHEMA product_catalog;
CREATE TABLE product_catalog.products (region text NOT NULL, id int NOT NULL, price numeric(14,2)) PARTITION BY LIST (region);
CREATE TABLE product_catalog.products_mlb PARTITION OF product_catalog.products FOR VALUES IN ('MLB');
CREATE TABLE product_catalog.products_default PARTITION OF product_catalog.products DEFAULT;
INSERT INTO product_catalog.products SELECT CASE WHEN i % 2 = 0 THEN 'MLB' ELSE 'MLA' END, i, i FROM generate_series(1, 100) i;
`;

/** One database for the file: every test starts by rebuilding the schemas it uses. */
const fresh = databasesForBlock();
let test: TestDatabase;
beforeAll(async () => {
  test = await fresh('lint_fixtures', { migrated: false });
});

describe('lint fixtures on PostgreSQL', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.sql')).sort();
  for (const name of files) {
    it(`${name} ${FAILS_WHEN_RUN.has(name) ? 'fails' : 'runs'}`, async () => {
      await test.sql.unsafe(SETUP);
      const file = parseMigration(0, name, 0, readFileSync(`${FIXTURES}${name}`, 'utf8'));
      const run = file.transactional
        ? test.sql.begin(async (tx) => {
            for (const statement of file.statements) await tx.unsafe(statement);
          })
        : (async () => {
            for (const statement of file.statements) await test.sql.unsafe(statement);
          })();
      const sqlstate = FAILS_WHEN_RUN.get(name);
      if (sqlstate) await expect(run).rejects.toMatchObject({ code: sqlstate });
      else await run;
    });
  }
});

describe('alter-column-type against PostgreSQL: flagged exactly when the table is rewritten', () => {
  const PAIRS: [from: string, to: string][] = [
    ['varchar(10)', 'varchar(20)'],
    ['varchar(20)', 'varchar(10)'],
    ['varchar(10)', 'text'],
    ['varchar(10)', 'varchar'],
    ['text', 'varchar'],
    ['text', 'varchar(10)'],
    ['numeric(10,2)', 'numeric(14,2)'],
    ['numeric(10,2)', 'numeric'],
    ['numeric(10,2)', 'numeric(14,3)'],
    ['numeric(14,2)', 'numeric(10,2)'],
    ['numeric', 'numeric(14,2)'],
    ['int', 'bigint'],
    ['bigint', 'int'],
    ['bit varying(5)', 'bit varying(10)'],
    ['text', 'text'],
    ['varchar(10)[]', 'text[]'],
  ];
  for (const [from, to] of PAIRS) {
    it(`${from} -> ${to}`, async () => {
      const value = from.startsWith('bit') ? "B'101'" : from.endsWith('[]') ? "ARRAY['7']" : "'7'";
      await test.sql.unsafe(`DROP SCHEMA IF EXISTS shop CASCADE; CREATE SCHEMA shop; CREATE TABLE shop.t (c ${from}); INSERT INTO shop.t VALUES (${value});`);
      const node = async () => (await test.sql`select pg_relation_filenode('shop.t') as f`)[0]!.f as string;
      const before = await node();
      const alter = `ALTER TABLE shop.t ALTER COLUMN c TYPE ${to};`;
      await test.sql.unsafe(alter);
      const rewritten = (await node()) !== before;
      const findings = await lintSources([{ name: 'alter.sql', text: `SET lock_timeout = '1s';\n${alter}` }], undefined, [{ name: 'create.sql', text: `CREATE TABLE shop.t (c ${from});` }]);
      expect({ from, to, flagged: findings.some((f) => f.rule === 'alter-column-type') }).toEqual({ from, to, flagged: rewritten });
    });
  }
});

describe('one query holding CREATE INDEX CONCURRENTLY and another statement, on PostgreSQL', () => {
  it('is refused as a transaction block (what a no-transaction piece of two statements is)', async () => {
    await test.sql.unsafe(SETUP);
    await expect(test.sql.unsafe("SET lock_timeout = '5s'; CREATE INDEX CONCURRENTLY accounts_name_idx ON shop.accounts (name)")).rejects.toMatchObject({ code: '25001' });
    await test.sql.unsafe('CREATE INDEX CONCURRENTLY accounts_name_idx ON shop.accounts (name)');
  });
});

describe('a foreign key on a partitioned table, on PostgreSQL', () => {
  it('NOT VALID on the parent is refused before PostgreSQL 18; per partition, then on the parent, adopts the partitions\' keys', async () => {
    await test.sql.unsafe(SETUP);
    const version = Number((await test.sql`select current_setting('server_version_num') as v`)[0]!.v);
    await test.sql.unsafe('ALTER TABLE shop.accounts ADD UNIQUE (id, name)');
    const parent = test.sql.unsafe('ALTER TABLE product_catalog.products ADD CONSTRAINT products_id_fk FOREIGN KEY (id) REFERENCES shop.accounts (id) NOT VALID');
    if (version < 180000) await expect(parent).rejects.toMatchObject({ code: '42809' });
    else await parent.then(() => test.sql.unsafe('ALTER TABLE product_catalog.products DROP CONSTRAINT products_id_fk'));
    for (const partition of ['products_mlb', 'products_default']) {
      await test.sql.unsafe(`ALTER TABLE product_catalog.${partition} ADD CONSTRAINT products_id_fk FOREIGN KEY (id) REFERENCES shop.accounts (id) NOT VALID`);
      await test.sql.unsafe(`ALTER TABLE product_catalog.${partition} VALIDATE CONSTRAINT products_id_fk`);
    }
    await test.sql.unsafe('ALTER TABLE product_catalog.products ADD CONSTRAINT products_id_fk FOREIGN KEY (id) REFERENCES shop.accounts (id)');
    const keys = await test.sql`select conrelid::regclass::text as t, conparentid <> 0 as adopted from pg_constraint where conname = 'products_id_fk' order by 1`;
    expect(keys.map((k) => [k.t, k.adopted])).toEqual([
      ['product_catalog.products', false],
      ['product_catalog.products_default', true],
      ['product_catalog.products_mlb', true],
    ]);
  });
});

/**
 * The lock facts lint's rules rely on (docs/design.md, 'What migration statements lock'), read
 * from pg_locks on a server: each statement runs in a transaction that is rolled back, after
 * which the strongest lock it holds on each table is compared with what the design says.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { databasesForBlock, type TestDatabase } from '../helpers/db.ts';

const SETUP = `
DROP SCHEMA IF EXISTS shop CASCADE;
CREATE SCHEMA shop;
CREATE TABLE shop.accounts (id int PRIMARY KEY, email text, phone text);
CREATE INDEX accounts_email_idx ON shop.accounts (email);
CREATE TABLE shop.orders (id int PRIMARY KEY, account_id int, total numeric);
ALTER TABLE shop.orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;
CREATE TABLE shop.events (region text NOT NULL, id int) PARTITION BY LIST (region);
CREATE TABLE shop.events_mlb PARTITION OF shop.events FOR VALUES IN ('MLB');
CREATE TABLE shop.events_mla (region text NOT NULL, id int);
CREATE MATERIALIZED VIEW shop.totals AS SELECT account_id, sum(total) AS total FROM shop.orders GROUP BY account_id;
CREATE UNIQUE INDEX totals_key ON shop.totals (account_id);
CREATE FUNCTION shop.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
`;

/** statement → the lock it must take on each table, as docs/design.md states it. */
const FACTS: [statement: string, locks: Record<string, string>][] = [
  ['CREATE INDEX accounts_phone_idx ON shop.accounts (phone)', { 'shop.accounts': 'ShareLock' }],
  ['ALTER TABLE shop.accounts ADD COLUMN nickname text', { 'shop.accounts': 'AccessExclusiveLock' }],
  ['ALTER TABLE shop.accounts ALTER COLUMN phone SET NOT NULL', { 'shop.accounts': 'AccessExclusiveLock' }],
  ['ALTER TABLE shop.accounts ADD CONSTRAINT accounts_email_check CHECK (email <> \'\')', { 'shop.accounts': 'AccessExclusiveLock' }],
  ['ALTER TABLE shop.orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES shop.accounts (id)', { 'shop.orders': 'ShareRowExclusiveLock', 'shop.accounts': 'ShareRowExclusiveLock' }],
  ['ALTER TABLE shop.orders VALIDATE CONSTRAINT orders_total_positive', { 'shop.orders': 'ShareUpdateExclusiveLock' }],
  ['ALTER TABLE shop.accounts ADD CONSTRAINT accounts_email_key UNIQUE (email)', { 'shop.accounts': 'AccessExclusiveLock' }],
  ['DROP INDEX shop.accounts_email_idx', { 'shop.accounts': 'AccessExclusiveLock' }],
  ['REINDEX INDEX shop.accounts_email_idx', { 'shop.accounts': 'ShareLock', 'shop.accounts_email_idx': 'AccessExclusiveLock' }],
  ['CREATE TRIGGER accounts_noop BEFORE UPDATE ON shop.accounts FOR EACH ROW EXECUTE FUNCTION shop.noop()', { 'shop.accounts': 'ShareRowExclusiveLock' }],
  ['CLUSTER shop.accounts USING accounts_pkey', { 'shop.accounts': 'AccessExclusiveLock' }],
  ['ALTER TABLE shop.accounts RENAME COLUMN phone TO mobile', { 'shop.accounts': 'AccessExclusiveLock' }],
  ["CREATE TABLE shop.events_mlm PARTITION OF shop.events FOR VALUES IN ('MLM')", { 'shop.events': 'AccessExclusiveLock' }],
  ["ALTER TABLE shop.events ATTACH PARTITION shop.events_mla FOR VALUES IN ('MLA')", { 'shop.events': 'ShareUpdateExclusiveLock' }],
  ['REFRESH MATERIALIZED VIEW shop.totals', { 'shop.totals': 'AccessExclusiveLock' }],
  ['REFRESH MATERIALIZED VIEW CONCURRENTLY shop.totals', { 'shop.totals': 'ExclusiveLock' }],
  ['CREATE INDEX events_id_idx ON shop.events (id)', { 'shop.events': 'ShareLock', 'shop.events_mlb': 'ShareLock' }],
  ['ALTER TABLE shop.events ADD COLUMN note text', { 'shop.events': 'AccessExclusiveLock', 'shop.events_mlb': 'AccessExclusiveLock' }],
];

/** pg_locks modes from weakest to strongest. */
const STRENGTH = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];

describe('the locks lint relies on, read from pg_locks', () => {
  const fresh = databasesForBlock();
  let test: TestDatabase;
  beforeAll(async () => {
    test = await fresh('lint_locks', { migrated: false });
  });

  for (const [statement, expected] of FACTS) {
    it(statement, async () => {
      await test.sql.unsafe(SETUP);
      const held: Record<string, string> = {};
      const rollback = new Error('rollback');
      await expect(
        test.sql.begin(async (tx) => {
          await tx.unsafe(statement);
          const rows = await tx<{ name: string; mode: string }[]>`
            select c.relnamespace::regnamespace::text || '.' || c.relname as name, l.mode
              from pg_locks l join pg_class c on c.oid = l.relation
             where l.pid = pg_backend_pid() and l.locktype = 'relation' and c.relnamespace = 'shop'::regnamespace`;
          for (const { name, mode } of rows) if (STRENGTH.indexOf(mode) > STRENGTH.indexOf(held[name] ?? '')) held[name] = mode;
          throw rollback;
        }),
      ).rejects.toBe(rollback);
      for (const [table, mode] of Object.entries(expected)) expect([table, held[table]]).toEqual([table, mode]);
    });
  }
});

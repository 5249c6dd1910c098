/**
 * `ecomdb verify`: clean on a freshly migrated and seeded database (server and PGlite), and each
 * deliberate breakage is reported under its rule id with a non-zero exit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecomdb, errorCode, tempDir } from '../helpers/cli.ts';
import { createMigratedDatabase, withPostgres, type TestDatabase } from '../helpers/db.ts';
import type { VerifyReport } from '../../src/verify/types.ts';
import { snapshot } from '../helpers/checksums.ts';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const schema = JSON.parse(readFileSync(new URL('../../src/verify/report.schema.json', import.meta.url), 'utf8')) as object;
const validateReport = new Ajv({ allErrors: true }).compile(schema);


const UNTIL = '2026-11-01';

function offenders(report: VerifyReport): Record<string, string[]> {
  return Object.fromEntries(report.rules.filter((r) => r.offenders > 0).map((r) => [r.id, r.findings.map((f) => f.object)]));
}

describe('ecomdb verify', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase('verify');
    const seeded = await ecomdb(['seed', '--url', db.url, '--until', UNTIL]);
    expect(seeded.code, seeded.stderr).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('is clean on a migrated and seeded server, the deliberate exceptions named with their reasons', async () => {
    const run = await ecomdb(['verify', '--url', db.url, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as VerifyReport;
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
    expect(offenders(report)).toEqual({});
    expect(report.rules.length).toBeGreaterThanOrEqual(41);
    expect(report.rules.find((r) => r.id === 'drift/migrations')?.description).toMatch(/scratch database on the same server/);
    const allowed = report.rules.flatMap((r) => r.allowed);
    expect(allowed.map((a) => a.object)).toEqual(
      expect.arrayContaining([
        'messaging.conversations.conversations_region_order_id_key',
        'shipping_logistics.shipments.shipments_region_carrier_tracking_number_key',
        'order_processing.orders.currency',
      ]),
    );
    for (const a of allowed) expect(a.reason.length, a.object).toBeGreaterThan(20);
  });

  it('is clean on the embedded database', async () => {
    const cwd = tempDir();
    expect((await ecomdb(['migrate'], { cwd })).code).toBe(0);
    expect((await ecomdb(['seed', '--until', UNTIL], { cwd })).code).toBe(0);
    const run = await ecomdb(['verify', '--format', 'json'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(offenders(JSON.parse(run.stdout) as VerifyReport)).toEqual({});
  });

  it('probes every constraint, finds a dead one, and leaves the database byte-for-byte as it was', async () => {
    const current = () => withPostgres(db.url, (d) => d.session(snapshot));
    const before = await current();
    const clean = await ecomdb(['verify', '--url', db.url, '--only', 'probe', '--format', 'json']);
    expect(clean.code, clean.stderr).toBe(0);
    const rule = (JSON.parse(clean.stdout) as VerifyReport).rules[0]!;
    expect(rule.id).toBe('probe/constraints');
    expect(Number(/\((\d+) probed/.exec(rule.description)![1])).toBeGreaterThan(300);
    expect(rule.findings).toEqual([]);
    expect(await current()).toEqual(before);

    // A constraint whose triggers are disabled (as after some bulk loads) accepts what it should refuse.
    await db.sql`alter table marketing.ads disable trigger all`;
    try {
      const dead = await ecomdb(['verify', '--url', db.url, '--only', 'probe', '--format', 'json']);
      expect(dead.code).toBe(8);
      expect(offenders(JSON.parse(dead.stdout) as VerifyReport)['probe/constraints']).toEqual([
        'marketing.ads.ads_region_campaign_id_fkey',
        'marketing.ads.ads_region_product_id_fkey',
      ]);
    } finally {
      await db.sql`alter table marketing.ads enable trigger all`;
    }
    expect(await current()).toEqual(before);
  });

  it('reports each breakage under its rule and exits 8', async () => {
    await db.sql.unsafe(`
      DROP INDEX product_catalog.products_category_id_idx;                                          -- FK without index
      ALTER TABLE order_processing.orders ADD COLUMN tax_amount double precision;                   -- float money
      COMMENT ON COLUMN order_processing.orders.tax_amount IS 'Tax.';
      ALTER TABLE user_management.users ADD COLUMN nickname text;                                   -- no comment
      ALTER TABLE user_management.users ALTER COLUMN email DROP NOT NULL;                           -- nullable natural key
      UPDATE order_processing.orders SET total = total + 1 WHERE (region, id) = (SELECT region, min(id) FROM order_processing.orders WHERE region = 'MLA' GROUP BY region);
      CREATE INDEX users_region_idx ON user_management.users (region);                              -- redundant index
      ALTER TABLE marketing.ads ADD CONSTRAINT ads_shadow_fkey FOREIGN KEY (region, product_id)
        REFERENCES product_catalog.products (region, id) NOT VALID;                                 -- NOT VALID FK
      DROP VIEW bi.messages;                                                                        -- (it reads read_at)
      ALTER TABLE messaging.messages ALTER COLUMN read_at TYPE timestamp;                           -- zoneless time
      ALTER TABLE marketing.ads DISABLE TRIGGER ALL;                                                -- FKs not enforced
      CREATE TABLE marketing.notes (body text);                                                     -- no primary key
      COMMENT ON TABLE marketing.notes IS 'Notes.'; COMMENT ON COLUMN marketing.notes.body IS 'Text.';
      ALTER TABLE product_catalog.products ADD COLUMN tag_ids integer[];                            -- 1NF
      COMMENT ON COLUMN product_catalog.products.tag_ids IS 'Tags.';
      ALTER TABLE seller_management.stores ADD CONSTRAINT "StoreNameLength" CHECK (length(name) < 200); -- naming
      ALTER TABLE product_catalog.products DROP CONSTRAINT products_stock_check;                   -- drift: dropped CHECK
      ALTER TABLE product_catalog.products ADD COLUMN related_ids text;                           -- 1NF: a list in a string
      COMMENT ON COLUMN product_catalog.products.related_ids IS 'Related products.';
      UPDATE product_catalog.products SET related_ids = (id + 1) || ',' || (id + 2) || ',' || (id + 3);
      ALTER TABLE order_processing.orders ADD COLUMN buyer_email text;                             -- transitive dependency
      COMMENT ON COLUMN order_processing.orders.buyer_email IS 'The buyer''s email, copied.';
      UPDATE order_processing.orders o SET buyer_email = u.email FROM user_management.users u WHERE u.region = o.region AND u.id = o.buyer_id;
      CREATE FUNCTION marketing.grant_budget() RETURNS integer LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$; -- definer without a path
    `);
    const run = await ecomdb(['verify', '--url', db.url, '--format', 'json']);
    expect(run.code).toBe(8);
    const found = offenders(JSON.parse(run.stdout) as VerifyReport);
    expect(found['catalog/fk-index']).toEqual(['product_catalog.products.products_category_id_fkey']);
    expect(found['catalog/money-not-float']).toEqual(['order_processing.orders.tax_amount']);
    expect(found['catalog/comment']).toEqual(['user_management.users.nickname']);
    expect(found['catalog/natural-key-not-null']).toEqual(['user_management.users.users_region_email_key']);
    expect(found['data/order-total-matches-lines']).toHaveLength(1);
    expect(found['catalog/redundant-index']).toEqual(['user_management.users.users_region_idx']);
    expect(found['catalog/fk-validated']).toEqual(['marketing.ads.ads_shadow_fkey']);
    // Every foreign key of ads (the NOT VALID one too) has its check triggers disabled.
    expect(found['catalog/fk-enforced']).toEqual(expect.arrayContaining(['marketing.ads.ads_shadow_fkey']));
    expect(found['catalog/fk-enforced']!.length).toBeGreaterThan(1);
    expect(found['catalog/fk-enforced']!.every((o) => o.startsWith('marketing.ads.'))).toBe(true);
    expect(found['catalog/timestamp-with-zone']).toEqual(['messaging.messages.read_at']);
    expect(found['catalog/primary-key']).toEqual(['marketing.notes']);
    expect(found['normalization/1nf-repeating-group']).toEqual(['product_catalog.products.tag_ids']);
    expect(found['catalog/naming']).toEqual(['seller_management.stores."StoreNameLength"']);
    expect(found['normalization/3nf-transitive-dependency']).toEqual(['order_processing.orders.buyer_email']);
    expect(found['normalization/1nf-delimited-list']).toEqual(['product_catalog.products.related_ids']);
    expect(found['catalog/security-definer-search-path']).toEqual(['marketing.grant_budget()']);
    // Drift against the migrations sees every change, including the two no catalog rule judges.
    expect(found['drift/migrations']).toEqual(expect.arrayContaining([
      'constraint product_catalog.products.products_stock_check', // dropped CHECK
      'column messaging.messages.read_at', // changed type
      'column order_processing.orders.tax_amount', // added column
      'index user_management.users.users_region_idx', // added index
    ]));

    // The JSON of a failing run validates against the documented schema.
    expect(validateReport(JSON.parse(run.stdout)), JSON.stringify(validateReport.errors)).toBe(true);

    const junit = await ecomdb(['verify', '--url', db.url, '--format', 'junit', '--only', 'catalog']);
    expect(junit.code).toBe(8);
    expect(XMLValidator.validate(junit.stdout)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(junit.stdout);
    expect(parsed.testsuites.testsuite['@_name']).toBe('ecomdb verify: catalog');
    expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="ecomdb verify" tests="11" failures="11">/);
    expect(junit.stdout.match(/<testcase /g)).toHaveLength(11);
    expect(junit.stdout.match(/<failure /g)).toHaveLength(11);
  });

  it('the JSON schema rejects a malformed report (the validation can fail)', () => {
    expect(validateReport({ target: 'x', schemas: [], rules: [{ id: 'Catalog/X' }], errors: -1, warnings: 0 })).toBe(false);
    expect(XMLValidator.validate('<testsuites><testsuite></testsuites>')).not.toBe(true);
  });

  it('--only and --skip select rules; an unknown rule is a usage error', async () => {
    const only = await ecomdb(['verify', '--url', db.url, '--format', 'json', '--only', 'normalization']);
    expect((JSON.parse(only.stdout) as VerifyReport).rules.map((r) => r.id)).toEqual([
      'normalization/1nf-repeating-group',
      'normalization/1nf-delimited-list',
      'normalization/2nf-partial-dependency',
      'normalization/3nf-transitive-dependency',
    ]);
    const skip = await ecomdb(['verify', '--url', db.url, '--format', 'json', '--skip', 'data,catalog']);
    expect((JSON.parse(skip.stdout) as VerifyReport).rules.map((r) => r.category)).toEqual(['normalization', 'security', 'security', 'drift', 'probe', 'partition', 'normalization', 'normalization', 'normalization']);
    const unknown = await ecomdb(['verify', '--url', db.url, '--only', 'catalog/nope']);
    expect(unknown.code).toBe(2);
    expect(errorCode(unknown)).toBe('E_USAGE');
  });
});

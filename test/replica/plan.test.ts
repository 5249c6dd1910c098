/**
 * Planning the read layer, without a server: the committed replicas/ folder equals a fresh
 * generation, every script passes `bash -n`, the SQL is the exact text expected, and a bad
 * topology is refused with its code. The SQL runs on servers in live.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffReplicaFiles, REPLICAS_DIR, writeReplicaFiles } from '../../src/replica/files.ts';
import { planReplicaFiles } from '../../src/replica/plan.ts';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { COMPONENTS } from '../../schema/index.ts';
import { nodePublications, publicationsSql, residencyQuery, subscriptionSql } from '../../src/replica/sql.ts';
import { REGION_COLUMN, regionTables } from '../../schema/regions.ts';
import { replicatedTables } from '../../src/replica/tables.ts';
import { TOPOLOGY, validateTopology, type Topology } from '../../src/replica/topology.ts';
import { ecomdb } from '../helpers/cli.ts';

const temps: string[] = [];

/** The 25 tables in the order of the components, and the six global reference tables among them. */
const TABLES = [
  '"user_management"."roles"',
  '"user_management"."users"',
  '"user_management"."addresses"',
  '"seller_management"."stores"',
  '"product_catalog"."categories"',
  '"product_catalog"."products"',
  '"product_catalog"."product_images"',
  '"product_catalog"."product_discounts"',
  '"order_processing"."order_statuses"',
  '"order_processing"."coupons"',
  '"order_processing"."orders"',
  '"order_processing"."order_details"',
  '"reviews_questions"."reviews"',
  '"reviews_questions"."questions"',
  '"payments"."payment_methods"',
  '"payments"."payment_statuses"',
  '"payments"."payments"',
  '"shipping_logistics"."shipment_statuses"',
  '"shipping_logistics"."shipments"',
  '"marketing"."campaigns"',
  '"marketing"."ads"',
  '"messaging"."conversations"',
  '"messaging"."messages"',
  '"recommendations"."user_search_history"',
  '"recommendations"."recommendation_logs"',
];
const REFERENCE = ['roles', 'categories', 'order_statuses', 'payment_methods', 'payment_statuses', 'shipment_statuses'];
const REGION_SCOPED = TABLES.filter((t) => !REFERENCE.some((r) => t.endsWith(`."${r}"`)));
/** Lines of an expected statement: every table, or every region-scoped one with the row filter of `site`. */
const ALL_TABLES = TABLES.map((t) => `  ${t}`).join(',\n');
const siteTables = (site: string) => REGION_SCOPED.map((t) => `  ${t} WHERE ("region" = '${site}')`).join(',\n');
/** The expected publication of one site, with its row filter on every region-scoped table. */
const sitePublication = (site: string) => {
  const name = `ecomdb_site_${site.toLowerCase()}`;
  return `-- ${name}: the rows of site ${site} in every region-scoped table.
-- The row filter runs on the primary: rows of other sites never leave it.
SELECT 'CREATE PUBLICATION "${name}"' WHERE NOT EXISTS (SELECT FROM pg_publication WHERE pubname = '${name}') \\gexec
ALTER PUBLICATION "${name}" SET TABLE
${siteTables(site)};
ALTER PUBLICATION "${name}" SET (publish = 'insert, update, delete', publish_via_partition_root = true);
`;
};
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecomdb-replica-plan-'));
  temps.push(dir);
  return dir;
};
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const node = TOPOLOGY.readNodes[0]!;

describe('generated replica files', () => {
  it('the committed replicas/ folder equals a fresh generation', () => {
    const diff = diffReplicaFiles(REPLICAS_DIR, planReplicaFiles());
    expect(diff, 'replicas/ is stale: run npm run ecomdb -- replica generate and commit').toEqual({ added: [], changed: [], removed: [] });
    const fresh = temp();
    writeReplicaFiles(fresh, planReplicaFiles());
    for (const file of planReplicaFiles()) {
      expect(readFileSync(join(fresh, file.path), 'utf8'), file.path).toBe(readFileSync(join(REPLICAS_DIR, file.path), 'utf8'));
      expect(statSync(join(fresh, file.path)).mode & 0o777, file.path).toBe(file.executable ? 0o755 : 0o644);
    }
  });

  it('every shell script passes bash -n', () => {
    const scripts = planReplicaFiles().filter((f) => f.path.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThanOrEqual(8);
    for (const script of scripts) {
      const check = spawnSync('bash', ['-n', join(REPLICAS_DIR, script.path)], { encoding: 'utf8' });
      expect(check.status, `${script.path}: ${check.stderr}`).toBe(0);
    }
  });

  it('a generation removes a stale file from a generated folder, never from another folder', () => {
    const generated = temp();
    writeReplicaFiles(generated, planReplicaFiles());
    writeFileSync(join(generated, 'primary', 'old.sql'), 'select 1;');
    expect(diffReplicaFiles(generated, planReplicaFiles()).removed).toEqual(['primary/old.sql']);
    expect(writeReplicaFiles(generated, planReplicaFiles()).removed).toEqual(['primary/old.sql']);
    expect(diffReplicaFiles(generated, planReplicaFiles()).removed).toEqual([]);

    const foreign = temp();
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    expect(writeReplicaFiles(foreign, planReplicaFiles()).removed).toEqual([]);
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('generate --check exits 4 with E_REPLICA_STALE when a file was edited', async () => {
    const dir = temp();
    writeReplicaFiles(dir, planReplicaFiles());
    expect((await ecomdb(['replica', 'generate', '--check', '--out', dir], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'env.sh'), '# edited\n');
    const stale = await ecomdb(['replica', 'generate', '--check', '--out', dir, '--json'], { cwd: dir });
    expect(stale.code).toBe(4);
    expect(JSON.parse(stale.stdout).error).toMatchObject({ code: 'E_REPLICA_STALE', details: { changed: ['env.sh'] } });
  });
});

describe('residency: one publication per site, filtered on the primary', () => {
  it('25 tables, 19 region-scoped; region is text everywhere (a row filter refuses user-defined types such as an enum)', () => {
    const tables = replicatedTables();
    expect(tables).toHaveLength(25);
    expect(tables.filter((t) => t.regional).map((t) => `${t.schema}.${t.name}`)).toEqual(regionTables());
    expect(regionTables()).toHaveLength(19);
    const regionTypes = COMPONENTS.flatMap((c) => c.tables.flatMap(({ table }) => getTableConfig(table).columns.filter((col) => col.name === REGION_COLUMN)));
    expect(regionTypes).toHaveLength(19);
    expect(new Set(regionTypes.map((col) => col.getSQLType()))).toEqual(new Set(['text']));
  });

  it('a read node subscribes to the reference tables and to its own sites\' publications only', () => {
    expect(nodePublications(node)).toEqual(['ecomdb_reference', 'ecomdb_site_mla', 'ecomdb_site_mlu']);
  });

  it('publications.sql: the grants, the reference publication, one publication per served site with a row filter on every region-scoped table', () => {
    expect(publicationsSql(TOPOLOGY, replicatedTables())).toBe(`-- The initial copy of a subscription reads each table with COPY as the replication role: it may
-- read the replicated tables, and nothing else.
GRANT USAGE ON SCHEMA "user_management", "seller_management", "product_catalog", "order_processing", "reviews_questions", "payments", "shipping_logistics", "marketing", "messaging", "recommendations" TO "ecomdb_replicator";
GRANT SELECT ON TABLE
${ALL_TABLES}
TO "ecomdb_replicator";

-- Every publication below publishes inserts, updates and deletes, not TRUNCATE: truncating one
-- site's partition on the primary must not empty a node's copy of the whole table.
-- publish_via_partition_root: a partitioned table (partitions by site) is published as itself, so
-- that a node whose tables are partitioned differently, or not at all, can apply its changes.
-- The root's row filter is then the one that applies to its partitions. It changes nothing for a
-- table that is not partitioned.

-- ecomdb_reference: the global reference tables, every row, for every read node.
SELECT 'CREATE PUBLICATION "ecomdb_reference"' WHERE NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'ecomdb_reference') \\gexec
ALTER PUBLICATION "ecomdb_reference" SET TABLE
  "user_management"."roles",
  "product_catalog"."categories",
  "order_processing"."order_statuses",
  "payments"."payment_methods",
  "payments"."payment_statuses",
  "shipping_logistics"."shipment_statuses";
ALTER PUBLICATION "ecomdb_reference" SET (publish = 'insert, update, delete', publish_via_partition_root = true);

-- Data residency: a read node subscribes to the publications of its own sites only. Each holds
-- every region-scoped table with a row filter, WHERE (region = '<site>'), that the primary
-- evaluates itself, in the initial copy (COPY (SELECT ... WHERE ...)) and on every change it
-- decodes from its WAL. A row of another site is never sent to the node: it never leaves the primary.
-- - A node subscribed to several sites receives a row when any of their filters matches it
--   (PostgreSQL ORs the filters of one table across a subscription's publications). So a region-
--   scoped table must never be in a publication without a filter: one unfiltered entry sends the
--   whole table. This is why ecomdb_reference holds the tables without a region column only.
-- - A row filter may use built-in types only ("User-defined types are not allowed"): this is why
--   region is text with a CHECK on the site ids, not an enum.
-- - For UPDATE and DELETE the filter may use replica identity columns only (the primary key, by
--   default), or the primary refuses those statements on the table: region leads every primary
--   key of a region-scoped table. An UPDATE that moves a row out of a node's sites reaches the
--   node as a DELETE, one that moves a row in as an INSERT.

${sitePublication('MLA')}
${sitePublication('MLU')}`);
  });

  it('subscription.sql: empties the node\'s tables once, then subscribes to the node\'s publications with an initial copy', () => {
    expect(subscriptionSql(node, replicatedTables())).toBe(`-- psql variable (set by setup.sh): primary_conninfo, the libpq connection string to the primary.
SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'ecomdb_rioplatense') AS fresh \\gset
\\if :fresh

-- ecomdb migrate created the tables and also inserted the reference rows (roles, statuses, methods).
-- The primary's rows are the truth: empty every replicated table, then let the initial copy
-- (copy_data) bring every row this node may hold, reference rows included. Keeping the migration's
-- rows would make the copy of those tables fail on duplicate keys, and the subscription retry forever.
-- This runs once, before the subscription exists; never on a node that holds data.
TRUNCATE TABLE
${ALL_TABLES};

-- The subscription creates its slot on the primary, copies what its publications let through
-- (every reference row, and the rows of this node's sites, filtered on the primary), then applies
-- the primary's changes as they commit, in commit order.
CREATE SUBSCRIPTION "ecomdb_rioplatense"
  CONNECTION :'primary_conninfo'
  PUBLICATION "ecomdb_reference", "ecomdb_site_mla", "ecomdb_site_mlu"
  WITH (copy_data = true, create_slot = true, slot_name = 'ecomdb_rioplatense');

\\else
\\echo 'subscription ecomdb_rioplatense exists already: nothing to do'
\\endif
`);
  });

  it('the residency query counts, per region-scoped table, the rows of other sites', () => {
    const parts = residencyQuery(node, replicatedTables()).split('\nUNION ALL\n');
    expect(parts).toHaveLength(19);
    expect(parts[0]).toBe(
      `SELECT 'user_management.users' AS table_name, count(*) AS rows_of_other_sites FROM "user_management"."users" WHERE "region" <> ALL (ARRAY['MLA', 'MLU'])`,
    );
  });
});

describe('topology declaration', () => {
  const variant = (change: Partial<Topology>): Topology => ({ ...TOPOLOGY, ...change });

  it('accepts the declared topology', () => {
    expect(validateTopology(TOPOLOGY)).toBe(TOPOLOGY);
  });

  it.each([
    ['two nodes with one name', variant({ standbys: [TOPOLOGY.standbys[0]!, { ...TOPOLOGY.standbys[1]!, name: 'standby1' }] }), 'E_REPLICA_TOPOLOGY'],
    ['two nodes on one port', variant({ standbys: [{ ...TOPOLOGY.standbys[0]!, port: TOPOLOGY.primary.port }] }), 'E_REPLICA_TOPOLOGY'],
    ['a name that is not a plain identifier', variant({ standbys: [{ ...TOPOLOGY.standbys[0]!, name: 'Standby-1' }] }), 'E_REPLICA_TOPOLOGY'],
    ['an unknown site', variant({ readNodes: [{ ...node, sites: ['XXX' as never] }] }), 'E_REPLICA_TOPOLOGY'],
    ['a read node with no site', variant({ readNodes: [{ ...node, sites: [] }] }), 'E_REPLICA_TOPOLOGY'],
    ['a slot name over 63 bytes', variant({ standbys: [{ ...TOPOLOGY.standbys[0]!, name: `s${'x'.repeat(60)}` }] }), 'E_IDENTIFIER'],
  ])('refuses %s', (_what, topology, code) => {
    expect(() => planReplicaFiles(topology)).toThrow(expect.objectContaining({ code }));
  });
});

describe('replica commands refuse what they cannot do', () => {
  it('up and down need --local (exit 2, E_USAGE)', async () => {
    const dir = temp();
    for (const verb of ['up', 'down']) {
      const result = await ecomdb(['replica', verb, '--dir', join(dir, 'lab'), '--json'], { cwd: dir });
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout).error.code).toBe('E_USAGE');
    }
  });

  it('status, promote and down in a folder with no read layer: E_REPLICA_NOT_FOUND, nothing removed', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'keep.txt'), 'not a read layer');
    for (const args of [['status'], ['promote', 'standby1'], ['down', '--local']]) {
      const result = await ecomdb(['replica', ...args, '--dir', dir, '--json'], { cwd: dir });
      expect(result.code, args.join(' ')).toBe(2);
      expect(JSON.parse(result.stdout).error.code).toBe('E_REPLICA_NOT_FOUND');
    }
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('not a read layer');
  });

  it('up refuses a folder that is not empty (E_REPLICA_EXISTS)', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'keep.txt'), 'x');
    const result = await ecomdb(['replica', 'up', '--local', '--dir', dir, '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).error.code).toBe('E_REPLICA_EXISTS');
  });
});

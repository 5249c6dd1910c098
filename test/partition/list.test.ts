/**
 * `ecomdb partition list` on a migrated database that is not partitioned yet lists the
 * region-scoped tables as what they are, plain tables, and exits 0 (it used to call the database
 * "not migrated").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regionTables } from '../../src/partition/catalog.ts';
import { listPartitions, type PartitionRow } from '../../src/partition/inspect.ts';
import { ecomdb } from '../helpers/cli.ts';
import { createMigratedDatabase, migratedPglite, type TestDatabase } from '../helpers/db.ts';

/** What list must say of a plain table: itself, at the root, a leaf with no bound. */
const plain = (table: string) => ({ table, partition: table, parent: null, level: 0, bound: null, leaf: true });

describe('partition list on a migrated, unpartitioned database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase('part_list');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('lists every region-scoped table as not partitioned, with its size (exit 0)', async () => {
    const run = await ecomdb(['partition', 'list', '--url', db.url, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const rows = (JSON.parse(run.stdout) as { partitions: PartitionRow[] }).partitions;
    expect(rows.map(({ table, partition, parent, level, bound, leaf }) => ({ table, partition, parent, level, bound, leaf }))).toEqual(regionTables().map(plain));
    // A plain table's size is its own (an empty table still has the pages of its indexes).
    for (const row of rows) expect(row.bytes, row.table).toBeGreaterThan(0);
  });

  it('says the same on the embedded database', async () => {
    const { db: embedded } = await migratedPglite();
    try {
      const rows = await embedded.session((s) => listPartitions(s));
      expect(rows.map(({ table, partition, parent, level, bound, leaf }) => ({ table, partition, parent, level, bound, leaf }))).toEqual(regionTables().map(plain));
    } finally {
      await embedded.close();
    }
  });
});

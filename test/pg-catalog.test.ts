/**
 * The catalog readers agree on which indexes are indexes of their own: drift, the docs and the
 * partition snapshot all use src/pg-catalog.ts. A unique index that a foreign key of the same
 * table references (no constraint owns it) is one; the indexes of a primary key and of an
 * exclusion constraint are described by their constraints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryPglite } from '../src/db/pglite.ts';
import type { Database } from '../src/db/types.ts';
import { readCatalog as readDocsCatalog } from '../src/docs/catalog.ts';
import { readCatalog as readPartitionCatalog } from '../src/partition/catalog.ts';
import { catalogEntries } from '../src/verify/drift.ts';

describe('indexes of their own, as every catalog reader sees them', () => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await openMemoryPglite());
    await db.session((s) =>
      s.exec(`
        create schema s;
        create table s.t (id int primary key, code text not null, parent_code text, during tstzrange,
                          constraint t_during_excl exclude using gist (during with &&));
        create unique index t_code_idx on s.t (code);
        alter table s.t add constraint t_parent_fkey foreign key (parent_code) references s.t (code);
        create index t_parent_idx on s.t (parent_code);`),
    );
  });
  afterAll(async () => {
    await db?.close();
  });

  const OWN = ['t_code_idx', 't_parent_idx'];

  it('drift compares the referenced unique index and the plain one, not the constraints\' indexes', async () => {
    const entries = await db.session((s) => catalogEntries(s, ['s']));
    expect([...entries.keys()].filter((k) => k.startsWith('index ')).sort()).toEqual(OWN.map((n) => `index s.t.${n}`));
  });

  it('the docs list the same indexes', async () => {
    const [schema] = await db.session((s) => readDocsCatalog(s, ['s']));
    expect(schema!.tables[0]!.indexes.map((i) => i.name)).toEqual(OWN);
  });

  it('the partition snapshot carries the same indexes over', async () => {
    const snapshot = await db.session((s) => readPartitionCatalog(s, ['s.t']));
    expect(snapshot.tables[0]!.indexes.map((i) => i.name)).toEqual(OWN);
  });
});

/** Seeds component 2: one store per seller. */
import { stores } from '../schema/index.ts';
import { range, type CopySeed } from './table-seed.ts';
import { S, timestamp, type World } from './world.ts';

export const storesSeed: CopySeed = {
  kind: 'copy',
  table: stores,
  columns: ['region', 'id', 'owner_user_id', 'name', 'is_official', 'created_at'],
  expected: (w) => w.layout.total('stores'),
  *rows(w: World) {
    for (const s of range(w.layout.total('stores'))) {
      yield [w.storeRegion(s), s + 1, w.storeOwner(s) + 1, w.storeName(s), w.random.below(100, S.Store, s, 3) < 8, timestamp(w.storeCreatedAt(s))];
    }
  },
};

export const sellerManagementSeeds = [storesSeed];

/**
 * Seeds component 1: users (sellers first in each region, then a few staff, then newcomers and
 * returning buyers) and their addresses, in real cities of the site (seeds/places.ts).
 */
import { addresses, users } from '../schema/index.ts';
import { seededPasswordHashes } from './passwords.ts';
import { range, type Cell, type CopySeed } from './table-seed.ts';
import { timestamp, type World } from './world.ts';
import { S } from './world.ts';

/** Users whose password hashes are computed together (enough to keep the threadpool busy). */
const HASH_BATCH = 512;

function userRow(w: World, u: number, passwordHash: string): Cell[] {
  const r = w.random;
  const region = w.userRegion(u);
  const misc = r.below(1000, S.UserMisc, u, 3);
  const birth = new Date(Date.UTC(1950 + r.below(56, S.UserMisc, u, 4), r.below(12, S.UserMisc, u, 5), 1 + r.below(28, S.UserMisc, u, 6)));
  return [
    region,
    u + 1,
    w.userRole(u),
    w.userName(u),
    w.userEmail(u),
    passwordHash,
    misc < 800 ? w.phone(u) : null,
    misc % 10 < 9 ? birth.toISOString().slice(0, 10) : null,
    w.userLifecycle(u).status,
    timestamp(w.userCreatedAt(u)),
  ];
}

export const usersSeed: CopySeed = {
  kind: 'copy',
  table: users,
  columns: ['region', 'id', 'role_id', 'name', 'email', 'password_hash', 'phone', 'birth_date', 'status', 'created_at'],
  expected: (w) => w.layout.total('users'),
  // Each user's password hash (seeds/passwords.ts) is computed on the threadpool, the next
  // batch while the current one streams.
  async *rows(w: World) {
    const total = w.layout.total('users');
    const batch = (from: number) => seededPasswordHashes(w.options.seed, from, Math.min(total, from + HASH_BATCH));
    let next = total > 0 ? batch(0) : undefined;
    for (let from = 0; from < total; from += HASH_BATCH) {
      const hashes = await next!;
      next = from + HASH_BATCH < total ? batch(from + HASH_BATCH) : undefined;
      for (let i = 0; i < hashes.length; i++) yield userRow(w, from + i, hashes[i]!);
    }
  },
};

export const addressesSeed: CopySeed = {
  kind: 'copy',
  table: addresses,
  columns: ['region', 'id', 'user_id', 'street_line', 'city', 'state', 'postal_code', 'is_default'],
  expected: (w) => Math.round(w.layout.total('users') * 1.5),
  *rows(w: World) {
    for (const u of range(w.layout.total('users'))) {
      const region = w.userRegion(u);
      for (let k = 0; k < w.addressCount(u); k++) {
        const a = w.address(u, k);
        yield [region, w.addressId(u, k), u + 1, a.street, a.city, a.state, a.postalCode, k === 0];
      }
    }
  },
};

export const userManagementSeeds = [usersSeed, addressesSeed];

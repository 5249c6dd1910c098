/**
 * Seeded accounts can sign in: every stored password hash is a genuine argon2id hash of its
 * user's password (a pure function of the seed and the user id), each with a salt of its own,
 * on the server and on PGlite.
 */
import { verify } from 'argon2';
import { describe, expect, it } from 'vitest';
import { PASSWORD_HASH_PATTERN } from '../../schema/values.ts';
import { seededPassword, seededPasswordHash, seededSalt } from '../../seeds/passwords.ts';
import type { Database } from '../../src/db/types.ts';
import { ecomdb, tempDir } from '../helpers/cli.ts';
import { databasesForBlock, withPostgres } from '../helpers/db.ts';

const SEED = 11;
const seedArgs = ['seed', '--until', '2026-11-01', '--seed', String(SEED), '--regions', 'MLA,MLB,MLU', '--scale', '0.5'];

async function storedHashes(db: Database): Promise<{ id: number; hash: string }[]> {
  return db.session((s) => s.query<{ id: number; hash: string }>(`select id::int as id, password_hash as hash from user_management.users order by id`));
}

/** Verify each hash with the argon2 library against its user's password, and against a wrong one for a sample. */
async function expectAllVerify(rows: readonly { id: number; hash: string }[]): Promise<void> {
  expect(rows.length).toBeGreaterThan(500);
  const pattern = new RegExp(PASSWORD_HASH_PATTERN);
  const failures: number[] = [];
  for (let i = 0; i < rows.length; i += 256) {
    const batch = rows.slice(i, i + 256);
    const ok = await Promise.all(batch.map((r) => verify(r.hash, seededPassword(SEED, r.id))));
    batch.forEach((r, k) => (!ok[k] || !pattern.test(r.hash)) && failures.push(r.id));
  }
  expect(failures).toEqual([]);
  // The check can fail: another user's password, or another seed's, does not verify.
  for (const r of rows.slice(0, 20)) {
    expect(await verify(r.hash, seededPassword(SEED, r.id + 1))).toBe(false);
    expect(await verify(r.hash, seededPassword(SEED + 1, r.id))).toBe(false);
  }
  // A salt of its own per user: no two stored hashes share one.
  expect(new Set(rows.map((r) => r.hash.split('$')[4])).size).toBe(rows.length);
}

describe('seeded password hashes', () => {
  const fresh = databasesForBlock();

  it('are pure functions of (seed, user id): same inputs, same hash; another seed, another password and salt', async () => {
    expect(seededPassword(SEED, 5)).toBe(seededPassword(SEED, 5));
    expect(seededPassword(SEED, 5)).toMatch(/^[a-zA-Z2-9]{16}$/);
    expect(seededPassword(SEED, 5)).not.toBe(seededPassword(SEED, 6));
    expect(seededPassword(SEED + 1, 5)).not.toBe(seededPassword(SEED, 5));
    expect(seededSalt(SEED, 5).equals(seededSalt(SEED + 1, 5))).toBe(false);
    expect(await seededPasswordHash(SEED, 5)).toBe(await seededPasswordHash(SEED, 5));
  });

  it('every seeded hash verifies against its user\'s password on PostgreSQL', async () => {
    const t = await fresh('seed_pw');
    const run = await ecomdb([...seedArgs, '--url', t.url]);
    expect(run.code, run.stderr).toBe(0);
    await expectAllVerify(await withPostgres(t.url, storedHashes));
  });

  it('every seeded hash verifies against its user\'s password on PGlite', async () => {
    const cwd = tempDir();
    expect((await ecomdb(['migrate'], { cwd })).code).toBe(0);
    const run = await ecomdb(seedArgs, { cwd });
    expect(run.code, run.stderr).toBe(0);
    const { openPglite } = await import('../../src/db/pglite.ts');
    const embedded = await openPglite(`${cwd}/.ecomdb`);
    try {
      await expectAllVerify(await storedHashes(embedded));
    } finally {
      await embedded.close();
    }
  });
});

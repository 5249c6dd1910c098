/**
 * The passwords of seeded accounts and their argon2id hashes. A seeded account can sign in: its
 * password is a pure function of (seed, user id), like every other seeded value, and its stored
 * hash is a genuine argon2id hash of that password with a salt of its own, also drawn from
 * (seed, user id) — so the same seed stores the same bytes on any target, and every hash
 * verifies with the argon2 library against its user's password.
 *
 * The cost is deliberately low (SEED_HASH_COST): a seeded password is derivable by anyone who
 * knows the seed, so a high cost would protect nothing and would make scale 100 (200,000
 * accounts) hash for hours. The parameters travel in each PHC string, so verification is
 * correct whatever the cost; accounts registered through the query library are hashed at the
 * production cost (src/access/user-management.ts), and needsRehash() tells a login that a
 * seeded hash is below it.
 */
import { argon2id, hash } from 'argon2';
import { Random, S } from './world.ts';

/**
 * argon2id at the smallest cost it allows: 8 KiB (the minimum for one lane), one pass. About
 * 0.02 ms per hash on an idle 2-core machine with the threadpool busy, 0.05–0.15 ms under load.
 */
export const SEED_HASH_COST = { type: argon2id, memoryCost: 8, timeCost: 1, parallelism: 1, hashLength: 32 } as const;

/** 56 characters without look-alikes (0/O, 1/l/I). */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const PASSWORD_LENGTH = 16;
const SALT_BYTES = 16;

/** The password of seeded user `userId` (ids start at 1) for `seed`: 16 characters, ~93 bits. */
export function seededPassword(seed: number, userId: number): string {
  const random = new Random(seed);
  let password = '';
  for (let k = 0; k < PASSWORD_LENGTH; k++) password += ALPHABET[random.below(ALPHABET.length, S.Password, userId - 1, k)];
  return password;
}

/** The salt of seeded user `userId`'s hash: 16 bytes of its own, drawn from (seed, user id). */
export function seededSalt(seed: number, userId: number): Buffer {
  const random = new Random(seed);
  const salt = Buffer.alloc(SALT_BYTES);
  for (let k = 0; k < SALT_BYTES / 4; k++) salt.writeUInt32BE(random.int(S.Password, userId - 1, 100 + k), k * 4);
  return salt;
}

/** The stored hash of seeded user `userId`: argon2id of its password with its salt, at SEED_HASH_COST. */
export function seededPasswordHash(seed: number, userId: number): Promise<string> {
  return hash(seededPassword(seed, userId), { ...SEED_HASH_COST, salt: seededSalt(seed, userId) });
}

/**
 * The hashes of users [from, to) (ids from + 1 …), computed concurrently: argon2 runs on
 * libuv's threadpool, off the main thread that encodes and streams the rows.
 */
export function seededPasswordHashes(seed: number, from: number, to: number): Promise<string[]> {
  return Promise.all(Array.from({ length: to - from }, (_, i) => seededPasswordHash(seed, from + i + 1)));
}

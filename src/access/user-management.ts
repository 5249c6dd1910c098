/** User management: a buyer (or a seller) registers in a site, and keeps addresses to ship to. */
import { argon2id, hash, needsRehash, verify } from 'argon2';
import { and, eq, sql } from 'drizzle-orm';
import { addresses, users } from '../../schema/index.ts';
import { PASSWORD_HASH_PATTERN, type SiteId } from '../../schema/values.ts';
import type { AccessDb } from './db.ts';
import { id, oneOf, optionalText, refuse, site, text } from './guard.ts';
import { ROLE } from './reference.ts';
import { requireActiveUser } from './shared.ts';

/** A postal address as the buyer types it. */
export interface AddressInput {
  readonly streetLine: string;
  readonly city: string;
  readonly state: string;
  /** Text: leading zeros and letters (Argentine CPA) must survive. */
  readonly postalCode: string;
}

export interface RegisterParams {
  readonly region: SiteId;
  readonly name: string;
  /** Stored in lower case; unique within the site. */
  readonly email: string;
  /** An argon2id PHC string; hashPassword() makes one. Never the password itself. */
  readonly passwordHash: string;
  /** E.164, e.g. +5511987654321. */
  readonly phone?: string;
  /** Buyers register as `user` (the default); a seller as `seller`. Staff roles are not self-service. */
  readonly role?: 'user' | 'seller';
  /** Becomes the default shipping address. */
  readonly address?: AddressInput;
}

export interface Registered {
  readonly userId: number;
  readonly addressId: number | null;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHC = new RegExp(PASSWORD_HASH_PATTERN);
const PHONE = /^\+[1-9][0-9]{7,14}$/;
const POSTAL_CODE = /^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/;

function checkAddress(a: AddressInput): AddressInput {
  const postalCode = text('address.postalCode', a.postalCode, 2, 10);
  if (!POSTAL_CODE.test(postalCode)) {
    throw refuse('E_ACCESS_INVALID', `address.postalCode: "${postalCode}" is not a postal code`, 'use letters, digits, spaces and dashes (2 to 10)', { param: 'address.postalCode' });
  }
  return {
    streetLine: text('address.streetLine', a.streetLine, 1, 200),
    city: text('address.city', a.city, 1, 100),
    state: text('address.state', a.state, 1, 100),
    postalCode,
  };
}

/** Register an account: the email is unique within the site (E_ACCESS_CONFLICT otherwise). */
export async function registerUser(db: AccessDb, params: RegisterParams): Promise<Registered> {
  const region = site(params.region);
  const name = text('name', params.name, 1, 200);
  const email = text('email', params.email, 3, 254).toLowerCase();
  if (!EMAIL.test(email)) throw refuse('E_ACCESS_INVALID', `email: "${email}" is not an email address`, 'pass an address like ana@example.com', { param: 'email' });
  const passwordHash = text('passwordHash', params.passwordHash, 50, 1000);
  if (!PHC.test(passwordHash)) {
    throw refuse('E_ACCESS_INVALID', 'passwordHash: not an argon2id hash in PHC format (16-byte salt, 32-byte digest)', 'hash the password first (hashPassword())', { param: 'passwordHash' });
  }
  const phone = optionalText('phone', params.phone, 9, 16);
  if (phone !== undefined && !PHONE.test(phone)) throw refuse('E_ACCESS_INVALID', `phone: "${phone}" is not in E.164 format`, 'pass it as +<country><number>', { param: 'phone' });
  const role = oneOf('role', params.role ?? 'user', ['user', 'seller'] as const);
  const address = params.address === undefined ? undefined : checkAddress(params.address);

  return db.transaction(async (tx) => {
    // ON CONFLICT rather than catching 23505: a failed statement would abort the caller's transaction.
    const [user] = await tx
      .insert(users)
      .values({ region, roleId: ROLE[role], name, email, passwordHash, phone })
      .onConflictDoNothing({ target: [users.region, users.email] })
      .returning({ id: users.id });
    if (!user) throw refuse('E_ACCESS_CONFLICT', `${email} is already registered in ${region}`, 'sign in, or register another email', { region, email });
    let addressId: number | null = null;
    if (address) {
      const [row] = await tx.insert(addresses).values({ region, userId: user.id, ...address, isDefault: true }).returning({ id: addresses.id });
      addressId = row!.id;
    }
    return { userId: user.id, addressId };
  });
}

export interface AddAddressParams extends AddressInput {
  readonly region: SiteId;
  readonly userId: number;
  /** Make it the default shipping address (the previous default stops being one). */
  readonly isDefault?: boolean;
}

/** Add a shipping address to an account. */
export async function addAddress(db: AccessDb, params: AddAddressParams): Promise<{ addressId: number }> {
  const region = site(params.region);
  const userId = id('userId', params.userId);
  const address = checkAddress(params);
  return db.transaction(async (tx) => {
    await requireActiveUser(tx, region, userId, 'add addresses');
    if (params.isDefault) {
      await tx.update(addresses).set({ isDefault: false }).where(and(eq(addresses.region, region), eq(addresses.userId, userId), sql`${addresses.isDefault}`));
    }
    const [row] = await tx.insert(addresses).values({ region, userId, ...address, isDefault: params.isDefault ?? false }).returning({ id: addresses.id });
    return { addressId: row!.id };
  });
}

/**
 * argon2id at OWASP's first recommended setting: 19 MiB of memory, 2 passes, 1 lane (about
 * 30 ms per hash on the development machine). The parameters are written into each hash, so
 * raising them later leaves older hashes verifiable; signIn() reports when one is below them.
 */
export const PASSWORD_COST = { type: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1, hashLength: 32 } as const;

/** An argon2id hash of `password` (random 16-byte salt), in the PHC format registerUser() stores. */
export async function hashPassword(password: string): Promise<string> {
  return hash(checkPassword(password), PASSWORD_COST);
}

/** A password as typed: never trimmed, never echoed into an error. */
function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length === 0 || password.length > 1000) {
    throw refuse('E_ACCESS_INVALID', 'password: must be 1 to 1000 characters of text', 'pass the password the user typed', { param: 'password' });
  }
  return password;
}

/**
 * Whether `password` is the one `passwordHash` was made from. The comparison is the argon2
 * library's (constant time in the digest); a malformed hash is simply not a match.
 */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (!PHC.test(passwordHash) || typeof password !== 'string') return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

export interface SignInParams {
  readonly region: SiteId;
  readonly email: string;
  readonly password: string;
}

export interface SignedIn {
  readonly userId: number;
  /** The stored hash is below PASSWORD_COST: store hashPassword(password) now that it is known. */
  readonly needsRehash: boolean;
}

/**
 * A hash of 16 random bytes that were thrown away (at PASSWORD_COST), verified when the email is unknown so that an unknown
 * account costs the same time as a wrong password (the answer must not tell which).
 */
const DECOY_HASH = '$argon2id$v=19$m=19456,p=1,t=2$ZWNvbWRiLWRlY295LXNhbA$yrHU+Ya5TY3eOabRJFhMmOjXvvTzRoSujs2B3Wyi5fA';

/**
 * Sign a user in by site, email and password. A wrong password and an unknown email are one
 * refusal (E_ACCESS_FORBIDDEN, same message, same work); a suspended or closed account is
 * refused only once its password is proven.
 */
export async function signIn(db: AccessDb, params: SignInParams): Promise<SignedIn> {
  const region = site(params.region);
  const email = text('email', params.email, 3, 254).toLowerCase();
  const password = checkPassword(params.password);
  const [user] = await db
    .select({ id: users.id, passwordHash: users.passwordHash, status: users.status })
    .from(users)
    .where(and(eq(users.region, region), eq(users.email, email)));
  const ok = await verifyPassword(user?.passwordHash ?? DECOY_HASH, password);
  if (!user || !ok) throw refuse('E_ACCESS_FORBIDDEN', `wrong email or password for ${region}`, 'check both and try again', { region });
  if (user.status !== 'active') throw refuse('E_ACCESS_FORBIDDEN', `user ${user.id} is ${user.status} and may not sign in`, 'only an active account may', { region, userId: user.id });
  return {
    userId: user.id,
    needsRehash: needsRehash(user.passwordHash, { memoryCost: PASSWORD_COST.memoryCost, timeCost: PASSWORD_COST.timeCost, parallelism: PASSWORD_COST.parallelism }),
  };
}

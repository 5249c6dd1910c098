/** User management: a buyer (or a seller) registers in a site, and keeps addresses to ship to. */
import { randomBytes, scrypt } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { addresses, users } from '../../schema/index.ts';
import type { SiteId } from '../../schema/values.ts';
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
  /** A PHC string (argon2, bcrypt or scrypt); hashPassword() makes one. Never the password itself. */
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
const PHC = /^\$(argon2id|argon2i|2a|2b|2y|scrypt)\$/;
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
    throw refuse('E_ACCESS_INVALID', 'passwordHash: not an argon2, bcrypt or scrypt hash in PHC format', 'hash the password first (hashPassword())', { param: 'passwordHash' });
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

/** scrypt cost: N = 2^17, r = 8, p = 1, the minimum OWASP recommends (128 MiB per hash). */
const SCRYPT = { ln: 17, r: 8, p: 1 } as const;

/** A PHC-format scrypt hash of `password`, as registerUser() stores it. */
export function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { N: 2 ** SCRYPT.ln, r: SCRYPT.r, p: SCRYPT.p, maxmem: 160 * 1024 * 1024 }, (error, key) => {
      if (error) reject(error);
      else resolve(`$scrypt$ln=${SCRYPT.ln},r=${SCRYPT.r},p=${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`);
    });
  });
}

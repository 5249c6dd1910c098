/** Component 1, User management: who may use the marketplace, in which role, and where they live. */
import { sql } from 'drizzle-orm';
import { boolean, date, pgSchema, primaryKey, smallint, text, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, ref, referenceColumns, referenceTable, references, region, rule, siteRule } from './columns.ts';
import { describe, type Component } from './component.ts';
import { PASSWORD_HASH_PATTERN, USER_STATUSES } from './values.ts';

export const userManagement = pgSchema('user_management');
export const userStatus = userManagement.enum('user_status', USER_STATUSES);

/** The seven roles of the paper. */
export const roles = referenceTable(userManagement, 'roles');

/** Marketplace accounts. An account belongs to one site, as on Mercado Libre. */
export const users = userManagement.table(
  'users',
  {
    region: region(),
    id: id(),
    roleId: smallint('role_id').notNull(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    phone: text('phone'),
    birthDate: date('birth_date', { mode: 'string' }),
    status: userStatus('status').notNull().default('active'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'users_pkey', columns: [t.region, t.id] }),
    siteRule('users'),
    unique('users_region_email_key').on(t.region, t.email),
    ...references('users', [t.roleId], [roles.id], 'restrict'),
    rule('users', 'name', `length(btrim(name)) > 0`),
    rule('users', 'email', `email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$'`),
    rule('users', 'password_hash', `password_hash ~ '${PASSWORD_HASH_PATTERN}'`),
    rule('users', 'phone', `phone ~ '^\\+[1-9][0-9]{7,14}$'`),
    rule('users', 'birth_date', `birth_date >= DATE '1900-01-01'`),
  ],
);

/** Postal addresses of a user; at most one of them is the default. */
export const addresses = userManagement.table(
  'addresses',
  {
    region: region(),
    id: id(),
    userId: ref('user_id').notNull(),
    streetLine: text('street_line').notNull(),
    city: text('city').notNull(),
    state: text('state').notNull(),
    postalCode: text('postal_code').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
  },
  (t) => [
    primaryKey({ name: 'addresses_pkey', columns: [t.region, t.id] }),
    siteRule('addresses'),
    // Lets an order prove that its shipping address belongs to its buyer.
    unique('addresses_region_user_id_id_key').on(t.region, t.userId, t.id),
    ...references('addresses', [t.region, t.userId], [users.region, users.id], 'cascade', { covered: true }),
    uniqueIndex('addresses_one_default_per_user').on(t.region, t.userId).where(sql`is_default`),
    rule('addresses', 'postal_code', `postal_code ~ '^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$'`),
    rule('addresses', 'street_line', `length(btrim(street_line)) > 0`),
    rule('addresses', 'city', `length(btrim(city)) > 0`),
    rule('addresses', 'state', `length(btrim(state)) > 0`),
  ],
);

export const userManagementComponent: Component = {
  schema: userManagement,
  title: 'User management',
  comment: 'Accounts, their roles and their addresses.',
  tables: [
    describe(roles, 'The seven user roles of the platform; each is also a PostgreSQL role of least privilege.', referenceColumns('role')),
    describe(users, 'A marketplace account. Accounts are per site, so the email is unique within a region.', {
      region: 'Site the account belongs to; partition key and first column of every key.',
      id: 'Surrogate key, unique within the region.',
      roleId: 'The role that decides what the account may do.',
      name: 'Full name shown to other users.',
      email: 'Login email, stored in lower case; unique within the site.',
      passwordHash: 'Argon2id hash in PHC format (16-byte salt, 32-byte digest); a CHECK refuses anything else, a plaintext password included.',
      phone: 'Phone number in E.164 format (+5511987654321), optional.',
      birthDate: 'Date of birth, optional; used for age checks on restricted categories.',
      status: 'active, suspended (by moderation) or closed (by the user).',
      createdAt: 'When the account was registered.',
    }),
    describe(addresses, 'A postal address of a user, used for shipping.', {
      region: 'Site of the address; equals the site of its user.',
      id: 'Surrogate key, unique within the region.',
      userId: 'The user the address belongs to.',
      streetLine: 'Street, number and any apartment details.',
      city: 'City or municipality.',
      state: 'State, province or department.',
      postalCode: 'Postal code as text: leading zeros and letters (Argentine CPA) must survive.',
      isDefault: 'Whether this is the user\'s default shipping address (at most one per user).',
    }),
  ],
};

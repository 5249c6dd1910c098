/**
 * Small hand-written fixtures for tests that break one rule at a time (the schema's constraints,
 * the data rules): rows as SQL through src/ident.ts, the people every such fixture starts from,
 * and one interface over the two targets those tests run on, a single connection to a migrated
 * server database and a migrated PGlite. One connection, because BEGIN and ROLLBACK must reach
 * the session that ran the write.
 */
import { quoteIdent, quoteLiteral } from '../../src/ident.ts';
import { createMigratedDatabase, migratedPglite } from './db.ts';

// ---------------------------------------------------------------------------------------------
// Rows as SQL

/** A column value: a JSON-like scalar, or SQL text used as it is (a subquery). */
export type Value = string | number | boolean | null | { readonly sql: string };
export type Row = Readonly<Record<string, Value>>;

export const literal = (v: Value): string =>
  v === null ? 'NULL' : typeof v === 'object' ? v.sql : typeof v === 'string' ? quoteLiteral(v) : String(v);

/** `INSERT INTO schema.table ("col", ...) VALUES (...)`; `table` is written as given. */
export function insert(table: string, row: Row): string {
  const entries = Object.entries(row);
  return `INSERT INTO ${table} (${entries.map(([c]) => quoteIdent(c)).join(', ')}) VALUES (${entries.map(([, v]) => literal(v)).join(', ')})`;
}

/** The id of a reference row, looked up by name as the data rules look it up. */
const named = (table: string) => (name: string) => ({ sql: `(SELECT id FROM ${table} WHERE name = ${quoteLiteral(name)})` });
export const role = named('user_management.roles');
export const orderStatus = named('order_processing.order_statuses');
export const paymentStatus = named('payments.payment_statuses');
export const paymentMethod = named('payments.payment_methods');
export const shipmentStatus = named('shipping_logistics.shipment_statuses');

/** A well-formed argon2id hash (the schema refuses anything that does not look like a hash). */
/** A real argon2id hash (low cost) of the password `fixture password`. */
export const HASH = '$argon2id$v=19$m=64,p=1,t=1$ZWNvbWRiLWZpeHR1cmUtMQ$HADeydS3OldCnzbTgLt7qfm29N2MLswiq6+jXMwZ0fA';

/**
 * The people of every fixture, with a default address each, and the sellers' stores. MLA: buyers
 * 1 (Ana) and 3 (Lucía), sellers 2 (Sergio, store 1) and 4 (Marta, store 2). MLB: buyer 11
 * (Bruno), seller 12 (Carla, store 11). Ids below 10 are MLA's, ids from 11 MLB's.
 */
export const PEOPLE: ReadonlyArray<readonly [table: string, rows: readonly Row[]]> = [
  ['user_management.users', [
    { region: 'MLA', id: 1, role_id: role('user'), name: 'Ana Gómez', email: 'ana@example.com', password_hash: HASH, phone: '+5491123456789' },
    { region: 'MLA', id: 2, role_id: role('seller'), name: 'Sergio Paz', email: 'sergio@example.com', password_hash: HASH },
    { region: 'MLA', id: 3, role_id: role('user'), name: 'Lucía Ríos', email: 'lucia@example.com', password_hash: HASH },
    { region: 'MLA', id: 4, role_id: role('seller'), name: 'Marta Sosa', email: 'marta@example.com', password_hash: HASH },
    { region: 'MLB', id: 11, role_id: role('user'), name: 'Bruno Lima', email: 'bruno@example.com', password_hash: HASH },
    { region: 'MLB', id: 12, role_id: role('seller'), name: 'Carla Souza', email: 'carla@example.com', password_hash: HASH },
  ]],
  ['user_management.addresses', [
    { region: 'MLA', id: 1, user_id: 1, street_line: 'Av. Santa Fe 1234', city: 'Buenos Aires', state: 'CABA', postal_code: 'C1059ABT', is_default: true },
    { region: 'MLA', id: 2, user_id: 2, street_line: 'Calle 50 742', city: 'La Plata', state: 'Buenos Aires', postal_code: 'B1900', is_default: true },
    { region: 'MLA', id: 3, user_id: 3, street_line: 'San Martín 55', city: 'Rosario', state: 'Santa Fe', postal_code: 'S2000', is_default: true },
    { region: 'MLA', id: 4, user_id: 4, street_line: 'Belgrano 10', city: 'Córdoba', state: 'Córdoba', postal_code: 'X5000', is_default: true },
    { region: 'MLB', id: 11, user_id: 11, street_line: 'Rua Augusta 500', city: 'São Paulo', state: 'SP', postal_code: '01305-000', is_default: true },
    { region: 'MLB', id: 12, user_id: 12, street_line: 'Av. Rio Branco 1', city: 'Rio de Janeiro', state: 'RJ', postal_code: '20090-003', is_default: true },
  ]],
  ['seller_management.stores', [
    { region: 'MLA', id: 1, owner_user_id: 2, name: 'Tienda Sergio' },
    { region: 'MLA', id: 2, owner_user_id: 4, name: 'Casa Marta' },
    { region: 'MLB', id: 11, owner_user_id: 12, name: 'Loja da Carla' },
  ]],
];

// ---------------------------------------------------------------------------------------------
// Targets

/** The fields of a PostgreSQL error, whatever the driver calls them. */
export interface PgErrorFields {
  code?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

export interface FixtureTarget {
  /** Run one statement; reject with the driver's error (its `.code` is the SQLSTATE). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** The fields of an error thrown by query. */
  fields(error: unknown): PgErrorFields;
  close(): Promise<void>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

async function serverTarget(label: string): Promise<FixtureTarget> {
  const db = await createMigratedDatabase(label);
  const conn = await db.sql.reserve();
  return {
    query: async (sql, params = []) => (await conn.unsafe(sql, params as never[])) as never,
    fields: (error) => {
      const e = error as Record<string, unknown>;
      return { code: text(e.code), schema: text(e.schema_name), table: text(e.table_name), column: text(e.column_name), constraint: text(e.constraint_name) };
    },
    close: async () => {
      conn.release();
      await db.drop();
    },
  };
}

async function pgliteTarget(): Promise<FixtureTarget> {
  const { pg } = await migratedPglite();
  return {
    query: async (sql, params = []) => (await pg.query(sql, params as unknown[])).rows as never,
    fields: (error) => {
      const e = error as Record<string, unknown>;
      return { code: text(e.code), schema: text(e.schema), table: text(e.table), column: text(e.column), constraint: text(e.constraint) };
    },
    close: () => pg.close(),
  };
}

/** Both targets, for `describe.each`; `label` names the server database. */
export const FIXTURE_TARGETS = [
  { name: 'PostgreSQL server', open: (label: string) => serverTarget(label) },
  { name: 'PGlite', open: (_label: string) => pgliteTarget() },
] as const;

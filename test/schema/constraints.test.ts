/**
 * The integrity rules of the schema reject what they should: for each kind of rule (NOT NULL,
 * CHECK, UNIQUE, foreign key, region co-location, enum), a write that breaks it fails with the
 * expected SQLSTATE, and the error names the table and the constraint (for NOT NULL, the column)
 * at fault; an invalid enum value is checked by SQLSTATE alone.
 * Every component has a NOT NULL, a CHECK, a UNIQUE and an FK case; co-location is tested in
 * every component whose rows reference another region-scoped row. The same cases run on the
 * PostgreSQL server and on embedded PGlite.
 *
 * Each case is a pair: a valid write, and the same write with one rule broken. The valid write
 * must succeed, which proves the broken one fails for that rule and no other; a missing
 * constraint therefore fails its test instead of hiding behind an unrelated error. Both writes
 * run in a transaction that is rolled back, so every case starts from the same fixture.
 *
 * Fixture ids: rows of MLA (ARS) have ids below 10, rows of MLB (BRL) ids from 11, and the new
 * rows the cases write have id 901. A co-location case points an MLA row at an MLB id: the row
 * exists, but in another region, so only the region part of the composite key can reject it.
 *
 * An order's key is (region, id, created_at) (orders are partitioned by month on created_at), so
 * every fixture order has a fixed created_at (ORDER_AT) and every row that cites an order repeats
 * it beside order_id; a case that points a row at another order moves both.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createMigratedDatabase, migratedPglite } from '../helpers/db.ts';

// ---------------------------------------------------------------------------------------------
// Targets: the same small interface over postgres.js and PGlite.

/** The fields of a PostgreSQL error this file asserts, whatever the driver calls them. */
interface PgError {
  code?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

interface Target {
  /** Run one statement; reject with the driver's error (its `.code` is the SQLSTATE). */
  exec(sql: string, params?: unknown[]): Promise<unknown[]>;
  /** The fields of an error thrown by exec. */
  fields(error: unknown): PgError;
  close(): Promise<void>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

async function serverTarget(): Promise<Target> {
  const db = await createMigratedDatabase('constraints');
  // One connection: BEGIN and ROLLBACK must reach the session that ran the write.
  const conn = await db.sql.reserve();
  return {
    exec: async (sql, params = []) => await conn.unsafe(sql, params as never[]),
    fields: (error) => {
      const e = error as Record<string, unknown>;
      return {
        code: text(e.code),
        schema: text(e.schema_name),
        table: text(e.table_name),
        column: text(e.column_name),
        constraint: text(e.constraint_name),
      };
    },
    close: async () => {
      conn.release();
      await db.drop();
    },
  };
}

async function pgliteTarget(): Promise<Target> {
  const { pg } = await migratedPglite();
  return {
    exec: async (sql, params = []) => (await pg.query(sql, params)).rows,
    fields: (error) => {
      const e = error as Record<string, unknown>;
      return {
        code: text(e.code),
        schema: text(e.schema),
        table: text(e.table),
        column: text(e.column),
        constraint: text(e.constraint),
      };
    },
    close: () => pg.close(),
  };
}

const TARGETS = [
  { name: 'PostgreSQL server', open: serverTarget },
  { name: 'PGlite', open: pgliteTarget },
];

/** Run a write in a transaction that is always rolled back; resolve to its error, if any. */
async function attempt(target: Target, sql: string): Promise<unknown> {
  await target.exec('BEGIN');
  try {
    await target.exec(sql);
    return undefined;
  } catch (error) {
    return error ?? new Error('rejected without an error object');
  } finally {
    await target.exec('ROLLBACK');
  }
}

// ---------------------------------------------------------------------------------------------
// Rows as SQL literals.

type Value = string | number | boolean | null;
type Row = Readonly<Record<string, Value>>;

const literal = (v: Value): string =>
  v === null ? 'NULL' : typeof v === 'string' ? `'${v.replaceAll("'", "''")}'` : String(v);

function insert(table: string, row: Row): string {
  const entries = Object.entries(row);
  const columns = entries.map(([c]) => `"${c}"`).join(', ');
  const values = entries.map(([, v]) => literal(v)).join(', ');
  return `INSERT INTO ${table} (${columns}) VALUES (${values})`;
}

/** When each fixture order was placed: the other half of its key, repeated by every row citing it. */
const ORDER_AT = {
  MLA1: '2025-05-01T12:00:00Z',
  MLA2: '2025-05-01T13:00:00Z',
  MLB11: '2025-05-01T14:00:00Z',
} as const;
/** No fixture order was placed at this instant. */
const NO_ORDER_AT = '2025-05-01T12:30:00Z';

const HASH = '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzYWx0$RdescudvJCsgt3ub+b+dWRWJTmaaJObG';

// ---------------------------------------------------------------------------------------------
// The fixture: a few valid rows of every table, in MLA and MLB, inserted in dependency order.

const FIXTURE: ReadonlyArray<readonly [table: string, rows: readonly Row[]]> = [
  ['user_management.users', [
    { region: 'MLA', id: 1, role_id: 1, name: 'Ana Gómez', email: 'ana@example.com', password_hash: HASH, phone: '+5491123456789' },
    { region: 'MLA', id: 2, role_id: 2, name: 'Sergio Paz', email: 'sergio@example.com', password_hash: HASH },
    { region: 'MLA', id: 3, role_id: 1, name: 'Lucía Ríos', email: 'lucia@example.com', password_hash: HASH },
    { region: 'MLB', id: 11, role_id: 1, name: 'Bruno Lima', email: 'bruno@example.com', password_hash: HASH },
    { region: 'MLB', id: 12, role_id: 2, name: 'Carla Souza', email: 'carla@example.com', password_hash: HASH },
  ]],
  ['user_management.addresses', [
    { region: 'MLA', id: 1, user_id: 1, street_line: 'Av. Santa Fe 1234', city: 'Buenos Aires', state: 'CABA', postal_code: 'C1059ABT', is_default: true },
    { region: 'MLA', id: 2, user_id: 2, street_line: 'Calle 50 742', city: 'La Plata', state: 'Buenos Aires', postal_code: 'B1900', is_default: true },
    { region: 'MLA', id: 3, user_id: 3, street_line: 'San Martín 55', city: 'Rosario', state: 'Santa Fe', postal_code: 'S2000', is_default: true },
    { region: 'MLB', id: 11, user_id: 11, street_line: 'Rua Augusta 500', city: 'São Paulo', state: 'SP', postal_code: '01305-000', is_default: true },
    { region: 'MLB', id: 12, user_id: 12, street_line: 'Av. Rio Branco 1', city: 'Rio de Janeiro', state: 'RJ', postal_code: '20090-003', is_default: true },
  ]],
  ['seller_management.stores', [
    { region: 'MLA', id: 1, owner_user_id: 2, name: 'Tienda Sergio' },
    { region: 'MLB', id: 11, owner_user_id: 12, name: 'Loja da Carla' },
  ]],
  ['product_catalog.categories', [
    { id: 1, parent_id: null, name: 'Electrónica', description: 'Electronics and gadgets.' },
    { id: 2, parent_id: 1, name: 'Celulares', description: 'Mobile phones.' },
    { id: 3, parent_id: 1, name: 'Accesorios', description: 'Accessories, nothing listed yet.' },
  ]],
  ['product_catalog.products', [
    { region: 'MLA', id: 1, store_id: 1, category_id: 2, title: 'Celular Moto G', description: 'Libre de fábrica.', price: '350000.00', currency: 'ARS', stock: 5 },
    { region: 'MLA', id: 2, store_id: 1, category_id: 2, title: 'Funda para celular', description: 'Silicona.', price: '9000.00', currency: 'ARS', stock: 100 },
    { region: 'MLB', id: 11, store_id: 11, category_id: 2, title: 'Celular Galaxy A', description: 'Desbloqueado.', price: '1500.00', currency: 'BRL', stock: 10 },
  ]],
  ['product_catalog.product_images', [
    { region: 'MLA', id: 1, product_id: 1, url: 'https://img.example.com/mla-1-1.jpg', position: 1 },
    { region: 'MLB', id: 11, product_id: 11, url: 'https://img.example.com/mlb-11-1.jpg', position: 1 },
  ]],
  ['marketing.campaigns', [
    { region: 'MLA', id: 1, store_id: 1, name: 'Hot Sale', starts_at: '2025-05-12T00:00:00Z', ends_at: '2025-05-15T00:00:00Z', status: 'finished', budget: '100000.00', currency: 'ARS' },
    { region: 'MLB', id: 11, store_id: 11, name: 'Black Friday', starts_at: '2025-11-28T00:00:00Z', ends_at: '2025-11-29T00:00:00Z', status: 'scheduled', budget: '2000.00', currency: 'BRL' },
  ]],
  ['product_catalog.product_discounts', [
    { region: 'MLA', id: 1, product_id: 1, percentage: 10, starts_at: '2025-05-12T00:00:00Z', ends_at: '2025-05-15T00:00:00Z', campaign_id: 1 },
    { region: 'MLB', id: 11, product_id: 11, percentage: 5, starts_at: '2025-11-28T00:00:00Z', ends_at: '2025-11-29T00:00:00Z', campaign_id: 11 },
  ]],
  ['order_processing.coupons', [
    { region: 'MLA', id: 1, code: 'BIENVENIDA10', percentage: 10, fixed_amount: null, currency: 'ARS', max_uses: 1000, use_count: 1, expires_at: '2030-12-31T23:59:59Z' },
    { region: 'MLB', id: 11, code: 'PRIMEIRA20', percentage: null, fixed_amount: '20.00', currency: 'BRL', max_uses: 500, use_count: 0, expires_at: '2030-12-31T23:59:59Z' },
  ]],
  ['order_processing.orders', [
    { region: 'MLA', id: 1, buyer_id: 1, status_id: 1, coupon_id: 1, shipping_address_id: 1, discount_total: '35000.00', total: '315000.00', currency: 'ARS', created_at: ORDER_AT.MLA1 },
    { region: 'MLA', id: 2, buyer_id: 1, status_id: 1, coupon_id: null, shipping_address_id: 1, discount_total: '0', total: '9000.00', currency: 'ARS', created_at: ORDER_AT.MLA2 },
    { region: 'MLB', id: 11, buyer_id: 11, status_id: 1, coupon_id: null, shipping_address_id: 11, discount_total: '0', total: '1500.00', currency: 'BRL', created_at: ORDER_AT.MLB11 },
  ]],
  ['order_processing.order_details', [
    { region: 'MLA', order_id: 1, order_created_at: ORDER_AT.MLA1, product_id: 1, quantity: 1, unit_price: '350000.00' },
    { region: 'MLA', order_id: 2, order_created_at: ORDER_AT.MLA2, product_id: 2, quantity: 1, unit_price: '9000.00' },
    { region: 'MLB', order_id: 11, order_created_at: ORDER_AT.MLB11, product_id: 11, quantity: 1, unit_price: '1500.00' },
  ]],
  ['reviews_questions.reviews', [
    { region: 'MLA', id: 1, buyer_id: 1, product_id: 1, order_id: 1, order_created_at: ORDER_AT.MLA1, rating: 5, comment: 'Excelente.', moderation_status: 'approved' },
    { region: 'MLB', id: 11, buyer_id: 11, product_id: 11, order_id: 11, order_created_at: ORDER_AT.MLB11, rating: 4, comment: 'Muito bom.' },
  ]],
  ['reviews_questions.questions', [
    { region: 'MLA', id: 1, product_id: 1, asker_id: 1, body: '¿Es libre?', status: 'answered', answer: 'Sí.', created_at: '2025-05-01T10:00:00Z', answered_at: '2025-05-01T12:00:00Z' },
    { region: 'MLB', id: 11, product_id: 11, asker_id: 11, body: 'Tem garantia?', status: 'unanswered', answer: null, answered_at: null },
  ]],
  ['payments.payments', [
    { region: 'MLA', id: 1, order_id: 1, order_created_at: ORDER_AT.MLA1, method_id: 1, status_id: 2, amount: '315000.00', currency: 'ARS', transaction_ref: 'MP-MLA-0001', created_at: '2025-05-01T12:05:00Z' },
    { region: 'MLB', id: 11, order_id: 11, order_created_at: ORDER_AT.MLB11, method_id: 3, status_id: 2, amount: '1500.00', currency: 'BRL', transaction_ref: 'MP-MLB-0011', created_at: '2025-05-01T14:05:00Z' },
  ]],
  ['shipping_logistics.shipments', [
    { region: 'MLA', id: 1, order_id: 1, order_created_at: ORDER_AT.MLA1, status_id: 4, carrier: 'OCA', tracking_number: 'OCA-000001', shipped_at: '2025-05-02T15:00:00Z' },
    { region: 'MLB', id: 11, order_id: 11, order_created_at: ORDER_AT.MLB11, status_id: 1, carrier: 'Correios', tracking_number: null },
  ]],
  ['marketing.ads', [
    { region: 'MLA', id: 1, campaign_id: 1, product_id: 1, image_url: 'https://img.example.com/ad-1.jpg', bid: '50.00', currency: 'ARS', clicks: 3, impressions: 100 },
    { region: 'MLB', id: 11, campaign_id: 11, product_id: 11, image_url: 'https://img.example.com/ad-11.jpg', bid: '0.50', currency: 'BRL' },
  ]],
  ['messaging.conversations', [
    { region: 'MLA', id: 1, buyer_id: 1, store_id: 1, order_id: 1, order_created_at: ORDER_AT.MLA1, kind: 'order' },
    { region: 'MLB', id: 11, buyer_id: 11, store_id: 11, order_id: null, order_created_at: null, kind: 'pre_sale' },
  ]],
  ['messaging.messages', [
    { region: 'MLA', id: 1, conversation_id: 1, sender_id: 1, body: 'Hola, ¿cuándo llega?', sent_at: '2025-05-02T09:00:00Z' },
    { region: 'MLB', id: 11, conversation_id: 11, sender_id: 11, body: 'Olá!', sent_at: '2025-05-02T09:00:00Z' },
  ]],
  ['recommendations.user_search_history', [
    { region: 'MLA', id: 1, user_id: 1, query_text: 'celular moto g', searched_at: '2025-05-01T09:00:00Z' },
    { region: 'MLB', id: 11, user_id: 11, query_text: 'galaxy a', searched_at: '2025-05-01T09:00:00Z' },
  ]],
  ['recommendations.recommendation_logs', [
    { region: 'MLA', id: 1, user_id: 1, product_id: 2, source: 'similar_products', score: 0.72, position: 1, shown_at: '2025-05-01T09:05:00Z', clicked: true, converted_order_id: 2, converted_order_created_at: ORDER_AT.MLA2 },
    { region: 'MLB', id: 11, user_id: 11, product_id: 11, source: 'trending', score: 0.5, position: 1, shown_at: '2025-05-01T09:05:00Z' },
  ]],
];

/** A valid new MLA row of each table, with id 901; each case breaks one rule of one of them. */
const NEW = {
  users: { region: 'MLA', id: 901, role_id: 1, name: 'Nora Díaz', email: 'nora@example.com', password_hash: HASH, phone: '+5491155550000', birth_date: '1990-05-01', status: 'active' },
  addresses: { region: 'MLA', id: 901, user_id: 1, street_line: 'Av. Corrientes 900', city: 'Buenos Aires', state: 'CABA', postal_code: 'C1043AAZ', is_default: false },
  stores: { region: 'MLA', id: 901, owner_user_id: 2, name: 'Outlet Sergio', is_official: false },
  categories: { id: 901, parent_id: 1, name: 'Tablets', description: 'Tablets and e-readers.' },
  products: { region: 'MLA', id: 901, store_id: 1, category_id: 2, title: 'Celular Moto E', description: 'Nuevo.', price: '250000.00', currency: 'ARS', stock: 3, condition: 'new' },
  productImages: { region: 'MLA', id: 901, product_id: 1, url: 'https://img.example.com/mla-1-2.jpg', position: 2 },
  productDiscounts: { region: 'MLA', id: 901, product_id: 1, percentage: 15, starts_at: '2025-06-01T00:00:00Z', ends_at: '2025-06-08T00:00:00Z', campaign_id: 1 },
  coupons: { region: 'MLA', id: 901, code: 'INVIERNO25', percentage: 25, fixed_amount: null, currency: 'ARS', max_uses: 100, use_count: 0, expires_at: '2030-07-31T23:59:59Z' },
  orders: { region: 'MLA', id: 901, buyer_id: 1, status_id: 1, coupon_id: null, shipping_address_id: 1, discount_total: '0', total: '9000.00', currency: 'ARS', created_at: '2025-05-02T12:00:00Z' },
  orderDetails: { region: 'MLA', order_id: 1, order_created_at: ORDER_AT.MLA1, product_id: 2, quantity: 1, unit_price: '9000.00' },
  reviews: { region: 'MLA', id: 901, buyer_id: 1, product_id: 2, order_id: 2, order_created_at: ORDER_AT.MLA2, rating: 4, comment: 'Buena funda.' },
  questions: { region: 'MLA', id: 901, product_id: 2, asker_id: 1, body: '¿Viene en negro?', status: 'unanswered', answer: null, answered_at: null },
  payments: { region: 'MLA', id: 901, order_id: 2, order_created_at: ORDER_AT.MLA2, method_id: 1, status_id: 1, amount: '9000.00', currency: 'ARS', transaction_ref: 'MP-MLA-0901', created_at: '2025-05-01T13:05:00Z' },
  shipments: { region: 'MLA', id: 901, order_id: 2, order_created_at: ORDER_AT.MLA2, status_id: 1, carrier: 'Andreani', tracking_number: null, shipped_at: null, delivered_at: null },
  campaigns: { region: 'MLA', id: 901, store_id: 1, name: 'Cyber Monday', starts_at: '2025-11-03T00:00:00Z', ends_at: '2025-11-06T00:00:00Z', status: 'draft', budget: '50000.00', currency: 'ARS' },
  ads: { region: 'MLA', id: 901, campaign_id: 1, product_id: 2, image_url: 'https://img.example.com/ad-901.jpg', bid: '25.00', currency: 'ARS', clicks: 0, impressions: 0 },
  conversations: { region: 'MLA', id: 901, buyer_id: 1, store_id: 1, order_id: null, order_created_at: null, kind: 'pre_sale', status: 'open' },
  messages: { region: 'MLA', id: 901, conversation_id: 1, sender_id: 2, body: 'Llega el martes.', sent_at: '2025-05-02T10:00:00Z', read_at: null },
  searches: { region: 'MLA', id: 901, user_id: 1, query_text: 'funda silicona', searched_at: '2025-05-01T09:00:00Z' },
  recommendations: { region: 'MLA', id: 901, user_id: 1, product_id: 1, source: 'trending', score: 0.4, position: 2, shown_at: '2025-05-01T09:05:00Z', clicked: false, converted_order_id: null, converted_order_created_at: null },
} satisfies Record<string, Row>;

// ---------------------------------------------------------------------------------------------
// The cases.

const NOT_NULL = '23502';
const CHECK = '23514';
const UNIQUE = '23505';
const FK = '23503';
const INVALID_TEXT = '22P02';
/**
 * A delete blocked by ON DELETE RESTRICT: 23503 foreign_key_violation up to PostgreSQL 17, 23001
 * restrict_violation from PostgreSQL 18 (commit 086c84b23), so PGlite and the server differ.
 */
const RESTRICT = 'RESTRICT';
const restrictCode = (serverVersionNum: number): string => (serverVersionNum >= 180000 ? '23001' : FK);
const codeLabel = (code: string): string => (code === RESTRICT ? '23503, 23001 from PostgreSQL 18' : code);

const COMPONENTS = [
  'user_management', 'seller_management', 'product_catalog', 'order_processing', 'reviews_questions',
  'payments', 'shipping_logistics', 'marketing', 'messaging', 'recommendations',
] as const;
type ComponentName = (typeof COMPONENTS)[number];

type Kind = 'NOT NULL' | 'CHECK' | 'UNIQUE' | 'FK' | 'region co-location' | 'enum';

const SQLSTATE_OF: Record<Kind, string> = {
  'NOT NULL': NOT_NULL,
  CHECK,
  UNIQUE,
  FK,
  'region co-location': FK,
  enum: INVALID_TEXT,
};

interface Violation {
  component: ComponentName;
  kind: Kind;
  description: string;
  /** The write that breaks the rule. */
  sql: string;
  /** The same write with the rule respected: it must succeed. */
  valid: string;
  /**
   * Expected error fields: for a foreign key, the table is the referencing one, even when the
   * write is a DELETE of the referenced row; `constraint` may list names either of which may report it.
   */
  expected: { code: string; schema?: string; table?: string; column?: string; constraint?: string | readonly string[] };
}

interface Spec {
  component: ComponentName;
  kind: Kind;
  description: string;
  /** Schema-qualified table written to. */
  table: string;
  /** The valid row. */
  row: Row;
  /** The columns changed to break the rule. */
  change: Row;
  /** Constraint named by the error; for NOT NULL the column is checked instead. */
  constraint?: string | readonly string[];
}

/** An INSERT case: `row` is valid, `row` with `change` applied breaks exactly one rule. */
function write(spec: Spec): Violation {
  const [schema, table] = spec.table.split('.') as [string, string];
  const code = SQLSTATE_OF[spec.kind];
  const expected: Violation['expected'] =
    spec.kind === 'enum'
      ? { code }
      : spec.kind === 'NOT NULL'
        ? { code, schema, table, column: Object.keys(spec.change)[0]! }
        : { code, schema, table, constraint: spec.constraint! };
  return {
    component: spec.component,
    kind: spec.kind,
    description: spec.description,
    sql: insert(spec.table, { ...spec.row, ...spec.change }),
    valid: insert(spec.table, spec.row),
    expected,
  };
}

const t = {
  users: 'user_management.users',
  addresses: 'user_management.addresses',
  stores: 'seller_management.stores',
  categories: 'product_catalog.categories',
  products: 'product_catalog.products',
  productImages: 'product_catalog.product_images',
  productDiscounts: 'product_catalog.product_discounts',
  coupons: 'order_processing.coupons',
  orders: 'order_processing.orders',
  orderDetails: 'order_processing.order_details',
  reviews: 'reviews_questions.reviews',
  questions: 'reviews_questions.questions',
  payments: 'payments.payments',
  shipments: 'shipping_logistics.shipments',
  campaigns: 'marketing.campaigns',
  ads: 'marketing.ads',
  conversations: 'messaging.conversations',
  messages: 'messaging.messages',
  searches: 'recommendations.user_search_history',
  recommendations: 'recommendations.recommendation_logs',
} as const;

const VIOLATIONS: readonly Violation[] = [
  // --- user_management -----------------------------------------------------------------------
  write({ component: 'user_management', kind: 'NOT NULL', description: 'users.email is required',
    table: t.users, row: NEW.users, change: { email: null } }),
  write({ component: 'user_management', kind: 'NOT NULL', description: 'addresses.postal_code is required',
    table: t.addresses, row: NEW.addresses, change: { postal_code: null } }),
  write({ component: 'user_management', kind: 'CHECK', description: 'users.email must be stored in lower case',
    table: t.users, row: NEW.users, change: { email: 'Nora@Example.com' }, constraint: 'users_email_check' }),
  write({ component: 'user_management', kind: 'CHECK', description: 'users.password_hash must be a hash, never a plaintext password',
    table: t.users, row: NEW.users, change: { password_hash: 'hunter2' }, constraint: 'users_password_hash_check' }),
  write({ component: 'user_management', kind: 'CHECK', description: 'users.phone must be in E.164 format',
    table: t.users, row: NEW.users, change: { phone: '11 5555-0000' }, constraint: 'users_phone_check' }),
  write({ component: 'user_management', kind: 'CHECK', description: 'addresses.street_line must not be blank',
    table: t.addresses, row: NEW.addresses, change: { street_line: '   ' }, constraint: 'addresses_street_line_check' }),
  write({ component: 'user_management', kind: 'UNIQUE', description: 'users.email is unique within a site (the same email in MLB is fine)',
    table: t.users, row: { ...NEW.users, region: 'MLB', email: 'ana@example.com' }, change: { region: 'MLA' }, constraint: 'users_region_email_key' }),
  write({ component: 'user_management', kind: 'UNIQUE', description: 'users primary key (region, id): id 1 is taken in MLA, free in MLB',
    table: t.users, row: { ...NEW.users, region: 'MLB', id: 1 }, change: { region: 'MLA' }, constraint: 'users_pkey' }),
  write({ component: 'user_management', kind: 'UNIQUE', description: 'a user has at most one default address',
    table: t.addresses, row: NEW.addresses, change: { is_default: true }, constraint: 'addresses_one_default_per_user' }),
  write({ component: 'user_management', kind: 'FK', description: 'users.role_id must be a role',
    table: t.users, row: NEW.users, change: { role_id: 99 }, constraint: 'users_role_id_fkey' }),
  write({ component: 'user_management', kind: 'FK', description: 'addresses.user_id must be a user',
    table: t.addresses, row: NEW.addresses, change: { user_id: 999 }, constraint: 'addresses_region_user_id_fkey' }),
  write({ component: 'user_management', kind: 'region co-location', description: 'an MLA address of a user who exists only in MLB',
    table: t.addresses, row: NEW.addresses, change: { user_id: 11 }, constraint: 'addresses_region_user_id_fkey' }),
  write({ component: 'user_management', kind: 'CHECK', description: "users.region must be a known site ('XXX')",
    table: t.users, row: NEW.users, change: { region: 'XXX' }, constraint: 'users_region_check' }),
  write({ component: 'user_management', kind: 'enum', description: "users.status must be a user status ('banned')",
    table: t.users, row: NEW.users, change: { status: 'banned' } }),

  // --- seller_management ---------------------------------------------------------------------
  write({ component: 'seller_management', kind: 'NOT NULL', description: 'stores.name is required',
    table: t.stores, row: NEW.stores, change: { name: null } }),
  write({ component: 'seller_management', kind: 'NOT NULL', description: 'stores.owner_user_id is required',
    table: t.stores, row: NEW.stores, change: { owner_user_id: null } }),
  write({ component: 'seller_management', kind: 'CHECK', description: 'stores.name must not be blank',
    table: t.stores, row: NEW.stores, change: { name: '  ' }, constraint: 'stores_name_check' }),
  write({ component: 'seller_management', kind: 'UNIQUE', description: 'stores.name is unique within a site',
    table: t.stores, row: NEW.stores, change: { name: 'Tienda Sergio' }, constraint: 'stores_region_name_key' }),
  write({ component: 'seller_management', kind: 'FK', description: 'stores.owner_user_id must be a user',
    table: t.stores, row: NEW.stores, change: { owner_user_id: 999 }, constraint: 'stores_region_owner_user_id_fkey' }),
  {
    component: 'seller_management', kind: 'FK', description: 'a user who owns a store cannot be deleted (ON DELETE RESTRICT)',
    sql: `DELETE FROM user_management.users WHERE region = 'MLA' AND id = 2`,
    valid: `DELETE FROM user_management.users WHERE region = 'MLA' AND id = 3`,
    expected: { code: RESTRICT, schema: 'seller_management', table: 'stores', constraint: 'stores_region_owner_user_id_fkey' },
  },
  write({ component: 'seller_management', kind: 'region co-location', description: 'an MLA store owned by a user who exists only in MLB',
    table: t.stores, row: NEW.stores, change: { owner_user_id: 12 }, constraint: 'stores_region_owner_user_id_fkey' }),

  // --- product_catalog -----------------------------------------------------------------------
  write({ component: 'product_catalog', kind: 'NOT NULL', description: 'products.price is required',
    table: t.products, row: NEW.products, change: { price: null } }),
  write({ component: 'product_catalog', kind: 'NOT NULL', description: 'categories.name is required',
    table: t.categories, row: NEW.categories, change: { name: null } }),
  write({ component: 'product_catalog', kind: 'CHECK', description: 'products.price must be > 0',
    table: t.products, row: NEW.products, change: { price: '0.00' }, constraint: 'products_price_check' }),
  write({ component: 'product_catalog', kind: 'CHECK', description: "products.price must not be NaN ('NaN'::numeric > 0 is true)",
    table: t.products, row: NEW.products, change: { price: 'NaN' }, constraint: 'products_price_check' }),
  write({ component: 'product_catalog', kind: 'CHECK', description: 'products.currency must be the currency of the site (MLA trades in ARS)',
    table: t.products, row: NEW.products, change: { currency: 'BRL' }, constraint: 'products_currency_check' }),
  {
    component: 'product_catalog', kind: 'CHECK', description: 'products.stock cannot go below zero (selling 6 of 5)',
    sql: `UPDATE product_catalog.products SET stock = stock - 6 WHERE region = 'MLA' AND id = 1`,
    valid: `UPDATE product_catalog.products SET stock = stock - 5 WHERE region = 'MLA' AND id = 1`,
    expected: { code: CHECK, schema: 'product_catalog', table: 'products', constraint: 'products_stock_check' },
  },
  write({ component: 'product_catalog', kind: 'CHECK', description: 'product_images.url must be https',
    table: t.productImages, row: NEW.productImages, change: { url: 'http://img.example.com/mla-1-2.jpg' }, constraint: 'product_images_url_check' }),
  write({ component: 'product_catalog', kind: 'CHECK', description: 'product_discounts.percentage must be 1 to 100',
    table: t.productDiscounts, row: NEW.productDiscounts, change: { percentage: 101 }, constraint: 'product_discounts_percentage_check' }),
  write({ component: 'product_catalog', kind: 'CHECK', description: 'product_discounts must end after they start',
    table: t.productDiscounts, row: NEW.productDiscounts, change: { ends_at: '2025-05-31T00:00:00Z' }, constraint: 'product_discounts_period_check' }),
  write({ component: 'product_catalog', kind: 'CHECK', description: 'a category cannot be its own parent',
    table: t.categories, row: NEW.categories, change: { parent_id: 901 }, constraint: 'categories_not_own_parent_check' }),
  write({ component: 'product_catalog', kind: 'UNIQUE', description: 'product_images.position is unique per product',
    table: t.productImages, row: NEW.productImages, change: { position: 1 }, constraint: 'product_images_region_product_id_position_key' }),
  write({ component: 'product_catalog', kind: 'UNIQUE', description: 'top-level category names are unique too (NULLS NOT DISTINCT)',
    table: t.categories, row: { ...NEW.categories, parent_id: null, name: 'Hogar' }, change: { name: 'Electrónica' }, constraint: 'categories_parent_id_name_key' }),
  write({ component: 'product_catalog', kind: 'FK', description: 'products.category_id must be a category',
    table: t.products, row: NEW.products, change: { category_id: 999 }, constraint: 'products_category_id_fkey' }),
  write({ component: 'product_catalog', kind: 'FK', description: 'categories.parent_id must be a category',
    table: t.categories, row: NEW.categories, change: { parent_id: 999 }, constraint: 'categories_parent_id_fkey' }),
  {
    component: 'product_catalog', kind: 'FK', description: 'a category with products cannot be deleted (ON DELETE RESTRICT)',
    sql: `DELETE FROM product_catalog.categories WHERE id = 2`,
    valid: `DELETE FROM product_catalog.categories WHERE id = 3`,
    expected: { code: RESTRICT, schema: 'product_catalog', table: 'products', constraint: 'products_category_id_fkey' },
  },
  write({ component: 'product_catalog', kind: 'region co-location', description: 'an MLA product of a store that exists only in MLB',
    table: t.products, row: NEW.products, change: { store_id: 11 }, constraint: 'products_region_store_id_fkey' }),
  write({ component: 'product_catalog', kind: 'region co-location', description: 'an MLA image of an MLB product',
    table: t.productImages, row: NEW.productImages, change: { product_id: 11 }, constraint: 'product_images_region_product_id_fkey' }),
  write({ component: 'product_catalog', kind: 'region co-location', description: 'an MLA discount run by an MLB campaign',
    table: t.productDiscounts, row: NEW.productDiscounts, change: { campaign_id: 11 }, constraint: 'product_discounts_region_campaign_id_fkey' }),
  write({ component: 'product_catalog', kind: 'enum', description: "products.condition must be a condition ('broken')",
    table: t.products, row: NEW.products, change: { condition: 'broken' } }),

  // --- order_processing ----------------------------------------------------------------------
  write({ component: 'order_processing', kind: 'NOT NULL', description: 'orders.total is required',
    table: t.orders, row: NEW.orders, change: { total: null } }),
  write({ component: 'order_processing', kind: 'NOT NULL', description: 'order_details.unit_price is required',
    table: t.orderDetails, row: NEW.orderDetails, change: { unit_price: null } }),
  write({ component: 'order_processing', kind: 'NOT NULL', description: "order_details.order_created_at (the order's half of its key) is required",
    table: t.orderDetails, row: NEW.orderDetails, change: { order_created_at: null } }),
  write({ component: 'order_processing', kind: 'CHECK', description: 'order_details.quantity must be > 0',
    table: t.orderDetails, row: NEW.orderDetails, change: { quantity: 0 }, constraint: 'order_details_quantity_check' }),
  write({ component: 'order_processing', kind: 'CHECK', description: 'orders.currency must be the currency of the site',
    table: t.orders, row: NEW.orders, change: { currency: 'USD' }, constraint: 'orders_currency_check' }),
  write({ component: 'order_processing', kind: 'CHECK', description: 'orders.discount_total must be zero without a coupon',
    table: t.orders, row: NEW.orders, change: { discount_total: '100.00' }, constraint: 'orders_discount_needs_coupon_check' }),
  write({ component: 'order_processing', kind: 'CHECK', description: 'a coupon is a percentage or a fixed amount, not both',
    table: t.coupons, row: NEW.coupons, change: { fixed_amount: '500.00' }, constraint: 'coupons_one_kind_check' }),
  write({ component: 'order_processing', kind: 'CHECK', description: 'coupons.code is upper case letters, digits, - and _',
    table: t.coupons, row: NEW.coupons, change: { code: 'invierno 25' }, constraint: 'coupons_code_check' }),
  {
    component: 'order_processing', kind: 'CHECK', description: 'coupons.use_count cannot exceed max_uses',
    sql: `UPDATE order_processing.coupons SET use_count = max_uses + 1 WHERE region = 'MLA' AND id = 1`,
    valid: `UPDATE order_processing.coupons SET use_count = max_uses WHERE region = 'MLA' AND id = 1`,
    expected: { code: CHECK, schema: 'order_processing', table: 'coupons', constraint: 'coupons_use_count_check' },
  },
  write({ component: 'order_processing', kind: 'UNIQUE', description: 'coupons.code is unique within a site',
    table: t.coupons, row: NEW.coupons, change: { code: 'BIENVENIDA10' }, constraint: 'coupons_region_code_key' }),
  write({ component: 'order_processing', kind: 'UNIQUE', description: 'orders primary key (region, id, created_at)',
    table: t.orders, row: { ...NEW.orders, created_at: ORDER_AT.MLA1 }, change: { id: 1 }, constraint: 'orders_pkey' }),
  write({ component: 'order_processing', kind: 'UNIQUE', description: 'one order_details line per product per order',
    table: t.orderDetails, row: NEW.orderDetails, change: { product_id: 1 }, constraint: 'order_details_pkey' }),
  write({ component: 'order_processing', kind: 'FK', description: 'orders.status_id must be an order status',
    table: t.orders, row: NEW.orders, change: { status_id: 99 }, constraint: 'orders_status_id_fkey' }),
  write({ component: 'order_processing', kind: 'FK', description: 'orders.coupon_id must be a coupon',
    table: t.orders, row: NEW.orders, change: { coupon_id: 999 }, constraint: 'orders_region_coupon_id_fkey' }),
  write({ component: 'order_processing', kind: 'FK', description: "orders ship to one of the buyer's own addresses, not another user's",
    table: t.orders, row: NEW.orders, change: { shipping_address_id: 2 }, constraint: 'orders_region_buyer_id_shipping_address_id_fkey' }),
  write({ component: 'order_processing', kind: 'FK', description: 'order_details.order_id must be an order',
    table: t.orderDetails, row: NEW.orderDetails, change: { order_id: 999 }, constraint: 'order_details_region_order_id_order_created_at_fkey' }),
  write({ component: 'order_processing', kind: 'FK', description: "an order line's order_created_at must be its order's created_at",
    table: t.orderDetails, row: NEW.orderDetails, change: { order_created_at: NO_ORDER_AT }, constraint: 'order_details_region_order_id_order_created_at_fkey' }),
  write({ component: 'order_processing', kind: 'FK', description: "an order line citing order 1 with order 2's created_at",
    table: t.orderDetails, row: NEW.orderDetails, change: { order_created_at: ORDER_AT.MLA2 }, constraint: 'order_details_region_order_id_order_created_at_fkey' }),
  // Buyer and shipping address both live in MLB, so two keys reject it; either may report it.
  write({ component: 'order_processing', kind: 'region co-location', description: 'an MLA order whose buyer (and address) exist only in MLB',
    table: t.orders, row: NEW.orders, change: { buyer_id: 11, shipping_address_id: 11 },
    constraint: ['orders_region_buyer_id_fkey', 'orders_region_buyer_id_shipping_address_id_fkey'] }),
  write({ component: 'order_processing', kind: 'region co-location', description: 'an MLA order with an MLB coupon',
    table: t.orders, row: NEW.orders, change: { coupon_id: 11 }, constraint: 'orders_region_coupon_id_fkey' }),
  write({ component: 'order_processing', kind: 'region co-location', description: 'an MLA order_details line for an MLB product',
    table: t.orderDetails, row: NEW.orderDetails, change: { product_id: 11 }, constraint: 'order_details_region_product_id_fkey' }),
  write({ component: 'order_processing', kind: 'region co-location', description: 'an MLA order_details line of an MLB order',
    table: t.orderDetails, row: NEW.orderDetails, change: { order_id: 11, order_created_at: ORDER_AT.MLB11 }, constraint: 'order_details_region_order_id_order_created_at_fkey' }),

  // --- reviews_questions ---------------------------------------------------------------------
  write({ component: 'reviews_questions', kind: 'NOT NULL', description: 'reviews.rating is required',
    table: t.reviews, row: NEW.reviews, change: { rating: null } }),
  write({ component: 'reviews_questions', kind: 'NOT NULL', description: 'questions.body is required',
    table: t.questions, row: NEW.questions, change: { body: null } }),
  write({ component: 'reviews_questions', kind: 'CHECK', description: 'reviews.rating must be 1 to 5',
    table: t.reviews, row: NEW.reviews, change: { rating: 6 }, constraint: 'reviews_rating_check' }),
  // MATCH SIMPLE: a key with a NULL column is not checked by the FK, so only the CHECK refuses half a key.
  write({ component: 'reviews_questions', kind: 'CHECK', description: "a review citing an order also gives the order's created_at",
    table: t.reviews, row: NEW.reviews, change: { order_created_at: null }, constraint: 'reviews_order_key_check' }),
  write({ component: 'reviews_questions', kind: 'CHECK', description: "a review citing no order gives no order created_at",
    table: t.reviews, row: { ...NEW.reviews, order_id: null, order_created_at: null }, change: { order_created_at: ORDER_AT.MLA2 }, constraint: 'reviews_order_key_check' }),
  write({ component: 'reviews_questions', kind: 'CHECK', description: 'an answered question has an answer',
    table: t.questions, row: NEW.questions, change: { status: 'answered' }, constraint: 'questions_answered_check' }),
  write({ component: 'reviews_questions', kind: 'CHECK', description: 'questions.answered_at is not before the question was asked',
    table: t.questions,
    row: { ...NEW.questions, status: 'answered', answer: 'Sí.', created_at: '2025-05-01T10:00:00Z', answered_at: '2025-05-01T11:00:00Z' },
    change: { answered_at: '2025-05-01T09:00:00Z' }, constraint: 'questions_answered_at_check' }),
  // Product 1 was bought in order 1: the review cites that line, so only the unique key is broken.
  write({ component: 'reviews_questions', kind: 'UNIQUE', description: 'one review per buyer per product',
    table: t.reviews, row: NEW.reviews, change: { product_id: 1, order_id: 1, order_created_at: ORDER_AT.MLA1 }, constraint: 'reviews_region_buyer_id_product_id_key' }),
  write({ component: 'reviews_questions', kind: 'FK', description: 'reviews.product_id must be a product',
    table: t.reviews, row: { ...NEW.reviews, order_id: null, order_created_at: null }, change: { product_id: 999 }, constraint: 'reviews_region_product_id_fkey' }),
  write({ component: 'reviews_questions', kind: 'FK', description: 'a review cites a line of its order: order 2 has no line of product 1',
    table: t.reviews, row: { ...NEW.reviews, product_id: 1, order_id: 1, order_created_at: ORDER_AT.MLA1, buyer_id: 3 },
    change: { order_id: 2, order_created_at: ORDER_AT.MLA2 }, constraint: 'reviews_region_order_id_order_created_at_product_id_fkey' }),
  write({ component: 'reviews_questions', kind: 'FK', description: "reviews.order_created_at must be the cited order's created_at",
    table: t.reviews, row: NEW.reviews, change: { order_created_at: NO_ORDER_AT }, constraint: 'reviews_region_order_id_order_created_at_product_id_fkey' }),
  write({ component: 'reviews_questions', kind: 'FK', description: 'questions.asker_id must be a user',
    table: t.questions, row: NEW.questions, change: { asker_id: 999 }, constraint: 'questions_region_asker_id_fkey' }),
  write({ component: 'reviews_questions', kind: 'region co-location', description: 'an MLA review of an MLB product',
    table: t.reviews, row: { ...NEW.reviews, order_id: null, order_created_at: null }, change: { product_id: 11 }, constraint: 'reviews_region_product_id_fkey' }),
  write({ component: 'reviews_questions', kind: 'region co-location', description: 'an MLA review citing an MLB order',
    table: t.reviews, row: NEW.reviews, change: { order_id: 11, order_created_at: ORDER_AT.MLB11 }, constraint: 'reviews_region_order_id_order_created_at_product_id_fkey' }),
  write({ component: 'reviews_questions', kind: 'region co-location', description: 'an MLA question asked by a user who exists only in MLB',
    table: t.questions, row: NEW.questions, change: { asker_id: 11 }, constraint: 'questions_region_asker_id_fkey' }),
  write({ component: 'reviews_questions', kind: 'enum', description: "questions.status must be a question status ('deleted')",
    table: t.questions, row: NEW.questions, change: { status: 'deleted' } }),

  // --- payments ------------------------------------------------------------------------------
  write({ component: 'payments', kind: 'NOT NULL', description: 'payments.amount is required',
    table: t.payments, row: NEW.payments, change: { amount: null } }),
  write({ component: 'payments', kind: 'NOT NULL', description: 'payments.transaction_ref is required',
    table: t.payments, row: NEW.payments, change: { transaction_ref: null } }),
  write({ component: 'payments', kind: 'NOT NULL', description: "payments.order_created_at (the order's half of its key) is required",
    table: t.payments, row: NEW.payments, change: { order_created_at: null } }),
  write({ component: 'payments', kind: 'CHECK', description: 'payments.amount must be > 0',
    table: t.payments, row: NEW.payments, change: { amount: '-10.00' }, constraint: 'payments_amount_check' }),
  write({ component: 'payments', kind: 'CHECK', description: 'payments.currency must be the currency of the site',
    table: t.payments, row: NEW.payments, change: { currency: 'BRL' }, constraint: 'payments_currency_check' }),
  write({ component: 'payments', kind: 'CHECK', description: 'payments.transaction_ref must not be blank',
    table: t.payments, row: NEW.payments, change: { transaction_ref: ' ' }, constraint: 'payments_transaction_ref_check' }),
  // The key carries created_at (payments are partitioned by month on it): the duplicate is created at the same instant.
  write({ component: 'payments', kind: 'UNIQUE', description: 'payments.transaction_ref is unique within a site and creation time',
    table: t.payments, row: { ...NEW.payments, created_at: '2025-05-01T12:05:00Z' }, change: { transaction_ref: 'MP-MLA-0001' },
    constraint: 'payments_region_transaction_ref_created_at_key' }),
  write({ component: 'payments', kind: 'UNIQUE', description: 'payments primary key (region, id, created_at)',
    table: t.payments, row: { ...NEW.payments, created_at: '2025-05-01T12:05:00Z' }, change: { id: 1 }, constraint: 'payments_pkey' }),
  write({ component: 'payments', kind: 'FK', description: 'payments.method_id must be a payment method',
    table: t.payments, row: NEW.payments, change: { method_id: 99 }, constraint: 'payments_method_id_fkey' }),
  write({ component: 'payments', kind: 'FK', description: 'payments.status_id must be a payment status',
    table: t.payments, row: NEW.payments, change: { status_id: 99 }, constraint: 'payments_status_id_fkey' }),
  write({ component: 'payments', kind: 'FK', description: 'payments.order_id must be an order',
    table: t.payments, row: NEW.payments, change: { order_id: 999 }, constraint: 'payments_region_order_id_order_created_at_fkey' }),
  write({ component: 'payments', kind: 'FK', description: "payments.order_created_at must be its order's created_at",
    table: t.payments, row: NEW.payments, change: { order_created_at: ORDER_AT.MLA1 }, constraint: 'payments_region_order_id_order_created_at_fkey' }),
  write({ component: 'payments', kind: 'region co-location', description: 'an MLA payment of an MLB order',
    table: t.payments, row: NEW.payments, change: { order_id: 11, order_created_at: ORDER_AT.MLB11 }, constraint: 'payments_region_order_id_order_created_at_fkey' }),

  // --- shipping_logistics --------------------------------------------------------------------
  write({ component: 'shipping_logistics', kind: 'NOT NULL', description: 'shipments.carrier is required',
    table: t.shipments, row: NEW.shipments, change: { carrier: null } }),
  write({ component: 'shipping_logistics', kind: 'NOT NULL', description: 'shipments.status_id is required',
    table: t.shipments, row: NEW.shipments, change: { status_id: null } }),
  write({ component: 'shipping_logistics', kind: 'NOT NULL', description: "shipments.order_created_at (the order's half of its key) is required",
    table: t.shipments, row: NEW.shipments, change: { order_created_at: null } }),
  write({ component: 'shipping_logistics', kind: 'CHECK', description: 'a shipped shipment has a tracking number',
    table: t.shipments, row: NEW.shipments, change: { shipped_at: '2025-05-03T08:00:00Z' }, constraint: 'shipments_shipped_has_tracking_check' }),
  write({ component: 'shipping_logistics', kind: 'CHECK', description: 'shipments are not delivered before they are shipped',
    table: t.shipments,
    row: { ...NEW.shipments, tracking_number: 'AND-000901', shipped_at: '2025-05-03T08:00:00Z', delivered_at: '2025-05-04T08:00:00Z' },
    change: { delivered_at: '2025-05-02T08:00:00Z' }, constraint: 'shipments_delivered_after_shipped_check' }),
  write({ component: 'shipping_logistics', kind: 'CHECK', description: 'shipments.carrier must not be blank',
    table: t.shipments, row: NEW.shipments, change: { carrier: '' }, constraint: 'shipments_carrier_check' }),
  write({ component: 'shipping_logistics', kind: 'UNIQUE', description: 'one shipment per order',
    table: t.shipments, row: NEW.shipments, change: { order_id: 1, order_created_at: ORDER_AT.MLA1 }, constraint: 'shipments_region_order_id_key' }),
  write({ component: 'shipping_logistics', kind: 'UNIQUE', description: 'a tracking number is unique per carrier',
    table: t.shipments, row: { ...NEW.shipments, carrier: 'OCA', tracking_number: 'OCA-000901' },
    change: { tracking_number: 'OCA-000001' }, constraint: 'shipments_region_carrier_tracking_number_key' }),
  write({ component: 'shipping_logistics', kind: 'FK', description: 'shipments.status_id must be a shipment status',
    table: t.shipments, row: NEW.shipments, change: { status_id: 99 }, constraint: 'shipments_status_id_fkey' }),
  write({ component: 'shipping_logistics', kind: 'FK', description: 'shipments.order_id must be an order',
    table: t.shipments, row: NEW.shipments, change: { order_id: 999 }, constraint: 'shipments_region_order_id_order_created_at_fkey' }),
  write({ component: 'shipping_logistics', kind: 'FK', description: "shipments.order_created_at must be its order's created_at",
    table: t.shipments, row: NEW.shipments, change: { order_created_at: NO_ORDER_AT }, constraint: 'shipments_region_order_id_order_created_at_fkey' }),
  write({ component: 'shipping_logistics', kind: 'region co-location', description: 'an MLA shipment of an MLB order',
    table: t.shipments, row: NEW.shipments, change: { order_id: 11, order_created_at: ORDER_AT.MLB11 }, constraint: 'shipments_region_order_id_order_created_at_fkey' }),

  // --- marketing -----------------------------------------------------------------------------
  write({ component: 'marketing', kind: 'NOT NULL', description: 'campaigns.budget is required',
    table: t.campaigns, row: NEW.campaigns, change: { budget: null } }),
  write({ component: 'marketing', kind: 'NOT NULL', description: 'ads.bid is required',
    table: t.ads, row: NEW.ads, change: { bid: null } }),
  write({ component: 'marketing', kind: 'CHECK', description: 'campaigns must end after they start',
    table: t.campaigns, row: NEW.campaigns, change: { ends_at: '2025-11-02T00:00:00Z' }, constraint: 'campaigns_period_check' }),
  write({ component: 'marketing', kind: 'CHECK', description: 'campaigns.currency must be the currency of the site',
    table: t.campaigns, row: NEW.campaigns, change: { currency: 'BRL' }, constraint: 'campaigns_currency_check' }),
  write({ component: 'marketing', kind: 'CHECK', description: 'campaigns.budget must be >= 0',
    table: t.campaigns, row: NEW.campaigns, change: { budget: '-1.00' }, constraint: 'campaigns_budget_check' }),
  write({ component: 'marketing', kind: 'CHECK', description: 'ads cannot have more clicks than impressions',
    table: t.ads, row: NEW.ads, change: { clicks: 5 }, constraint: 'ads_counters_check' }),
  write({ component: 'marketing', kind: 'CHECK', description: 'ads.image_url must be https',
    table: t.ads, row: NEW.ads, change: { image_url: 'ftp://img.example.com/ad.jpg' }, constraint: 'ads_image_url_check' }),
  write({ component: 'marketing', kind: 'UNIQUE', description: 'campaigns.name is unique within a store',
    table: t.campaigns, row: NEW.campaigns, change: { name: 'Hot Sale' }, constraint: 'campaigns_region_store_id_name_key' }),
  write({ component: 'marketing', kind: 'UNIQUE', description: 'one ad per product per campaign',
    table: t.ads, row: NEW.ads, change: { product_id: 1 }, constraint: 'ads_region_campaign_id_product_id_key' }),
  write({ component: 'marketing', kind: 'FK', description: 'campaigns.store_id must be a store',
    table: t.campaigns, row: NEW.campaigns, change: { store_id: 999 }, constraint: 'campaigns_region_store_id_fkey' }),
  write({ component: 'marketing', kind: 'FK', description: 'ads.campaign_id must be a campaign',
    table: t.ads, row: NEW.ads, change: { campaign_id: 999 }, constraint: 'ads_region_campaign_id_fkey' }),
  write({ component: 'marketing', kind: 'region co-location', description: 'an MLA campaign of a store that exists only in MLB',
    table: t.campaigns, row: NEW.campaigns, change: { store_id: 11 }, constraint: 'campaigns_region_store_id_fkey' }),
  write({ component: 'marketing', kind: 'region co-location', description: 'an MLA ad for an MLB product',
    table: t.ads, row: NEW.ads, change: { product_id: 11 }, constraint: 'ads_region_product_id_fkey' }),
  write({ component: 'marketing', kind: 'enum', description: "campaigns.status must be a campaign status ('cancelled')",
    table: t.campaigns, row: NEW.campaigns, change: { status: 'cancelled' } }),

  // --- messaging -----------------------------------------------------------------------------
  write({ component: 'messaging', kind: 'NOT NULL', description: 'conversations.kind is required',
    table: t.conversations, row: NEW.conversations, change: { kind: null } }),
  write({ component: 'messaging', kind: 'NOT NULL', description: 'messages.body is required',
    table: t.messages, row: NEW.messages, change: { body: null } }),
  write({ component: 'messaging', kind: 'CHECK', description: "a conversation of kind 'order' names its order",
    table: t.conversations, row: NEW.conversations, change: { kind: 'order' }, constraint: 'conversations_order_kind_check' }),
  write({ component: 'messaging', kind: 'CHECK', description: "a 'pre_sale' conversation names no order",
    table: t.conversations, row: NEW.conversations, change: { order_id: 2, order_created_at: ORDER_AT.MLA2 }, constraint: 'conversations_order_kind_check' }),
  // MATCH SIMPLE: a key with a NULL column is not checked by the FK, so only the CHECK refuses half a key.
  write({ component: 'messaging', kind: 'CHECK', description: "a conversation naming an order also gives the order's created_at",
    table: t.conversations, row: { ...NEW.conversations, kind: 'order', order_id: 2, order_created_at: ORDER_AT.MLA2 },
    change: { order_created_at: null }, constraint: 'conversations_order_key_check' }),
  write({ component: 'messaging', kind: 'CHECK', description: 'a conversation naming no order gives no order created_at',
    table: t.conversations, row: NEW.conversations, change: { order_created_at: ORDER_AT.MLA2 }, constraint: 'conversations_order_key_check' }),
  write({ component: 'messaging', kind: 'CHECK', description: 'messages.body is at most 4000 characters',
    table: t.messages, row: NEW.messages, change: { body: 'x'.repeat(4001) }, constraint: 'messages_body_check' }),
  write({ component: 'messaging', kind: 'CHECK', description: 'a message is not read before it is sent',
    table: t.messages, row: NEW.messages, change: { read_at: '2025-05-02T09:59:59Z' }, constraint: 'messages_read_after_sent_check' }),
  write({ component: 'messaging', kind: 'UNIQUE', description: 'one conversation per order',
    table: t.conversations, row: { ...NEW.conversations, kind: 'order', order_id: 2, order_created_at: ORDER_AT.MLA2 },
    change: { order_id: 1, order_created_at: ORDER_AT.MLA1 }, constraint: 'conversations_region_order_id_key' }),
  write({ component: 'messaging', kind: 'UNIQUE', description: 'messages primary key (region, id, sent_at)',
    table: t.messages, row: { ...NEW.messages, sent_at: '2025-05-02T09:00:00Z' }, change: { id: 1 }, constraint: 'messages_pkey' }),
  write({ component: 'messaging', kind: 'FK', description: 'conversations.store_id must be a store',
    table: t.conversations, row: NEW.conversations, change: { store_id: 999 }, constraint: 'conversations_region_store_id_fkey' }),
  write({ component: 'messaging', kind: 'FK', description: 'messages.conversation_id must be a conversation',
    table: t.messages, row: NEW.messages, change: { conversation_id: 999 }, constraint: 'messages_region_conversation_id_fkey' }),
  write({ component: 'messaging', kind: 'FK', description: "conversations.order_created_at must be its order's created_at",
    table: t.conversations, row: { ...NEW.conversations, kind: 'order', order_id: 2, order_created_at: ORDER_AT.MLA2 },
    change: { order_created_at: NO_ORDER_AT }, constraint: 'conversations_region_order_id_order_created_at_fkey' }),
  write({ component: 'messaging', kind: 'region co-location', description: 'an MLA conversation with a store that exists only in MLB',
    table: t.conversations, row: NEW.conversations, change: { store_id: 11 }, constraint: 'conversations_region_store_id_fkey' }),
  write({ component: 'messaging', kind: 'region co-location', description: 'an MLA conversation about an MLB order',
    table: t.conversations, row: { ...NEW.conversations, kind: 'order', order_id: 2, order_created_at: ORDER_AT.MLA2 },
    change: { order_id: 11, order_created_at: ORDER_AT.MLB11 }, constraint: 'conversations_region_order_id_order_created_at_fkey' }),
  write({ component: 'messaging', kind: 'region co-location', description: 'an MLA message sent by a user who exists only in MLB',
    table: t.messages, row: NEW.messages, change: { sender_id: 11 }, constraint: 'messages_region_sender_id_fkey' }),
  write({ component: 'messaging', kind: 'enum', description: "conversations.kind must be a conversation kind ('dispute')",
    table: t.conversations, row: NEW.conversations, change: { kind: 'dispute' } }),

  // --- recommendations -----------------------------------------------------------------------
  write({ component: 'recommendations', kind: 'NOT NULL', description: 'user_search_history.query_text is required',
    table: t.searches, row: NEW.searches, change: { query_text: null } }),
  write({ component: 'recommendations', kind: 'NOT NULL', description: 'recommendation_logs.source is required',
    table: t.recommendations, row: NEW.recommendations, change: { source: null } }),
  write({ component: 'recommendations', kind: 'CHECK', description: 'recommendation_logs.score must be 0 to 1',
    table: t.recommendations, row: NEW.recommendations, change: { score: 1.5 }, constraint: 'recommendation_logs_score_check' }),
  write({ component: 'recommendations', kind: 'CHECK', description: 'recommendation_logs.position starts at 1',
    table: t.recommendations, row: NEW.recommendations, change: { position: 0 }, constraint: 'recommendation_logs_position_check' }),
  write({ component: 'recommendations', kind: 'CHECK', description: 'a recommendation converts into an order only after a click',
    table: t.recommendations, row: NEW.recommendations, change: { converted_order_id: 2, converted_order_created_at: ORDER_AT.MLA2 },
    constraint: 'recommendation_logs_converted_after_click_check' }),
  // MATCH SIMPLE: a key with a NULL column is not checked by the FK, so only the CHECK refuses half a key.
  write({ component: 'recommendations', kind: 'CHECK', description: "a converted recommendation also gives the order's created_at",
    table: t.recommendations, row: { ...NEW.recommendations, clicked: true, converted_order_id: 2, converted_order_created_at: ORDER_AT.MLA2 },
    change: { converted_order_created_at: null }, constraint: 'recommendation_logs_converted_order_key_check' }),
  write({ component: 'recommendations', kind: 'CHECK', description: 'an unconverted recommendation gives no order created_at',
    table: t.recommendations, row: { ...NEW.recommendations, clicked: true },
    change: { converted_order_created_at: ORDER_AT.MLA2 }, constraint: 'recommendation_logs_converted_order_key_check' }),
  write({ component: 'recommendations', kind: 'CHECK', description: 'user_search_history.query_text is at most 200 characters',
    table: t.searches, row: NEW.searches, change: { query_text: 'x'.repeat(201) }, constraint: 'user_search_history_query_text_check' }),
  write({ component: 'recommendations', kind: 'UNIQUE', description: 'user_search_history primary key (region, id, searched_at)',
    table: t.searches, row: NEW.searches, change: { id: 1 }, constraint: 'user_search_history_pkey' }),
  write({ component: 'recommendations', kind: 'UNIQUE', description: 'recommendation_logs primary key (region, id, shown_at)',
    table: t.recommendations, row: NEW.recommendations, change: { id: 1 }, constraint: 'recommendation_logs_pkey' }),
  write({ component: 'recommendations', kind: 'FK', description: 'user_search_history.user_id must be a user',
    table: t.searches, row: NEW.searches, change: { user_id: 999 }, constraint: 'user_search_history_region_user_id_fkey' }),
  write({ component: 'recommendations', kind: 'FK', description: 'recommendation_logs.converted_order_id must be an order',
    table: t.recommendations, row: { ...NEW.recommendations, clicked: true, converted_order_id: 2, converted_order_created_at: ORDER_AT.MLA2 },
    change: { converted_order_id: 999 }, constraint: 'recommendation_logs_converted_order_fkey' }),
  write({ component: 'recommendations', kind: 'FK', description: "recommendation_logs.converted_order_created_at must be the order's created_at",
    table: t.recommendations, row: { ...NEW.recommendations, clicked: true, converted_order_id: 2, converted_order_created_at: ORDER_AT.MLA2 },
    change: { converted_order_created_at: ORDER_AT.MLA1 }, constraint: 'recommendation_logs_converted_order_fkey' }),
  write({ component: 'recommendations', kind: 'region co-location', description: 'an MLA recommendation converted into an MLB order',
    table: t.recommendations, row: { ...NEW.recommendations, clicked: true, converted_order_id: 2, converted_order_created_at: ORDER_AT.MLA2 },
    change: { converted_order_id: 11, converted_order_created_at: ORDER_AT.MLB11 }, constraint: 'recommendation_logs_converted_order_fkey' }),
  write({ component: 'recommendations', kind: 'region co-location', description: 'an MLA recommendation of an MLB product',
    table: t.recommendations, row: NEW.recommendations, change: { product_id: 11 }, constraint: 'recommendation_logs_region_product_id_fkey' }),
  write({ component: 'recommendations', kind: 'region co-location', description: 'an MLA search by a user who exists only in MLB',
    table: t.searches, row: NEW.searches, change: { user_id: 11 }, constraint: 'user_search_history_region_user_id_fkey' }),
  write({ component: 'recommendations', kind: 'enum', description: "recommendation_logs.source must be a source ('random')",
    table: t.recommendations, row: NEW.recommendations, change: { source: 'random' } }),
];

// ---------------------------------------------------------------------------------------------

describe('the violation table covers the acceptance point', () => {
  it('has a NOT NULL, CHECK, UNIQUE and FK case in every component, co-location in at least 5, and an enum case', () => {
    for (const component of COMPONENTS) {
      const kinds = new Set(VIOLATIONS.filter((v) => v.component === component).map((v) => v.kind));
      expect([...kinds], component).toEqual(expect.arrayContaining(['NOT NULL', 'CHECK', 'UNIQUE', 'FK']));
    }
    const colocated = new Set(VIOLATIONS.filter((v) => v.kind === 'region co-location').map((v) => v.component));
    expect(colocated.size).toBeGreaterThanOrEqual(5);
    expect(VIOLATIONS.some((v) => v.kind === 'enum' && v.expected.code === INVALID_TEXT)).toBe(true);
    expect(new Set(VIOLATIONS.map((v) => `${v.component}: ${v.kind} — ${v.description}`)).size).toBe(VIOLATIONS.length);
  });
});

describe.each(TARGETS)('constraints on $name', ({ open }) => {
  let target: Target;
  let serverVersionNum = 0;
  const counts = new Map<string, number>();

  const rowCount = async (table: string): Promise<number> => {
    const [row] = (await target.exec(`SELECT count(*)::int AS n FROM ${table}`)) as { n: number }[];
    return row!.n;
  };

  beforeAll(async () => {
    target = await open();
    const [version] = (await target.exec(`SELECT current_setting('server_version_num')::int AS v`)) as { v: number }[];
    serverVersionNum = version!.v;
    for (const [table, rows] of FIXTURE) {
      for (const row of rows) await target.exec(insert(table, row));
      counts.set(table, await rowCount(table));
    }
  });

  afterAll(async () => {
    await target?.close();
  });

  it.each(VIOLATIONS.map((v) => [`${v.component}: ${v.kind} — ${v.description} (${codeLabel(v.expected.code)})`, v] as const))(
    '%s',
    async (_name, v) => {
      // The same write without the violation goes through: nothing else in it is wrong.
      const unexpected = await attempt(target, v.valid);
      expect(unexpected === undefined ? undefined : target.fields(unexpected), `valid variant failed: ${v.valid}`).toBeUndefined();

      const error = await attempt(target, v.sql);
      expect(error, `accepted: ${v.sql}`).toBeDefined();
      const got = target.fields(error);
      const { constraint, ...rest } = v.expected;
      if (rest.code === RESTRICT) rest.code = restrictCode(serverVersionNum);
      expect({ code: got.code, schema: got.schema, table: got.table, column: got.column }).toMatchObject(rest);
      if (typeof constraint === 'string') expect(got.constraint).toBe(constraint);
      else if (constraint) expect(constraint).toContain(got.constraint);
    },
  );

  it('leaves the fixture as it was', async () => {
    for (const [table] of FIXTURE) expect(await rowCount(table), table).toBe(counts.get(table));
  });
});

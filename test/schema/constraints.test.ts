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
import { FIXTURE_TARGETS, HASH, insert, PEOPLE, type FixtureTarget, type Row } from '../helpers/fixture.ts';

/** Run a write in a transaction that is always rolled back; resolve to its error, if any. */
async function attempt(target: FixtureTarget, sql: string): Promise<unknown> {
  await target.query('BEGIN');
  try {
    await target.query(sql);
    return undefined;
  } catch (error) {
    return error ?? new Error('rejected without an error object');
  } finally {
    await target.query('ROLLBACK');
  }
}

/** When each fixture order was placed: the other half of its key, repeated by every row citing it. */
const ORDER_AT = {
  MLA1: '2025-05-01T12:00:00Z',
  MLA2: '2025-05-01T13:00:00Z',
  MLB11: '2025-05-01T14:00:00Z',
} as const;
/** No fixture order was placed at this instant. */
const NO_ORDER_AT = '2025-05-01T12:30:00Z';

// ---------------------------------------------------------------------------------------------
// The fixture: the shared people and stores (test/helpers/fixture.ts) and a few valid rows of
// every other table, in MLA and MLB, inserted in dependency order.

const FIXTURE: ReadonlyArray<readonly [table: string, rows: readonly Row[]]> = [
  ...PEOPLE,
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

type TableKey = keyof typeof t & keyof typeof NEW;

/**
 * An INSERT case: [kind, description, table, change, constraint?, base?]. The valid write is the
 * new row of `table` (NEW, adjusted by `base`); the same row with `change` applied breaks exactly
 * one rule. `constraint` is the one the error names (for NOT NULL the changed column is checked
 * instead, for an enum the SQLSTATE alone); a list means either name may report it.
 */
type InsertCase = readonly [kind: Kind, description: string, table: TableKey, change: Row, constraint?: string | readonly string[], base?: Row];

/** The INSERT cases of one component as violations. */
function inserts(component: ComponentName, cases: readonly InsertCase[]): Violation[] {
  return cases.map(([kind, description, key, change, constraint, base]) => {
    const qualified = t[key];
    const [schema, table] = qualified.split('.') as [string, string];
    const code = SQLSTATE_OF[kind];
    const row: Row = { ...NEW[key], ...base };
    const expected: Violation['expected'] =
      kind === 'enum'
        ? { code }
        : kind === 'NOT NULL'
          ? { code, schema, table, column: Object.keys(change)[0]! }
          : { code, schema, table, constraint: constraint! };
    return { component, kind, description, sql: insert(qualified, { ...row, ...change }), valid: insert(qualified, row), expected };
  });
}

const VIOLATIONS: readonly Violation[] = [
  // --- user_management -----------------------------------------------------------------------
  ...inserts('user_management', [
    ['NOT NULL', 'users.email is required', 'users', { email: null }],
    ['NOT NULL', 'addresses.postal_code is required', 'addresses', { postal_code: null }],
    ['CHECK', 'users.email must be stored in lower case', 'users', { email: 'Nora@Example.com' }, 'users_email_check'],
    ['CHECK', 'users.password_hash must be a hash, never a plaintext password', 'users', { password_hash: 'hunter2' }, 'users_password_hash_check'],
    ['CHECK', 'users.password_hash: an argon2id look-alike with a 42-character digest and a "." is not a hash', 'users', { password_hash: '$argon2id$v=19$m=65536,t=3,p=4$abc.defghijklmnopqrstu$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP' }, 'users_password_hash_check'],
    ['CHECK', 'users.password_hash: a 16-byte salt cannot end in a character carrying more than 2 bits', 'users', { password_hash: HASH.replace('LWZpeHR1cmUtMQ$', 'LWZpeHR1cmUtMB$') }, 'users_password_hash_check'],
    ['CHECK', 'users.password_hash: bcrypt and scrypt are not what ecomdb verifies', 'users', { password_hash: '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW' }, 'users_password_hash_check'],
    ['CHECK', 'users.phone must be in E.164 format', 'users', { phone: '11 5555-0000' }, 'users_phone_check'],
    ['CHECK', 'addresses.street_line must not be blank', 'addresses', { street_line: '   ' }, 'addresses_street_line_check'],
    ['UNIQUE', 'users.email is unique within a site (the same email in MLB is fine)', 'users', { region: 'MLA' }, 'users_region_email_key', { region: 'MLB', email: 'ana@example.com' }],
    ['UNIQUE', 'users primary key (region, id): id 1 is taken in MLA, free in MLB', 'users', { region: 'MLA' }, 'users_pkey', { region: 'MLB', id: 1 }],
    ['UNIQUE', 'a user has at most one default address', 'addresses', { is_default: true }, 'addresses_one_default_per_user'],
    ['FK', 'users.role_id must be a role', 'users', { role_id: 99 }, 'users_role_id_fkey'],
    ['FK', 'addresses.user_id must be a user', 'addresses', { user_id: 999 }, 'addresses_region_user_id_fkey'],
    ['region co-location', 'an MLA address of a user who exists only in MLB', 'addresses', { user_id: 11 }, 'addresses_region_user_id_fkey'],
    ['CHECK', "users.region must be a known site ('XXX')", 'users', { region: 'XXX' }, 'users_region_check'],
    ['enum', "users.status must be a user status ('banned')", 'users', { status: 'banned' }],
  ]),

  // --- seller_management ---------------------------------------------------------------------
  ...inserts('seller_management', [
    ['NOT NULL', 'stores.name is required', 'stores', { name: null }],
    ['NOT NULL', 'stores.owner_user_id is required', 'stores', { owner_user_id: null }],
    ['CHECK', 'stores.name must not be blank', 'stores', { name: '  ' }, 'stores_name_check'],
    ['UNIQUE', 'stores.name is unique within a site', 'stores', { name: 'Tienda Sergio' }, 'stores_region_name_key'],
    ['FK', 'stores.owner_user_id must be a user', 'stores', { owner_user_id: 999 }, 'stores_region_owner_user_id_fkey'],
  ]),
  {
    component: 'seller_management', kind: 'FK', description: 'a user who owns a store cannot be deleted (ON DELETE RESTRICT)',
    sql: `DELETE FROM user_management.users WHERE region = 'MLA' AND id = 2`,
    valid: `DELETE FROM user_management.users WHERE region = 'MLA' AND id = 3`,
    expected: { code: RESTRICT, schema: 'seller_management', table: 'stores', constraint: 'stores_region_owner_user_id_fkey' },
  },
  ...inserts('seller_management', [
    ['region co-location', 'an MLA store owned by a user who exists only in MLB', 'stores', { owner_user_id: 12 }, 'stores_region_owner_user_id_fkey'],
  ]),

  // --- product_catalog -----------------------------------------------------------------------
  ...inserts('product_catalog', [
    ['NOT NULL', 'products.price is required', 'products', { price: null }],
    ['NOT NULL', 'categories.name is required', 'categories', { name: null }],
    ['CHECK', 'products.price must be > 0', 'products', { price: '0.00' }, 'products_price_check'],
    ['CHECK', "products.price must not be NaN ('NaN'::numeric > 0 is true)", 'products', { price: 'NaN' }, 'products_price_check'],
    ['CHECK', 'products.currency must be the currency of the site (MLA trades in ARS)', 'products', { currency: 'BRL' }, 'products_currency_check'],
  ]),
  {
    component: 'product_catalog', kind: 'CHECK', description: 'products.stock cannot go below zero (selling 6 of 5)',
    sql: `UPDATE product_catalog.products SET stock = stock - 6 WHERE region = 'MLA' AND id = 1`,
    valid: `UPDATE product_catalog.products SET stock = stock - 5 WHERE region = 'MLA' AND id = 1`,
    expected: { code: CHECK, schema: 'product_catalog', table: 'products', constraint: 'products_stock_check' },
  },
  ...inserts('product_catalog', [
    ['CHECK', 'product_images.url must be https', 'productImages', { url: 'http://img.example.com/mla-1-2.jpg' }, 'product_images_url_check'],
    ['CHECK', 'product_discounts.percentage must be 1 to 100', 'productDiscounts', { percentage: 101 }, 'product_discounts_percentage_check'],
    ['CHECK', 'product_discounts must end after they start', 'productDiscounts', { ends_at: '2025-05-31T00:00:00Z' }, 'product_discounts_period_check'],
    ['CHECK', 'a category cannot be its own parent', 'categories', { parent_id: 901 }, 'categories_not_own_parent_check'],
    ['UNIQUE', 'product_images.position is unique per product', 'productImages', { position: 1 }, 'product_images_region_product_id_position_key'],
    ['UNIQUE', 'top-level category names are unique too (NULLS NOT DISTINCT)', 'categories', { name: 'Electrónica' }, 'categories_parent_id_name_key', { parent_id: null, name: 'Hogar' }],
    ['FK', 'products.category_id must be a category', 'products', { category_id: 999 }, 'products_category_id_fkey'],
    ['FK', 'categories.parent_id must be a category', 'categories', { parent_id: 999 }, 'categories_parent_id_fkey'],
  ]),
  {
    component: 'product_catalog', kind: 'FK', description: 'a category with products cannot be deleted (ON DELETE RESTRICT)',
    sql: `DELETE FROM product_catalog.categories WHERE id = 2`,
    valid: `DELETE FROM product_catalog.categories WHERE id = 3`,
    expected: { code: RESTRICT, schema: 'product_catalog', table: 'products', constraint: 'products_category_id_fkey' },
  },
  ...inserts('product_catalog', [
    ['region co-location', 'an MLA product of a store that exists only in MLB', 'products', { store_id: 11 }, 'products_region_store_id_fkey'],
    ['region co-location', 'an MLA image of an MLB product', 'productImages', { product_id: 11 }, 'product_images_region_product_id_fkey'],
    ['region co-location', 'an MLA discount run by an MLB campaign', 'productDiscounts', { campaign_id: 11 }, 'product_discounts_region_campaign_id_fkey'],
    ['enum', "products.condition must be a condition ('broken')", 'products', { condition: 'broken' }],
  ]),

  // --- order_processing ----------------------------------------------------------------------
  ...inserts('order_processing', [
    ['NOT NULL', 'orders.total is required', 'orders', { total: null }],
    ['NOT NULL', 'order_details.unit_price is required', 'orderDetails', { unit_price: null }],
    ['NOT NULL', "order_details.order_created_at (the order's half of its key) is required", 'orderDetails', { order_created_at: null }],
    ['CHECK', 'order_details.quantity must be > 0', 'orderDetails', { quantity: 0 }, 'order_details_quantity_check'],
    ['CHECK', 'orders.currency must be the currency of the site', 'orders', { currency: 'USD' }, 'orders_currency_check'],
    ['CHECK', 'orders.discount_total must be zero without a coupon', 'orders', { discount_total: '100.00' }, 'orders_discount_needs_coupon_check'],
    ['CHECK', 'a coupon is a percentage or a fixed amount, not both', 'coupons', { fixed_amount: '500.00' }, 'coupons_one_kind_check'],
    ['CHECK', 'coupons.code is upper case letters, digits, - and _', 'coupons', { code: 'invierno 25' }, 'coupons_code_check'],
  ]),
  {
    component: 'order_processing', kind: 'CHECK', description: 'coupons.use_count cannot exceed max_uses',
    sql: `UPDATE order_processing.coupons SET use_count = max_uses + 1 WHERE region = 'MLA' AND id = 1`,
    valid: `UPDATE order_processing.coupons SET use_count = max_uses WHERE region = 'MLA' AND id = 1`,
    expected: { code: CHECK, schema: 'order_processing', table: 'coupons', constraint: 'coupons_use_count_check' },
  },
  ...inserts('order_processing', [
    ['UNIQUE', 'coupons.code is unique within a site', 'coupons', { code: 'BIENVENIDA10' }, 'coupons_region_code_key'],
    ['UNIQUE', 'orders primary key (region, id, created_at)', 'orders', { id: 1 }, 'orders_pkey', { created_at: ORDER_AT.MLA1 }],
    ['UNIQUE', 'one order_details line per product per order', 'orderDetails', { product_id: 1 }, 'order_details_pkey'],
    ['FK', 'orders.status_id must be an order status', 'orders', { status_id: 99 }, 'orders_status_id_fkey'],
    ['FK', 'orders.coupon_id must be a coupon', 'orders', { coupon_id: 999 }, 'orders_region_coupon_id_fkey'],
    ['FK', "orders ship to one of the buyer's own addresses, not another user's", 'orders', { shipping_address_id: 2 }, 'orders_region_buyer_id_shipping_address_id_fkey'],
    ['FK', 'order_details.order_id must be an order', 'orderDetails', { order_id: 999 }, 'order_details_region_order_id_order_created_at_fkey'],
    ['FK', "an order line's order_created_at must be its order's created_at", 'orderDetails', { order_created_at: NO_ORDER_AT }, 'order_details_region_order_id_order_created_at_fkey'],
    ['FK', "an order line citing order 1 with order 2's created_at", 'orderDetails', { order_created_at: ORDER_AT.MLA2 }, 'order_details_region_order_id_order_created_at_fkey'],
    // Buyer and shipping address both live in MLB, so two keys reject it; either may report it.
    ['region co-location', 'an MLA order whose buyer (and address) exist only in MLB', 'orders', { buyer_id: 11, shipping_address_id: 11 }, ['orders_region_buyer_id_fkey', 'orders_region_buyer_id_shipping_address_id_fkey']],
    ['region co-location', 'an MLA order with an MLB coupon', 'orders', { coupon_id: 11 }, 'orders_region_coupon_id_fkey'],
    ['region co-location', 'an MLA order_details line for an MLB product', 'orderDetails', { product_id: 11 }, 'order_details_region_product_id_fkey'],
    ['region co-location', 'an MLA order_details line of an MLB order', 'orderDetails', { order_id: 11, order_created_at: ORDER_AT.MLB11 }, 'order_details_region_order_id_order_created_at_fkey'],
  ]),

  // --- reviews_questions ---------------------------------------------------------------------
  ...inserts('reviews_questions', [
    ['NOT NULL', 'reviews.rating is required', 'reviews', { rating: null }],
    ['NOT NULL', 'questions.body is required', 'questions', { body: null }],
    ['CHECK', 'reviews.rating must be 1 to 5', 'reviews', { rating: 6 }, 'reviews_rating_check'],
    // MATCH SIMPLE: a key with a NULL column is not checked by the FK, so only the CHECK refuses half a key.
    ['CHECK', "a review citing an order also gives the order's created_at", 'reviews', { order_created_at: null }, 'reviews_order_key_check'],
    ['CHECK', "a review citing no order gives no order created_at", 'reviews', { order_created_at: ORDER_AT.MLA2 }, 'reviews_order_key_check', { order_id: null, order_created_at: null }],
    ['CHECK', 'an answered question has an answer', 'questions', { status: 'answered' }, 'questions_answered_check'],
    ['CHECK', 'questions.answered_at is not before the question was asked', 'questions', { answered_at: '2025-05-01T09:00:00Z' }, 'questions_answered_at_check', { status: 'answered', answer: 'Sí.', created_at: '2025-05-01T10:00:00Z', answered_at: '2025-05-01T11:00:00Z' }],
    // Product 1 was bought in order 1: the review cites that line, so only the unique key is broken.
    ['UNIQUE', 'one review per buyer per product', 'reviews', { product_id: 1, order_id: 1, order_created_at: ORDER_AT.MLA1 }, 'reviews_region_buyer_id_product_id_key'],
    ['FK', 'reviews.product_id must be a product', 'reviews', { product_id: 999 }, 'reviews_region_product_id_fkey', { order_id: null, order_created_at: null }],
    ['FK', 'a review cites a line of its order: order 2 has no line of product 1', 'reviews', { order_id: 2, order_created_at: ORDER_AT.MLA2 }, 'reviews_region_order_id_order_created_at_product_id_fkey', { product_id: 1, order_id: 1, order_created_at: ORDER_AT.MLA1, buyer_id: 3 }],
    ['FK', "reviews.order_created_at must be the cited order's created_at", 'reviews', { order_created_at: NO_ORDER_AT }, 'reviews_region_order_id_order_created_at_product_id_fkey'],
    ['FK', 'questions.asker_id must be a user', 'questions', { asker_id: 999 }, 'questions_region_asker_id_fkey'],
    ['region co-location', 'an MLA review of an MLB product', 'reviews', { product_id: 11 }, 'reviews_region_product_id_fkey', { order_id: null, order_created_at: null }],
    ['region co-location', 'an MLA review citing an MLB order', 'reviews', { order_id: 11, order_created_at: ORDER_AT.MLB11 }, 'reviews_region_order_id_order_created_at_product_id_fkey'],
    ['region co-location', 'an MLA question asked by a user who exists only in MLB', 'questions', { asker_id: 11 }, 'questions_region_asker_id_fkey'],
    ['enum', "questions.status must be a question status ('deleted')", 'questions', { status: 'deleted' }],
  ]),

  // --- payments ------------------------------------------------------------------------------
  ...inserts('payments', [
    ['NOT NULL', 'payments.amount is required', 'payments', { amount: null }],
    ['NOT NULL', 'payments.transaction_ref is required', 'payments', { transaction_ref: null }],
    ['NOT NULL', "payments.order_created_at (the order's half of its key) is required", 'payments', { order_created_at: null }],
    ['CHECK', 'payments.amount must be > 0', 'payments', { amount: '-10.00' }, 'payments_amount_check'],
    ['CHECK', 'payments.currency must be the currency of the site', 'payments', { currency: 'BRL' }, 'payments_currency_check'],
    ['CHECK', 'payments.transaction_ref must not be blank', 'payments', { transaction_ref: ' ' }, 'payments_transaction_ref_check'],
    // The key carries created_at (payments are partitioned by month on it): the duplicate is created at the same instant.
    ['UNIQUE', 'payments.transaction_ref is unique within a site and creation time', 'payments', { transaction_ref: 'MP-MLA-0001', order_id: 1, order_created_at: ORDER_AT.MLA1 }, 'payments_region_transaction_ref_created_at_key', { created_at: '2025-05-01T12:05:00Z', order_id: 1, order_created_at: ORDER_AT.MLA1 }],
    ['UNIQUE', 'payments primary key (region, id, created_at)', 'payments', { id: 1, order_id: 1, order_created_at: ORDER_AT.MLA1 }, 'payments_pkey', { created_at: '2025-05-01T12:05:00Z', order_id: 1, order_created_at: ORDER_AT.MLA1 }],
    ['FK', 'payments.method_id must be a payment method', 'payments', { method_id: 99 }, 'payments_method_id_fkey'],
    ['FK', 'payments.status_id must be a payment status', 'payments', { status_id: 99 }, 'payments_status_id_fkey'],
    ['FK', 'payments.order_id must be an order', 'payments', { order_id: 999 }, 'payments_region_order_id_order_created_at_fkey'],
    ['FK', "payments.order_created_at must be its order's created_at", 'payments', { order_created_at: ORDER_AT.MLA1 }, 'payments_region_order_id_order_created_at_fkey'],
    ['region co-location', 'an MLA payment of an MLB order', 'payments', { order_id: 11, order_created_at: ORDER_AT.MLB11, created_at: '2025-05-01T14:05:00Z' }, 'payments_region_order_id_order_created_at_fkey'],
    ['CHECK', 'a payment is never made before its order', 'payments', { created_at: '2025-05-01T12:55:00Z' }, 'payments_after_order_check'],
    ['CHECK', 'a payment is made within 7 days of its order (exactly 7 days after is too late)', 'payments', { created_at: '2025-05-08T13:00:00Z' }, 'payments_within_payment_window_check'],
  ]),

  // --- shipping_logistics --------------------------------------------------------------------
  ...inserts('shipping_logistics', [
    ['NOT NULL', 'shipments.carrier is required', 'shipments', { carrier: null }],
    ['NOT NULL', 'shipments.status_id is required', 'shipments', { status_id: null }],
    ['NOT NULL', "shipments.order_created_at (the order's half of its key) is required", 'shipments', { order_created_at: null }],
    ['CHECK', 'a shipped shipment has a tracking number', 'shipments', { shipped_at: '2025-05-03T08:00:00Z' }, 'shipments_shipped_has_tracking_check'],
    ['CHECK', 'shipments are not delivered before they are shipped', 'shipments', { delivered_at: '2025-05-02T08:00:00Z' }, 'shipments_delivered_after_shipped_check', { tracking_number: 'AND-000901', shipped_at: '2025-05-03T08:00:00Z', delivered_at: '2025-05-04T08:00:00Z' }],
    ['CHECK', 'shipments.carrier must not be blank', 'shipments', { carrier: '' }, 'shipments_carrier_check'],
    ['UNIQUE', 'one shipment per order', 'shipments', { order_id: 1, order_created_at: ORDER_AT.MLA1 }, 'shipments_region_order_id_key'],
    ['UNIQUE', 'a tracking number is unique per carrier', 'shipments', { tracking_number: 'OCA-000001' }, 'shipments_region_carrier_tracking_number_key', { carrier: 'OCA', tracking_number: 'OCA-000901' }],
    ['FK', 'shipments.status_id must be a shipment status', 'shipments', { status_id: 99 }, 'shipments_status_id_fkey'],
    ['FK', 'shipments.order_id must be an order', 'shipments', { order_id: 999 }, 'shipments_region_order_id_order_created_at_fkey'],
    ['FK', "shipments.order_created_at must be its order's created_at", 'shipments', { order_created_at: NO_ORDER_AT }, 'shipments_region_order_id_order_created_at_fkey'],
    ['region co-location', 'an MLA shipment of an MLB order', 'shipments', { order_id: 11, order_created_at: ORDER_AT.MLB11 }, 'shipments_region_order_id_order_created_at_fkey'],
  ]),

  // --- marketing -----------------------------------------------------------------------------
  ...inserts('marketing', [
    ['NOT NULL', 'campaigns.budget is required', 'campaigns', { budget: null }],
    ['NOT NULL', 'ads.bid is required', 'ads', { bid: null }],
    ['CHECK', 'campaigns must end after they start', 'campaigns', { ends_at: '2025-11-02T00:00:00Z' }, 'campaigns_period_check'],
    ['CHECK', 'campaigns.currency must be the currency of the site', 'campaigns', { currency: 'BRL' }, 'campaigns_currency_check'],
    ['CHECK', 'campaigns.budget must be >= 0', 'campaigns', { budget: '-1.00' }, 'campaigns_budget_check'],
    ['CHECK', 'ads cannot have more clicks than impressions', 'ads', { clicks: 5 }, 'ads_counters_check'],
    ['CHECK', 'ads.image_url must be https', 'ads', { image_url: 'ftp://img.example.com/ad.jpg' }, 'ads_image_url_check'],
    ['UNIQUE', 'campaigns.name is unique within a store', 'campaigns', { name: 'Hot Sale' }, 'campaigns_region_store_id_name_key'],
    ['UNIQUE', 'one ad per product per campaign', 'ads', { product_id: 1 }, 'ads_region_campaign_id_product_id_key'],
    ['FK', 'campaigns.store_id must be a store', 'campaigns', { store_id: 999 }, 'campaigns_region_store_id_fkey'],
    ['FK', 'ads.campaign_id must be a campaign', 'ads', { campaign_id: 999 }, 'ads_region_campaign_id_fkey'],
    ['region co-location', 'an MLA campaign of a store that exists only in MLB', 'campaigns', { store_id: 11 }, 'campaigns_region_store_id_fkey'],
    ['region co-location', 'an MLA ad for an MLB product', 'ads', { product_id: 11 }, 'ads_region_product_id_fkey'],
    ['enum', "campaigns.status must be a campaign status ('cancelled')", 'campaigns', { status: 'cancelled' }],
  ]),

  // --- messaging -----------------------------------------------------------------------------
  ...inserts('messaging', [
    ['NOT NULL', 'conversations.kind is required', 'conversations', { kind: null }],
    ['NOT NULL', 'messages.body is required', 'messages', { body: null }],
    ['CHECK', "a conversation of kind 'order' names its order", 'conversations', { kind: 'order' }, 'conversations_order_kind_check'],
    ['CHECK', "a 'pre_sale' conversation names no order", 'conversations', { order_id: 2, order_created_at: ORDER_AT.MLA2 }, 'conversations_order_kind_check'],
    // MATCH SIMPLE: a key with a NULL column is not checked by the FK, so only the CHECK refuses half a key.
    ['CHECK', "a conversation naming an order also gives the order's created_at", 'conversations', { order_created_at: null }, 'conversations_order_key_check', { kind: 'order', order_id: 2, order_created_at: ORDER_AT.MLA2 }],
    ['CHECK', 'a conversation naming no order gives no order created_at', 'conversations', { order_created_at: ORDER_AT.MLA2 }, 'conversations_order_key_check'],
    ['CHECK', 'messages.body is at most 4000 characters', 'messages', { body: 'x'.repeat(4001) }, 'messages_body_check'],
    ['CHECK', 'a message is not read before it is sent', 'messages', { read_at: '2025-05-02T09:59:59Z' }, 'messages_read_after_sent_check'],
    ['UNIQUE', 'one conversation per order', 'conversations', { order_id: 1, order_created_at: ORDER_AT.MLA1 }, 'conversations_region_order_id_key', { kind: 'order', order_id: 2, order_created_at: ORDER_AT.MLA2 }],
    ['UNIQUE', 'messages primary key (region, id, sent_at)', 'messages', { id: 1 }, 'messages_pkey', { sent_at: '2025-05-02T09:00:00Z' }],
    ['FK', 'conversations.store_id must be a store', 'conversations', { store_id: 999 }, 'conversations_region_store_id_fkey'],
    ['FK', 'messages.conversation_id must be a conversation', 'messages', { conversation_id: 999 }, 'messages_region_conversation_id_fkey'],
    ['FK', "conversations.order_created_at must be its order's created_at", 'conversations', { order_created_at: NO_ORDER_AT }, 'conversations_region_order_id_order_created_at_fkey', { kind: 'order', order_id: 2, order_created_at: ORDER_AT.MLA2 }],
    ['region co-location', 'an MLA conversation with a store that exists only in MLB', 'conversations', { store_id: 11 }, 'conversations_region_store_id_fkey'],
    ['region co-location', 'an MLA conversation about an MLB order', 'conversations', { order_id: 11, order_created_at: ORDER_AT.MLB11 }, 'conversations_region_order_id_order_created_at_fkey', { kind: 'order', order_id: 2, order_created_at: ORDER_AT.MLA2 }],
    ['region co-location', 'an MLA message sent by a user who exists only in MLB', 'messages', { sender_id: 11 }, 'messages_region_sender_id_fkey'],
    ['enum', "conversations.kind must be a conversation kind ('dispute')", 'conversations', { kind: 'dispute' }],
  ]),

  // --- recommendations -----------------------------------------------------------------------
  ...inserts('recommendations', [
    ['NOT NULL', 'user_search_history.query_text is required', 'searches', { query_text: null }],
    ['NOT NULL', 'recommendation_logs.source is required', 'recommendations', { source: null }],
    ['CHECK', 'recommendation_logs.score must be 0 to 1', 'recommendations', { score: 1.5 }, 'recommendation_logs_score_check'],
    ['CHECK', 'recommendation_logs.position starts at 1', 'recommendations', { position: 0 }, 'recommendation_logs_position_check'],
    ['CHECK', 'a recommendation converts into an order only after a click', 'recommendations', { converted_order_id: 2, converted_order_created_at: ORDER_AT.MLA2 }, 'recommendation_logs_converted_after_click_check'],
    // MATCH SIMPLE: a key with a NULL column is not checked by the FK, so only the CHECK refuses half a key.
    ['CHECK', "a converted recommendation also gives the order's created_at", 'recommendations', { converted_order_created_at: null }, 'recommendation_logs_converted_order_key_check', { clicked: true, converted_order_id: 2, converted_order_created_at: ORDER_AT.MLA2 }],
    ['CHECK', 'an unconverted recommendation gives no order created_at', 'recommendations', { converted_order_created_at: ORDER_AT.MLA2 }, 'recommendation_logs_converted_order_key_check', { clicked: true }],
    ['CHECK', 'user_search_history.query_text is at most 200 characters', 'searches', { query_text: 'x'.repeat(201) }, 'user_search_history_query_text_check'],
    ['UNIQUE', 'user_search_history primary key (region, id, searched_at)', 'searches', { id: 1 }, 'user_search_history_pkey'],
    ['UNIQUE', 'recommendation_logs primary key (region, id, shown_at)', 'recommendations', { id: 1 }, 'recommendation_logs_pkey'],
    ['FK', 'user_search_history.user_id must be a user', 'searches', { user_id: 999 }, 'user_search_history_region_user_id_fkey'],
    ['FK', 'recommendation_logs.converted_order_id must be an order', 'recommendations', { converted_order_id: 999 }, 'recommendation_logs_converted_order_fkey', { clicked: true, converted_order_id: 2, converted_order_created_at: ORDER_AT.MLA2 }],
    ['FK', "recommendation_logs.converted_order_created_at must be the order's created_at", 'recommendations', { converted_order_created_at: ORDER_AT.MLA1 }, 'recommendation_logs_converted_order_fkey', { clicked: true, converted_order_id: 2, converted_order_created_at: ORDER_AT.MLA2 }],
    ['region co-location', 'an MLA recommendation converted into an MLB order', 'recommendations', { converted_order_id: 11, converted_order_created_at: ORDER_AT.MLB11 }, 'recommendation_logs_converted_order_fkey', { clicked: true, converted_order_id: 2, converted_order_created_at: ORDER_AT.MLA2 }],
    ['region co-location', 'an MLA recommendation of an MLB product', 'recommendations', { product_id: 11 }, 'recommendation_logs_region_product_id_fkey'],
    ['region co-location', 'an MLA search by a user who exists only in MLB', 'searches', { user_id: 11 }, 'user_search_history_region_user_id_fkey'],
    ['enum', "recommendation_logs.source must be a source ('random')", 'recommendations', { source: 'random' }],
  ]),
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

describe.each(FIXTURE_TARGETS)('constraints on $name', ({ open }) => {
  let target: FixtureTarget;
  let serverVersionNum = 0;
  const counts = new Map<string, number>();

  const rowCount = async (table: string): Promise<number> => {
    const [row] = await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return row!.n;
  };

  beforeAll(async () => {
    target = await open('constraints');
    const [version] = await target.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
    serverVersionNum = version!.v;
    for (const [table, rows] of FIXTURE) {
      for (const row of rows) await target.query(insert(table, row));
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

/**
 * Who may do what, declared once: the seven roles of the paper as PostgreSQL group roles, the
 * role matrix (role x table x privileges, per column where a table holds personal data), the
 * row-level security policies keyed on the acting marketplace user, and the views through which
 * BI analysts read tables that hold personal data. `ecomdb generate` turns these into
 * migrations (src/generate/additions.ts); `ecomdb verify` checks a database against the matrix;
 * `ecomdb docs` and the README render it.
 *
 * The acting user travels in the per-transaction setting `ecomdb.user_id`, set with
 * `set_config('ecomdb.user_id', id, true)` together with `SET LOCAL ROLE` (src/access/as-user.ts),
 * so it works behind a transaction-pooling pooler. Policies read it once per statement, through
 * `(SELECT ...)`, and reach other tables through the small SQL functions below, which look rows up
 * by their primary key (docs/design.md, 'Roles and row-level security').
 */
import { pgRole } from 'drizzle-orm/pg-core';
import { siteCurrencySql } from './columns.ts';
import { ORDER_STATUSES, ROLES } from './values.ts';

/** A row of user_management.roles, by its machine name. */
export type RoleName = (typeof ROLES)[number]['name'];

/** The PostgreSQL group role of a marketplace role: `ecomdb_<name>`. */
export function dbRole(role: RoleName): string {
  return `ecomdb_${role}`;
}

/**
 * The group roles, NOLOGIN, created by a guarded statement of the migrations (CREATE ROLE has
 * no IF NOT EXISTS and roles are cluster-wide). Declared `.existing()` so that drizzle-kit never
 * plans to create or drop them; the kit configuration does not manage roles (`entities.roles`
 * stays off, or `push` would plan to drop every role it does not know, `postgres` included).
 */
export const buyerRole = pgRole('ecomdb_user').existing();
export const sellerRole = pgRole('ecomdb_seller').existing();
export const dbaRole = pgRole('ecomdb_dba').existing();
export const administratorRole = pgRole('ecomdb_administrator').existing();
export const platformManagerRole = pgRole('ecomdb_platform_manager').existing();
export const biAnalystRole = pgRole('ecomdb_bi_analyst').existing();
export const marketingSpecialistRole = pgRole('ecomdb_marketing_specialist').existing();

/** Every group role, in the order of schema/values.ts ROLES. */
export const DB_ROLES: readonly string[] = ROLES.map((r) => dbRole(r.name));

/** Group roles a role is a member of (inherits): the DBA maintains the BI views the BI analyst owns. */
export const ROLE_MEMBERSHIPS: readonly { readonly role: RoleName; readonly memberOf: RoleName }[] = [{ role: 'dba', memberOf: 'bi_analyst' }];

export type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'REFERENCES' | 'TRIGGER' | 'EXECUTE';
/** Every privilege on a table (EXECUTE is a function's). */
export const ALL_PRIVILEGES: readonly Privilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];

/**
 * One cell of the role matrix: privileges of a role on a relation (`schema.name`), on some
 * columns only when `columns` is given; or EXECUTE on a function (`schema.name(argument types)`).
 */
export interface Grant {
  readonly role: RoleName;
  readonly relation: string;
  readonly privileges: readonly Privilege[];
  readonly columns?: readonly string[];
}

/** Whether a cell of the matrix names a function (`schema.name(types)`) rather than a relation. */
export function isRoutine(relation: string): boolean {
  return relation.includes('(');
}

// ---------------------------------------------------------------------------------------------
// Relations

/** Global reference tables (statuses, methods, categories, roles). */
export const REFERENCE_TABLES = [
  'user_management.roles',
  'product_catalog.categories',
  'order_processing.order_statuses',
  'payments.payment_methods',
  'payments.payment_statuses',
  'shipping_logistics.shipment_statuses',
] as const;

/**
 * Personal data: columns that name, reach or describe a person (names, emails, phones, street
 * addresses, birth dates, password hashes) and free text people write to each other. BI
 * analysts and DBAs never read them; the first are erased with the user.
 */
export const PERSONAL_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  'user_management.users': ['name', 'email', 'password_hash', 'phone', 'birth_date'],
  'user_management.addresses': ['street_line', 'postal_code'],
  'reviews_questions.reviews': ['comment'],
  'reviews_questions.questions': ['body', 'answer'],
  'messaging.messages': ['body'],
  'recommendations.user_search_history': ['query_text'],
};

/** Every column of the tables that hold personal data, in table order (the views and column grants list the others). */
export const TABLE_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  'user_management.users': ['region', 'id', 'role_id', 'name', 'email', 'password_hash', 'phone', 'birth_date', 'status', 'created_at'],
  'user_management.addresses': ['region', 'id', 'user_id', 'street_line', 'city', 'state', 'postal_code', 'is_default'],
  'reviews_questions.reviews': ['region', 'id', 'buyer_id', 'product_id', 'order_id', 'order_created_at', 'rating', 'comment', 'moderation_status', 'created_at'],
  'reviews_questions.questions': ['region', 'id', 'product_id', 'asker_id', 'body', 'status', 'answer', 'answered_at', 'created_at'],
  'messaging.messages': ['region', 'id', 'conversation_id', 'sender_id', 'body', 'sent_at', 'read_at', 'moderation_status'],
  'recommendations.user_search_history': ['region', 'id', 'user_id', 'query_text', 'searched_at'],
};

/** The columns of `table` that are not personal. */
export function impersonalColumns(table: string): string[] {
  const personal = PERSONAL_COLUMNS[table] ?? [];
  return (TABLE_COLUMNS[table] ?? []).filter((c) => !personal.includes(c));
}

/** The schema of the views without personal data. */
export const BI_SCHEMA = 'bi';

/** A view without personal data: every column of `table` but the personal ones. */
export interface ImpersonalView {
  readonly name: string;
  readonly table: string;
  readonly comment: string;
}

/** `bi.<table>` for every table that holds personal data. */
export const IMPERSONAL_VIEWS: readonly ImpersonalView[] = Object.keys(PERSONAL_COLUMNS).map((table) => ({
  name: `${BI_SCHEMA}.${table.split('.')[1]}`,
  table,
  comment: `${table} without its personal columns (${PERSONAL_COLUMNS[table]!.join(', ')}), for BI analysts. Reads every row as the view's owner.`,
}));

/** The BI materialized views (schema/views.ts), owned by the BI analyst so that it can refresh them. */
export const BI_MATERIALIZED_VIEWS = [
  'seller_management.store_sales_30d',
  'product_catalog.top_products_30d',
  'shipping_logistics.delivery_times_30d',
  'recommendations.search_conversion_30d',
] as const;
export const BI_VIEW_OWNER: RoleName = 'bi_analyst';

const ALL_TABLES = [
  'user_management.roles', 'user_management.users', 'user_management.addresses',
  'seller_management.stores',
  'product_catalog.categories', 'product_catalog.products', 'product_catalog.product_images', 'product_catalog.product_discounts',
  'order_processing.order_statuses', 'order_processing.coupons', 'order_processing.orders', 'order_processing.order_details',
  'reviews_questions.reviews', 'reviews_questions.questions',
  'payments.payment_methods', 'payments.payment_statuses', 'payments.payments',
  'shipping_logistics.shipment_statuses', 'shipping_logistics.shipments',
  'marketing.campaigns', 'marketing.ads',
  'messaging.conversations', 'messaging.messages',
  'recommendations.user_search_history', 'recommendations.recommendation_logs',
] as const;

/** Every table of the component schemas, then the BI materialized views (the matrix's rows). */
export const MATRIX_TABLES: readonly string[] = [...ALL_TABLES, ...BI_MATERIALIZED_VIEWS];

// ---------------------------------------------------------------------------------------------
// The counters of an order: stock and coupon uses

/**
 * A function the query library calls where a role may not write a table itself: placing and
 * cancelling an order change a listing's stock and a coupon's use count, which a buyer must not
 * be able to set at will. SECURITY DEFINER, so they run as their owner (the role that migrates,
 * which owns the tables and is not subject to row-level security); `search_path` fixed to
 * pg_catalog, pg_temp and every other name qualified, so that no object of the caller's can
 * stand in for one of theirs; EXECUTE revoked from PUBLIC and granted per the role matrix.
 * `body` is PL/pgSQL (DECLARE ... END).
 */
export interface OrderFunction {
  readonly schema: string;
  readonly name: string;
  readonly args: string;
  readonly returns: string;
  readonly comment: string;
  readonly body: string;
}

const statusId = (name: (typeof ORDER_STATUSES)[number]['name']) => ORDER_STATUSES.findIndex((s) => s.name === name) + 1;
/** The acting marketplace user (ecomdb.user_id), NULL when unset. */
const ACTING = `NULLIF(pg_catalog.current_setting('ecomdb.user_id', true), '')::bigint`;
/** The open low-stock alert after a change of stock to `stock` (what src/access/shared.ts lowStockSince computes). */
const lowStock = (stock: string) => `CASE WHEN ${stock} <= p.low_stock_threshold AND p.status <> 'closed' THEN COALESCE(p.low_stock_since, pg_catalog.now()) END`;

export const ORDER_FUNCTIONS: readonly OrderFunction[] = [
  {
    schema: 'product_catalog',
    name: 'reserve_stock',
    args: 'p_region text, p_product_id bigint, p_quantity integer',
    returns: 'boolean',
    comment:
      'Placing an order: takes p_quantity (1 to 1000) units of an active listing, never more than its stock (no oversell: the conditional UPDATE is re-checked against the latest row after waiting for its lock). False when the listing is missing, not active or short. A step of place_order, granted to no role (alone it would take units no order holds). SECURITY DEFINER: a buyer may not update stock.',
    body: `BEGIN
  IF p_quantity IS NULL OR p_quantity < 1 OR p_quantity > 1000 THEN
    RAISE EXCEPTION 'reserve_stock: quantity % is not between 1 and 1000', p_quantity
      USING ERRCODE = 'invalid_parameter_value', HINT = 'an order line holds 1 to 1000 units';
  END IF;
  UPDATE product_catalog.products AS p
     SET stock = p.stock - p_quantity,
         low_stock_since = ${lowStock('p.stock - p_quantity')}
   WHERE p.region = p_region AND p.id = p_product_id AND p.status = 'active' AND p.stock >= p_quantity;
  RETURN FOUND;
END`,
  },
  {
    schema: 'order_processing',
    name: 'take_coupon',
    args: 'p_region text, p_code text',
    returns: 'bigint',
    comment:
      'Placing an order: takes one use of an active, unexpired coupon of the site, never beyond max_uses (re-checked against the latest row after waiting for its lock). Returns the coupon id, NULL when it cannot be used. A step of place_order, granted to no role (alone it would take uses no order holds). SECURITY DEFINER: a buyer may not update use counts.',
    body: `DECLARE
  taken bigint;
BEGIN
  UPDATE order_processing.coupons AS c
     SET use_count = c.use_count + 1
   WHERE c.region = p_region AND c.code = p_code AND c.is_active
     AND c.expires_at > pg_catalog.date_trunc('milliseconds', pg_catalog.now())
     AND c.use_count < c.max_uses
  RETURNING c.id INTO taken;
  RETURN taken;
END`,
  },
  {
    schema: 'order_processing',
    name: 'place_order',
    args: 'p_region text, p_buyer_id bigint, p_address_id bigint, p_product_ids bigint[], p_quantities integer[], p_coupon_code text',
    returns: 'jsonb',
    comment:
      'Placing an order, whole: for the acting user (ecomdb.user_id; any buyer for a member of the owner role acting as nobody), takes each line\'s units (reserve_stock: no oversell), snapshots each unit price after the product\'s discount active now, takes one use of the coupon when p_coupon_code is given (take_coupon: never beyond max_uses), and inserts the order (payment_required, or paid when nothing is left to pay) and its lines, so that every line of an order holds units that were taken for it. Lines in ascending product id (the lock order), each product once, 1 to 50 of them. Returns the order as jsonb (id, created_at, status, coupon_id, subtotal, discount_total, total, currency, unit_prices), or, having changed nothing, {"refused": "stock", "product_id": id} for the first line it cannot take and {"refused": "coupon"} for a coupon it cannot use. SECURITY DEFINER: a buyer may not update stock or use counts, nor insert orders or order lines.',
    body: `DECLARE
  acting bigint := ${ACTING};
  n integer := pg_catalog.cardinality(p_product_ids);
  placed timestamptz := pg_catalog.date_trunc('milliseconds', pg_catalog.now());
  v_prices numeric[] := '{}';
  v_subtotal numeric := 0;
  v_off numeric := 0;
  v_total numeric;
  v_coupon bigint;
  v_terms record;
  v_failed bigint;
  v_order bigint;
  v_status smallint;
  k integer;
BEGIN
  -- Only for the acting user; acting as nobody, only the owner of the tables (this function's
  -- owner, CURRENT_USER here) or a member of its role may order for any buyer.
  IF acting IS DISTINCT FROM p_buyer_id
     AND NOT (acting IS NULL AND pg_catalog.pg_has_role(SESSION_USER, CURRENT_USER, 'MEMBER')) THEN
    RAISE EXCEPTION 'place_order: the acting user is not buyer %', p_buyer_id
      USING ERRCODE = 'insufficient_privilege', HINT = 'set ecomdb.user_id to the buyer who orders';
  END IF;
  IF n IS NULL OR n < 1 OR n > 50 OR pg_catalog.cardinality(p_quantities) IS DISTINCT FROM n THEN
    RAISE EXCEPTION 'place_order: % product(s) and % quantities', n, pg_catalog.cardinality(p_quantities)
      USING ERRCODE = 'invalid_parameter_value', HINT = 'an order has 1 to 50 lines, a quantity for each product';
  END IF;
  FOR k IN 2..n LOOP
    IF NOT (p_product_ids[k] > p_product_ids[k - 1]) THEN
      RAISE EXCEPTION 'place_order: product % follows product %', p_product_ids[k], p_product_ids[k - 1]
        USING ERRCODE = 'invalid_parameter_value', HINT = 'list the lines in ascending product id, each product once';
    END IF;
  END LOOP;
  -- All or nothing: a line or a coupon that cannot be taken undoes what the lines before it took.
  BEGIN
    FOR k IN 1..n LOOP
      IF NOT product_catalog.reserve_stock(p_region, p_product_ids[k], p_quantities[k]) THEN
        v_failed := p_product_ids[k];
        RAISE EXCEPTION 'place_order: product % cannot be taken', v_failed USING ERRCODE = 'EC001';
      END IF;
      -- The row is ours until COMMIT: its price cannot change under us.
      v_prices[k] := (SELECT pg_catalog.round(p.price * (100 - COALESCE((SELECT pg_catalog.max(d.percentage) FROM product_catalog.product_discounts AS d
                                 WHERE d.region = p_region AND d.product_id = p.id AND d.starts_at <= placed AND d.ends_at > placed), 0)) / 100, 2)
                        FROM product_catalog.products AS p WHERE p.region = p_region AND p.id = p_product_ids[k]);
      v_subtotal := v_subtotal + p_quantities[k] * v_prices[k];
    END LOOP;
    IF p_coupon_code IS NOT NULL THEN
      v_coupon := order_processing.take_coupon(p_region, p_coupon_code);
      IF v_coupon IS NULL THEN
        RAISE EXCEPTION 'place_order: coupon % cannot be used', p_coupon_code USING ERRCODE = 'EC002';
      END IF;
      SELECT c.percentage, c.fixed_amount INTO v_terms FROM order_processing.coupons AS c WHERE c.region = p_region AND c.id = v_coupon;
      v_off := CASE WHEN v_terms.percentage IS NOT NULL THEN pg_catalog.round(v_subtotal * v_terms.percentage / 100, 2) ELSE v_terms.fixed_amount END;
      v_off := LEAST(v_off, v_subtotal);
    END IF;
  EXCEPTION
    WHEN SQLSTATE 'EC001' THEN RETURN pg_catalog.jsonb_build_object('refused', 'stock', 'product_id', v_failed);
    WHEN SQLSTATE 'EC002' THEN RETURN pg_catalog.jsonb_build_object('refused', 'coupon');
  END;
  v_total := v_subtotal - v_off;
  v_status := CASE WHEN v_total = 0 THEN ${statusId('paid')} ELSE ${statusId('payment_required')} END; -- paid, payment_required
  INSERT INTO order_processing.orders AS o (region, buyer_id, status_id, coupon_id, shipping_address_id, discount_total, total, currency, created_at)
  VALUES (p_region, p_buyer_id, v_status, v_coupon, p_address_id, v_off, v_total, ${siteCurrencySql('p_region')}, placed)
  RETURNING o.id INTO v_order;
  INSERT INTO order_processing.order_details (region, order_id, order_created_at, product_id, quantity, unit_price)
  SELECT p_region, v_order, placed, p_product_ids[g.j], p_quantities[g.j], v_prices[g.j] FROM pg_catalog.generate_series(1, n) AS g(j);
  RETURN pg_catalog.jsonb_build_object(
    'id', v_order, 'created_at', placed, 'status', CASE WHEN v_total = 0 THEN 'paid' ELSE 'payment_required' END, 'coupon_id', v_coupon,
    'subtotal', v_subtotal::text, 'discount_total', v_off::text, 'total', v_total::text, 'currency', ${siteCurrencySql('p_region')},
    'unit_prices', pg_catalog.to_jsonb(v_prices::text[]));
END`,
  },
  {
    schema: 'order_processing',
    name: 'release_order',
    args: 'p_region text, p_order_id bigint, p_created_at timestamptz',
    returns: 'boolean',
    comment:
      'Cancelling an order: for an order of the acting user (ecomdb.user_id; any order for a member of the owner role acting as nobody) that is payment_required or paid, gives every line\'s units back to stock and its coupon use back to the coupon, and marks the order cancelled, all at once, so the same order gives back only once. False when there is no such order. Locks the order, then its products by id, then the coupon. SECURITY DEFINER: a buyer may not update stock or use counts.',
    body: `DECLARE
  o record;
  l record;
  acting bigint := ${ACTING};
BEGIN
  SELECT x.buyer_id, x.coupon_id INTO o
    FROM order_processing.orders AS x
   WHERE x.region = p_region AND x.id = p_order_id AND x.created_at = p_created_at
     AND x.status_id IN (${statusId('payment_required')}, ${statusId('paid')}) -- payment_required, paid
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  -- Only the buyer's own order; acting as nobody, only the owner of the tables (this function's
  -- owner, CURRENT_USER here) or a member of its role may cancel any order.
  IF acting IS DISTINCT FROM o.buyer_id
     AND NOT (acting IS NULL AND pg_catalog.pg_has_role(SESSION_USER, CURRENT_USER, 'MEMBER')) THEN
    RETURN false;
  END IF;
  FOR l IN SELECT d.product_id, d.quantity FROM order_processing.order_details AS d
            WHERE d.region = p_region AND d.order_id = p_order_id AND d.order_created_at = p_created_at
            ORDER BY d.product_id LOOP
    UPDATE product_catalog.products AS p
       SET stock = p.stock + l.quantity,
           low_stock_since = ${lowStock('p.stock + l.quantity')}
     WHERE p.region = p_region AND p.id = l.product_id;
  END LOOP;
  IF o.coupon_id IS NOT NULL THEN
    UPDATE order_processing.coupons AS c SET use_count = c.use_count - 1
     WHERE c.region = p_region AND c.id = o.coupon_id AND c.use_count > 0;
  END IF;
  UPDATE order_processing.orders AS x SET status_id = ${statusId('cancelled')} -- cancelled
   WHERE x.region = p_region AND x.id = p_order_id AND x.created_at = p_created_at;
  RETURN true;
END`,
  },
];

/**
 * The order functions a buyer may call: placing an order whole and cancelling it. reserve_stock
 * and take_coupon are place_order's steps, granted to no role: called alone they would take units
 * or coupon uses that no order holds.
 */
export const BUYER_FUNCTIONS: readonly string[] = ['place_order', 'release_order'];

/** `schema.name(argument types)`: how the matrix names a function. */
export function signatureOf(f: OrderFunction): string {
  return `${f.schema}.${f.name}(${argumentTypes(f.args)})`;
}

/** The argument types of a declared argument list (`p_region text, p_id bigint` → `text, bigint`), which name a function in GRANT, COMMENT ON and DROP. */
export function argumentTypes(args: string): string {
  return args.split(',').map((a) => a.trim().split(/\s+/)[1]).join(', ');
}

// ---------------------------------------------------------------------------------------------
// The role matrix

const S: readonly Privilege[] = ['SELECT'];
const SI: readonly Privilege[] = ['SELECT', 'INSERT'];
const SIU: readonly Privilege[] = ['SELECT', 'INSERT', 'UPDATE'];
const SIUD: readonly Privilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
const U: readonly Privilege[] = ['UPDATE'];

function cells(role: RoleName, relations: readonly string[], privileges: readonly Privilege[], columns?: readonly string[]): Grant[] {
  return relations.map((relation) => (columns ? { role, relation, privileges, columns } : { role, relation, privileges }));
}

const READ_REFERENCE = (role: RoleName) => cells(role, REFERENCE_TABLES, S);
const PROFILE = ['name', 'email', 'password_hash', 'phone', 'birth_date'];

/**
 * The role matrix. Row-level security narrows the rows (ROW_POLICIES); these cells bound the
 * tables, columns and commands. Anything not listed is refused with SQLSTATE 42501.
 */
export const ROLE_MATRIX: readonly Grant[] = [
  // Buyer: the catalogue, and their own profile, addresses, orders, payments, reviews,
  // questions, messages and searches (rows narrowed by the policies). Placing or cancelling an
  // order goes through place_order and release_order only (EXECUTE, BUYER_FUNCTIONS): no UPDATE
  // of any listing's stock or any coupon's use count, and no INSERT of an order or an order line,
  // so that every line holds units taken for it and cancelling gives back only those.
  ...READ_REFERENCE('user'),
  ...cells('user', ['user_management.users'], S),
  ...cells('user', ['user_management.users'], U, PROFILE),
  ...cells('user', ['user_management.addresses'], SIUD),
  ...cells('user', ['seller_management.stores', 'product_catalog.product_images', 'product_catalog.product_discounts'], S),
  ...cells('user', ['product_catalog.products'], S),
  ...cells('user', ['order_processing.coupons'], S),
  ...cells('user', ORDER_FUNCTIONS.filter((f) => BUYER_FUNCTIONS.includes(f.name)).map(signatureOf), ['EXECUTE']),
  ...cells('user', ['order_processing.orders'], S),
  ...cells('user', ['payments.payments'], SI),
  ...cells('user', ['order_processing.orders', 'payments.payments'], U, ['status_id']),
  ...cells('user', ['order_processing.order_details'], S),
  ...cells('user', ['shipping_logistics.shipments'], ['SELECT', 'DELETE']),
  ...cells('user', ['reviews_questions.reviews', 'reviews_questions.questions', 'messaging.conversations', 'messaging.messages'], SI),
  ...cells('user', ['recommendations.user_search_history', 'recommendations.recommendation_logs'], SI),
  // Recommendations fall back on the site's best sellers.
  ...cells('user', ['product_catalog.top_products_30d'], S),
  // Seller: the catalogue, their own profile and addresses, and their stores' listings, orders,
  // shipments, questions, campaigns and conversations.
  ...READ_REFERENCE('seller'),
  ...cells('seller', ['user_management.users'], S),
  ...cells('seller', ['user_management.users'], U, PROFILE),
  ...cells('seller', ['user_management.addresses'], SIUD),
  ...cells('seller', ['seller_management.stores'], SIU),
  ...cells('seller', ['product_catalog.products', 'product_catalog.product_discounts'], SIU),
  ...cells('seller', ['product_catalog.product_images'], SIUD),
  ...cells('seller', ['order_processing.orders'], S),
  ...cells('seller', ['order_processing.orders'], U, ['status_id']),
  ...cells('seller', ['order_processing.order_details', 'reviews_questions.reviews', 'marketing.campaigns', 'marketing.ads'], S),
  ...cells('seller', ['shipping_logistics.shipments'], SIU),
  ...cells('seller', ['reviews_questions.questions'], S),
  ...cells('seller', ['reviews_questions.questions'], U, ['status', 'answer', 'answered_at']),
  ...cells('seller', ['messaging.conversations'], S),
  ...cells('seller', ['messaging.conversations'], U, ['status']),
  ...cells('seller', ['messaging.messages'], SI),
  // Marketing specialist: campaigns, ads, coupons and discounts; reads the catalogue and sales
  // to measure them.
  ...READ_REFERENCE('marketing_specialist'),
  ...cells('marketing_specialist', ['marketing.campaigns', 'marketing.ads', 'order_processing.coupons', 'product_catalog.product_discounts'], SIUD),
  ...cells('marketing_specialist', ['user_management.users'], S, ['region', 'id', 'role_id', 'status']),
  ...cells('marketing_specialist', ['seller_management.stores', 'product_catalog.products', 'order_processing.orders', 'order_processing.order_details'], S),
  // BI analyst: reads everything but personal data, writes nothing; tables with personal data
  // through the views of schema bi (and searches by column, for the live conversion report).
  ...READ_REFERENCE('bi_analyst'),
  ...cells('bi_analyst', [
    'seller_management.stores', 'product_catalog.products', 'product_catalog.product_images', 'product_catalog.product_discounts',
    'order_processing.coupons', 'order_processing.orders', 'order_processing.order_details', 'payments.payments',
    'shipping_logistics.shipments', 'marketing.campaigns', 'marketing.ads', 'messaging.conversations', 'recommendations.recommendation_logs',
  ], S),
  ...cells('bi_analyst', ['recommendations.user_search_history'], S, impersonalColumns('recommendations.user_search_history')),
  ...cells('bi_analyst', IMPERSONAL_VIEWS.map((v) => v.name), S),
  // Administrator: accounts, role assignments and moderation; reads orders and payments for disputes.
  ...READ_REFERENCE('administrator'),
  ...cells('administrator', ['user_management.users'], S, TABLE_COLUMNS['user_management.users']!.filter((c) => c !== 'password_hash')),
  ...cells('administrator', ['user_management.users'], ['INSERT']),
  ...cells('administrator', ['user_management.users'], U, ['role_id', 'name', 'email', 'phone', 'status']),
  ...cells('administrator', ['user_management.addresses'], SI),
  ...cells('administrator', ['seller_management.stores'], S),
  ...cells('administrator', ['seller_management.stores'], U, ['is_official']),
  ...cells('administrator', ['product_catalog.products'], S),
  ...cells('administrator', ['product_catalog.products'], U, ['status']),
  ...cells('administrator', ['reviews_questions.reviews', 'messaging.messages'], S),
  ...cells('administrator', ['reviews_questions.reviews', 'messaging.messages'], U, ['moderation_status']),
  ...cells('administrator', ['reviews_questions.questions', 'messaging.conversations'], S),
  ...cells('administrator', ['reviews_questions.questions', 'messaging.conversations'], U, ['status']),
  ...cells('administrator', ['order_processing.orders', 'order_processing.order_details', 'payments.payments', 'shipping_logistics.shipments'], S),
  // Platform manager: owns the reference data (categories, statuses, methods); oversees the
  // catalogue and the flow of orders. The roles themselves are the administrator's.
  ...cells('platform_manager', ['user_management.roles'], S),
  ...cells('platform_manager', REFERENCE_TABLES.filter((t) => t !== 'user_management.roles'), SIUD),
  ...cells('platform_manager', ['seller_management.stores', 'product_catalog.products', 'product_catalog.product_images', 'product_catalog.product_discounts', 'order_processing.orders', 'order_processing.order_details', 'shipping_logistics.shipments'], S),
  // DBA: every privilege on every table (schema changes, maintenance, repairs), but reads no
  // personal column; maintains the BI views as a member of the BI analyst's role.
  ...ALL_TABLES.flatMap((t) =>
    PERSONAL_COLUMNS[t]
      ? [...cells('dba', [t], ALL_PRIVILEGES.filter((p) => p !== 'SELECT')), ...cells('dba', [t], S, impersonalColumns(t))]
      : cells('dba', [t], ALL_PRIVILEGES),
  ),
  ...cells('dba', IMPERSONAL_VIEWS.map((v) => v.name), S),
  ...cells('dba', BI_MATERIALIZED_VIEWS, S),
];

/** Component schemas on which a role holds USAGE (every one it has a cell in); the DBA also holds CREATE. */
export function schemasOf(role: RoleName, matrix: readonly Grant[] = ROLE_MATRIX): string[] {
  return [...new Set(matrix.filter((g) => g.role === role).map((g) => g.relation.split('.')[0]!))];
}
export const SCHEMA_CREATORS: readonly RoleName[] = ['dba'];

// ---------------------------------------------------------------------------------------------
// Row-level security

/** The acting marketplace user, read once per statement (an InitPlan), NULL when unset. */
export const ACTING_USER = `(SELECT NULLIF(pg_catalog.current_setting('ecomdb.user_id', true), '')::bigint)`;

/**
 * Functions the policies call to reach a row's owner through another table, by primary or
 * foreign-key index. PL/pgSQL, so that each session plans their query once and keeps the plan (a
 * SQL function holding a subquery is never inlined and is planned again in every statement that
 * calls it: 25 ms against 1.6 ms for a buyer's order lines), and with `plan_cache_mode =
 * force_generic_plan`: left to choose, PL/pgSQL planned the query again at every call whenever a
 * plan for the values at hand looked cheaper than the generic one, which on a partitioned
 * database counts every partition (is_seller_in, three tables: 0.8 to 1.2 ms a call, against
 * 0.06 ms with the generic plan, whose partitions are pruned when it runs). SECURITY INVOKER
 * (the caller's own policies apply inside), STABLE, every name qualified; `body` is the boolean
 * they return.
 */
export interface PolicyFunction {
  readonly schema: string;
  readonly name: string;
  readonly args: string;
  readonly comment: string;
  readonly body: string;
}

export const POLICY_FUNCTIONS: readonly PolicyFunction[] = [
  {
    schema: 'order_processing',
    name: 'is_buyer_of',
    args: 'p_region text, p_order_id bigint, p_created_at timestamptz',
    comment: 'Row security: the acting user (ecomdb.user_id) placed this order.',
    body: `EXISTS (SELECT 1 FROM order_processing.orders AS o
   WHERE o.region = p_region AND o.id = p_order_id AND o.created_at = p_created_at AND o.buyer_id = ${ACTING_USER})`,
  },
  {
    schema: 'seller_management',
    name: 'is_owner_of',
    args: 'p_region text, p_store_id bigint',
    comment: 'Row security: the acting user (ecomdb.user_id) owns this store.',
    body: `EXISTS (SELECT 1 FROM seller_management.stores AS s
   WHERE s.region = p_region AND s.id = p_store_id AND s.owner_user_id = ${ACTING_USER})`,
  },
  {
    schema: 'product_catalog',
    name: 'is_seller_of',
    args: 'p_region text, p_product_id bigint',
    comment: 'Row security: the acting user (ecomdb.user_id) owns the store of this product.',
    body: `EXISTS (SELECT 1 FROM product_catalog.products AS p
   JOIN seller_management.stores AS s ON s.region = p.region AND s.id = p.store_id
   WHERE p.region = p_region AND p.id = p_product_id AND s.owner_user_id = ${ACTING_USER})`,
  },
  {
    schema: 'order_processing',
    name: 'is_seller_in',
    args: 'p_region text, p_order_id bigint, p_created_at timestamptz',
    comment: 'Row security: the order holds a line of a product of a store the acting user (ecomdb.user_id) owns.',
    body: `EXISTS (SELECT 1 FROM order_processing.order_details AS od
   JOIN product_catalog.products AS p ON p.region = od.region AND p.id = od.product_id
   JOIN seller_management.stores AS s ON s.region = p.region AND s.id = p.store_id
   WHERE od.region = p_region AND od.order_id = p_order_id AND od.order_created_at = p_created_at AND s.owner_user_id = ${ACTING_USER})`,
  },
  {
    schema: 'messaging',
    name: 'is_party_to',
    args: 'p_region text, p_conversation_id bigint',
    comment: 'Row security: the acting user (ecomdb.user_id) is the buyer of this conversation or owns its store.',
    body: `EXISTS (SELECT 1 FROM messaging.conversations AS c
   WHERE c.region = p_region AND c.id = p_conversation_id
     AND (c.buyer_id = ${ACTING_USER} OR seller_management.is_owner_of(c.region, c.store_id)))`,
  },
  {
    schema: 'marketing',
    name: 'is_campaign_owner',
    args: 'p_region text, p_campaign_id bigint',
    comment: 'Row security: the campaign belongs to a store the acting user (ecomdb.user_id) owns.',
    body: `EXISTS (SELECT 1 FROM marketing.campaigns AS c
   WHERE c.region = p_region AND c.id = p_campaign_id AND seller_management.is_owner_of(c.region, c.store_id))`,
  },
];

export type PolicyCommand = 'all' | 'select' | 'insert' | 'update' | 'delete';

/**
 * A policy: permissive (a row passes if any permissive policy lets it), or `restrictive` (a row
 * must also pass every restrictive one). `using` and `check` are SQL over the table's bare column
 * names (they are copied onto every partition).
 */
export interface RowPolicy {
  readonly table: string;
  readonly name: string;
  readonly for: PolicyCommand;
  readonly to: readonly RoleName[];
  readonly using?: string;
  readonly check?: string;
  readonly restrictive?: boolean;
}

const ME = ACTING_USER;
/** The statuses between which a buyer moves their own order: payment_required and paid. */
const BUYER_MOVES = `status_id IN (${statusId('payment_required')}, ${statusId('paid')})`;
const OWN_ORDER = `order_processing.is_buyer_of(region, order_id, order_created_at)`;
const OWN_PRODUCT = `product_catalog.is_seller_of(region, product_id)`;
const OWN_STORE = `seller_management.is_owner_of(region, store_id)`;

const restrictive = (p: RowPolicy): RowPolicy => ({ ...p, restrictive: true });

function policy(table: string, suffix: string, command: PolicyCommand, to: readonly RoleName[], using?: string, check?: string): RowPolicy {
  const name = `${table.split('.')[1]}_${suffix}`;
  return { table, name, for: command, to, ...(using === undefined ? {} : { using }), ...(check === undefined ? {} : { check }) };
}

/** Buyers' and sellers' policies: what is theirs. */
const MARKET_POLICIES: readonly RowPolicy[] = [
  policy('user_management.users', 'own', 'all', ['user', 'seller'], `id = ${ME}`, `id = ${ME}`),
  policy('user_management.addresses', 'own', 'all', ['user', 'seller'], `user_id = ${ME}`, `user_id = ${ME}`),
  policy('seller_management.stores', 'read', 'select', ['user', 'seller'], 'true'),
  policy('seller_management.stores', 'seller_insert', 'insert', ['seller'], undefined, `owner_user_id = ${ME}`),
  policy('seller_management.stores', 'seller_update', 'update', ['seller'], `owner_user_id = ${ME}`, `owner_user_id = ${ME}`),
  policy('product_catalog.products', 'read', 'select', ['user', 'seller'], 'true'),
  policy('product_catalog.products', 'seller_insert', 'insert', ['seller'], undefined, OWN_STORE),
  policy('product_catalog.products', 'seller_update', 'update', ['seller'], OWN_STORE, OWN_STORE),
  policy('product_catalog.product_images', 'read', 'select', ['user', 'seller'], 'true'),
  policy('product_catalog.product_images', 'seller', 'all', ['seller'], OWN_PRODUCT, OWN_PRODUCT),
  policy('product_catalog.product_discounts', 'read', 'select', ['user', 'seller'], 'true'),
  policy('product_catalog.product_discounts', 'seller', 'all', ['seller'], OWN_PRODUCT, OWN_PRODUCT),
  policy('order_processing.coupons', 'buyer', 'select', ['user'], 'true'),
  policy('order_processing.orders', 'buyer', 'all', ['user'], `buyer_id = ${ME}`, `buyer_id = ${ME}`),
  policy('order_processing.orders', 'seller', 'all', ['seller'], `order_processing.is_seller_in(region, id, created_at)`, `order_processing.is_seller_in(region, id, created_at)`),
  // Orders are written by place_order and release_order (SECURITY DEFINER); a buyer moves their own
  // order only between payment_required and paid (paying), a seller theirs only forward, from paid
  // to shipped or delivered. Neither can make a cancelled, shipped or delivered order cancellable
  // again, so release_order gives an order's units back at most once. (A locking read, FOR UPDATE,
  // sees only the rows an UPDATE could change.) Restrictive, beside the policies above rather than
  // folded into them: PostgreSQL then checks the owner once per row (a SELECT policy and an UPDATE
  // policy with the same expression are applied once; with different ones, is_seller_in ran twice
  // for a locking read and three times for an UPDATE).
  restrictive(policy('order_processing.orders', 'buyer_status', 'update', ['user'], BUYER_MOVES, BUYER_MOVES)),
  restrictive(policy('order_processing.orders', 'seller_status', 'update', ['seller'], `status_id IN (${statusId('paid')}, ${statusId('shipped')})`, `status_id IN (${statusId('shipped')}, ${statusId('delivered')})`)),
  policy('order_processing.order_details', 'buyer', 'all', ['user'], OWN_ORDER, OWN_ORDER),
  policy('order_processing.order_details', 'seller', 'all', ['seller'], OWN_PRODUCT, OWN_PRODUCT),
  policy('payments.payments', 'buyer', 'all', ['user'], OWN_ORDER, OWN_ORDER),
  policy('shipping_logistics.shipments', 'buyer', 'all', ['user'], OWN_ORDER, OWN_ORDER),
  policy('shipping_logistics.shipments', 'seller', 'all', ['seller'], `order_processing.is_seller_in(region, order_id, order_created_at)`, `order_processing.is_seller_in(region, order_id, order_created_at)`),
  policy('reviews_questions.reviews', 'read', 'select', ['user', 'seller'], 'true'),
  policy('reviews_questions.reviews', 'buyer', 'all', ['user'], `buyer_id = ${ME}`, `buyer_id = ${ME}`),
  policy('reviews_questions.questions', 'read', 'select', ['user', 'seller'], 'true'),
  policy('reviews_questions.questions', 'buyer', 'all', ['user'], `asker_id = ${ME}`, `asker_id = ${ME}`),
  policy('reviews_questions.questions', 'seller', 'all', ['seller'], OWN_PRODUCT, OWN_PRODUCT),
  policy('marketing.campaigns', 'seller', 'all', ['seller'], OWN_STORE, OWN_STORE),
  policy('marketing.ads', 'seller', 'all', ['seller'], `marketing.is_campaign_owner(region, campaign_id)`, `marketing.is_campaign_owner(region, campaign_id)`),
  policy('messaging.conversations', 'buyer', 'all', ['user'], `buyer_id = ${ME}`, `buyer_id = ${ME}`),
  policy('messaging.conversations', 'seller', 'all', ['seller'], OWN_STORE, OWN_STORE),
  policy('messaging.messages', 'party', 'all', ['user', 'seller'], `messaging.is_party_to(region, conversation_id)`, `sender_id = ${ME} AND messaging.is_party_to(region, conversation_id)`),
  policy('recommendations.user_search_history', 'own', 'all', ['user'], `user_id = ${ME}`, `user_id = ${ME}`),
  policy('recommendations.recommendation_logs', 'own', 'all', ['user'], `user_id = ${ME}`, `user_id = ${ME}`),
];

const STAFF: readonly RoleName[] = ['marketing_specialist', 'bi_analyst', 'administrator', 'platform_manager', 'dba'];

/** A region-scoped table: it has the region column. Reference tables are global and carry no row security. */
export const REGION_TABLES: readonly string[] = ALL_TABLES.filter((t) => !(REFERENCE_TABLES as readonly string[]).includes(t));

/**
 * Every policy. Staff roles see every row of the tables the matrix lets them touch (their
 * grants bound what they may do); buyers and sellers see theirs (MARKET_POLICIES).
 */
export const ROW_POLICIES: readonly RowPolicy[] = [
  ...MARKET_POLICIES,
  ...REGION_TABLES.flatMap((table) => {
    const staff = STAFF.filter((role) => ROLE_MATRIX.some((g) => g.role === role && g.relation === table));
    return staff.length === 0 ? [] : [policy(table, 'staff', 'all', staff, 'true', 'true')];
  }),
];

/** The policies of a table, in declaration order. */
export function policiesOf(table: string): RowPolicy[] {
  return ROW_POLICIES.filter((p) => p.table === table);
}

/**
 * A small, deterministic marketplace for the local read layer, so that replication, residency
 * and the BI benchmark have rows to move: users with an address, stores, products, orders with
 * lines and shipments, in a few sites. Set-based SQL (generate_series), pure text; not the seeder
 * (that is `ecomdb seed`), only enough rows to prove the read layer.
 */
import { siteCurrencySql } from '../../schema/columns.ts';
import { currencyOf, type SiteId } from '../../schema/values.ts';
import { quoteLiteral } from '../ident.ts';

export interface SampleSize {
  readonly sites: readonly SiteId[];
  readonly usersPerSite: number;
  /** Sellers (each owns one store), taken from the site's users. */
  readonly storesPerSite: number;
  readonly productsPerStore: number;
  readonly ordersPerBuyer: number;
  /** Lines per order (1 to 3). */
  readonly linesPerOrder: number;
  /** Orders are spread over the last `days` days. */
  readonly days: number;
}

/** What `replica up --local` loads before it subscribes the read node: a few rows in and out of its sites. */
export const LAB_SAMPLE: SampleSize = {
  sites: ['MLB', 'MLA', 'MLM', 'MLU'],
  usersPerSite: 6,
  storesPerSite: 2,
  productsPerStore: 3,
  ordersPerBuyer: 2,
  linesPerOrder: 2,
  days: 30,
};

/**
 * Every sample user's password hash: a real argon2id hash (low cost, fixed salt) of the
 * password `sample password`. One hash for all of them, so the same salt too: a sample to
 * replicate, not accounts to protect.
 */
export const SAMPLE_PASSWORD_HASH = '$argon2id$v=19$m=64,p=1,t=1$ZWNvbWRiLXNhbXBsZS0wMQ$uWc7gDAnkkojLQCbKgx1gD0JdSghJjtBdTG88QiPPe8';

const int = (n: number, what: string): number => {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what} must be a positive integer`);
  return n;
};

/** The statements that load a sample (run once, on a migrated primary, in one transaction). */
export function sampleDataSql(size: SampleSize): string {
  const sites = `ARRAY[${size.sites.map(quoteLiteral).join(', ')}]::text[]`;
  const users = int(size.usersPerSite, 'usersPerSite');
  const stores = int(size.storesPerSite, 'storesPerSite');
  const products = int(size.productsPerStore, 'productsPerStore');
  const orders = int(size.ordersPerBuyer, 'ordersPerBuyer');
  const lines = Math.min(3, int(size.linesPerOrder, 'linesPerOrder'));
  const hours = int(size.days, 'days') * 24;
  const role = (name: string) => `(SELECT id FROM user_management.roles WHERE name = ${quoteLiteral(name)})`;
  const status = (table: string, name: string) => `(SELECT id FROM ${table} WHERE name = ${quoteLiteral(name)})`;
  if (stores >= users) throw new RangeError('storesPerSite must be below usersPerSite: the other users are buyers');
  return `
INSERT INTO product_catalog.categories (name, description)
SELECT 'Sample category ' || g, 'A category of the sample marketplace.' FROM generate_series(1, 12) AS g
ON CONFLICT DO NOTHING;

INSERT INTO user_management.users (region, role_id, name, email, password_hash, created_at)
SELECT s.site, CASE WHEN g <= ${stores} THEN ${role('seller')} ELSE ${role('user')} END,
       'Sample user ' || g, lower(s.site) || '.user' || g || '@example.com',
       ${quoteLiteral(SAMPLE_PASSWORD_HASH)},
       now() - interval '400 days'
FROM unnest(${sites}) AS s(site), generate_series(1, ${users}) AS g;

INSERT INTO user_management.addresses (region, user_id, street_line, city, state, postal_code, is_default)
SELECT u.region, u.id, 'Sample street ' || u.id, 'Sample city', 'Sample state', lpad((u.id % 99999)::text, 5, '0'), true
FROM user_management.users AS u
WHERE u.region = ANY (${sites})
  AND NOT EXISTS (SELECT FROM user_management.addresses AS a WHERE a.region = u.region AND a.user_id = u.id);

INSERT INTO seller_management.stores (region, owner_user_id, name)
SELECT u.region, u.id, 'Sample store ' || u.id
FROM user_management.users AS u
WHERE u.region = ANY (${sites}) AND u.role_id = ${role('seller')}
  AND NOT EXISTS (SELECT FROM seller_management.stores AS st WHERE st.region = u.region AND st.owner_user_id = u.id);

WITH c AS (SELECT id, row_number() OVER (ORDER BY id) AS rn, count(*) OVER () AS n FROM product_catalog.categories)
INSERT INTO product_catalog.products (region, store_id, category_id, title, description, price, currency, stock)
SELECT st.region, st.id, c.id, 'Sample product ' || st.id || '-' || g, 'A product of the sample marketplace.',
       ((st.id * 31 + g * 17) % 990 + 10)::numeric(14, 2), ${siteCurrencySql('st.region')}, 1000
FROM seller_management.stores AS st
CROSS JOIN generate_series(1, ${products}) AS g
JOIN c ON c.rn = 1 + (st.id + g) % c.n
WHERE st.region = ANY (${sites});

INSERT INTO order_processing.orders (region, buyer_id, status_id, shipping_address_id, total, currency, created_at)
SELECT u.region, u.id,
       CASE g % 10 WHEN 0 THEN ${status('order_processing.order_statuses', 'paid')}
                   WHEN 1 THEN ${status('order_processing.order_statuses', 'shipped')}
                   ELSE ${status('order_processing.order_statuses', 'delivered')} END,
       a.id, 0, ${siteCurrencySql('u.region')},
       now() - ((u.id * 7 + g * 13) % ${hours}) * interval '1 hour'
FROM user_management.users AS u
JOIN user_management.addresses AS a ON a.region = u.region AND a.user_id = u.id AND a.is_default
CROSS JOIN generate_series(1, ${orders}) AS g
WHERE u.region = ANY (${sites}) AND u.role_id = ${role('user')};

-- Fresh tables have no statistics: without these the planner joins by nested loops, for minutes.
ANALYZE user_management.users, user_management.addresses, product_catalog.products, order_processing.orders;

-- Line k of an order takes the product at position 1 + (order id * 7 + k) mod n of its site's n
-- products: distinct products within an order, computed so that the join is on equality (hashable).
-- A line carries its order's whole key, created_at included.
WITH p AS (
  SELECT region, id, price, row_number() OVER (PARTITION BY region ORDER BY id) AS rn
  FROM product_catalog.products WHERE region = ANY (${sites})
), n AS (
  SELECT region, count(*) AS n FROM product_catalog.products WHERE region = ANY (${sites}) GROUP BY region
), line AS (
  SELECT o.region, o.id AS order_id, o.created_at AS order_created_at, k, 1 + (o.id * 7 + k) % n.n AS rn
  FROM order_processing.orders AS o
  JOIN n ON n.region = o.region
  CROSS JOIN generate_series(0, ${lines - 1}) AS k
  WHERE o.region = ANY (${sites}) AND o.total = 0 AND k < n.n
)
INSERT INTO order_processing.order_details (region, order_id, order_created_at, product_id, quantity, unit_price)
SELECT line.region, line.order_id, line.order_created_at, p.id, 1 + (line.order_id + line.k) % 3, p.price
FROM line JOIN p ON p.region = line.region AND p.rn = line.rn;

ANALYZE order_processing.order_details;

UPDATE order_processing.orders AS o SET total = d.total
FROM (
  SELECT region, order_id, order_created_at, sum(quantity * unit_price) AS total
  FROM order_processing.order_details GROUP BY region, order_id, order_created_at
) AS d
WHERE d.region = o.region AND d.order_id = o.id AND d.order_created_at = o.created_at AND o.total = 0;

INSERT INTO shipping_logistics.shipments (region, order_id, order_created_at, status_id, carrier, tracking_number, shipped_at, delivered_at, created_at)
SELECT o.region, o.id, o.created_at,
       CASE WHEN o.status_id = ${status('order_processing.order_statuses', 'delivered')}
            THEN ${status('shipping_logistics.shipment_statuses', 'delivered')}
            ELSE ${status('shipping_logistics.shipment_statuses', 'shipped')} END,
       'Sample Carrier', 'TRK' || o.id, o.created_at + interval '12 hours',
       CASE WHEN o.status_id = ${status('order_processing.order_statuses', 'delivered')}
            THEN o.created_at + interval '12 hours' + ((o.id * 37) % 240) * interval '1 hour' END,
       o.created_at
FROM order_processing.orders AS o
WHERE o.region = ANY (${sites})
  AND o.status_id IN (${status('order_processing.order_statuses', 'shipped')}, ${status('order_processing.order_statuses', 'delivered')})
  AND NOT EXISTS (
    SELECT FROM shipping_logistics.shipments AS s
    WHERE s.region = o.region AND s.order_id = o.id AND s.order_created_at = o.created_at
  );
`;
}

/** One buyer (with the address orders ship to) and one product per row, per site: what new orders are made of. */
export const ORDER_ACTORS_SQL = `
SELECT u.region, u.id AS buyer_id, a.id AS address_id, p.id AS product_id, p.price::text AS price
FROM user_management.users AS u
JOIN user_management.addresses AS a ON a.region = u.region AND a.user_id = u.id AND a.is_default
JOIN LATERAL (
  SELECT id, price FROM product_catalog.products AS p WHERE p.region = u.region ORDER BY (p.id * 7919 + u.id) % 1000003 LIMIT 1
) AS p ON true
WHERE u.role_id = (SELECT id FROM user_management.roles WHERE name = 'user')`;

export interface OrderActor {
  region: string;
  buyer_id: string | number;
  address_id: string | number;
  product_id: string | number;
  price: string;
}

/**
 * A new paid order of one line; parameters: region, buyer id, address id, product id, price,
 * currency. Returns the order's region and id.
 */
export const PLACE_ORDER_SQL = `
WITH o AS (
  INSERT INTO order_processing.orders (region, buyer_id, status_id, shipping_address_id, total, currency)
  VALUES ($1, $2, (SELECT id FROM order_processing.order_statuses WHERE name = 'paid'), $3, $5::numeric, $6)
  RETURNING region, id, created_at
)
INSERT INTO order_processing.order_details (region, order_id, order_created_at, product_id, quantity, unit_price)
SELECT o.region, o.id, o.created_at, $4, 1, $5::numeric FROM o
RETURNING region, order_id AS id`;

/** The parameters of PLACE_ORDER_SQL for an actor. */
export function orderParams(actor: OrderActor): (string | number)[] {
  return [actor.region, actor.buyer_id, actor.address_id, actor.product_id, actor.price, currencyOf(actor.region as SiteId)];
}

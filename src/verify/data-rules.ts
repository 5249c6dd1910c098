/**
 * The data rules of `ecomdb verify`: the business consistency of marketplace data, as SQL — what
 * the constraints of the schema cannot say because a rule spans several rows or tables (an
 * order's total and its lines, a shipment and its payments, a review and the delivery it
 * follows). `ecomdb seed` runs them too, after loading and before COMMIT, and must find no
 * offending row; both run them with the one runner of src/verify/run.ts (runRules).
 *
 * Each check is plain data: a SELECT that returns one row per offending object with the columns
 * `region`, `id` (the offending row's key as text) and `detail` (what is wrong with it). The SQL
 * is standard and plain enough for PostgreSQL 15 and 18 alike. Reference rows (statuses, roles)
 * are found by name, never by id. Every join follows a (region, ...) key of the schema and every
 * per-row aggregate is computed once, grouped, and then joined: no correlated subquery, so each
 * check stays linear in the size of the tables it reads.
 *
 * An order's key is (region, id, created_at) (orders are partitioned by month on created_at), and
 * every row that cites an order carries its created_at beside order_id. A join to an order, or
 * between two rows citing the same order, matches that column too: it is the order's key (an id
 * alone may name orders of different months), and it lets PostgreSQL prune monthly partitions.
 * Three rules are the exception (searches-precede-purchases, recommendation-relates-to-user,
 * shipment-after-payment): where the join feeds a big aggregate, PostgreSQL takes the three
 * correlated columns for independent, expects one row, and on the partitioned layout chose
 * nested loops that ran for minutes (shipment-after-payment: stopped after 19 minutes at scale
 * 1,000). They join on (region, id) alone, which relies on order ids being drawn from one
 * sequence; each says so where it joins.
 *
 * Conventions of the `id` column: the row's surrogate id; for an order line, `order_id/product_id`;
 * for the one rule about the whole catalog (`some-product-under-threshold`), `products` in region
 * `all`. A finding's object is `region id`, e.g. `MLA 42`.
 *
 * @example
 *   const results = await runRules(session, DATA_RULES, [], 3);
 *   for (const r of results) if (r.offenders > 0) console.error(r.id, r.offenders, r.findings);
 */
import { BRAZIL_AREA_CODES, PORTUGUESE_SITES, SITE_PLACES, VOSEO_SITES, zonesSql } from '../../seeds/places.ts';
import { WELCOME_CODE_PATTERN } from '../../seeds/text.ts';
import type { SqlRule } from './types.ts';

/** One data rule as written here: a stable id, a sentence that explains it, and the SELECT that finds offenders. */
interface ConsistencyCheck {
  /** Stable, kebab-case name of the rule, e.g. `order-total-matches-lines` (verify's id is `data/` + it). */
  readonly id: string;
  /** One sentence for a student: what the rule is and why it holds. */
  readonly description: string;
  /** A single SELECT (no semicolon) returning `region`, `id`, `detail` for each offending row. */
  readonly sql: string;
}

/** SQL text written indented inside this file, with the common indentation removed. */
function sql(strings: TemplateStringsArray, ...values: string[]): string {
  const raw = String.raw({ raw: strings }, ...values);
  const lines = raw.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Order statuses in which the buyer has paid: money was captured for the whole total. */
const PAID_ORDER_STATUSES = `'paid', 'shipped', 'delivered', 'refunded'`;

/** `uses`: the live (not cancelled) orders of each coupon; a cancelled order gave its use back. */
const LIVE_COUPON_USES = `WITH uses AS (
        SELECT o.region, o.coupon_id, count(*) AS orders
        FROM order_processing.orders AS o
        JOIN order_processing.order_statuses AS os ON os.id = o.status_id
        WHERE o.coupon_id IS NOT NULL
          AND os.name <> 'cancelled'
        GROUP BY o.region, o.coupon_id
      )`;

/** A list of SQL string literals. */
const literals = (items: readonly string[]) => items.map((x) => `'${x.replaceAll("'", "''")}'`).join(', ');

/** The curated places of every site as a row source `(region, city, state, prefix)`, one row per postal prefix. */
const PLACES_SQL = `(VALUES ${Object.entries(SITE_PLACES)
  .flatMap(([site, t]) => t.places.flatMap((p) => p.postal.map((prefix) => `(${literals([site, p.city, p.state, prefix])})`)))
  .join(',\n        ')}) AS known(region, city, state, prefix)`;

/** Each site's phone shape: `(region, pattern)`, the E.164 number with the country code, the mobile mark and the national digits. */
const PHONES_SQL = `(VALUES ${Object.entries(SITE_PLACES)
  .map(([site, t]) => `(${literals([site, `^\\+${t.countryCode}${t.mobileMark}[0-9]{${t.nationalDigits}}$`])})`)
  .join(', ')}) AS shape(region, pattern)`;

/**
 * Words that give a text away as Portuguese on a Spanish-speaking site, as Spanish on a
 * Portuguese-speaking one, and as voseo on a site that does not use it (matched on lower case).
 */
const PORTUGUESE_MARKS = `[ãõç]|\\m(não|você|obrigad[oa]|olá|preto|preta|branco|branca|tamanho|frete|bem-vindo|recomendo)\\M|^(bemvind|fretegratis|primeiracompra|verao|natal)`;
const SPANISH_MARKS = `[ñ¿¡]|\\m(hola|gracias|usted|envío|llegó|talle|talla|negro|blanco|tenés|tienes)\\M|^(bienvenid|enviogratis|primeracompra|verano|navidad)`;
const VOSEO_MARKS = `\\m(tenés|podés|querés|sabés|elegilo|consultanos|fijate|mirá|pedí tu)\\M`;

/** Every data rule, grouped by component in the order of the paper. */
const CONSISTENCY_CHECKS: readonly ConsistencyCheck[] = [
  // --- Orders and their lines --------------------------------------------------------------
  {
    id: 'order-total-matches-lines',
    description:
      'An order\'s total is the sum of its lines (quantity × unit price) less its discount, so what the buyer pays is exactly what was bought.',
    sql: sql`
      -- Each order's lines are summed once (one pass over order_details), then compared.
      SELECT CAST(o.region AS text) AS region,
             CAST(o.id AS text) AS id,
             'total ' || o.total || ' but lines add up to ' || l.lines_total
               || ' less discount ' || o.discount_total
               || ' = ' || (l.lines_total - o.discount_total) AS detail
      FROM order_processing.orders AS o
      JOIN (
        SELECT region, order_id, order_created_at, sum(quantity * unit_price) AS lines_total
        FROM order_processing.order_details
        GROUP BY region, order_id, order_created_at
      ) AS l ON l.region = o.region AND l.order_id = o.id AND l.order_created_at = o.created_at
      WHERE o.total <> l.lines_total - o.discount_total`,
  },
  {
    id: 'order-has-lines',
    description: 'Every order has at least one line: an order of nothing cannot be paid, shipped or reviewed.',
    sql: sql`
      SELECT CAST(o.region AS text) AS region,
             CAST(o.id AS text) AS id,
             'order has no lines' AS detail
      FROM order_processing.orders AS o
      WHERE NOT EXISTS (
        -- An anti-join on the primary key of order_details (region, order_id, order_created_at, product_id).
        SELECT 1
        FROM order_processing.order_details AS od
        WHERE od.region = o.region AND od.order_id = o.id AND od.order_created_at = o.created_at
      )`,
  },
  {
    id: 'line-price-matches-product-discount',
    description:
      'A line\'s unit price is the product\'s price less a discount active when the order was placed (rounded to cents), or the plain price when no discount was active, so buyers paid the advertised price; lines placed before the seller last changed the price (price_changed_at) were priced at an earlier price and are not checked.',
    sql: sql`
      -- Each line meets every discount of its product active at the order's creation
      -- (starts_at <= created_at < ends_at). With none, the LEFT JOIN leaves one row with d.id NULL.
      -- The line is fine when at least one of those rows gives its price: when several
      -- discounts overlap, any of them may have been applied.
      SELECT CAST(od.region AS text) AS region,
             CAST(od.order_id AS text) || '/' || CAST(od.product_id AS text) AS id,
             'unit price ' || od.unit_price || ' but product price is ' || p.price
               || CASE
                    WHEN count(d.id) = 0 THEN ' with no discount active at ' || o.created_at
                    ELSE ' with ' || count(d.id) || ' discount(s) active at ' || o.created_at
                      || ' giving ' || min(round(p.price * (100 - d.percentage) / 100, 2))
                      || CASE WHEN count(d.id) > 1
                              THEN ' to ' || max(round(p.price * (100 - d.percentage) / 100, 2))
                              ELSE '' END
                  END AS detail
      FROM order_processing.order_details AS od
      JOIN order_processing.orders AS o
        ON o.region = od.region AND o.id = od.order_id AND o.created_at = od.order_created_at
      JOIN product_catalog.products AS p ON p.region = od.region AND p.id = od.product_id
      LEFT JOIN product_catalog.product_discounts AS d
        ON d.region = od.region
       AND d.product_id = od.product_id
       AND d.starts_at <= o.created_at
       AND o.created_at < d.ends_at
      -- Only the product's current price is known: it applies from price_changed_at on.
      WHERE p.price_changed_at IS NULL OR o.created_at >= p.price_changed_at
      GROUP BY od.region, od.order_id, od.order_created_at, od.product_id, od.unit_price, p.price, o.created_at
      HAVING count(
        CASE
          WHEN d.id IS NULL AND od.unit_price = p.price THEN 1
          WHEN od.unit_price = round(p.price * (100 - d.percentage) / 100, 2) THEN 1
        END
      ) = 0`,
  },

  // --- Payments ----------------------------------------------------------------------------
  {
    id: 'paid-order-payments-match-total',
    description:
      'An order that is paid, shipped, delivered or refunded has approved payments (split payments allowed) adding up to its total; for a refunded order, payments later marked refunded or charged back count too, since they were captured first.',
    sql: sql`
      -- Approved, and approved-or-refunded, amounts per order: one pass over payments.
      WITH captured AS (
        SELECT p.region,
               p.order_id,
               p.order_created_at,
               sum(CASE WHEN ps.name = 'approved' THEN p.amount ELSE 0 END) AS approved,
               sum(p.amount) AS approved_or_refunded
        FROM payments.payments AS p
        JOIN payments.payment_statuses AS ps ON ps.id = p.status_id
        WHERE ps.name IN ('approved', 'refunded', 'charged_back')
        GROUP BY p.region, p.order_id, p.order_created_at
      )
      SELECT CAST(o.region AS text) AS region,
             CAST(o.id AS text) AS id,
             'order is ' || os.name || ' with total ' || o.total || ' but '
               || CASE WHEN os.name = 'refunded' THEN 'approved or refunded' ELSE 'approved' END
               || ' payments add up to '
               || COALESCE(CASE WHEN os.name = 'refunded' THEN c.approved_or_refunded ELSE c.approved END, 0)
               AS detail
      FROM order_processing.orders AS o
      JOIN order_processing.order_statuses AS os ON os.id = o.status_id
      LEFT JOIN captured AS c ON c.region = o.region AND c.order_id = o.id AND c.order_created_at = o.created_at
      WHERE os.name IN (${PAID_ORDER_STATUSES})
        AND o.total <> COALESCE(CASE WHEN os.name = 'refunded' THEN c.approved_or_refunded ELSE c.approved END, 0)`,
  },
  {
    id: 'unpaid-order-has-no-approved-payment',
    description:
      'An order waiting for payment or cancelled has no approved payment: money captured for it would mean it is paid, or that a cancellation forgot to refund.',
    sql: sql`
      SELECT CAST(p.region AS text) AS region,
             CAST(p.id AS text) AS id,
             'approved payment of ' || p.amount || ' for order ' || o.id || ', which is ' || os.name AS detail
      FROM payments.payments AS p
      JOIN payments.payment_statuses AS ps ON ps.id = p.status_id
      JOIN order_processing.orders AS o
        ON o.region = p.region AND o.id = p.order_id AND o.created_at = p.order_created_at
      JOIN order_processing.order_statuses AS os ON os.id = o.status_id
      WHERE ps.name = 'approved'
        AND os.name IN ('payment_required', 'cancelled')`,
  },

  // --- Shipments ---------------------------------------------------------------------------
  {
    id: 'shipment-needs-paid-order',
    description: 'A shipment exists only for an order that is paid, shipped, delivered or refunded: sellers ship nothing before the buyer pays.',
    sql: sql`
      SELECT CAST(s.region AS text) AS region,
             CAST(s.id AS text) AS id,
             'shipment of order ' || o.id || ', which is ' || os.name AS detail
      FROM shipping_logistics.shipments AS s
      JOIN order_processing.orders AS o
        ON o.region = s.region AND o.id = s.order_id AND o.created_at = s.order_created_at
      JOIN order_processing.order_statuses AS os ON os.id = o.status_id
      WHERE os.name NOT IN (${PAID_ORDER_STATUSES})`,
  },
  {
    id: 'shipment-after-payment',
    description:
      'A shipment leaves (shipped_at) strictly after the order\'s first approved payment (or approved and later refunded or charged back), because a seller ships only what is paid for; an order with nothing to pay (a coupon took its whole total) has no payment and needs none.',
    sql: sql`
      -- The first captured payment of every order, computed once and joined. Grouped and joined
      -- on (region, order id) alone, an order id being unique by itself: with order_created_at
      -- in the key too, the planner took the three correlated columns for independent and
      -- expected one row from the join, and at scale 1,000 on the partitioned layout ran this
      -- aggregate once per shipment in a nested loop (stopped after 19 minutes).
      WITH first_payment AS (
        SELECT p.region, p.order_id, min(p.created_at) AS paid_at
        FROM payments.payments AS p
        JOIN payments.payment_statuses AS ps ON ps.id = p.status_id
        WHERE ps.name IN ('approved', 'refunded', 'charged_back')
        GROUP BY p.region, p.order_id
      )
      SELECT CAST(s.region AS text) AS region,
             CAST(s.id AS text) AS id,
             'shipped at ' || s.shipped_at || ' but order ' || s.order_id
               || CASE WHEN f.paid_at IS NULL THEN ' has no approved payment'
                       ELSE ' was first paid at ' || f.paid_at END AS detail
      FROM shipping_logistics.shipments AS s
      JOIN order_processing.orders AS o
        ON o.region = s.region AND o.id = s.order_id
      LEFT JOIN first_payment AS f
        ON f.region = s.region AND f.order_id = s.order_id
      WHERE s.shipped_at IS NOT NULL
        AND o.total > 0
        AND (f.paid_at IS NULL OR s.shipped_at <= f.paid_at)`,
  },
  {
    id: 'shipment-delivered-after-shipped',
    description:
      'A shipment is delivered only after it was shipped (delivered_at >= shipped_at, and no delivery time without a shipping time); a CHECK enforces it too, this catches data loaded around it.',
    sql: sql`
      SELECT CAST(s.region AS text) AS region,
             CAST(s.id AS text) AS id,
             'delivered at ' || s.delivered_at || ' but '
               || COALESCE('shipped at ' || s.shipped_at, 'never shipped') AS detail
      FROM shipping_logistics.shipments AS s
      WHERE s.delivered_at IS NOT NULL
        AND (s.shipped_at IS NULL OR s.delivered_at < s.shipped_at)`,
  },
  {
    id: 'shipped-order-matches-shipment',
    description:
      'An order is shipped exactly when its shipment is in transit (status shipped), so the buyer and the seller see the same state.',
    sql: sql`
      -- One pass over orders with their shipment, if any; a row offends when exactly one of
      -- the two says 'shipped' (a missing shipment says nothing).
      SELECT CAST(o.region AS text) AS region,
             CAST(o.id AS text) AS id,
             'order is ' || os.name || ' but its shipment is ' || COALESCE(ss.name, 'missing') AS detail
      FROM order_processing.orders AS o
      JOIN order_processing.order_statuses AS os ON os.id = o.status_id
      LEFT JOIN shipping_logistics.shipments AS s
        ON s.region = o.region AND s.order_id = o.id AND s.order_created_at = o.created_at
      LEFT JOIN shipping_logistics.shipment_statuses AS ss ON ss.id = s.status_id
      WHERE (os.name = 'shipped') <> (COALESCE(ss.name, '') = 'shipped')`,
  },
  {
    id: 'delivered-order-matches-shipment',
    description:
      'An order is delivered exactly when its shipment is delivered with a delivery time (a refunded order may also have been delivered first), and only a delivered shipment has a delivery time.',
    sql: sql`
      SELECT CAST(o.region AS text) AS region,
             CAST(o.id AS text) AS id,
             'order is ' || os.name || ' but its shipment is ' || COALESCE(ss.name, 'missing')
               || CASE WHEN s.id IS NULL THEN ''
                       WHEN s.delivered_at IS NULL THEN ' with no delivered_at'
                       ELSE ' with delivered_at ' || s.delivered_at END AS detail
      FROM order_processing.orders AS o
      JOIN order_processing.order_statuses AS os ON os.id = o.status_id
      LEFT JOIN shipping_logistics.shipments AS s
        ON s.region = o.region AND s.order_id = o.id AND s.order_created_at = o.created_at
      LEFT JOIN shipping_logistics.shipment_statuses AS ss ON ss.id = s.status_id
      -- A delivered order needs a delivered shipment with its delivery time ...
      WHERE (os.name = 'delivered'
             AND NOT (COALESCE(ss.name, '') = 'delivered' AND s.delivered_at IS NOT NULL))
         -- ... a delivered shipment belongs to a delivered (or since refunded) order ...
         OR (ss.name = 'delivered' AND os.name NOT IN ('delivered', 'refunded'))
         -- ... and a shipment has a delivery time exactly when it is delivered.
         OR (ss.name = 'delivered') <> (s.delivered_at IS NOT NULL)`,
  },
  {
    id: 'paid-order-shipment-not-dispatched',
    description:
      'A paid order that has not shipped yet has no shipment or one still being prepared (pending, handling, ready_to_ship): a parcel in transit would make it shipped.',
    sql: sql`
      SELECT CAST(o.region AS text) AS region,
             CAST(o.id AS text) AS id,
             'order is paid but its shipment is ' || ss.name AS detail
      FROM order_processing.orders AS o
      JOIN order_processing.order_statuses AS os ON os.id = o.status_id
      JOIN shipping_logistics.shipments AS s
        ON s.region = o.region AND s.order_id = o.id AND s.order_created_at = o.created_at
      JOIN shipping_logistics.shipment_statuses AS ss ON ss.id = s.status_id
      WHERE os.name = 'paid'
        AND ss.name NOT IN ('pending', 'handling', 'ready_to_ship')`,
  },

  // --- Reviews and questions ---------------------------------------------------------------
  {
    id: 'review-by-buyer-after-delivery',
    description:
      'A review is written by a buyer who received the product (a delivered order of theirs containing it, the cited order if there is one) and not before its delivery, so only real customers rate products.',
    sql: sql`
      -- A review is fine when it meets at least one delivered purchase of the same buyer and
      -- product (the cited order, when set) delivered no later than the review.
      -- delivered_purchases: the lines of delivered orders whose shipment has a delivery time.
      WITH delivered_purchases AS (
        SELECT od.region, o.buyer_id, od.product_id, od.order_id, od.order_created_at, sh.delivered_at
        FROM order_processing.order_details AS od
        JOIN order_processing.orders AS o
          ON o.region = od.region AND o.id = od.order_id AND o.created_at = od.order_created_at
        JOIN order_processing.order_statuses AS os ON os.id = o.status_id
        JOIN shipping_logistics.shipments AS sh
          ON sh.region = o.region AND sh.order_id = o.id AND sh.order_created_at = o.created_at
        WHERE os.name = 'delivered'
          AND sh.delivered_at IS NOT NULL
      )
      SELECT CAST(r.region AS text) AS region,
             CAST(r.id AS text) AS id,
             'buyer ' || r.buyer_id || ' reviewed product ' || r.product_id || ' at ' || r.created_at
               || ' without a delivered order of theirs containing it'
               || COALESCE(' (cites order ' || r.order_id || ')', '')
               || ' delivered by then' AS detail
      FROM reviews_questions.reviews AS r
      LEFT JOIN delivered_purchases AS dp
        ON dp.region = r.region
       AND dp.buyer_id = r.buyer_id
       AND dp.product_id = r.product_id
       AND (r.order_id IS NULL OR (dp.order_id = r.order_id AND dp.order_created_at = r.order_created_at))
       AND dp.delivered_at <= r.created_at
      WHERE dp.order_id IS NULL`,
  },
  {
    id: 'question-answer-matches-status',
    description:
      'A question has an answer and an answer time exactly when its status is answered; a CHECK enforces it too, this catches data loaded around it.',
    sql: sql`
      SELECT CAST(q.region AS text) AS region,
             CAST(q.id AS text) AS id,
             'status ' || q.status
               || CASE WHEN q.answer IS NULL THEN ', no answer' ELSE ', an answer' END
               || CASE WHEN q.answered_at IS NULL THEN ', no answered_at' ELSE ', answered_at set' END AS detail
      FROM reviews_questions.questions AS q
      WHERE (q.status = 'answered') <> (q.answer IS NOT NULL)
         OR (q.answer IS NOT NULL) <> (q.answered_at IS NOT NULL)`,
  },
  {
    id: 'question-answered-after-asked',
    description: 'A question is answered strictly after it was asked (answered_at > created_at): nobody answers a question before reading it.',
    sql: sql`
      SELECT CAST(q.region AS text) AS region,
             CAST(q.id AS text) AS id,
             'asked at ' || q.created_at || ' but answered at ' || q.answered_at AS detail
      FROM reviews_questions.questions AS q
      WHERE q.answered_at <= q.created_at`,
  },

  // --- Messaging ---------------------------------------------------------------------------
  {
    id: 'message-sender-is-participant',
    description: 'A message is sent by the conversation\'s buyer or by the owner of its store: nobody else takes part in a conversation.',
    sql: sql`
      SELECT CAST(m.region AS text) AS region,
             CAST(m.id AS text) AS id,
             'sent by user ' || m.sender_id || ' in conversation ' || c.id || ' between buyer '
               || c.buyer_id || ' and store ' || st.id || ' (owner ' || st.owner_user_id || ')' AS detail
      FROM messaging.messages AS m
      JOIN messaging.conversations AS c ON c.region = m.region AND c.id = m.conversation_id
      JOIN seller_management.stores AS st ON st.region = c.region AND st.id = c.store_id
      WHERE m.sender_id <> c.buyer_id
        AND m.sender_id <> st.owner_user_id`,
  },
  {
    id: 'message-after-conversation',
    description: 'A message is not sent before its conversation was created, since a message opens or continues an existing conversation.',
    sql: sql`
      SELECT CAST(m.region AS text) AS region,
             CAST(m.id AS text) AS id,
             'sent at ' || m.sent_at || ' but conversation ' || c.id || ' was created at ' || c.created_at AS detail
      FROM messaging.messages AS m
      JOIN messaging.conversations AS c ON c.region = m.region AND c.id = m.conversation_id
      WHERE m.sent_at < c.created_at`,
  },
  {
    id: 'order-conversation-buyer-matches-order',
    description: 'A conversation about an order is held by that order\'s buyer: nobody else may discuss someone\'s purchase with the store.',
    sql: sql`
      SELECT CAST(c.region AS text) AS region,
             CAST(c.id AS text) AS id,
             'conversation of buyer ' || c.buyer_id || ' about order ' || o.id
               || ' of buyer ' || o.buyer_id AS detail
      FROM messaging.conversations AS c
      JOIN order_processing.orders AS o
        ON o.region = c.region AND o.id = c.order_id AND o.created_at = c.order_created_at
      WHERE c.kind = 'order'
        AND c.buyer_id <> o.buyer_id`,
  },

  // --- Coupons -----------------------------------------------------------------------------
  {
    id: 'coupon-use-count-matches-orders',
    description:
      'A coupon\'s use_count equals the number of live (not cancelled) orders that used it: a cancelled order gives its use back, and the counter that enforces max_uses tells the truth.',
    sql: sql`
      -- Live orders per coupon, counted once (the index on orders (region, coupon_id) serves it).
      ${LIVE_COUPON_USES}
      SELECT CAST(c.region AS text) AS region,
             CAST(c.id AS text) AS id,
             'coupon ' || c.code || ' has use_count ' || c.use_count
               || ' but ' || COALESCE(u.orders, 0) || ' orders used it' AS detail
      FROM order_processing.coupons AS c
      LEFT JOIN uses AS u ON u.region = c.region AND u.coupon_id = c.id
      WHERE c.use_count <> COALESCE(u.orders, 0)`,
  },
  {
    id: 'coupon-within-max-uses',
    description:
      'A coupon is never used more than max_uses times, counting both its use_count and the live (not cancelled) orders that used it, because a limited promotion must stay limited.',
    sql: sql`
      ${LIVE_COUPON_USES}
      SELECT CAST(c.region AS text) AS region,
             CAST(c.id AS text) AS id,
             'coupon ' || c.code || ' allows ' || c.max_uses || ' uses but has use_count ' || c.use_count
               || ' and ' || COALESCE(u.orders, 0) || ' orders' AS detail
      FROM order_processing.coupons AS c
      LEFT JOIN uses AS u ON u.region = c.region AND u.coupon_id = c.id
      WHERE c.use_count > c.max_uses
         OR COALESCE(u.orders, 0) > c.max_uses`,
  },
  {
    id: 'coupon-used-before-expiry',
    description: 'An order uses a coupon only if it was placed before the coupon expired (created_at < expires_at): an expired code gives no discount.',
    sql: sql`
      SELECT CAST(o.region AS text) AS region,
             CAST(o.id AS text) AS id,
             'order placed at ' || o.created_at || ' with coupon ' || c.code
               || ', which expired at ' || c.expires_at AS detail
      FROM order_processing.orders AS o
      JOIN order_processing.coupons AS c ON c.region = o.region AND c.id = o.coupon_id
      WHERE o.created_at >= c.expires_at`,
  },

  // --- Catalog and stock -------------------------------------------------------------------
  {
    id: 'product-stock-not-negative',
    description: 'A product\'s stock is never negative, since nobody can sell units that do not exist; a CHECK enforces it too, this catches data loaded around it.',
    sql: sql`
      SELECT CAST(p.region AS text) AS region,
             CAST(p.id AS text) AS id,
             'stock is ' || p.stock AS detail
      FROM product_catalog.products AS p
      WHERE p.stock < 0`,
  },
  {
    id: 'some-product-under-threshold',
    description:
      'Informational: when there are products, at least one sits at or under its low-stock threshold, so that the sellers\' low-stock alerts have something to show.',
    sql: sql`
      -- One row for the whole catalog, and only when it is not empty (HAVING with no GROUP BY
      -- makes the table one group).
      SELECT 'all' AS region,
             'products' AS id,
             'none under threshold: ' || count(*)
               || ' products, none with stock <= low_stock_threshold' AS detail
      FROM product_catalog.products AS p
      HAVING count(*) > 0
         AND count(CASE WHEN p.stock <= p.low_stock_threshold THEN 1 END) = 0`,
  },
  {
    id: 'low-stock-not-bestseller',
    description:
      'A listing at or under its low-stock threshold did not go on selling like one of its site\'s bestsellers while low: if it is in the top 1 % of its site\'s listings by units sold in orders not cancelled, fewer than 50 of those units were sold in orders placed after its low-stock alert was raised (low_stock_since; all of them when no alert is open). A seller restocks what sells, so a listing that sold hundreds of units does not sit at two all along — while a bestseller that has just sold out, or was restocked a little, is ordinary.',
    sql: sql`
      -- Units each listing sold in orders not cancelled (a cancelled order gave its units back),
      -- in all and in orders placed after its low-stock alert was raised (all of them when no
      -- alert is open; the order whose sale raised it is part of the crossing, not after it),
      -- then each listing's place among its site's listings. A closed listing alerts nobody.
      WITH sold AS (
        SELECT od.region, od.product_id, sum(od.quantity) AS units,
               sum(od.quantity) FILTER (WHERE p.low_stock_since IS NULL OR o.created_at > p.low_stock_since) AS units_while_low
        FROM order_processing.order_details AS od
        JOIN order_processing.orders AS o
          ON o.region = od.region AND o.id = od.order_id AND o.created_at = od.order_created_at
        JOIN order_processing.order_statuses AS os ON os.id = o.status_id
        JOIN product_catalog.products AS p ON p.region = od.region AND p.id = od.product_id
        WHERE os.name <> 'cancelled'
        GROUP BY od.region, od.product_id
      ),
      ranked AS (
        SELECT p.region, p.id, p.stock, p.low_stock_threshold, p.status,
               COALESCE(s.units, 0) AS units,
               COALESCE(s.units_while_low, 0) AS units_while_low,
               rank() OVER (PARTITION BY p.region ORDER BY COALESCE(s.units, 0) DESC) AS place,
               count(*) OVER (PARTITION BY p.region) AS listings
        FROM product_catalog.products AS p
        LEFT JOIN sold AS s ON s.region = p.region AND s.product_id = p.id
      )
      SELECT CAST(r.region AS text) AS region,
             CAST(r.id AS text) AS id,
             'stock ' || r.stock || ' (threshold ' || r.low_stock_threshold || ') but sold ' || r.units
               || ' units (' || r.units_while_low || ' since it went low), number ' || r.place
               || ' of the site''s ' || r.listings || ' listings' AS detail
      FROM ranked AS r
      WHERE r.stock <= r.low_stock_threshold
        AND r.status <> 'closed'
        AND r.units_while_low >= 50
        AND r.place <= ceil(0.01 * r.listings)`,
  },

  // --- Recommendations ---------------------------------------------------------------------
  {
    id: 'recommendation-relates-to-user',
    description:
      'A recommended product relates to its user: its title contains one of the user\'s searches (ignoring case), or it shares a category with a product the user ordered, unless it was shown as trending.',
    sql: sql`
      -- Recommendations whose product title contains one of the user's searches. The join
      -- pairs a recommendation only with the searches of its own user.
      -- POSITION is LIKE '%' || query || '%' without treating % and _ in a query as wildcards.
      WITH searched AS (
        SELECT DISTINCT r.region, r.id
        FROM recommendations.recommendation_logs AS r
        JOIN product_catalog.products AS p ON p.region = r.region AND p.id = r.product_id
        JOIN recommendations.user_search_history AS h ON h.region = r.region AND h.user_id = r.user_id
        WHERE r.source <> 'trending'
          AND POSITION(lower(h.query_text) IN lower(p.title)) > 0
      ),
      -- The categories each user ordered from (any order of theirs). Lines join their order on
      -- (region, id) alone, as in searches-precede-purchases: with created_at as well, the
      -- partitioned layout's estimate of one row made this rule take 216 s at scale 40, 3 s so.
      bought_categories AS (
        SELECT DISTINCT o.region, o.buyer_id AS user_id, p.category_id
        FROM order_processing.orders AS o
        JOIN order_processing.order_details AS od ON od.region = o.region AND od.order_id = o.id
        JOIN product_catalog.products AS p ON p.region = od.region AND p.id = od.product_id
      )
      SELECT CAST(r.region AS text) AS region,
             CAST(r.id AS text) AS id,
             'product ' || p.id || ' (' || r.source || ') matches no search of user ' || r.user_id
               || ' and no category the user ordered from' AS detail
      FROM recommendations.recommendation_logs AS r
      JOIN product_catalog.products AS p ON p.region = r.region AND p.id = r.product_id
      LEFT JOIN searched AS s ON s.region = r.region AND s.id = r.id
      LEFT JOIN bought_categories AS b
        ON b.region = r.region AND b.user_id = r.user_id AND b.category_id = p.category_id
      WHERE r.source <> 'trending'
        AND s.id IS NULL
        AND b.user_id IS NULL`,
  },
  {
    id: 'converted-recommendation-bought-after',
    description:
      'A recommendation recorded as converted names an order of its own user, placed after the recommendation was shown, that bought the recommended product: a conversion is the buyer acting on what they were shown.',
    sql: sql`
      -- The converted order is found by its key (the foreign key guarantees it exists); the line
      -- of the recommended product by the primary key of order_details.
      SELECT CAST(r.region AS text) AS region,
             CAST(r.id AS text) AS id,
             'shown to user ' || r.user_id || ' at ' || r.shown_at || ', converted into order ' || o.id
               || CASE WHEN o.buyer_id <> r.user_id THEN ' of user ' || o.buyer_id
                       WHEN od.product_id IS NULL THEN ', which does not buy product ' || r.product_id
                       ELSE ', placed before at ' || o.created_at END AS detail
      FROM recommendations.recommendation_logs AS r
      JOIN order_processing.orders AS o
        ON o.region = r.region AND o.id = r.converted_order_id AND o.created_at = r.converted_order_created_at
      LEFT JOIN order_processing.order_details AS od
        ON od.region = o.region AND od.order_id = o.id AND od.order_created_at = o.created_at
       AND od.product_id = r.product_id
      WHERE o.buyer_id <> r.user_id
         OR od.product_id IS NULL
         OR o.created_at < r.shown_at`,
  },
  {
    id: 'searches-precede-purchases',
    description:
      'Buyers find what they buy by searching: in a site with at least 50 orders by buyers whose searches are logged, at least half of those orders follow a search by their buyer in the 7 days before whose words are in the title of a product the order bought (a buyer with no logged search at all, one who arrives by direct links, is not judged).',
    sql: sql`
      -- The orders of buyers whose searches are logged, per site; and of them, the orders one of
      -- their searches led to: a search of the same buyer in the 7 days before the order, its text
      -- inside the title of one of the order's products (ignoring case). POSITION is LIKE '%' ||
      -- query || '%' without treating % and _ as wildcards. One row per site that breaks it.
      --
      -- Lines are joined to their order on (region, id) alone: an order id is unique by itself,
      -- and joining on (id, created_at) as well makes the planner estimate one row per join on
      -- the partitioned layout and choose nested loops (10 minutes at scale 40; 2 s so).
      -- The led orders are counted per site (count DISTINCT sorts), not collected into a set that
      -- every order probes: that set's hash aggregate, estimated at a twentieth of its million
      -- rows, spilled batch after batch and ran for over ten minutes at scale 200 (9 s when it
      -- happened not to). Every led order is an order of a buyer who searches, so the two counts
      -- compare directly.
      WITH searching AS (
        SELECT o.region, count(*) AS orders
        FROM order_processing.orders AS o
        WHERE EXISTS (SELECT FROM recommendations.user_search_history AS h
                      WHERE h.region = o.region AND h.user_id = o.buyer_id)
        GROUP BY o.region
      ), led AS (
        SELECT od.region, count(DISTINCT od.order_id) AS orders
        FROM order_processing.orders AS o
        JOIN order_processing.order_details AS od ON od.region = o.region AND od.order_id = o.id
        JOIN product_catalog.products AS p ON p.region = od.region AND p.id = od.product_id
        JOIN recommendations.user_search_history AS h
          ON h.region = o.region AND h.user_id = o.buyer_id
         AND h.searched_at <= o.created_at AND h.searched_at > o.created_at - interval '7 days'
        WHERE POSITION(lower(h.query_text) IN lower(p.title)) > 0
        GROUP BY od.region
      )
      SELECT CAST(s.region AS text) AS region,
             'orders' AS id,
             round(100.0 * coalesce(l.orders, 0) / s.orders, 1) || ' % of ' || s.orders
               || ' orders by buyers who search follow a search for what they bought in the 7 days before' AS detail
      FROM searching AS s
      LEFT JOIN led AS l ON l.region = s.region
      WHERE s.orders >= 50
        AND coalesce(l.orders, 0) < 0.5 * s.orders`,
  },

  // --- Stores and marketing ----------------------------------------------------------------
  {
    id: 'store-owner-is-seller',
    description: 'A store is owned by a user with the seller role, because only sellers may publish products and sell.',
    sql: sql`
      SELECT CAST(st.region AS text) AS region,
             CAST(st.id AS text) AS id,
             'store ' || st.name || ' is owned by user ' || u.id || ', whose role is ' || ro.name AS detail
      FROM seller_management.stores AS st
      JOIN user_management.users AS u ON u.region = st.region AND u.id = st.owner_user_id
      JOIN user_management.roles AS ro ON ro.id = u.role_id
      WHERE ro.name <> 'seller'`,
  },
  {
    id: 'ad-product-of-campaign-store',
    description: 'An ad promotes a product of the store that runs its campaign: a store cannot spend its budget on another store\'s products.',
    sql: sql`
      SELECT CAST(a.region AS text) AS region,
             CAST(a.id AS text) AS id,
             'ad of campaign ' || c.id || ' (store ' || c.store_id || ') promotes product '
               || p.id || ' of store ' || p.store_id AS detail
      FROM marketing.ads AS a
      JOIN marketing.campaigns AS c ON c.region = a.region AND c.id = a.campaign_id
      JOIN product_catalog.products AS p ON p.region = a.region AND p.id = a.product_id
      WHERE c.store_id <> p.store_id`,
  },
  {
    id: 'discount-campaign-of-product-store',
    description: 'A product discount that belongs to a campaign belongs to a campaign of the product\'s own store: a store discounts only its own products.',
    sql: sql`
      SELECT CAST(d.region AS text) AS region,
             CAST(d.id AS text) AS id,
             'discount on product ' || p.id || ' (store ' || p.store_id || ') run by campaign '
               || c.id || ' of store ' || c.store_id AS detail
      FROM product_catalog.product_discounts AS d
      JOIN product_catalog.products AS p ON p.region = d.region AND p.id = d.product_id
      JOIN marketing.campaigns AS c ON c.region = d.region AND c.id = d.campaign_id
      WHERE c.store_id <> p.store_id`,
  },

  // --- Who deals with whom: buyers, sellers and staff ---------------------------------------
  {
    id: 'staff-place-no-orders',
    description:
      'Staff accounts (administrator, platform manager, BI analyst, marketing specialist, DBA) place no orders: they run the marketplace, and an order of theirs would be a test or an abuse.',
    sql: sql`
      SELECT CAST(o.region AS text) AS region,
             CAST(o.id AS text) AS id,
             'order placed by user ' || u.id || ', whose role is ' || ro.name AS detail
      FROM order_processing.orders AS o
      JOIN user_management.users AS u ON u.region = o.region AND u.id = o.buyer_id
      JOIN user_management.roles AS ro ON ro.id = u.role_id
      WHERE ro.name NOT IN ('user', 'seller')`,
  },
  {
    id: 'no-self-dealing',
    description:
      'Nobody deals with their own store: no order line bought from it, no review or question on its products, no conversation with it, since such rows inflate a store\'s sales and reputation without a customer.',
    sql: sql`
      -- One branch per kind of dealing, each joining its rows to the store that owns the product.
      SELECT CAST(x.region AS text) AS region, x.id, x.detail
      FROM (
        SELECT od.region, 'line/' || CAST(od.order_id AS text) || '/' || CAST(od.product_id AS text) AS id,
               'buyer ' || o.buyer_id || ' bought product ' || p.id || ' from their own store ' || st.id AS detail
        FROM order_processing.order_details AS od
        JOIN order_processing.orders AS o
          ON o.region = od.region AND o.id = od.order_id AND o.created_at = od.order_created_at
        JOIN product_catalog.products AS p ON p.region = od.region AND p.id = od.product_id
        JOIN seller_management.stores AS st ON st.region = p.region AND st.id = p.store_id
        WHERE st.owner_user_id = o.buyer_id
        UNION ALL
        SELECT r.region, 'review/' || CAST(r.id AS text),
               'user ' || r.buyer_id || ' reviewed product ' || p.id || ' of their own store ' || st.id
        FROM reviews_questions.reviews AS r
        JOIN product_catalog.products AS p ON p.region = r.region AND p.id = r.product_id
        JOIN seller_management.stores AS st ON st.region = p.region AND st.id = p.store_id
        WHERE st.owner_user_id = r.buyer_id
        UNION ALL
        SELECT q.region, 'question/' || CAST(q.id AS text),
               'user ' || q.asker_id || ' asked about product ' || p.id || ' of their own store ' || st.id
        FROM reviews_questions.questions AS q
        JOIN product_catalog.products AS p ON p.region = q.region AND p.id = q.product_id
        JOIN seller_management.stores AS st ON st.region = p.region AND st.id = p.store_id
        WHERE st.owner_user_id = q.asker_id
        UNION ALL
        SELECT c.region, 'conversation/' || CAST(c.id AS text),
               'buyer ' || c.buyer_id || ' is the owner of store ' || st.id || ' they write to'
        FROM messaging.conversations AS c
        JOIN seller_management.stores AS st ON st.region = c.region AND st.id = c.store_id
        WHERE st.owner_user_id = c.buyer_id
      ) AS x`,
  },

  // --- Activity windows: nothing is used outside its active life --------------------------
  {
    id: 'order-inside-activity-windows',
    description:
      'An order is placed after its buyer\'s account was opened, after every listing it buys was published, and with a coupon that existed and was switched on; a question is asked after the asker\'s account was opened.',
    sql: sql`
      -- One branch per kind of window; each reads its tables once.
      SELECT CAST(x.region AS text) AS region, x.id, x.detail
      FROM (
        SELECT o.region, CAST(o.id AS text) AS id,
               'placed at ' || o.created_at || ' by user ' || u.id || ', whose account was opened at ' || u.created_at AS detail
        FROM order_processing.orders AS o
        JOIN user_management.users AS u ON u.region = o.region AND u.id = o.buyer_id
        WHERE o.created_at < u.created_at
        UNION ALL
        SELECT od.region, CAST(od.order_id AS text) || '/' || CAST(od.product_id AS text),
               'line of an order placed at ' || od.order_created_at || ' for product ' || p.id || ', published at ' || p.created_at
        FROM order_processing.order_details AS od
        JOIN product_catalog.products AS p ON p.region = od.region AND p.id = od.product_id
        WHERE od.order_created_at < p.created_at
        UNION ALL
        SELECT o.region, CAST(o.id AS text),
               'placed at ' || o.created_at || ' with coupon ' || c.code
                 || CASE WHEN NOT c.is_active THEN ', which is switched off' ELSE ', created at ' || c.created_at END
        FROM order_processing.orders AS o
        JOIN order_processing.coupons AS c ON c.region = o.region AND c.id = o.coupon_id
        WHERE o.created_at < c.created_at OR NOT c.is_active
        UNION ALL
        SELECT q.region, 'question/' || CAST(q.id AS text),
               'asked at ' || q.created_at || ' by user ' || u.id || ', whose account was opened at ' || u.created_at
        FROM reviews_questions.questions AS q
        JOIN user_management.users AS u ON u.region = q.region AND u.id = q.asker_id
        WHERE q.created_at < u.created_at
      ) AS x`,
  },
  {
    id: 'inactive-account-nothing-open',
    description:
      'A suspended or closed account has nothing in progress: no order of theirs waits for payment, shipping or delivery, and no listing of a store they own is active.',
    sql: sql`
      SELECT CAST(x.region AS text) AS region, x.id, x.detail
      FROM (
        SELECT o.region, CAST(o.id AS text) AS id,
               'order is ' || os.name || ' but buyer ' || u.id || ' is ' || u.status AS detail
        FROM order_processing.orders AS o
        JOIN order_processing.order_statuses AS os ON os.id = o.status_id
        JOIN user_management.users AS u ON u.region = o.region AND u.id = o.buyer_id
        WHERE u.status <> 'active'
          AND os.name IN ('payment_required', 'paid', 'shipped')
        UNION ALL
        SELECT p.region, 'product/' || CAST(p.id AS text),
               'listing is active but the owner ' || u.id || ' of its store ' || st.id || ' is ' || u.status
        FROM product_catalog.products AS p
        JOIN seller_management.stores AS st ON st.region = p.region AND st.id = p.store_id
        JOIN user_management.users AS u ON u.region = st.region AND u.id = st.owner_user_id
        WHERE p.status = 'active'
          AND u.status <> 'active'
      ) AS x`,
  },
  {
    id: 'inactive-listing-no-open-order',
    description:
      'An order still waiting for payment or for shipping buys only active listings: a paused, closed or reviewed listing sells nothing new.',
    sql: sql`
      SELECT CAST(od.region AS text) AS region,
             CAST(od.order_id AS text) || '/' || CAST(od.product_id AS text) AS id,
             'order is ' || os.name || ' but product ' || p.id || ' is ' || p.status AS detail
      FROM order_processing.order_details AS od
      JOIN order_processing.orders AS o
        ON o.region = od.region AND o.id = od.order_id AND o.created_at = od.order_created_at
      JOIN order_processing.order_statuses AS os ON os.id = o.status_id
      JOIN product_catalog.products AS p ON p.region = od.region AND p.id = od.product_id
      WHERE os.name IN ('payment_required', 'paid')
        AND p.status <> 'active'`,
  },
  {
    id: 'welcome-coupon-first-order',
    description: 'A welcome coupon (its code starts BIENVENIDO, BEMVINDO, PRIMERACOMPRA …) is used only on the buyer\'s first order.',
    sql: sql`
      -- The few orders with a welcome coupon first, then any earlier order of the same buyer
      -- (the index on orders (region, buyer_id, created_at) serves the join).
      WITH welcome AS (
        SELECT o.region, o.id, o.buyer_id, o.created_at, c.code
        FROM order_processing.orders AS o
        JOIN order_processing.coupons AS c ON c.region = o.region AND c.id = o.coupon_id
        WHERE upper(c.code) ~ '${WELCOME_CODE_PATTERN}'
      )
      SELECT CAST(w.region AS text) AS region,
             CAST(w.id AS text) AS id,
             'welcome coupon ' || w.code || ' on an order of ' || w.created_at || ' but buyer ' || w.buyer_id
               || ' first ordered at ' || min(e.created_at) AS detail
      FROM welcome AS w
      JOIN order_processing.orders AS e
        ON e.region = w.region AND e.buyer_id = w.buyer_id AND e.created_at < w.created_at
      GROUP BY w.region, w.id, w.buyer_id, w.created_at, w.code`,
  },

  // --- Time: the site's local day -----------------------------------------------------------
  {
    id: 'orders-follow-local-day',
    description:
      'People shop while awake in their own time zone: in a site with at least 50 orders, at most 12 % are placed between 02:00 and 05:59 local time (a UTC rhythm puts a fifth of Mexico\'s orders there); the last day before the site\'s newest order is left out, so a burst of live orders is not a rhythm.',
    sql: sql`
      -- One row per site that breaks it; the zone of each site comes from the shipped place table.
      WITH newest AS (
        SELECT o.region, max(o.created_at) AS last_at
        FROM order_processing.orders AS o
        GROUP BY o.region
      )
      SELECT CAST(o.region AS text) AS region,
             'orders' AS id,
             round(100.0 * count(*) FILTER (WHERE extract(hour FROM o.created_at AT TIME ZONE z.zone) BETWEEN 2 AND 5) / count(*), 1)
               || ' % of ' || count(*) || ' orders placed between 02:00 and 05:59 ' || z.zone AS detail
      FROM order_processing.orders AS o
      JOIN newest AS n ON n.region = o.region
      JOIN ${zonesSql()} ON z.region = CAST(o.region AS text)
      WHERE o.created_at < n.last_at - interval '1 day'
      GROUP BY o.region, z.zone
      HAVING count(*) >= 50
         AND count(*) FILTER (WHERE extract(hour FROM o.created_at AT TIME ZONE z.zone) BETWEEN 2 AND 5) > 0.12 * count(*)`,
  },

  // --- Outcomes: order, payments and shipment tell one story --------------------------------
  {
    id: 'order-outcome-matches-payments',
    description:
      'An order\'s outcome agrees with its money and its parcel: a refunded order has its payments refunded or charged back and none still approved; a refunded or charged-back payment belongs to a cancelled or refunded order; a pending payment belongs to an order still waiting for payment (paying voids a voucher left pending, cancelling rejects it); a parcel the carrier could not deliver had left (the shipment rules above keep it off paid, shipped and delivered orders).',
    sql: sql`
      WITH pay AS (
        SELECT p.region, p.order_id, p.order_created_at,
               count(CASE WHEN ps.name = 'approved' THEN 1 END) AS approved,
               count(CASE WHEN ps.name IN ('refunded', 'charged_back') THEN 1 END) AS returned,
               count(CASE WHEN ps.name = 'pending' THEN 1 END) AS pending
        FROM payments.payments AS p
        JOIN payments.payment_statuses AS ps ON ps.id = p.status_id
        GROUP BY p.region, p.order_id, p.order_created_at
      )
      SELECT CAST(o.region AS text) AS region,
             CAST(o.id AS text) AS id,
             'order is ' || os.name || ' with ' || COALESCE(pay.approved, 0) || ' approved, '
               || COALESCE(pay.returned, 0) || ' refunded or charged back, ' || COALESCE(pay.pending, 0) || ' pending payments, shipment '
               || COALESCE(ss.name, 'none') || CASE WHEN ss.name = 'not_delivered' AND s.shipped_at IS NULL THEN ' never shipped' ELSE '' END AS detail
      FROM order_processing.orders AS o
      JOIN order_processing.order_statuses AS os ON os.id = o.status_id
      LEFT JOIN pay ON pay.region = o.region AND pay.order_id = o.id AND pay.order_created_at = o.created_at
      LEFT JOIN shipping_logistics.shipments AS s
        ON s.region = o.region AND s.order_id = o.id AND s.order_created_at = o.created_at
      LEFT JOIN shipping_logistics.shipment_statuses AS ss ON ss.id = s.status_id
      WHERE (os.name = 'refunded' AND (COALESCE(pay.approved, 0) > 0 OR (COALESCE(pay.returned, 0) = 0 AND o.total > 0)))
         OR (COALESCE(pay.returned, 0) > 0 AND os.name NOT IN ('cancelled', 'refunded'))
         OR (COALESCE(pay.pending, 0) > 0 AND os.name <> 'payment_required')
         -- (a parcel lost on a paid, shipped or delivered order is the shipment rules' finding)
         OR (ss.name = 'not_delivered' AND s.shipped_at IS NULL AND os.name = 'refunded')`,
  },

  // --- Language of each site ----------------------------------------------------------------
  {
    id: 'text-language-matches-site',
    description:
      'What users read is in the site\'s language and variety: no Portuguese words on a Spanish-speaking site, no Spanish on a Portuguese-speaking one, and voseo (tenés, podés) only where it is spoken (Argentina, Uruguay); titles, questions, answers, messages, reviews, campaigns and coupon codes are checked.',
    sql: sql`
      WITH texts AS (
        SELECT p.region, 'product/' || CAST(p.id AS text) AS id, lower(p.title) AS body FROM product_catalog.products AS p
        UNION ALL
        SELECT q.region, 'question/' || CAST(q.id AS text), lower(q.body || ' ' || COALESCE(q.answer, '')) FROM reviews_questions.questions AS q
        UNION ALL
        SELECT m.region, 'message/' || CAST(m.id AS text), lower(m.body) FROM messaging.messages AS m
        UNION ALL
        SELECT r.region, 'review/' || CAST(r.id AS text), lower(r.comment) FROM reviews_questions.reviews AS r WHERE r.comment IS NOT NULL
        UNION ALL
        SELECT c.region, 'campaign/' || CAST(c.id AS text), lower(c.name) FROM marketing.campaigns AS c
        UNION ALL
        SELECT c.region, 'coupon/' || CAST(c.id AS text), lower(c.code) FROM order_processing.coupons AS c
      )
      SELECT CAST(t.region AS text) AS region,
             t.id,
             CASE WHEN CAST(t.region AS text) IN (${literals(PORTUGUESE_SITES)}) THEN 'Spanish on a Portuguese-speaking site: '
                  WHEN t.body ~ '${PORTUGUESE_MARKS}' THEN 'Portuguese on a Spanish-speaking site: '
                  ELSE 'voseo on a site that does not use it: ' END || left(t.body, 80) AS detail
      FROM texts AS t
      WHERE CASE WHEN CAST(t.region AS text) IN (${literals(PORTUGUESE_SITES)}) THEN t.body ~ '${SPANISH_MARKS}'
                 ELSE t.body ~ '${PORTUGUESE_MARKS}'
                   OR (CAST(t.region AS text) NOT IN (${literals(VOSEO_SITES)}) AND t.body ~ '${VOSEO_MARKS}') END`,
  },

  // --- Places ---------------------------------------------------------------------------------
  {
    id: 'address-place-coherent',
    description:
      'An address in a city of the shipped place table (docs/design.md, \'Places\') names that city\'s own state or province and a postal code that starts as the city\'s do; cities the table does not know are not judged.',
    sql: sql`
      WITH known_cities AS (
        SELECT DISTINCT known.region, known.city FROM ${PLACES_SQL}
      ),
      fits AS (
        SELECT DISTINCT a.region, a.id
        FROM user_management.addresses AS a
        JOIN ${PLACES_SQL}
          ON known.region = CAST(a.region AS text) AND known.city = a.city AND known.state = a.state
         AND left(a.postal_code, length(known.prefix)) = known.prefix
      )
      SELECT CAST(a.region AS text) AS region,
             CAST(a.id AS text) AS id,
             a.city || ', ' || a.state || ' ' || a.postal_code || ': not the state or the postal codes of ' || a.city AS detail
      FROM user_management.addresses AS a
      JOIN known_cities AS kc ON kc.region = CAST(a.region AS text) AND kc.city = a.city
      LEFT JOIN fits AS f ON f.region = a.region AND f.id = a.id
      WHERE f.id IS NULL`,
  },
  {
    id: 'phone-matches-site',
    description:
      'A phone number is the site\'s own: its country code (and Argentina\'s mobile 9), as many national digits as the country uses, and in Brazil an area code (DDD) that exists.',
    sql: sql`
      SELECT CAST(u.region AS text) AS region,
             CAST(u.id AS text) AS id,
             'phone ' || u.phone || ' is not a number of ' || CAST(u.region AS text) AS detail
      FROM user_management.users AS u
      JOIN ${PHONES_SQL} ON shape.region = CAST(u.region AS text)
      WHERE u.phone IS NOT NULL
        AND (u.phone !~ shape.pattern
             OR (CAST(u.region AS text) IN (${literals(PORTUGUESE_SITES)}) AND substr(u.phone, 4, 2) NOT IN (${literals(BRAZIL_AREA_CODES)})))`,
  },
];

/**
 * The checks as verify rules. Each check is wrapped as a subquery on lines of its own, so a
 * trailing comment cannot swallow the rest; its offenders become `region id` objects.
 */
export const DATA_RULES: readonly SqlRule[] = CONSISTENCY_CHECKS.map((check) => ({
  id: `data/${check.id}`,
  category: 'data',
  severity: 'error',
  description: check.description,
  hint: 'correct the offending rows (the detail says what disagrees)',
  sql: ["SELECT format('%s %s', region, id) AS object, detail AS message", 'FROM (', check.sql, ') AS offending'].join('\n'),
}));

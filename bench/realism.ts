/**
 * npm run bench:realism — the figures a marketplace analyst checks in a seeded database: volume
 * shares per site, the hourly curve in each site's local time, the busiest days, the long tail
 * of units, stock against sales, how searches, recommendations and orders tell one story, order
 * outcomes and their rates, the payment-method mix and approval delays per site,
 * ratings against delivery time, and how many distinct texts each kind of text has. Not a
 * test: it prints figures, it asserts nothing.
 *
 *   npm run bench:realism -- --url postgres://…/shop      a database seeded before
 *   npm run bench:realism -- --scale 5                    a fresh scratch database, seeded, reported, dropped
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { zonesSql } from '../seeds/places.ts';
import { dropAll, freshDatabase } from './server.ts';

const { values } = parseArgs({ options: { url: { type: 'string' }, scale: { type: 'string', default: '5' }, until: { type: 'string', default: '2026-11-01' } } });
const BIN = fileURLToPath(new URL('../bin/ecomdb.js', import.meta.url));

function seed(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--max-old-space-size=128', BIN, 'seed', '--url', url, '--scale', values.scale!, '--until', values.until!, '--no-check'], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`seed exited ${code}`))));
  });
}

const pct = (x: unknown) => `${(Number(x) * 100).toFixed(1)}%`.padStart(6);

async function report(sql: postgres.Sql): Promise<void> {
  const print = (title: string) => console.log(`\n## ${title}\n`);
  const table = (rows: readonly Record<string, unknown>[]) => {
    if (rows.length === 0) return console.log('(none)');
    const cols = Object.keys(rows[0]!);
    const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
    console.log(cols.map((c, i) => c.padStart(width[i]!)).join('  '));
    for (const r of rows) console.log(cols.map((c, i) => String(r[c] ?? '').padStart(width[i]!)).join('  '));
  };

  print('Shares per site (orders, buyers who ordered, listings)');
  table(await sql.unsafe(`
    WITH o AS (SELECT region, count(*) AS orders, count(DISTINCT buyer_id) AS buyers FROM order_processing.orders GROUP BY region),
         p AS (SELECT region, count(*) AS listings FROM product_catalog.products GROUP BY region)
    SELECT CAST(o.region AS text) AS site, o.orders, round(100.0 * o.orders / sum(o.orders) OVER (), 1) AS "orders %",
           o.buyers, p.listings, round(100.0 * p.listings / sum(p.listings) OVER (), 1) AS "listings %"
      FROM o JOIN p USING (region) ORDER BY o.orders DESC`));

  print('Hourly curve per site, local time (% of the site\'s orders in each hour, 0 to 23)');
  const hours = await sql.unsafe<{ site: string; h: number; share: number }[]>(`
    SELECT CAST(o.region AS text) AS site, extract(hour FROM o.created_at AT TIME ZONE z.zone)::int AS h,
           count(*)::float / sum(count(*)) OVER (PARTITION BY o.region) AS share
      FROM order_processing.orders o JOIN ${zonesSql()} ON z.region = CAST(o.region AS text)
     GROUP BY o.region, 2 ORDER BY 1, 2`);
  console.log(`site  ${Array.from({ length: 24 }, (_, h) => String(h).padStart(4)).join('')}   night 2-5h  evening 19-22h`);
  for (const site of [...new Set(hours.map((r) => r.site))]) {
    const c = Array.from({ length: 24 }, (_, h) => Number(hours.find((r) => r.site === site && r.h === h)?.share ?? 0));
    const night = c.slice(2, 6).reduce((a, b) => a + b, 0);
    const evening = c.slice(19, 23).reduce((a, b) => a + b, 0);
    console.log(`${site.padEnd(4)}  ${c.map((x) => (x * 100).toFixed(1).padStart(4)).join('')}   ${pct(night)}      ${pct(evening)}`);
  }

  print('Busiest local days per site (orders, and the ratio to the site\'s median day)');
  table(await sql.unsafe(`
    WITH d AS (SELECT CAST(o.region AS text) AS site, (o.created_at AT TIME ZONE z.zone)::date AS day, count(*) AS orders
                 FROM order_processing.orders o JOIN ${zonesSql()} ON z.region = CAST(o.region AS text) GROUP BY 1, 2),
         m AS (SELECT site, percentile_cont(0.5) WITHIN GROUP (ORDER BY orders) AS median FROM d GROUP BY site)
    SELECT site, string_agg(day || ' ' || to_char(day, 'Dy') || ' ×' || round((orders / median)::numeric, 1), ', ' ORDER BY orders DESC) AS "top 4 days"
      FROM (SELECT d.*, m.median, row_number() OVER (PARTITION BY d.site ORDER BY d.orders DESC) AS rn FROM d JOIN m USING (site)) x
     WHERE rn <= 4 AND site IN ('MLB', 'MLA', 'MLM', 'MCO', 'MLC') GROUP BY site ORDER BY site`));
  print('Orders by local weekday (% of all orders)');
  table(await sql.unsafe(`
    SELECT to_char(o.created_at AT TIME ZONE z.zone, 'ID Dy') AS weekday, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS "%"
      FROM order_processing.orders o JOIN ${zonesSql()} ON z.region = CAST(o.region AS text) GROUP BY 1 ORDER BY 1`));

  print('Long tail: share of units sold by the top 1 % and 10 % of listings and of stores; listings and stores that never sold');
  table(await sql.unsafe(`
    WITH units AS (SELECT p.region, p.id, p.store_id, COALESCE(sum(d.quantity), 0) AS units
                     FROM product_catalog.products p LEFT JOIN order_processing.order_details d ON d.region = p.region AND d.product_id = p.id
                    GROUP BY p.region, p.id, p.store_id),
         ranked AS (SELECT units, percent_rank() OVER (ORDER BY units DESC) AS r, sum(units) OVER () AS total FROM units),
         stores AS (SELECT s.region, s.id, COALESCE(sum(u.units), 0) AS units FROM seller_management.stores s
                      LEFT JOIN units u ON u.region = s.region AND u.store_id = s.id GROUP BY s.region, s.id),
         sranked AS (SELECT units, percent_rank() OVER (ORDER BY units DESC) AS r, sum(units) OVER () AS total FROM stores)
    SELECT 'listings' AS "of", round(100.0 * sum(units) FILTER (WHERE r < 0.01) / max(total), 1) AS "top 1 %",
           round(100.0 * sum(units) FILTER (WHERE r < 0.10) / max(total), 1) AS "top 10 %",
           round(100.0 * count(*) FILTER (WHERE units = 0) / count(*), 1) AS "never sold %" FROM ranked
    UNION ALL
    SELECT 'stores', round(100.0 * sum(units) FILTER (WHERE r < 0.01) / max(total), 1), round(100.0 * sum(units) FILTER (WHERE r < 0.10) / max(total), 1),
           round(100.0 * count(*) FILTER (WHERE units = 0) / count(*), 1) FROM sranked`));

  print('Stock against sales: listings by their place in the site\'s units sold (orders not cancelled)');
  table(await sql.unsafe(`
    WITH sold AS (SELECT d.region, d.product_id, sum(d.quantity) AS units FROM order_processing.order_details d
                    JOIN order_processing.orders o ON o.region = d.region AND o.id = d.order_id AND o.created_at = d.order_created_at
                    JOIN order_processing.order_statuses os ON os.id = o.status_id WHERE os.name <> 'cancelled' GROUP BY 1, 2),
         ranked AS (SELECT p.stock, p.low_stock_threshold, COALESCE(s.units, 0) AS units,
                           percent_rank() OVER (PARTITION BY p.region ORDER BY COALESCE(s.units, 0) DESC) AS r
                      FROM product_catalog.products p LEFT JOIN sold s ON s.region = p.region AND s.product_id = p.id)
    SELECT CASE WHEN r < 0.01 THEN '1 top 1 %' WHEN r < 0.10 THEN '2 top 1-10 %' WHEN r < 0.50 THEN '3 top 10-50 %' ELSE '4 bottom 50 %' END AS "listings",
           count(*) AS "n", percentile_disc(0.5) WITHIN GROUP (ORDER BY units) AS "median units sold",
           percentile_disc(0.5) WITHIN GROUP (ORDER BY stock) AS "median stock",
           round(100.0 * count(*) FILTER (WHERE stock <= low_stock_threshold) / count(*), 1) AS "low stock %",
           COALESCE(max(units) FILTER (WHERE stock <= low_stock_threshold), 0) AS "most units sold by a low-stock listing"
      FROM ranked GROUP BY 1 ORDER BY 1`));

  print('One story: orders after a search for what they bought (same buyer, 7 days before), and recommendations that converted');
  table(await sql.unsafe(`
    WITH led AS (SELECT o.region, o.id, o.created_at, min(o.created_at - h.searched_at) AS gap FROM order_processing.orders o
                   JOIN recommendations.user_search_history h ON h.region = o.region AND h.user_id = o.buyer_id
                    AND h.searched_at <= o.created_at AND h.searched_at > o.created_at - interval '7 days'
                   JOIN order_processing.order_details d ON d.region = o.region AND d.order_id = o.id AND d.order_created_at = o.created_at
                   JOIN product_catalog.products p ON p.region = d.region AND p.id = d.product_id
                  WHERE POSITION(lower(h.query_text) IN lower(p.title)) > 0 GROUP BY 1, 2, 3),
         o AS (SELECT o.region, count(*) AS orders, count(l.id) AS led, percentile_cont(0.5) WITHIN GROUP (ORDER BY l.gap) AS gap
                 FROM order_processing.orders o LEFT JOIN led l ON l.region = o.region AND l.id = o.id AND l.created_at = o.created_at GROUP BY 1),
         r AS (SELECT region, count(*) AS shown, count(*) FILTER (WHERE clicked) AS clicked, count(converted_order_id) AS converted
                 FROM recommendations.recommendation_logs GROUP BY 1)
    SELECT CAST(o.region AS text) AS site, o.orders, round(100.0 * o.led / o.orders, 1) AS "after a search %",
           round(extract(epoch FROM o.gap) / 3600, 1) AS "median hours search to order",
           r.shown AS "recommendations", round(100.0 * r.clicked / r.shown, 1) AS "clicked %", round(100.0 * r.converted / r.shown, 1) AS "converted %"
      FROM o JOIN r USING (region) ORDER BY o.orders DESC`));

  print('Category mix (% of listings and of units)');
  table(await sql.unsafe(`
    SELECT c.name AS category, round(100.0 * count(DISTINCT (p.region, p.id)) / sum(count(DISTINCT (p.region, p.id))) OVER (), 1) AS "listings %",
           round(100.0 * COALESCE(sum(d.quantity), 0) / sum(COALESCE(sum(d.quantity), 0)) OVER (), 1) AS "units %"
      FROM product_catalog.products p JOIN product_catalog.categories c ON c.id = p.category_id
      LEFT JOIN order_processing.order_details d ON d.region = p.region AND d.product_id = p.id
     GROUP BY c.name ORDER BY 2 DESC`));

  print('Order status and outcome rates (orders older than 30 days, whose outcome is settled)');
  table(await sql.unsafe(`
    SELECT os.name AS status, count(*) AS orders, round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS "%"
      FROM order_processing.orders o JOIN order_processing.order_statuses os ON os.id = o.status_id
     WHERE o.created_at < (SELECT max(created_at) FROM order_processing.orders) - interval '30 days'
     GROUP BY os.name ORDER BY 2 DESC`));
  table(await sql.unsafe(`
    WITH o AS (
      SELECT o.region, o.id, o.created_at, os.name AS status, ss.name AS shipment,
             bool_or(ps.name = 'refunded') AS refunded, bool_or(ps.name = 'charged_back') AS charged_back
        FROM order_processing.orders o JOIN order_processing.order_statuses os ON os.id = o.status_id
        LEFT JOIN payments.payments p ON p.region = o.region AND p.order_id = o.id AND p.order_created_at = o.created_at
        LEFT JOIN payments.payment_statuses ps ON ps.id = p.status_id
        LEFT JOIN shipping_logistics.shipments s ON s.region = o.region AND s.order_id = o.id AND s.order_created_at = o.created_at
        LEFT JOIN shipping_logistics.shipment_statuses ss ON ss.id = s.status_id
       WHERE o.created_at < (SELECT max(created_at) FROM order_processing.orders) - interval '30 days'
       GROUP BY 1, 2, 3, 4, 5)
    SELECT round(100.0 * count(*) FILTER (WHERE status = 'cancelled' AND NOT refunded) / count(*), 2) AS "cancelled unpaid %",
           round(100.0 * count(*) FILTER (WHERE status = 'cancelled' AND refunded) / count(*), 2) AS "cancelled after payment %",
           round(100.0 * count(*) FILTER (WHERE status = 'refunded' AND shipment = 'delivered' AND NOT charged_back) / count(*), 2) AS "returned %",
           round(100.0 * count(*) FILTER (WHERE shipment = 'not_delivered') / count(*), 2) AS "failed delivery %",
           round(100.0 * count(*) FILTER (WHERE charged_back) / count(*), 2) AS "chargeback %"
      FROM o`));

  print('Payment-method mix per site (% of orders by their first payment\'s method) and median approval delay');
  table(await sql.unsafe(`
    WITH first AS (SELECT DISTINCT ON (p.region, p.order_id, p.order_created_at) CAST(p.region AS text) AS site, pm.name AS method
                     FROM payments.payments p JOIN payments.payment_methods pm ON pm.id = p.method_id
                    ORDER BY p.region, p.order_id, p.order_created_at, p.created_at)
    SELECT site, string_agg(method || ' ' || share || '%', ', ' ORDER BY share DESC) AS mix
      FROM (SELECT site, method, round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY site), 1) AS share FROM first GROUP BY 1, 2) x
     GROUP BY site ORDER BY site`));
  table(await sql.unsafe(`
    SELECT pm.name AS method, count(*) AS approved,
           round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY p.created_at - p.order_created_at)) / 60) AS "median minutes",
           round(extract(epoch FROM percentile_cont(0.9) WITHIN GROUP (ORDER BY p.created_at - p.order_created_at)) / 3600, 1) AS "p90 hours"
      FROM payments.payments p JOIN payments.payment_methods pm ON pm.id = p.method_id JOIN payments.payment_statuses ps ON ps.id = p.status_id
     WHERE ps.name IN ('approved', 'refunded', 'charged_back') GROUP BY pm.name ORDER BY 2 DESC`));
  table(await sql.unsafe(`
    SELECT count(*) AS "split orders", round(avg(gap), 1) AS "mean seconds between the two payments", min(gap) AS "min seconds"
      FROM (SELECT extract(epoch FROM max(p.created_at) - min(p.created_at)) AS gap FROM payments.payments p
              JOIN payments.payment_statuses ps ON ps.id = p.status_id WHERE ps.name <> 'rejected' AND ps.name <> 'pending'
             GROUP BY p.region, p.order_id, p.order_created_at HAVING count(*) > 1) s`));

  print('Ratings: distribution, and mean rating by delivery time');
  table(await sql.unsafe(`SELECT rating, count(*) AS reviews, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS "%" FROM reviews_questions.reviews GROUP BY rating ORDER BY rating DESC`));
  table(await sql.unsafe(`
    SELECT CASE WHEN days < 2 THEN 'under 2 days' WHEN days <= 7 THEN '2 to 7 days' WHEN days <= 12 THEN '7 to 12 days' ELSE 'over 12 days' END AS delivery,
           count(*) AS reviews, round(avg(rating), 2) AS "mean rating"
      FROM (SELECT r.rating, extract(epoch FROM s.delivered_at - r.order_created_at) / 86400 AS days FROM reviews_questions.reviews r
              JOIN shipping_logistics.shipments s ON s.region = r.region AND s.order_id = r.order_id AND s.order_created_at = r.order_created_at) x
     GROUP BY 1 ORDER BY min(days)`));

  print('Distinct texts per kind');
  table(await sql.unsafe(`
    SELECT 'product titles' AS kind, count(DISTINCT title) AS "distinct", count(*) AS "rows" FROM product_catalog.products
    UNION ALL SELECT 'questions', count(DISTINCT body), count(*) FROM reviews_questions.questions
    UNION ALL SELECT 'answers', count(DISTINCT answer), count(answer) FROM reviews_questions.questions
    UNION ALL SELECT 'messages', count(DISTINCT body), count(*) FROM messaging.messages
    UNION ALL SELECT 'review comments', count(DISTINCT comment), count(comment) FROM reviews_questions.reviews
    UNION ALL SELECT 'campaign names', count(DISTINCT name), count(*) FROM marketing.campaigns
    UNION ALL SELECT 'street names', count(DISTINCT regexp_replace(street_line, ' [0-9]+$', '')), count(*) FROM user_management.addresses
    UNION ALL SELECT 'cities', count(DISTINCT (region, city)), count(*) FROM user_management.addresses`));

  print('Campaigns: name against dates (the first three events per big site)');
  table(await sql.unsafe(`
    SELECT site, name, starts, ends, status FROM (
      SELECT x.*, row_number() OVER (PARTITION BY site ORDER BY starts) AS rn FROM (
        SELECT DISTINCT ON (region, name) CAST(region AS text) AS site, name, to_char(starts_at, 'YYYY-MM-DD') AS starts,
               to_char(ends_at, 'YYYY-MM-DD') AS ends, status
          FROM marketing.campaigns ORDER BY region, name, starts_at) x) c
     WHERE rn <= 3 AND site IN ('MLB', 'MLA', 'MLM') ORDER BY site, starts`));
}

let url = values.url;
try {
  if (!url) {
    url = await freshDatabase('ecomdb_bench_realism');
    process.stderr.write(`[realism] seeding scale ${values.scale} until ${values.until}\n`);
    await seed(url);
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await report(sql);
  } finally {
    await sql.end();
  }
} finally {
  await dropAll();
}

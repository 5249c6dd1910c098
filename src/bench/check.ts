/**
 * The check after a benchmark: nothing lost, nothing oversold. Against a snapshot taken before
 * the clients started and the ledger of what the database acknowledged (ledger.ts):
 *   - no product's stock is negative, and each one's stock is its initial stock less the units
 *     of acknowledged orders, plus the units acknowledged cancellations gave back and
 *     acknowledged restocks added;
 *   - no coupon is used beyond its limit, and each one's use count is its initial count plus
 *     acknowledged orders with it, less acknowledged cancellations of them;
 *   - every acknowledged order is there, in the state its last acknowledged operation left it
 *     in, with the total the buyer was told;
 *   - the data rules of `ecomdb verify` (totals and lines, payments and totals, shipments, ...).
 * The bench assumes it is the only writer while it runs: another writer's sales would show as
 * differences here.
 */
import type { Session } from '../db/types.ts';
import { DATA_RULES } from '../verify/data-rules.ts';
import { runRules } from '../verify/run.ts';
import { positionOf } from './keyspace.ts';
import type { Ledger } from './ledger.ts';

/** Stock and coupon uses before the run. */
export interface Snapshot {
  /** Per site, product ids (sorted) and their stock at the same positions. */
  readonly stock: ReadonlyMap<string, { readonly ids: Float64Array; readonly stock: Float64Array }>;
  /** use_count by `region:id`. */
  readonly couponUses: ReadonlyMap<string, number>;
}

type Query = Pick<Session, 'query'>;

async function readStock(session: Query): Promise<Snapshot['stock']> {
  const rows = await session.query<{ region: string; ids: number[]; stock: number[] }>(
    `SELECT region, array_agg(id::float8 ORDER BY id) AS ids, array_agg(stock ORDER BY id) AS stock FROM product_catalog.products GROUP BY region`,
  );
  return new Map(rows.map((r) => [r.region, { ids: Float64Array.from(r.ids), stock: Float64Array.from(r.stock) }]));
}

async function readCoupons(session: Query): Promise<{ region: string; id: number; code: string; use_count: number; max_uses: number }[]> {
  return session.query(`SELECT region, id::float8 AS id, code, use_count, max_uses FROM order_processing.coupons ORDER BY region, id`);
}

export async function takeSnapshot(session: Query): Promise<Snapshot> {
  const coupons = await readCoupons(session);
  return { stock: await readStock(session), couponUses: new Map(coupons.map((c) => [`${c.region}:${c.id}`, c.use_count])) };
}

export interface CheckItem {
  readonly name: 'stock-not-negative' | 'stock-balance' | 'coupon-within-limit' | 'coupon-balance' | 'acknowledged-orders' | 'data-rules';
  readonly passed: boolean;
  /** What was checked, and what disagreed. */
  readonly detail: string;
  /** The first offenders (`region id: what`). */
  readonly offenders: readonly string[];
}

export interface CheckReport {
  readonly passed: boolean;
  readonly items: readonly CheckItem[];
  /** Writes whose outcome is unknown (their connection broke): the balances cannot be exact then. */
  readonly inDoubt: readonly string[];
  readonly ms: number;
}

/** Offenders listed per check (all are counted). */
const LISTED = 10;

const item = (name: CheckItem['name'], offenders: string[], what: string, extra = ''): CheckItem => ({
  name,
  passed: offenders.length === 0,
  detail: offenders.length === 0 ? `${what}${extra}` : `${offenders.length} offender(s): ${what}${extra}`,
  offenders: offenders.slice(0, LISTED),
});

export async function checkRun(session: Query, before: Snapshot, ledger: Ledger): Promise<CheckReport> {
  const started = Date.now();
  const items: CheckItem[] = [];
  const exact = ledger.inDoubt.length === 0;
  const inexact = exact ? '' : ` (not checked: ${ledger.inDoubt.length} write(s) in doubt)`;

  // Stock.
  const after = await readStock(session);
  const negative: string[] = [];
  const unbalanced: string[] = [];
  for (const [region, now] of after) {
    const was = before.stock.get(region);
    for (let i = 0; i < now.ids.length; i++) {
      const id = now.ids[i]!;
      const stock = now.stock[i]!;
      if (stock < 0) negative.push(`${region} ${id}: stock ${stock}`);
      if (!was) continue;
      const at = positionOf(was.ids, id);
      if (at < 0) continue; // published during the run: not the bench's doing
      const expected = was.stock[at]! + ledger.stockDelta(region, id);
      if (stock !== expected) unbalanced.push(`${region} ${id}: stock ${stock}, expected ${expected} (${was.stock[at]} before, ${ledger.stockDelta(region, id)} acknowledged)`);
    }
  }
  items.push(item('stock-not-negative', negative, 'no product below zero'));
  items.push(item('stock-balance', exact ? unbalanced : [], 'stock = initial − units ordered + units given back + restocks, for every product', inexact));

  // Coupons.
  const coupons = await readCoupons(session);
  const beyond: string[] = [];
  const couponsOff: string[] = [];
  for (const c of coupons) {
    if (c.use_count > c.max_uses || c.use_count < 0) beyond.push(`${c.region} ${c.id} (${c.code}): ${c.use_count} uses of ${c.max_uses}`);
    const was = before.couponUses.get(`${c.region}:${c.id}`);
    if (was === undefined) continue;
    const expected = was + ledger.couponDelta(c.region, c.id);
    if (c.use_count !== expected) couponsOff.push(`${c.region} ${c.id} (${c.code}): ${c.use_count} uses, expected ${expected}`);
  }
  items.push(item('coupon-within-limit', beyond, 'no coupon used beyond max_uses'));
  items.push(item('coupon-balance', exact ? couponsOff : [], 'use_count = initial + acknowledged orders with it − acknowledged cancellations', inexact));

  // Acknowledged orders.
  const acked = ledger.checkableOrders();
  const rows = await session.query<{ n: number; status: string | null; total: string | null }>(
    `SELECT a.n, os.name AS status, o.total::text AS total
       FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) WITH ORDINALITY AS a(region, id, created_at, n)
       LEFT JOIN order_processing.orders AS o ON o.region = a.region AND o.id = a.id AND o.created_at = a.created_at
       LEFT JOIN order_processing.order_statuses AS os ON os.id = o.status_id
      ORDER BY a.n`,
    [acked.map((o) => o.region), acked.map((o) => String(o.id)), acked.map((o) => o.createdAt.toISOString())],
  );
  const lost: string[] = [];
  for (const row of rows) {
    const o = acked[Number(row.n) - 1]!;
    const status = row.status;
    if (status === null) lost.push(`${o.region} ${o.id}: missing (acknowledged ${o.status})`);
    else if (status !== o.status) lost.push(`${o.region} ${o.id}: ${status}, acknowledged ${o.status}`);
    else if (row.total !== o.total) lost.push(`${o.region} ${o.id}: total ${row.total}, acknowledged ${o.total}`);
  }
  items.push(item('acknowledged-orders', lost, `${acked.length} acknowledged order(s) present, in their acknowledged state and total`));

  // The data rules of verify.
  const results = await runRules(session, DATA_RULES, [], 3, { errors: 'finding' });
  const broken = results.filter((r) => r.offenders > 0).map((r) => `${r.id}: ${r.offenders} offender(s), e.g. ${r.findings.map((f) => `${f.object} (${f.message})`).join('; ')}`);
  items.push(item('data-rules', broken, `${results.length} data rules of verify`));

  return { passed: items.every((i) => i.passed), items, inDoubt: ledger.inDoubt.slice(0, LISTED), ms: Date.now() - started };
}


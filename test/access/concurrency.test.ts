/**
 * Many buyers at once (32 connections) placing, paying and cancelling orders on a few hot
 * products with small stock and coupons with small limits, while the seller restocks. What must
 * hold afterwards, from what the clients were told (acknowledged) and what the database holds:
 *   - no stock below zero, and each product's stock = initial − units of live orders + restocks;
 *   - no coupon used more than its limit, and its use count = its live orders;
 *   - every acknowledged order present, with its lines and consistent totals, and cancelled
 *     exactly when its cancellation was acknowledged;
 *   - no error but the expected refusals (no deadlock, no serialization failure);
 *   - the data rules of `verify`.
 */
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelOrder, createCoupon, isEcomdbError, payOrder, placeOrder, publishListing, registerUser, updateListing, type PlacedOrder } from '../../src/access/index.ts';
import { seeded as random } from '../../src/bench/keys.ts';
import { DATA_RULES } from '../../src/verify/data-rules.ts';
import { runRules } from '../../src/verify/run.ts';
import { urlFor } from '../helpers/db.ts';
import { openTarget, type Target, type TargetKind } from './targets.ts';
import { HASH, makeWorld, type World } from './world.ts';

const CLIENTS = 32;
const ROUNDS = 12;
const HOT_PRODUCTS = 10;
const INITIAL_STOCK = 12;
const COUPON_LIMITS = [5, 3, 2];


interface Acknowledged {
  readonly order: PlacedOrder;
  readonly buyerId: number;
  readonly coupon: string | null;
  cancelled: boolean;
}

const KINDS: TargetKind[] = ['server', 'partitioned'];

describe.each(KINDS)('32 buyers at once on %s', (kind) => {
  let t: Target;
  let w: World;
  let dbName: string;
  const hot: number[] = [];
  const coupons: string[] = [];
  const buyers: number[] = [];
  const acknowledged: Acknowledged[] = [];
  const restocked = new Map<number, number>();
  const refusals = new Map<string, number>();
  const unexpected: string[] = [];

  beforeAll(async () => {
    t = await openTarget(kind, 'access_race');
    const [current] = await t.query<{ db: string }>('select current_database() as db');
    dbName = current!.db;
    w = await makeWorld(t);
    for (let i = 0; i < HOT_PRODUCTS; i++) {
      const price = `${(19.9 + i * 7.35).toFixed(2)}`;
      hot.push((await publishListing(t.db, { region: w.region, sellerId: w.seller, storeId: w.store, categoryId: w.category, title: `Oferta relámpago ${i}`, description: '', price, stock: INITIAL_STOCK, lowStockThreshold: 3 })).productId);
    }
    for (const [i, maxUses] of COUPON_LIMITS.entries()) {
      const code = `HOT${i}-${w.tag}`;
      await createCoupon(t.db, { region: w.region, actorId: w.marketer, code, percentage: 5 * (i + 1), maxUses, expiresAt: new Date(Date.now() + 86_400_000) });
      coupons.push(code);
    }
    for (let i = 0; i < CLIENTS; i++) {
      const address = { streetLine: `Calle ${i}`, city: 'La Plata', state: 'Buenos Aires', postalCode: 'B1900' };
      buyers.push((await registerUser(t.db, { region: w.region, name: `Comprador ${i}`, email: `c${i}.${w.tag}@example.com`.toLowerCase(), passwordHash: HASH, address })).userId);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  const refused = (error: unknown): boolean => {
    if (isEcomdbError(error) && (error.code === 'E_ACCESS_OUT_OF_STOCK' || error.code === 'E_ACCESS_COUPON')) {
      const key = error.code === 'E_ACCESS_COUPON' ? `${error.code}:${String(error.details.reason)}` : error.code;
      refusals.set(key, (refusals.get(key) ?? 0) + 1);
      return true;
    }
    unexpected.push(`${(error as { code?: string }).code ?? ''} ${(error as Error).message}`);
    return false;
  };

  async function buyer(i: number): Promise<void> {
    const sql = postgres(urlFor(dbName), { max: 1, onnotice: () => {} });
    const db = drizzle(sql);
    const next = random(1000 + i);
    const mine: Acknowledged[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const action = next();
        const live = mine.filter((a) => !a.cancelled);
        if (action < 0.3 && live.length > 0) {
          const victim = live[Math.floor(next() * live.length)]!;
          try {
            await cancelOrder(db, { region: w.region, buyerId: buyers[i]!, order: victim.order });
            victim.cancelled = true;
          } catch (error) {
            refused(error);
          }
          continue;
        }
        const count = 1 + Math.floor(next() * 3);
        const products = [...hot].sort(() => next() - 0.5).slice(0, count);
        const lines = products.map((productId) => ({ productId, quantity: 1 + Math.floor(next() * 3) }));
        const coupon = next() < 0.5 ? coupons[Math.floor(next() * coupons.length)]! : null;
        try {
          const order = await placeOrder(db, { region: w.region, buyerId: buyers[i]!, lines, ...(coupon && { couponCode: coupon }) });
          const ack: Acknowledged = { order, buyerId: buyers[i]!, coupon, cancelled: false };
          mine.push(ack);
          acknowledged.push(ack);
          if (next() < 0.5) await payOrder(db, { region: w.region, buyerId: buyers[i]!, order, payments: [{ method: 'credit_card', amount: order.total, outcome: 'approved' }] });
        } catch (error) {
          refused(error);
        }
      }
    } finally {
      await sql.end({ timeout: 5 });
    }
  }

  /** The seller restocks hot products now and then, while the buyers buy. */
  async function seller(): Promise<void> {
    const sql = postgres(urlFor(dbName), { max: 1, onnotice: () => {} });
    const db = drizzle(sql);
    const next = random(7);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const productId = hot[Math.floor(next() * hot.length)]!;
        await updateListing(db, { region: w.region, sellerId: w.seller, productId, restock: 2 });
        restocked.set(productId, (restocked.get(productId) ?? 0) + 2);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } catch (error) {
      unexpected.push(`seller: ${(error as Error).message}`);
    } finally {
      await sql.end({ timeout: 5 });
    }
  }

  it('runs with no error but the expected refusals, and the limits were reached', async () => {
    await Promise.all([...buyers.map((_, i) => buyer(i)), seller()]);
    expect(unexpected).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(CLIENTS);
    // The race was real: stock ran out and coupons were used up while others wanted them.
    expect(refusals.get('E_ACCESS_OUT_OF_STOCK') ?? 0).toBeGreaterThan(0);
    expect(refusals.get('E_ACCESS_COUPON:exhausted') ?? 0).toBeGreaterThan(0);
  });

  it('no stock below zero; each product\'s stock is its initial stock less the units of live orders plus restocks', async () => {
    const rows = await t.query<{ id: string; stock: number }>(`select id::text, stock from product_catalog.products where region = $1 and id = any($2::bigint[])`, [w.region, hot]);
    const actual = Object.fromEntries(rows.map((r) => [Number(r.id), r.stock]));
    const expected = Object.fromEntries(
      hot.map((p) => {
        const sold = acknowledged.filter((a) => !a.cancelled).flatMap((a) => a.order.lines).filter((l) => l.productId === p).reduce((n, l) => n + l.quantity, 0);
        return [p, INITIAL_STOCK + (restocked.get(p) ?? 0) - sold];
      }),
    );
    for (const stock of Object.values(actual)) expect(stock).toBeGreaterThanOrEqual(0);
    expect(actual).toEqual(expected);
  });

  it('no coupon beyond its limit; each coupon\'s use count equals its live acknowledged orders', async () => {
    const rows = await t.query<{ code: string; use_count: number; max_uses: number }>(`select code, use_count, max_uses from order_processing.coupons where region = $1 and code = any($2::text[])`, [w.region, coupons]);
    for (const row of rows) {
      const live = acknowledged.filter((a) => a.coupon === row.code && !a.cancelled).length;
      expect({ code: row.code, uses: row.use_count }).toEqual({ code: row.code, uses: live });
      expect(row.use_count).toBeLessThanOrEqual(row.max_uses);
    }
    expect(rows).toHaveLength(COUPON_LIMITS.length);
  });

  it('every acknowledged order is there with its lines and totals, cancelled exactly when acknowledged so', async () => {
    const orders = await t.query<{ id: string; created_at: Date; status: string; total: string; discount_total: string; lines: string }>(
      `select o.id::text, o.created_at, s.name as status, o.total::text, o.discount_total::text,
              (select string_agg(d.product_id || 'x' || d.quantity || '@' || d.unit_price, ',' order by d.product_id) from order_processing.order_details d
                where d.region = o.region and d.order_id = o.id and d.order_created_at = o.created_at) as lines
         from order_processing.orders o join order_processing.order_statuses s on s.id = o.status_id
        where o.region = $1 and o.buyer_id = any($2::bigint[])`,
      [w.region, buyers],
    );
    const byKey = new Map(orders.map((o) => [`${o.id}@${new Date(o.created_at).getTime()}`, o]));
    expect(orders).toHaveLength(acknowledged.length);
    for (const a of acknowledged) {
      const row = byKey.get(`${a.order.id}@${a.order.createdAt.getTime()}`);
      expect(row, `order ${a.order.id}`).toBeDefined();
      expect(row!.status === 'cancelled', `order ${a.order.id}`).toBe(a.cancelled);
      expect({ total: row!.total, discount: row!.discount_total }).toEqual({ total: a.order.total, discount: a.order.discountTotal });
      expect(row!.lines).toBe(a.order.lines.map((l) => `${l.productId}x${l.quantity}@${l.unitPrice}`).join(','));
    }
  });

  it('the data rules of verify hold', async () => {
    const results = await runRules({ query: (text, params = []) => t.query(text, params as unknown[]) }, DATA_RULES, [], 5, { errors: 'throw' });
    expect(results.filter((r) => r.offenders > 0)).toEqual([]);
  });
});

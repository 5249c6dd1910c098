/**
 * What the benchmark was told: the effects of every write the database acknowledged, kept while
 * the clients run so that the check afterwards (check.ts) can hold the database to them. A write
 * whose outcome is unknown (its connection broke before the answer) is recorded as in doubt.
 */
import type { SiteId } from '../../schema/values.ts';
import type { OrderStatus } from '../access/index.ts';

/** An order the bench acted on, and the state its last acknowledged operation left it in. */
export interface AcknowledgedOrder {
  readonly region: SiteId;
  readonly id: number;
  readonly createdAt: Date;
  status: OrderStatus;
  readonly total: string;
}

const key = (region: string, id: number) => `${region}:${id}`;
const orderKey = (region: string, id: number, createdAt: Date) => `${region}:${id}:${createdAt.getTime()}`;

export class Ledger {
  /** Units each product gained (restocks, cancellations) or lost (orders), by `region:id`. */
  readonly stock = new Map<string, number>();
  /** Uses each coupon gained (orders) or gave back (cancellations), by `region:id`. */
  readonly coupons = new Map<string, number>();
  /** Orders placed or moved by an acknowledged operation, by `region:id:createdAt`. */
  readonly orders = new Map<string, AcknowledgedOrder>();
  /** Writes whose outcome is unknown, described. */
  readonly inDoubt: string[] = [];
  /** Orders touched by a write in doubt: their state is not checked. */
  readonly doubtfulOrders = new Set<string>();

  addStock(region: SiteId, productId: number, units: number): void {
    const k = key(region, productId);
    this.stock.set(k, (this.stock.get(k) ?? 0) + units);
  }

  addCouponUses(region: SiteId, couponId: number, uses: number): void {
    const k = key(region, couponId);
    this.coupons.set(k, (this.coupons.get(k) ?? 0) + uses);
  }

  /** Record the state an acknowledged operation left an order in. */
  order(region: SiteId, id: number, createdAt: Date, status: OrderStatus, total: string): void {
    const k = orderKey(region, id, createdAt);
    const known = this.orders.get(k);
    if (known) known.status = status;
    else this.orders.set(k, { region, id, createdAt, status, total });
  }

  doubt(what: string, order?: { region: string; id: number; createdAt: Date }): void {
    this.inDoubt.push(what);
    if (order) this.doubtfulOrders.add(orderKey(order.region, order.id, order.createdAt));
  }

  stockDelta(region: string, productId: number): number {
    return this.stock.get(key(region, productId)) ?? 0;
  }

  couponDelta(region: string, couponId: number): number {
    return this.coupons.get(key(region, couponId)) ?? 0;
  }

  /** The acknowledged orders whose state is known (none of their writes in doubt). */
  checkableOrders(): AcknowledgedOrder[] {
    return [...this.orders.entries()].filter(([k]) => !this.doubtfulOrders.has(k)).map(([, o]) => o);
  }
}

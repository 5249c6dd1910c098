/** Seeds component 4: coupons, orders and their lines. Coupon use counts are set from the orders. */
import { coupons, orderDetails, orders } from '../schema/index.ts';
import { currencyOf } from '../schema/values.ts';
import { range, type CopySeed } from './table-seed.ts';
import { money, timestamp, type World } from './world.ts';

export const couponsSeed: CopySeed = {
  kind: 'copy',
  table: coupons,
  columns: ['region', 'id', 'code', 'percentage', 'fixed_amount', 'currency', 'max_uses', 'use_count', 'expires_at', 'is_active', 'created_at'],
  expected: (w) => w.layout.total('coupons'),
  *rows(w: World) {
    for (const c of range(w.layout.total('coupons'))) {
      const k = w.coupon(c);
      // use_count is 0 here and set from the orders that used the coupon once they are loaded.
      yield [k.region, c + 1, w.couponCode(c), k.percentage, k.fixedCents === null ? null : money(k.fixedCents), currencyOf(k.region), k.maxUses, 0, timestamp(k.expiresAt), k.isActive, timestamp(k.createdAt)];
    }
  },
};

export const ordersSeed: CopySeed = {
  kind: 'copy',
  table: orders,
  columns: ['region', 'id', 'buyer_id', 'status_id', 'coupon_id', 'shipping_address_id', 'discount_total', 'total', 'currency', 'created_at'],
  expected: (w) => w.layout.total('orders'),
  *rows(w: World) {
    for (const x of w.orders()) {
      yield [x.region, x.id, x.buyer + 1, x.status, x.coupon === null ? null : x.coupon + 1, x.address, money(x.discountCents), money(x.totalCents), currencyOf(x.region), timestamp(x.at)];
    }
  },
};

export const orderDetailsSeed: CopySeed = {
  kind: 'copy',
  table: orderDetails,
  columns: ['region', 'order_id', 'order_created_at', 'product_id', 'quantity', 'unit_price'],
  expected: (w) => Math.round(w.layout.total('orders') * 1.6),
  *rows(w: World) {
    for (const x of w.orders()) {
      const placed = timestamp(x.at);
      for (const line of x.lines) yield [x.region, x.id, placed, line.product + 1, line.quantity, money(line.unitCents)];
    }
  },
};

export const orderProcessingSeeds = [couponsSeed, ordersSeed, orderDetailsSeed];

/** Seeds component 6: payments of orders, some split across two methods, some rejected first. */
import { payments } from '../schema/index.ts';
import { currencyOf } from '../schema/values.ts';
import type { CopySeed } from './table-seed.ts';
import { S, money, timestamp, type World } from './world.ts';

export const paymentsSeed: CopySeed = {
  kind: 'copy',
  table: payments,
  columns: ['region', 'id', 'order_id', 'order_created_at', 'method_id', 'status_id', 'amount', 'currency', 'transaction_ref', 'created_at'],
  expected: (w) => Math.round(w.layout.total('orders') * 1.1),
  *rows(w: World) {
    for (const x of w.orders()) {
      const placed = timestamp(x.at);
      for (const p of x.payments) {
        const ref = `MP${p.id}-${w.random.int(S.Hash, p.id).toString(16).toUpperCase()}`;
        yield [x.region, p.id, x.id, placed, p.method, p.status, money(p.cents), currencyOf(x.region), ref, timestamp(p.at)];
      }
    }
  },
};

export const paymentsSeeds = [paymentsSeed];

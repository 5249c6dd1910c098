/** Seeds component 7: one shipment per paid order, its status agreeing with the order's. */
import { shipments } from '../schema/index.ts';
import type { CopySeed } from './table-seed.ts';
import { timestamp, type World } from './world.ts';

export const shipmentsSeed: CopySeed = {
  kind: 'copy',
  table: shipments,
  columns: ['region', 'id', 'order_id', 'order_created_at', 'status_id', 'carrier', 'tracking_number', 'shipped_at', 'delivered_at', 'created_at'],
  expected: (w) => Math.round(w.layout.total('orders') * 0.9),
  *rows(w: World) {
    for (const x of w.orders()) {
      if (!x.shipment || x.paidAt === null) continue;
      const carrier = w.carrier(x.index, x.region);
      const tracking = x.shipment.shippedAt === null ? null : `${carrier.slice(0, 2).toUpperCase()}${String(x.id).padStart(10, '0')}${x.region}`;
      yield [
        x.region, x.id, x.id, timestamp(x.at), x.shipment.status, carrier, tracking,
        x.shipment.shippedAt === null ? null : timestamp(x.shipment.shippedAt),
        x.shipment.deliveredAt === null ? null : timestamp(x.shipment.deliveredAt),
        timestamp(x.paidAt),
      ];
    }
  },
};

export const shippingLogisticsSeeds = [shipmentsSeed];

/**
 * The partition layout of the marketplace, stated once. `ecomdb partition` plans, generates and
 * applies everything from this module; nothing else in the code repeats it.
 *
 * Level 1, geography. Every region-scoped table is LIST-partitioned by `region`: each site
 * below gets its own partition, and every other site shares one DEFAULT partition. A site's
 * partitions can later be detached and handed to a server of its own, and a query that names
 * its region reads only its site. Reference tables (roles, statuses, categories) are small and
 * global: they stay plain tables.
 *
 * Level 2, time. The tables that grow with every visit or purchase, and are read by recent
 * time ranges, are RANGE-partitioned by month inside each site (and inside the DEFAULT):
 *   - orders and their lines: the busiest tables, read as "this buyer's recent orders" and
 *     "this site's sales of the last 30 days". Lines are partitioned on their order's
 *     created_at, so an order and its lines always sit in the same month.
 *   - payments: one or more per order, read by recent dates for reconciliation.
 *     They are split on their own time, not their order's: an order's payments are found
 *     between the order's created_at and the end of its 7-day payment window (CHECKs
 *     payments_after_order and payments_within_payment_window), one or two months.
 *   - messages, search history, recommendation logs: append-only logs, the largest tables by
 *     row count and the first to be archived month by month.
 * A month partition exists for every month that holds rows and for `monthsAhead` months after
 * the current one (`ecomdb partition months` keeps that true). There is no DEFAULT month: a row
 * for a month without a partition is refused loudly, never parked where queries cannot prune.
 *
 * The price of level 2: a key of a monthly table must contain its month column, so those
 * tables' primary keys carry it and references to an order carry its created_at (see
 * migrations/0003_schema.sql). Tables read by key rather than by time (users, products,
 * shipments, reviews, ...) are not split by month.
 */
import { AUDIT_TRAIL } from './audit.ts';
import type { SiteId } from './values.ts';

export interface MonthlyTable {
  /** The time column the table is split on, by calendar month (UTC). */
  readonly column: string;
}

export interface PartitionLayout {
  /** Sites with partitions of their own, in this order; every other site goes to DEFAULT. */
  readonly sites: readonly SiteId[];
  /** Tables split by month inside each site, by `schema.table`, with their time column. */
  readonly monthly: Readonly<Record<string, MonthlyTable>>;
  /**
   * Tables that are not region-scoped and are split by month only, created partitioned by their
   * migration (the audit trail): `ecomdb partition months` and the seed keep their months ahead too.
   */
  readonly monthlyOnly: Readonly<Record<string, MonthlyTable>>;
  /** Month partitions kept ready after the current month. */
  readonly monthsAhead: number;
  /** Where `ecomdb partition detach` puts a site's detached tables, out of the live schemas. */
  readonly archiveSchema: string;
}

export const PARTITION_LAYOUT: PartitionLayout = {
  sites: ['MLB', 'MLA', 'MLM', 'MCO'],
  monthly: {
    'order_processing.orders': { column: 'created_at' },
    'order_processing.order_details': { column: 'order_created_at' },
    'payments.payments': { column: 'created_at' },
    'messaging.messages': { column: 'sent_at' },
    'recommendations.user_search_history': { column: 'searched_at' },
    'recommendations.recommendation_logs': { column: 'shown_at' },
  },
  monthlyOnly: {
    [AUDIT_TRAIL]: { column: 'at' },
  },
  monthsAhead: 3,
  archiveSchema: 'archive',
};

/**
 * The audit trail, declared once: which tables are audited, how a row of each is identified, and
 * which of its columns never reach the trail. `ecomdb generate` turns this into the migration that
 * creates the `audit` schema, its table, its functions and one trigger per audited table
 * (src/generate/audit.ts); `ecomdb audit tail` reads it.
 *
 * The trail is one table, `audit.trail`, RANGE-partitioned by month on `at` (like the monthly
 * tables of schema/partitions.ts, whose `monthsAhead` it follows), append-only: no application
 * role may insert, update, delete or truncate it, and a trigger refuses UPDATE, DELETE and
 * TRUNCATE even to a role granted them. Old and new rows are kept as jsonb in the columns `old`
 * and `new`, so that an eraser of personal data finds them by type like any other column.
 */
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { categories } from './product-catalog.ts';
import { coupons } from './order-processing.ts';
import { payments } from './payments.ts';
import { stores } from './seller-management.ts';
import { users } from './user-management.ts';
import { REFERENCE_DATA } from './index.ts';

export const AUDIT_SCHEMA = 'audit';
export const AUDIT_TABLE = 'trail';

/** `audit.trail`. */
export const AUDIT_TRAIL = `${AUDIT_SCHEMA}.${AUDIT_TABLE}`;

/** The operations the trail records: row changes, TRUNCATE, and one row per `ecomdb seed`. */
export const AUDIT_OPERATIONS = ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'SEED'] as const;

export interface AuditedTable {
  readonly table: PgTable;
  /** Columns whose values are written to the trail as `"[redacted]"` (secrets, not history). */
  readonly redact?: readonly string[];
}

/**
 * The sensitive tables: accounts and their role (users.role_id is the role membership), stores,
 * payments, coupons, and the reference data (roles, statuses, methods, categories).
 */
export const AUDITED_TABLES: readonly AuditedTable[] = [
  { table: users, redact: ['password_hash'] },
  { table: stores },
  { table: payments },
  { table: coupons },
  ...REFERENCE_DATA.map(({ table }) => ({ table })),
  { table: categories },
];

/** `schema.table` of a drizzle table. */
export function tableId(table: PgTable): string {
  const config = getTableConfig(table);
  return `${config.schema ?? 'public'}.${config.name}`;
}

/** The primary key columns of a drizzle table, in key order. */
export function keyColumns(table: PgTable): string[] {
  const config = getTableConfig(table);
  const composite = config.primaryKeys[0];
  if (composite) return composite.columns.map((c) => c.name);
  return config.columns.filter((c) => c.primary).map((c) => c.name);
}

/** `schema.table` of every audited table, in declaration order. */
export function auditedTableIds(): string[] {
  return AUDITED_TABLES.map((a) => tableId(a.table));
}

/**
 * ecomdb/migrations: what an application needs from the migrations at start-up.
 *
 * @example
 *   import postgres from 'postgres';
 *   import { drizzle } from 'drizzle-orm/postgres-js';
 *   import { assertCurrent } from 'ecomdb/migrations';
 *   await assertCurrent(drizzle(postgres(process.env.DATABASE_URL!)));   // E_STATUS_BEHIND / E_STATUS_AHEAD
 */
export { assertCurrent, checkMigrations, type CheckOptions, type HistoryState, type MigrationCheck } from './check.ts';
export type { AppliedMigration, Problem } from './plan.ts';
export { EcomdbError, isEcomdbError, type ErrorCode } from '../errors.ts';

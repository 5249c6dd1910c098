/**
 * The seeders of the ten components, in the order they load: parents before children, and the
 * SQL-derived tables (reviews, ads) after the tables they read.
 */
import { userManagementSeeds } from './user-management.ts';
import { sellerManagementSeeds } from './seller-management.ts';
import { productCatalogSeeds } from './product-catalog.ts';
import { orderProcessingSeeds } from './order-processing.ts';
import { reviewsQuestionsSeeds } from './reviews-questions.ts';
import { paymentsSeeds } from './payments.ts';
import { shippingLogisticsSeeds } from './shipping-logistics.ts';
import { marketingSeeds } from './marketing.ts';
import { messagingSeeds } from './messaging.ts';
import { recommendationsSeeds } from './recommendations.ts';
import type { TableSeed } from './table-seed.ts';

const copyFirst = (seeds: readonly TableSeed[]) => [...seeds.filter((s) => s.kind === 'copy'), ...seeds.filter((s) => s.kind === 'sql')];

export const TABLE_SEEDS: readonly TableSeed[] = copyFirst([
  ...userManagementSeeds,
  ...sellerManagementSeeds,
  ...productCatalogSeeds,
  ...marketingSeeds,
  ...orderProcessingSeeds,
  ...paymentsSeeds,
  ...shippingLogisticsSeeds,
  ...reviewsQuestionsSeeds,
  ...messagingSeeds,
  ...recommendationsSeeds,
]);

export { World, PER_SCALE, type WorldOptions } from './world.ts';
export type { TableSeed, CopySeed, SqlSeed, Cell } from './table-seed.ts';
export { seededPassword, seededPasswordHash, seededSalt, SEED_HASH_COST } from './passwords.ts';

/**
 * ecomdb's query library: the marketplace's business operations as typed functions over the
 * drizzle schema, one module per component. Each takes a drizzle database (postgres.js or
 * PGlite) or a transaction and its parameters, performs one operation of one role, and returns a
 * typed result or throws an EcomdbError with an E_ACCESS_* code (nothing it would have written
 * is kept). Errors PostgreSQL raises for other reasons (a lost connection, a lock timeout) pass
 * through as drizzle's DrizzleQueryError, with the driver's error (and its SQLSTATE) as `.cause`.
 *
 * @example
 *   import { drizzle } from 'drizzle-orm/postgres-js';
 *   import postgres from 'postgres';
 *   import { placeOrder, payOrder } from 'ecomdb/access';
 *   const db = drizzle(postgres(url));
 *   const order = await placeOrder(db, { region: 'MLB', buyerId: 12, lines: [{ productId: 7, quantity: 2 }], couponCode: 'BEMVINDO1' });
 *   await payOrder(db, { region: 'MLB', buyerId: 12, order, payments: [{ method: 'credit_card', amount: order.total, outcome: 'approved' }] });
 */
import type { AccessDb } from './db.ts';
import { addAddress, registerUser } from './user-management.ts';
import { lowStockAlerts, openStore, storeSalesReport } from './seller-management.ts';
import { addDiscount, productPage, publishListing, searchProducts, updateListing } from './product-catalog.ts';
import { cancelOrder, createCoupon, orderHistory, placeOrder } from './order-processing.ts';
import { payOrder } from './payments.ts';
import { deliverOrder, shipOrder, trackOrder } from './shipping-logistics.ts';
import { answerQuestion, askQuestion, reviewProduct } from './reviews-questions.ts';
import { messageSeller } from './messaging.ts';
import { campaignPerformance, createAd, createCampaign, recordAdEvents } from './marketing.ts';
import { recommendProducts, recordSearch } from './recommendations.ts';
import { deliveryTimes, refreshBiViews, searchConversion, storeSalesRanking, topProducts } from './bi.ts';
import { assignRole, banQuestion, moderateReview, reactivateUser, suspendUser } from './administration.ts';
import { addCategory, describeReference, updateCategory } from './reference-data.ts';
import { maintenanceReport, purgeSearchHistory } from './maintenance.ts';

export * from './db.ts';
export * from './as-user.ts';
export * from './user-management.ts';
export * from './seller-management.ts';
export * from './product-catalog.ts';
export * from './order-processing.ts';
export * from './payments.ts';
export * from './shipping-logistics.ts';
export * from './reviews-questions.ts';
export * from './messaging.ts';
export * from './marketing.ts';
export * from './recommendations.ts';
export * from './bi.ts';
export * from './administration.ts';
export * from './reference-data.ts';
export * from './maintenance.ts';
export { ORDER_STATUS, PAYMENT_METHOD, PAYMENT_STATUS, SHIPMENT_STATUS, ROLE } from './reference.ts';
export type { OrderStatus, PaymentMethod, PaymentStatus, ShipmentStatus, Role } from './reference.ts';
export { EcomdbError, isEcomdbError, type ErrorCode } from '../errors.ts';
/** The search_path to give the connection the library runs on (README, 'A search_path that cannot be hijacked'). */
export { FIXED_SEARCH_PATH } from '../db/search-path.ts';

export type Actor = 'buyer' | 'seller' | 'marketing' | 'bi_analyst' | 'administrator' | 'platform_manager' | 'dba';

export interface Operation {
  readonly run: (db: AccessDb, params: never) => Promise<unknown>;
  /** The role that performs it. */
  readonly actor: Actor;
  /** Only reads: may run on a replica (a read node lags, so not right after the caller's own write). */
  readonly readOnly: boolean;
}

const op = <P>(run: (db: AccessDb, params: P) => Promise<unknown>, actor: Actor, readOnly = false): Operation => ({ run: run as Operation['run'], actor, readOnly });

/** Every operation by name, with its role and whether it only reads: what a load generator draws from. */
export const OPERATIONS = {
  registerUser: op(registerUser, 'buyer'),
  addAddress: op(addAddress, 'buyer'),
  searchProducts: op(searchProducts, 'buyer', true),
  recordSearch: op(recordSearch, 'buyer'),
  productPage: op(productPage, 'buyer', true),
  placeOrder: op(placeOrder, 'buyer'),
  payOrder: op(payOrder, 'buyer'),
  cancelOrder: op(cancelOrder, 'buyer'),
  trackOrder: op(trackOrder, 'buyer', true),
  orderHistory: op(orderHistory, 'buyer', true),
  reviewProduct: op(reviewProduct, 'buyer'),
  askQuestion: op(askQuestion, 'buyer'),
  messageSeller: op(messageSeller, 'buyer'),
  recommendProducts: op(recommendProducts, 'buyer', true),
  openStore: op(openStore, 'seller'),
  publishListing: op(publishListing, 'seller'),
  updateListing: op(updateListing, 'seller'),
  addDiscount: op(addDiscount, 'seller'),
  lowStockAlerts: op(lowStockAlerts, 'seller', true),
  answerQuestion: op(answerQuestion, 'seller'),
  shipOrder: op(shipOrder, 'seller'),
  deliverOrder: op(deliverOrder, 'seller'),
  storeSalesReport: op(storeSalesReport, 'seller', true),
  createCampaign: op(createCampaign, 'marketing'),
  createAd: op(createAd, 'marketing'),
  recordAdEvents: op(recordAdEvents, 'marketing'),
  createCoupon: op(createCoupon, 'marketing'),
  campaignPerformance: op(campaignPerformance, 'marketing', true),
  storeSalesRanking: op(storeSalesRanking, 'bi_analyst', true),
  topProducts: op(topProducts, 'bi_analyst', true),
  deliveryTimes: op(deliveryTimes, 'bi_analyst', true),
  searchConversion: op(searchConversion, 'bi_analyst', true),
  refreshBiViews: op(refreshBiViews, 'bi_analyst'),
  suspendUser: op(suspendUser, 'administrator'),
  reactivateUser: op(reactivateUser, 'administrator'),
  assignRole: op(assignRole, 'administrator'),
  moderateReview: op(moderateReview, 'administrator'),
  banQuestion: op(banQuestion, 'administrator'),
  addCategory: op(addCategory, 'platform_manager'),
  updateCategory: op(updateCategory, 'platform_manager'),
  describeReference: op(describeReference, 'platform_manager'),
  maintenanceReport: op(maintenanceReport, 'dba', true),
  purgeSearchHistory: op(purgeSearchHistory, 'dba'),
} as const satisfies Record<string, Operation>;

export type OperationName = keyof typeof OPERATIONS;

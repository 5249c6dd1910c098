/**
 * The ecomdb schema: 25 entities in 10 components, one PostgreSQL schema per component.
 * drizzle-kit reads the tables, enums and schemas exported here; ecomdb reads COMPONENTS.
 */
import type { Component } from './component.ts';
import { userManagementComponent } from './user-management.ts';
import { sellerManagementComponent } from './seller-management.ts';
import { productCatalogComponent } from './product-catalog.ts';
import { orderProcessingComponent } from './order-processing.ts';
import { reviewsQuestionsComponent } from './reviews-questions.ts';
import { paymentsComponent } from './payments.ts';
import { shippingLogisticsComponent } from './shipping-logistics.ts';
import { marketingComponent } from './marketing.ts';
import { messagingComponent } from './messaging.ts';
import { recommendationsComponent } from './recommendations.ts';
import { roles } from './user-management.ts';
import { orderStatuses } from './order-processing.ts';
import { paymentMethods, paymentStatuses } from './payments.ts';
import { shipmentStatuses } from './shipping-logistics.ts';
import { ORDER_STATUSES, PAYMENT_METHODS, PAYMENT_STATUSES, ROLES, SHIPMENT_STATUSES } from './values.ts';

export type { Component, TableDoc } from './component.ts';
export * from './values.ts';
export * from './columns.ts';
export * from './user-management.ts';
export * from './seller-management.ts';
export * from './product-catalog.ts';
export * from './order-processing.ts';
export * from './reviews-questions.ts';
export * from './payments.ts';
export * from './shipping-logistics.ts';
export * from './marketing.ts';
export * from './messaging.ts';
export * from './recommendations.ts';
export * from './views.ts';
export * from './security.ts';

/** The ten components, in the order of the paper. */
export const COMPONENTS: readonly Component[] = [
  userManagementComponent,
  sellerManagementComponent,
  productCatalogComponent,
  orderProcessingComponent,
  reviewsQuestionsComponent,
  paymentsComponent,
  shippingLogisticsComponent,
  marketingComponent,
  messagingComponent,
  recommendationsComponent,
];

/** The rows every database starts with: each reference table and the value list that fills it. */
export const REFERENCE_DATA = [
  { table: roles, values: ROLES },
  { table: orderStatuses, values: ORDER_STATUSES },
  { table: paymentMethods, values: PAYMENT_METHODS },
  { table: paymentStatuses, values: PAYMENT_STATUSES },
  { table: shipmentStatuses, values: SHIPMENT_STATUSES },
] as const;

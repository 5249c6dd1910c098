/**
 * The ids of the reference rows the library writes (order, payment and shipment statuses,
 * payment methods, roles), derived from the value lists of schema/values.ts: a row's id is its
 * position in its list, from 1, and the lists only ever grow at the end.
 */
import { ORDER_STATUSES, PAYMENT_METHODS, PAYMENT_STATUSES, ROLES, SHIPMENT_STATUSES, type ReferenceValue } from '../../schema/values.ts';

type Ids<T extends readonly ReferenceValue[]> = { readonly [K in T[number]['name']]: number };

function idsOf<T extends readonly ReferenceValue[]>(values: T): Ids<T> {
  return Object.fromEntries(values.map((v, i) => [v.name, i + 1])) as Ids<T>;
}

/** The name of the row with `id` in `values`. */
export function nameOf<T extends readonly ReferenceValue[]>(values: T, id: number): T[number]['name'] {
  return values[id - 1]!.name;
}

export const ORDER_STATUS = idsOf(ORDER_STATUSES);
export const PAYMENT_STATUS = idsOf(PAYMENT_STATUSES);
export const PAYMENT_METHOD = idsOf(PAYMENT_METHODS);
export const SHIPMENT_STATUS = idsOf(SHIPMENT_STATUSES);
export const ROLE = idsOf(ROLES);

export type OrderStatus = (typeof ORDER_STATUSES)[number]['name'];
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number]['name'];
export type PaymentMethod = (typeof PAYMENT_METHODS)[number]['name'];
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number]['name'];
export type Role = (typeof ROLES)[number]['name'];

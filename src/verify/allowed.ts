/**
 * Deliberate exceptions, each with its reason: a finding on one of these objects is reported as
 * allowed, not as a failure. Keep this list short; every entry is a design decision.
 */
export interface Allowance {
  readonly rule: string;
  readonly object: string;
  readonly reason: string;
}

export const ALLOWED: readonly Allowance[] = [
  {
    rule: 'catalog/natural-key-not-null',
    object: 'messaging.conversations.conversations_region_order_id_key',
    reason: 'not a natural key but "at most one conversation per order": pre-sale and store conversations have no order',
  },
  {
    rule: 'catalog/natural-key-not-null',
    object: 'shipping_logistics.shipments.shipments_region_carrier_tracking_number_key',
    reason: 'a tracking number is unique per carrier once the carrier assigns one, which happens when the package ships',
  },
];

export function allowance(rule: string, object: string): Allowance | undefined {
  return ALLOWED.find((a) => a.rule === rule && a.object === object);
}

/**
 * Deliberate exceptions, each with its reason: a finding on one of these objects is reported as
 * allowed, not as a failure. Keep this list short; every entry is a design decision.
 */
export interface Allowance {
  readonly rule: string;
  readonly object: string;
  readonly reason: string;
}

const CURRENCY_REASON =
  'deliberate: the currency is stored next to every amount so that an amount is never read without it; a CHECK keeps it equal to the site\'s currency, so the copies cannot disagree';

export const ALLOWED: readonly Allowance[] = [
  ...['marketing.ads', 'marketing.campaigns', 'order_processing.coupons', 'order_processing.orders', 'payments.payments', 'product_catalog.products'].map(
    (table) => ({ rule: 'normalization', object: `${table}.currency`, reason: CURRENCY_REASON }),
  ),
  {
    rule: 'normalization',
    object: 'order_processing.orders.buyer_id',
    reason: 'the buyer is the order\'s own fact; the shipping address also determines it, and the composite foreign key (region, buyer_id, shipping_address_id) uses exactly that to prove the address is the buyer\'s',
  },
  {
    rule: 'normalization',
    object: 'order_processing.order_details.unit_price',
    reason: 'deliberate: the price at the time of sale is copied into the line; the product\'s price changes later',
  },
  {
    rule: 'normalization',
    object: 'product_catalog.products.category_id',
    reason: 'a sample artefact: titles are free text, and in seeded data a title\'s words come from its category',
  },
  {
    rule: 'normalization',
    object: 'reviews_questions.questions.answer',
    reason: 'a sample artefact: the seed answers each canned question with one canned answer',
  },
  {
    rule: 'normalization',
    object: 'reviews_questions.questions.body',
    reason: 'a sample artefact: the seed answers each canned question with one canned answer',
  },
  {
    rule: 'normalization',
    object: 'user_management.addresses.state',
    reason: 'a sample artefact: the seeded cities of a site have distinct names, so the city gives the state; real ones repeat across states (Santa Rosa, San Pedro), and a postal address names both',
  },
  {
    rule: 'normalization',
    object: 'marketing.campaigns.status',
    reason: 'a sample artefact: seeded campaigns named after the same sale event (Hot Sale 2026) run around the same dates, so they share a status at the end of the history',
  },
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

/** The allowance for `object` under `rule`; an entry for a category (`normalization`) covers its rules. */
export function allowance(rule: string, object: string): Allowance | undefined {
  return ALLOWED.find((a) => (a.rule === rule || rule.startsWith(`${a.rule}/`)) && a.object === object);
}

/**
 * Value lists of the marketplace, written once and reused by the schema (enums, CHECKs,
 * reference rows), the seeders and the checks. Append to a list; never reorder it: the
 * position of a reference row is its stable id.
 */
import { EcomdbError, type ErrorCode } from '../src/errors.ts';

/** A Mercado Libre site: the unit of region for partitioning, residency and currency. */
export interface Site {
  readonly id: string;
  readonly country: string;
  readonly currency: string;
  /** Share of marketplace volume (first half of 2025), used to weight seeded data. */
  readonly share: number;
}

/**
 * Every site ecomdb accepts as a region. The first seven carry the seeded volume shares
 * (MCO, MLC, MLU and MPE split the 4.2 % "others"); the rest are valid but small
 * (docs/design.md, 'Sites and regions').
 */
export const SITES = [
  { id: 'MLB', country: 'Brazil', currency: 'BRL', share: 0.515 },
  { id: 'MLA', country: 'Argentina', currency: 'ARS', share: 0.229 },
  { id: 'MLM', country: 'Mexico', currency: 'MXN', share: 0.214 },
  { id: 'MCO', country: 'Colombia', currency: 'COP', share: 0.018 },
  { id: 'MLC', country: 'Chile', currency: 'CLP', share: 0.012 },
  { id: 'MLU', country: 'Uruguay', currency: 'UYU', share: 0.006 },
  { id: 'MPE', country: 'Peru', currency: 'PEN', share: 0.006 },
  { id: 'MEC', country: 'Ecuador', currency: 'USD', share: 0 },
  { id: 'MBO', country: 'Bolivia', currency: 'BOB', share: 0 },
  { id: 'MPY', country: 'Paraguay', currency: 'PYG', share: 0 },
  { id: 'MCR', country: 'Costa Rica', currency: 'CRC', share: 0 },
  { id: 'MPA', country: 'Panama', currency: 'PAB', share: 0 },
  { id: 'MRD', country: 'Dominican Republic', currency: 'DOP', share: 0 },
  { id: 'MGT', country: 'Guatemala', currency: 'GTQ', share: 0 },
  { id: 'MHN', country: 'Honduras', currency: 'HNL', share: 0 },
  { id: 'MNI', country: 'Nicaragua', currency: 'NIO', share: 0 },
  { id: 'MSV', country: 'El Salvador', currency: 'USD', share: 0 },
  { id: 'MLV', country: 'Venezuela', currency: 'VES', share: 0 },
  { id: 'MCU', country: 'Cuba', currency: 'CUP', share: 0 },
] as const satisfies readonly Site[];

export type SiteId = (typeof SITES)[number]['id'];
export const SITE_IDS = SITES.map((s) => s.id) as unknown as readonly [SiteId, ...SiteId[]];

const SITES_HINT = `use site ids: ${SITE_IDS.join(', ')}`;

/** True when `id` is a site id exactly as ecomdb spells it (upper case, no blanks). */
export function isSiteId(id: string): id is SiteId {
  return (SITE_IDS as readonly string[]).includes(id);
}

/**
 * Every id must be a known site, exactly as written: for declarations (the read layer's
 * topology) that are used as they are. Throws `code`, naming `where` and every unknown id.
 */
export function assertSites(ids: readonly string[], code: ErrorCode, where = 'region'): asserts ids is readonly SiteId[] {
  const unknown = ids.filter((id) => !isSiteId(id));
  if (unknown.length > 0) {
    throw new EcomdbError(code, `${where}: unknown ${unknown.length === 1 ? 'site' : 'sites'} ${unknown.map((id) => JSON.stringify(id)).join(', ')}`, {
      hint: SITES_HINT,
      details: { unknown },
    });
  }
}

/**
 * Site ids typed by a user (`mla`, ` MLB `): trimmed, upper-cased, checked, without repeats.
 * An empty list is refused too. Throws `code` (E_USAGE unless the command has its own).
 */
export function parseSites(inputs: readonly string[], code: ErrorCode = 'E_USAGE', where = 'region'): SiteId[] {
  const ids = inputs.map((input) => input.trim().toUpperCase());
  if (ids.length === 0) throw new EcomdbError(code, `${where}: no site given`, { hint: SITES_HINT });
  assertSites(ids, code, where);
  return [...new Set(ids)];
}

/** One site id typed by a user; see parseSites. */
export function parseSite(input: string, code: ErrorCode = 'E_USAGE', where = 'region'): SiteId {
  return parseSites([input], code, where)[0]!;
}

/** The currency a site trades in. */
export function currencyOf(site: SiteId): string {
  return SITES.find((s) => s.id === site)!.currency;
}

/** A row of a small, global reference table: a stable machine name and a sentence for people. */
export interface ReferenceValue {
  readonly name: string;
  readonly description: string;
}

/**
 * The stable id of a reference row: its position in its value list, counted from 1. The
 * migrations insert the rows with these ids; seeders use them instead of repeating numbers.
 */
export function referenceId<const L extends readonly ReferenceValue[]>(list: L, name: L[number]['name']): number {
  const index = list.findIndex((value) => value.name === name);
  if (index < 0) throw new RangeError(`no reference value named ${name}`);
  return index + 1;
}

/** `{ name: id }` for every row of a value list. */
export function referenceIds<const L extends readonly ReferenceValue[]>(list: L): { readonly [K in L[number]['name']]: number } {
  return Object.fromEntries(list.map((value) => [value.name, referenceId(list, value.name)])) as never;
}

/** The seven user roles of the paper; each is also a PostgreSQL role of least privilege. */
export const ROLES = [
  { name: 'user', description: 'Buyer: browses, searches, asks, orders, pays, reviews.' },
  { name: 'seller', description: 'Runs a store: publishes products, answers questions, ships orders, runs campaigns.' },
  { name: 'dba', description: 'Database administrator: backups, replicas, partitions, indexes, monitoring, audit.' },
  { name: 'administrator', description: 'Platform administrator: manages accounts, moderation and disputes.' },
  { name: 'platform_manager', description: 'Oversees marketplace operations, categories and policies.' },
  { name: 'bi_analyst', description: 'Reads sales, logistics and behaviour data for reports; writes nothing.' },
  { name: 'marketing_specialist', description: 'Plans campaigns, coupons and ads and reads their metrics.' },
] as const satisfies readonly ReferenceValue[];

export const ORDER_STATUSES = [
  { name: 'payment_required', description: 'Placed; waiting for an approved payment.' },
  { name: 'paid', description: 'Payments approved for the full total; waiting for the seller to ship.' },
  { name: 'shipped', description: 'Handed to the carrier.' },
  { name: 'delivered', description: 'Received by the buyer.' },
  { name: 'cancelled', description: 'Cancelled before delivery; any payment is refunded.' },
  { name: 'refunded', description: 'Delivered or paid, then returned and refunded.' },
] as const satisfies readonly ReferenceValue[];

export const PAYMENT_METHODS = [
  { name: 'credit_card', description: 'Credit card, possibly in instalments.' },
  { name: 'debit_card', description: 'Debit card.' },
  { name: 'bank_transfer', description: 'Instant bank transfer (PIX, CBU/CVU, SPEI, PSE).' },
  { name: 'wallet', description: 'Balance of the marketplace wallet.' },
  { name: 'cash_voucher', description: 'Voucher paid in cash at a store (boleto, OXXO, Rapipago, Efecty).' },
] as const satisfies readonly ReferenceValue[];

/**
 * How long an order waits for its payments: every payment of an order is made within this many
 * days of the order (CHECK payments_within_payment_window). A cash voucher or bank transfer
 * expires unpaid after three days; an order still unpaid after the window is past paying, and
 * the buyer places a new one. On the partitioned layout the window bounds the months in which
 * an order's payments can lie, so finding them reads one or two months, not every month after
 * the order.
 */
export const PAYMENT_WINDOW_DAYS = 7;

export const PAYMENT_STATUSES = [
  { name: 'pending', description: 'Created; the processor has not answered yet.' },
  { name: 'approved', description: 'Money captured.' },
  { name: 'rejected', description: 'Refused by the processor or the issuer.' },
  { name: 'refunded', description: 'Captured, then returned to the buyer.' },
  { name: 'charged_back', description: 'Reversed by the card issuer after a dispute.' },
] as const satisfies readonly ReferenceValue[];

export const SHIPMENT_STATUSES = [
  { name: 'pending', description: 'Created; the order is not ready yet.' },
  { name: 'handling', description: 'The seller is preparing the package.' },
  { name: 'ready_to_ship', description: 'Packed and labelled; waiting for the carrier.' },
  { name: 'shipped', description: 'In transit with the carrier.' },
  { name: 'delivered', description: 'Received by the buyer.' },
  { name: 'not_delivered', description: 'The carrier could not deliver it; returned or lost.' },
] as const satisfies readonly ReferenceValue[];

/** Small closed sets that live in enums: they change only with the code that uses them. */
export const USER_STATUSES = ['active', 'suspended', 'closed'] as const;
export const PRODUCT_CONDITIONS = ['new', 'used', 'refurbished'] as const;
export const PRODUCT_STATUSES = ['active', 'paused', 'closed', 'under_review'] as const;
export const MODERATION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export const QUESTION_STATUSES = ['unanswered', 'answered', 'banned'] as const;
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'active', 'paused', 'finished'] as const;
export const CONVERSATION_KINDS = ['order', 'pre_sale', 'store'] as const;
export const CONVERSATION_STATUSES = ['open', 'closed', 'escalated'] as const;
export const RECOMMENDATION_SOURCES = ['search_history', 'purchase_history', 'similar_products', 'trending'] as const;

/**
 * A well-formed stored password: an argon2id PHC string, version 19, its cost parameters (m, t,
 * p in either order after m: the reference implementation writes m,t,p, the node argon2 library
 * m,p,t), a 16-byte salt and a 32-byte digest in unpadded standard base64 — 22 and 43
 * characters, whose last character can only carry the 2 and 4 bits left over. Written for both
 * PostgreSQL's regular expressions (the CHECK on users.password_hash) and JavaScript's.
 */
export const PASSWORD_HASH_PATTERN =
  '^\\$argon2id\\$v=19\\$m=[1-9][0-9]{0,9},(t=[1-9][0-9]{0,9},p=[1-9][0-9]{0,7}|p=[1-9][0-9]{0,7},t=[1-9][0-9]{0,9})' +
  '\\$[A-Za-z0-9+/]{21}[AQgw]\\$[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]$';

/**
 * The declared mix of a benchmark: which operations of the query library run, and in what share
 * of the calls. Pure: parsed and checked before anything connects, so a bad mix is refused with
 * E_BENCH_MIX and nothing runs.
 *
 *   --mix searchProducts=40,productPage=30,placeOrder=15,payOrder=10,storeSalesRanking=5
 *   --mix-file mix.json      { "searchProducts": 40, "productPage": 30, ... }
 *
 * Shares are percentages and add up to 100.
 */
import { EcomdbError } from '../errors.ts';
import { OPERATIONS, type OperationName } from '../access/index.ts';

/** What part of the marketplace an operation belongs to, for the default mix and the reports. */
export type Family = 'catalog' | 'orders' | 'seller' | 'bi';

/** The operations the bench can drive (it finds their keys in a seeded database), by family. */
export const BENCH_OPERATIONS = {
  searchProducts: 'catalog',
  productPage: 'catalog',
  recommendProducts: 'catalog',
  recordSearch: 'catalog',
  placeOrder: 'orders',
  payOrder: 'orders',
  cancelOrder: 'orders',
  trackOrder: 'orders',
  orderHistory: 'orders',
  updateListing: 'seller',
  addDiscount: 'seller',
  shipOrder: 'seller',
  deliverOrder: 'seller',
  lowStockAlerts: 'seller',
  storeSalesReport: 'seller',
  storeSalesRanking: 'bi',
  topProducts: 'bi',
  deliveryTimes: 'bi',
  searchConversion: 'bi',
  refreshBiViews: 'bi',
} as const satisfies Partial<Record<OperationName, Family>>;

export type BenchOperation = keyof typeof BENCH_OPERATIONS;

/** One operation of a mix and its share of the calls, in percent. */
export interface MixEntry {
  readonly operation: BenchOperation;
  readonly share: number;
}

export type Mix = readonly MixEntry[];

/**
 * The default: 70 % catalog reads and searches, 20 % order and payment flows (place, pay,
 * cancel, track, history), 5 % seller updates, 5 % BI (the materialized views).
 */
export const DEFAULT_MIX: Mix = [
  { operation: 'searchProducts', share: 35 },
  { operation: 'productPage', share: 30 },
  { operation: 'recommendProducts', share: 5 },
  { operation: 'placeOrder', share: 7 },
  { operation: 'payOrder', share: 4 },
  { operation: 'cancelOrder', share: 2 },
  { operation: 'trackOrder', share: 4 },
  { operation: 'orderHistory', share: 3 },
  { operation: 'updateListing', share: 3 },
  { operation: 'addDiscount', share: 1 },
  { operation: 'shipOrder', share: 1 },
  { operation: 'storeSalesRanking', share: 2 },
  { operation: 'topProducts', share: 1 },
  { operation: 'deliveryTimes', share: 1 },
  { operation: 'searchConversion', share: 1 },
];

/** How far from 100 the shares may add up (decimals written by people). */
const TOLERANCE = 1e-6;

const known = Object.keys(BENCH_OPERATIONS).join(', ');

function refuse(message: string, hint: string, details: Record<string, unknown> = {}): EcomdbError {
  return new EcomdbError('E_BENCH_MIX', message, { hint, details });
}

/** Check a list of (name, share) pairs as typed by a user: known operations, once each, positive shares adding up to 100. */
export function checkMix(pairs: readonly (readonly [string, unknown])[], where: string): Mix {
  if (pairs.length === 0) throw refuse(`${where} names no operation`, `give operation=share pairs, e.g. searchProducts=70,placeOrder=30`);
  const seen = new Set<string>();
  const mix = pairs.map(([name, share]): MixEntry => {
    if (!(name in BENCH_OPERATIONS)) {
      const why = name in OPERATIONS ? 'is an operation the bench does not drive' : 'is not an operation of the query library';
      throw refuse(`${where}: "${name}" ${why}`, `use operations from: ${known}`, { operation: name });
    }
    if (seen.has(name)) throw refuse(`${where}: ${name} appears twice`, 'give each operation once, with its whole share', { operation: name });
    seen.add(name);
    if (typeof share !== 'number' || !Number.isFinite(share) || share <= 0 || share > 100) {
      throw refuse(`${where}: the share of ${name} is ${JSON.stringify(share)}`, 'give each operation a share above 0 and at most 100 (percent)', { operation: name, share });
    }
    return { operation: name as BenchOperation, share };
  });
  const sum = mix.reduce((n, e) => n + e.share, 0);
  if (Math.abs(sum - 100) > TOLERANCE) {
    throw refuse(`${where}: the shares add up to ${Number(sum.toFixed(6))}, not 100`, 'shares are percentages of the calls: make them add up to 100', { sum });
  }
  return mix;
}

/** `--mix name=share,name=share,...` */
export function parseMix(text: string): Mix {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const pairs = items.map((item): [string, unknown] => {
    const m = /^([A-Za-z]+)\s*=\s*([0-9]+(?:\.[0-9]+)?)$/.exec(item);
    if (!m) throw refuse(`--mix: "${item}" is not operation=share`, 'write e.g. --mix searchProducts=70,placeOrder=30', { item });
    return [m[1]!, Number(m[2])];
  });
  return checkMix(pairs, '--mix');
}

/** The text of a mix file: a JSON object of operation → share. */
export function parseMixFile(text: string, file: string): Mix {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw refuse(`--mix-file ${file} is not JSON: ${(error as Error).message}`, 'write an object of operation to share, e.g. {"searchProducts": 70, "placeOrder": 30}', { file });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw refuse(`--mix-file ${file} holds no JSON object`, 'write an object of operation to share, e.g. {"searchProducts": 70, "placeOrder": 30}', { file });
  }
  return checkMix(Object.entries(value), `--mix-file ${file}`);
}

/** The mix as an object, for reports. */
export function mixObject(mix: Mix): Record<string, number> {
  return Object.fromEntries(mix.map((e) => [e.operation, e.share]));
}

/** The share of each family of operations in the mix. */
export function familyShares(mix: Mix): Record<Family, number> {
  const out: Record<Family, number> = { catalog: 0, orders: 0, seller: 0, bi: 0 };
  for (const e of mix) out[BENCH_OPERATIONS[e.operation]] += e.share;
  return out;
}

/**
 * Which keys a benchmark touches, chosen as a marketplace is used: a few hot products and
 * sellers take most of the traffic (Zipf-skewed), and each site gets its share of the volume
 * (schema/values.ts). Pure and deterministic: the same seed draws the same keys.
 */
import { SITES, type SiteId } from '../../schema/values.ts';

/** A random number in [0, 1). */
export type Random = () => number;

/** A small seeded generator (mulberry32): fast, and the same sequence for the same seed. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Skew of YCSB's Zipfian generator: the top 1 % of 10,000 keys take about half of the draws. */
export const DEFAULT_SKEW = 0.99;

/**
 * Ranks 0..n-1 drawn with P(rank r) ∝ 1 / (r + 1)^skew: Gray et al.'s generator ("Quickly
 * generating billion-record synthetic databases", SIGMOD 1994), as YCSB uses it; O(n) once to
 * set up, O(1) per draw. skew 0 is uniform; it must stay below 1.
 */
export class Zipf {
  private readonly zetan: number;
  private readonly eta: number;
  private readonly alpha: number;
  private readonly half: number;

  constructor(
    readonly n: number,
    readonly skew: number = DEFAULT_SKEW,
  ) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`Zipf over ${n} keys: need at least one`);
    if (!(skew >= 0 && skew < 1)) throw new RangeError(`Zipf skew ${skew}: must be at least 0 and below 1`);
    let zetan = 0;
    for (let i = 1; i <= n; i++) zetan += 1 / i ** skew;
    const zeta2 = 1 + 0.5 ** skew;
    this.zetan = zetan;
    this.alpha = 1 / (1 - skew);
    this.half = 1 + 0.5 ** skew;
    this.eta = n <= 2 ? 1 : (1 - (2 / n) ** (1 - skew)) / (1 - zeta2 / zetan);
  }

  /** The rank for a uniform draw u in [0, 1): 0 is the most popular. */
  rank(u: number): number {
    const uz = u * this.zetan;
    if (uz < 1) return 0;
    if (this.n > 1 && uz < this.half) return 1;
    return Math.min(this.n - 1, Math.floor(this.n * (this.eta * u - this.eta + 1) ** this.alpha));
  }
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Zipf-skewed positions in a list of n keys, with the popular ranks scattered over the list by a
 * seeded permutation (rank × step + offset mod n): the hot products are not the oldest ids, and
 * another seed makes other products hot.
 */
export class KeyChooser {
  private readonly zipf: Zipf;
  private readonly step: number;
  private readonly offset: number;

  constructor(n: number, seed: number, skew: number = DEFAULT_SKEW) {
    this.zipf = new Zipf(n, skew);
    const r = seeded(seed ^ 0x5bd1e995);
    let step = Math.max(1, Math.floor(n * (0.5 + r() * 0.3)));
    while (gcd(step, n) !== 1) step += 1;
    this.step = step;
    this.offset = Math.floor(r() * n);
  }

  get n(): number {
    return this.zipf.n;
  }

  /** The position (0..n-1) of the key drawn with `random`. */
  next(random: Random): number {
    return this.positionOf(this.zipf.rank(random()));
  }

  /** Where the key of popularity rank `rank` sits in the list. */
  positionOf(rank: number): number {
    return (rank * this.step + this.offset) % this.zipf.n;
  }
}

/**
 * Sites drawn in their share of the marketplace's volume (schema/values.ts), among `sites` (those
 * the database holds keys for). A site without a published share weighs what the seed gives it.
 */
export function siteChooser(sites: readonly SiteId[]): (random: Random) => SiteId {
  if (sites.length === 0) throw new RangeError('no site to choose from');
  const weights = sites.map((id) => Math.max(SITES.find((s) => s.id === id)!.share, MIN_SITE_SHARE));
  return weightedChooser(sites, weights);
}

/** The share the seed gives a site that publishes none (seeds/world.ts). */
const MIN_SITE_SHARE = 0.004;

/** Items drawn in proportion to their weights. */
export function weightedChooser<T>(items: readonly T[], weights: readonly number[]): (random: Random) => T {
  const total = weights.reduce((a, b) => a + b, 0);
  const bounds: number[] = [];
  let sum = 0;
  for (const w of weights) bounds.push((sum += w / total));
  return (random) => {
    const u = random();
    const i = bounds.findIndex((b) => u < b);
    return items[i < 0 ? items.length - 1 : i]!;
  };
}

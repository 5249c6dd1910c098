/**
 * Latencies in bounded memory: a log-linear histogram in the manner of HdrHistogram. Values
 * below 128 µs have a bucket each; above, every power of two is split into 64 buckets, so a
 * percentile read back is within 1/128 (0.8 %) of the true value, whatever the run's length.
 * A benchmark of hours records millions of latencies per operation in the same 18 kB.
 */

/** Sub-buckets per power of two above the linear range. */
const SUB = 64;
/** Values below this are counted exactly (one bucket per microsecond). */
const LINEAR = 2 * SUB;
/** log2(LINEAR). */
const LINEAR_BITS = 7;
/** Powers of two covered above the linear range: up to 2^53 µs, beyond any run. */
const LEVELS = 53 - LINEAR_BITS;

export class Histogram {
  private readonly counts = new Float64Array(LINEAR + LEVELS * SUB);
  private n = 0;
  private total = 0;
  private low = Infinity;
  private high = 0;

  /** Record one latency in milliseconds (kept to the microsecond). */
  record(ms: number): void {
    const us = Math.max(0, Math.round(ms * 1000));
    this.counts[indexOf(us)]! += 1;
    this.n += 1;
    this.total += us;
    if (us < this.low) this.low = us;
    if (us > this.high) this.high = us;
  }

  /** Add every latency of `other`. */
  merge(other: Histogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    this.n += other.n;
    this.total += other.total;
    this.low = Math.min(this.low, other.low);
    this.high = Math.max(this.high, other.high);
  }

  get count(): number {
    return this.n;
  }

  /** Milliseconds; NaN when empty. */
  get mean(): number {
    return this.n === 0 ? NaN : this.total / this.n / 1000;
  }

  get min(): number {
    return this.n === 0 ? NaN : this.low / 1000;
  }

  get max(): number {
    return this.n === 0 ? NaN : this.high / 1000;
  }

  /**
   * The p-th percentile in milliseconds (nearest rank): the smallest recorded value such that
   * p % of the values are at or below it, to the bucket's precision; NaN when empty. p = 100 is
   * the exact maximum.
   */
  percentile(p: number): number {
    if (this.n === 0) return NaN;
    if (p >= 100) return this.max;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.high, Math.max(this.low, valueOf(i))) / 1000;
    }
    return this.max;
  }
}

/** The bucket of a value in µs. */
function indexOf(us: number): number {
  if (us < LINEAR) return us;
  // The level whose buckets are 2^level wide: us / 2^level falls in [SUB, 2 * SUB). log2 of a
  // float may land on the wrong side of a power of two: corrected below.
  let level = Math.floor(Math.log2(us)) - LINEAR_BITS + 1;
  if (Math.floor(us / 2 ** level) < SUB) level -= 1;
  else if (Math.floor(us / 2 ** level) >= 2 * SUB) level += 1;
  if (level > LEVELS) return LINEAR + LEVELS * SUB - 1;
  const sub = Math.floor(us / 2 ** level);
  return LINEAR + (level - 1) * SUB + (sub - SUB);
}

/** The middle of a bucket, in µs. */
function valueOf(index: number): number {
  if (index < LINEAR) return index;
  const level = Math.floor((index - LINEAR) / SUB) + 1;
  const sub = ((index - LINEAR) % SUB) + SUB;
  const width = 2 ** level;
  return sub * width + (width - 1) / 2;
}

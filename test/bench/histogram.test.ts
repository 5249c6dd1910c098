/** Latency percentiles in bounded memory, within the histogram's precision (1/128). */
import { describe, expect, it } from 'vitest';
import { Histogram } from '../../src/bench/histogram.ts';
import { seeded } from '../../src/bench/keys.ts';

function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('Histogram', () => {
  it('reads percentiles back within 1 % of the exact ones, over six orders of magnitude', () => {
    const random = seeded(3);
    // 100 µs to 100 s (below, latencies are kept to the microsecond: exact, but rounded)
    const values = Array.from({ length: 50_000 }, () => 0.1 * 10 ** (random() * 6));
    const h = new Histogram();
    for (const v of values) h.record(v);
    for (const p of [1, 50, 90, 95, 99, 99.9]) {
      const want = exact(values, p);
      expect(Math.abs(h.percentile(p) - want) / want, `p${p}`).toBeLessThan(0.01);
    }
    expect(h.count).toBe(values.length);
    expect(h.max).toBeCloseTo(Math.max(...values), 3);
    expect(h.percentile(100)).toBe(h.max);
  });

  it('counts small values exactly, to the microsecond', () => {
    const h = new Histogram();
    for (const v of [0.001, 0.002, 0.05, 0.1]) h.record(v);
    expect(h.percentile(50)).toBe(0.002);
    expect(h.percentile(75)).toBe(0.05);
    expect(h.min).toBe(0.001);
  });

  it('merges two histograms as if one had recorded both', () => {
    const a = new Histogram();
    const b = new Histogram();
    const both = new Histogram();
    for (let i = 1; i <= 1000; i++) {
      (i % 2 ? a : b).record(i);
      both.record(i);
    }
    a.merge(b);
    expect(a.count).toBe(both.count);
    for (const p of [50, 95, 99]) expect(a.percentile(p)).toBe(both.percentile(p));
    expect(a.mean).toBe(both.mean);
  });

  it('is empty until a value is recorded', () => {
    const h = new Histogram();
    expect(h.percentile(50)).toBeNaN();
    expect(h.mean).toBeNaN();
  });
});

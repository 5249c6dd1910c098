/** Key choice: Zipf-skewed, seeded and deterministic; sites in their volume shares. */
import { describe, expect, it } from 'vitest';
import { KeyChooser, seeded, siteChooser, Zipf } from '../../src/bench/keys.ts';

const DRAWS = 100_000;

function counts(chooser: KeyChooser, seed: number, draws = DRAWS): number[] {
  const random = seeded(seed);
  const out = new Array<number>(chooser.n).fill(0);
  for (let i = 0; i < draws; i++) out[chooser.next(random)]! += 1;
  return out;
}

describe('KeyChooser', () => {
  it('draws the same keys for the same seed, and other keys for another', () => {
    const draw = (chooserSeed: number, randomSeed: number) => {
      const c = new KeyChooser(5000, chooserSeed);
      const r = seeded(randomSeed);
      return Array.from({ length: 50 }, () => c.next(r));
    };
    expect(draw(1, 7)).toEqual(draw(1, 7));
    expect(draw(1, 7)).not.toEqual(draw(1, 8));
    expect(draw(1, 7)).not.toEqual(draw(2, 7));
  });

  it('gives the top 1 % of 10,000 keys a large share of the draws (skew 0.99)', () => {
    const sorted = counts(new KeyChooser(10_000, 3), 11).sort((a, b) => b - a);
    const top = sorted.slice(0, 100).reduce((a, b) => a + b, 0);
    // A uniform choice would give them 1 %; Zipf with skew 0.99 gives them about half.
    expect(top / DRAWS).toBeGreaterThan(0.4);
  });

  it('is uniform at skew 0: the top 1 % get about 1 %', () => {
    const sorted = counts(new KeyChooser(10_000, 3, 0), 11).sort((a, b) => b - a);
    const top = sorted.slice(0, 100).reduce((a, b) => a + b, 0);
    expect(top / DRAWS).toBeLessThan(0.03);
  });

  it('stays within the list, and every position is reachable', () => {
    for (const n of [1, 2, 3, 97, 1000]) {
      const c = new KeyChooser(n, 5);
      const seen = new Set<number>();
      for (let rank = 0; rank < n; rank++) seen.add(c.positionOf(rank));
      expect(seen.size).toBe(n);
      expect(Math.min(...seen)).toBe(0);
      expect(Math.max(...seen)).toBe(n - 1);
    }
  });

  it('scatters the hot keys over the list instead of the first ids', () => {
    const c = new KeyChooser(10_000, 9);
    const hottest = Array.from({ length: 10 }, (_, rank) => c.positionOf(rank));
    expect(hottest.some((p) => p > 100)).toBe(true);
  });
});

describe('Zipf', () => {
  it('ranks the most popular key first: rank 0 is drawn more than rank 1, rank 1 more than rank 10', () => {
    const z = new Zipf(1000);
    const random = seeded(4);
    const n = new Array<number>(1000).fill(0);
    for (let i = 0; i < DRAWS; i++) n[z.rank(random())]! += 1;
    expect(n[0]!).toBeGreaterThan(n[1]!);
    expect(n[1]!).toBeGreaterThan(n[10]!);
  });

  it('refuses a skew of 1 or more and an empty key list', () => {
    expect(() => new Zipf(10, 1)).toThrow(RangeError);
    expect(() => new Zipf(0)).toThrow(RangeError);
  });
});

describe('siteChooser', () => {
  it('draws sites in their share of the volume (MLB about half)', () => {
    const pick = siteChooser(['MLB', 'MLA', 'MLM', 'MCO', 'MLC', 'MLU', 'MPE']);
    const random = seeded(1);
    const n = new Map<string, number>();
    for (let i = 0; i < DRAWS; i++) {
      const s = pick(random);
      n.set(s, (n.get(s) ?? 0) + 1);
    }
    expect(n.get('MLB')! / DRAWS).toBeGreaterThan(0.48);
    expect(n.get('MLB')! / DRAWS).toBeLessThan(0.55);
    expect(n.get('MLA')!).toBeGreaterThan(n.get('MCO')!);
    expect(n.get('MPE')!).toBeGreaterThan(0);
  });

  it('draws only the sites it is given', () => {
    const pick = siteChooser(['MLU']);
    const random = seeded(2);
    expect(new Set(Array.from({ length: 100 }, () => pick(random)))).toEqual(new Set(['MLU']));
  });
});

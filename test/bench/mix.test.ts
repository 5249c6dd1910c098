/** The declared mix: parsed from --mix and --mix-file, refused with E_BENCH_MIX when it cannot be run as written. */
import { describe, expect, it } from 'vitest';
import { BENCH_OPERATIONS, DEFAULT_MIX, familyShares, parseMix, parseMixFile } from '../../src/bench/mix.ts';
import { OPERATIONS } from '../../src/access/index.ts';
import type { EcomdbError } from '../../src/errors.ts';

function refusal(work: () => unknown): EcomdbError {
  try {
    work();
  } catch (error) {
    return error as EcomdbError;
  }
  throw new Error('expected a refusal, but it was accepted');
}

describe('the default mix', () => {
  it('is 70 % catalog, 20 % orders and payments, 5 % seller updates, 5 % BI, and adds up to 100', () => {
    expect(familyShares(DEFAULT_MIX)).toEqual({ catalog: 70, orders: 20, seller: 5, bi: 5 });
    expect(new Set(DEFAULT_MIX.map((e) => e.operation)).size).toBe(DEFAULT_MIX.length);
  });

  it('drives only operations of the query library', () => {
    for (const name of Object.keys(BENCH_OPERATIONS)) expect(OPERATIONS).toHaveProperty(name);
  });
});

describe('--mix', () => {
  it('reads operation=share pairs, decimals and spaces allowed', () => {
    expect(parseMix('searchProducts=40, productPage=30,placeOrder=15,payOrder=10.5,storeSalesRanking=4.5')).toEqual([
      { operation: 'searchProducts', share: 40 },
      { operation: 'productPage', share: 30 },
      { operation: 'placeOrder', share: 15 },
      { operation: 'payOrder', share: 10.5 },
      { operation: 'storeSalesRanking', share: 4.5 },
    ]);
  });

  it.each([
    ['an unknown operation', 'search=50,productPage=50', 'search'],
    ['an operation the bench does not drive', 'registerUser=50,productPage=50', 'registerUser'],
  ])('refuses %s, naming it', (_what, text, name) => {
    const error = refusal(() => parseMix(text));
    expect(error.code).toBe('E_BENCH_MIX');
    expect(error.exitCode).toBe(2);
    expect(error.details.operation).toBe(name);
  });

  it.each([
    ['shares adding up to less than 100', 'searchProducts=40,productPage=30'],
    ['shares adding up to more than 100', 'searchProducts=70,productPage=70'],
    ['a share of 0', 'searchProducts=100,productPage=0'],
    ['an operation twice', 'searchProducts=50,searchProducts=50'],
    ['a pair without a share', 'searchProducts,productPage=100'],
    ['a negative share', 'searchProducts=-10,productPage=110'],
    ['nothing', ' , '],
  ])('refuses %s', (_what, text) => {
    expect(refusal(() => parseMix(text)).code).toBe('E_BENCH_MIX');
  });

  it('says what the shares add up to', () => {
    expect(refusal(() => parseMix('searchProducts=40,productPage=30')).details.sum).toBe(70);
  });
});

describe('--mix-file', () => {
  it('reads a JSON object of operation to share', () => {
    expect(parseMixFile('{"productPage": 60, "placeOrder": 40}', 'mix.json')).toEqual([
      { operation: 'productPage', share: 60 },
      { operation: 'placeOrder', share: 40 },
    ]);
  });

  it.each([
    ['text that is not JSON', '{productPage: 60'],
    ['a JSON array', '[["productPage", 100]]'],
    ['a share that is text', '{"productPage": "100"}'],
    ['an unknown operation', '{"productPages": 100}'],
  ])('refuses %s', (_what, text) => {
    expect(refusal(() => parseMixFile(text, 'mix.json')).code).toBe('E_BENCH_MIX');
  });
});

/**
 * Search is indexed, never a scan of every title: its plan reads the GIN index on
 * products.search_vector, and on the partitioned layout only the site's own partition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchQuery, type SearchParams } from '../../src/access/index.ts';
import { explainPlan, openTarget, type Target, type TargetKind } from './targets.ts';
import { makeWorld, type World } from './world.ts';

const KINDS: TargetKind[] = ['server', 'partitioned'];

describe.each(KINDS)('the search plan on %s', (kind) => {
  let t: Target;
  let w: World;
  beforeAll(async () => {
    t = await openTarget(kind, 'access_plan');
    w = await makeWorld(t, 'MLA');
    await makeWorld(t, 'MLB');
    // Enough listings that reading them all would cost: the plan must then find the few matches.
    await t.query(
      `insert into product_catalog.products (region, store_id, category_id, title, description, price, currency, stock)
       select 'MLA', $1, $2, 'Zapatilla deportiva modelo ' || g, 'Calzado cómodo para correr.', 100 + g, 'ARS', 10 from generate_series(1, 30000) g`,
      [w.store, w.category],
    );
    await t.query('analyze');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The plan of the search, with sequential scans priced out: what an index makes possible. */
  function plan(params: Omit<SearchParams, 'region'>): Promise<string> {
    return explainPlan(t, searchQuery(t.db, { region: w.region, ...params }), ['enable_seqscan']);
  }

  it('reads the GIN index of search_vector with the tsquery, and no ILIKE', async () => {
    const text = await plan({ words: 'cargadores usb' });
    expect(text).toMatch(/Bitmap Index Scan on \S*search_vector\S*/);
    expect(text).toMatch(/Index Cond: \(search_vector @@ /);
    expect(text).not.toMatch(/~~\*/);
  });

  it(kind === 'partitioned' ? 'reads only the site\'s partition of products' : 'filters on the site inside the one products table', async () => {
    const text = await plan({ words: 'cargadores usb', categoryId: w.topCategory, maxPrice: '500' });
    // The tables read (Bitmap Index Scan lines name indexes, not tables).
    const scanned = [...text.matchAll(/(?:Seq Scan|Heap Scan|Index Scan using \S+|Index Only Scan using \S+) on (\w+)/g)].map((m) => m[1]);
    const own = kind === 'partitioned' ? ['products_mla', 'product_discounts_mla', 'categories'] : ['products', 'product_discounts', 'categories'];
    expect(new Set(scanned)).toEqual(new Set(own));
  });
});

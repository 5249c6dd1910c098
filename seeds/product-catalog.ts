/** Seeds component 3: the category tree, products, their images and discounts. */
import { categories, productDiscounts, productImages, products } from '../schema/index.ts';
import { currencyOf } from '../schema/values.ts';
import { range, type CopySeed } from './table-seed.ts';
import { CATEGORY_TREE, LEAVES } from './text.ts';
import { S, money, timestamp, type World } from './world.ts';

/** Listings expected to sell fewer units than this over the window may run low on stock. */
const LOW_STOCK_MAX_UNITS = 6;

/** Category ids: the top-level nodes first, then the leaves, in tree order. */
export const leafCategoryId = (leaf: number) => CATEGORY_TREE.length + leaf + 1;

export const categoriesSeed: CopySeed = {
  kind: 'copy',
  table: categories,
  columns: ['id', 'parent_id', 'name', 'description'],
  expected: () => CATEGORY_TREE.length + LEAVES.length,
  *rows() {
    for (const [i, top] of CATEGORY_TREE.entries()) yield [i + 1, null, top.name, top.description];
    for (const [i, leaf] of LEAVES.entries()) yield [leafCategoryId(i), leaf.top + 1, leaf.name, leaf.description];
  },
};

export const productsSeed: CopySeed = {
  kind: 'copy',
  table: products,
  columns: ['region', 'id', 'store_id', 'category_id', 'title', 'description', 'price', 'currency', 'stock', 'low_stock_threshold', 'condition', 'status', 'created_at', 'low_stock_since'],
  expected: (w) => w.layout.total('products'),
  *rows(w: World) {
    const r = w.random;
    const currencies = new Map(w.options.regions.map((id) => [id, currencyOf(id)]));
    for (const p of range(w.layout.total('products'))) {
      const region = w.productRegion(p);
      const title = w.productTitle(p);
      const threshold = 5;
      // Stock follows demand: a seller holds one to six months of the listing's expected sales,
      // so bestsellers hold hundreds; about one listing in ten sits at or under its low-stock
      // threshold, and only in the long tail (a few units a year), never a bestseller.
      const expected = w.expectedUnits(p);
      const monthly = (expected * 30) / w.options.windowDays;
      const stock =
        expected < LOW_STOCK_MAX_UNITS && r.below(9, S.Product, p, 7) === 0
          ? r.below(threshold + 1, S.Product, p, 8)
          : threshold + 1 + r.below(15, S.Product, p, 9) + Math.round(monthly * (1 + 5 * r.float(S.Product, p, 12) ** 2));
      const c = r.below(100, S.Product, p, 10);
      const description = w.language(region) === 'pt' ? `${title}. Produto ${c < 90 ? 'novo' : 'usado'}, com garantia e envio para todo o país.` : `${title}. Producto ${c < 90 ? 'nuevo' : 'usado'}, con garantía y envío a todo el país.`;
      const status = w.productLifecycle(p).status;
      yield [
        region, p + 1, w.productStore(p) + 1, leafCategoryId(w.productLeaf(p)), title, description,
        money(w.priceCents(p)), currencies.get(region)!, stock, threshold,
        c < 90 ? 'new' : c < 98 ? 'used' : 'refurbished',
        status,
        timestamp(w.productCreatedAt(p)),
        // The alert the sales that took it under its threshold raised (a closed listing alerts nobody).
        stock <= threshold && status !== 'closed' ? timestamp(w.options.until) : null,
      ];
    }
  },
};

export const productImagesSeed: CopySeed = {
  kind: 'copy',
  table: productImages,
  columns: ['region', 'id', 'product_id', 'url', 'position'],
  expected: (w) => Math.round(w.layout.total('products') * 2.5),
  *rows(w: World) {
    for (const p of range(w.layout.total('products'))) {
      const region = w.productRegion(p);
      const count = 1 + w.random.below(4, S.Image, p);
      for (let k = 0; k < count; k++) {
        const id = p * 4 + k + 1;
        yield [region, id, p + 1, `https://http2.mlstatic.com/D_NQ_NP_${id}-${region}${p + 1}-O.webp`, k + 1];
      }
    }
  },
};

export const productDiscountsSeed: CopySeed = {
  kind: 'copy',
  table: productDiscounts,
  columns: ['region', 'id', 'product_id', 'percentage', 'starts_at', 'ends_at', 'campaign_id'],
  expected: (w) => Math.round(w.layout.total('products') * 0.15),
  *rows(w: World) {
    for (const p of range(w.layout.total('products'))) {
      const d = w.discount(p);
      if (d) yield [w.productRegion(p), p + 1, p + 1, d.percentage, timestamp(d.startsAt), timestamp(d.endsAt), null];
    }
  },
};

export const productCatalogSeeds = [categoriesSeed, productsSeed, productImagesSeed, productDiscountsSeed];

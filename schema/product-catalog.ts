/** Component 3, Product catalog: what is for sale, how it is shown, and its discounts. */
import { sql } from 'drizzle-orm';
import { customType, index, integer, pgSchema, primaryKey, serial, smallint, text, unique } from 'drizzle-orm/pg-core';
import { amount, at, createdAt, currency, currencyOfRegion, id, money, ref, references, region, rule, siteRule } from './columns.ts';
import { describe, type Component } from './component.ts';
import { campaigns } from './marketing.ts';
import { stores } from './seller-management.ts';
import { PRODUCT_CONDITIONS, PRODUCT_STATUSES, type SiteId } from './values.ts';

export const productCatalog = pgSchema('product_catalog');
export const productCondition = productCatalog.enum('product_condition', PRODUCT_CONDITIONS);
export const productStatus = productCatalog.enum('product_status', PRODUCT_STATUSES);

/** The sites whose listings are written in Portuguese; every other site writes Spanish. */
export const PORTUGUESE_SITES: readonly SiteId[] = ['MLB'];

/** The text-search configuration of a site's language, for to_tsvector and the tsquery builders. */
export function searchConfig(region: SiteId): 'portuguese' | 'spanish' {
  return PORTUGUESE_SITES.includes(region) ? 'portuguese' : 'spanish';
}

/** searchConfig() in SQL over the row's own region: what search_vector is computed with. */
const SEARCH_CONFIG_SQL = `CASE WHEN region IN (${PORTUGUESE_SITES.map((s) => `'${s}'`).join(', ')}) THEN 'portuguese'::regconfig ELSE 'spanish'::regconfig END`;

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** The category tree, shared by every site. */
export const categories = productCatalog.table(
  'categories',
  {
    id: serial('id').primaryKey(),
    parentId: integer('parent_id'),
    name: text('name').notNull(),
    description: text('description').notNull(),
  },
  (t) => [
    // NULLS NOT DISTINCT: two top-level categories may not share a name either.
    unique('categories_parent_id_name_key').on(t.parentId, t.name).nullsNotDistinct(),
    ...references('categories', [t.parentId], [t.id], 'restrict', { covered: true }),
    rule('categories', 'not_own_parent', `parent_id <> id`),
    rule('categories', 'name', `length(btrim(name)) > 0`),
  ],
);

/** A listing: one product offered by one store on one site. */
export const products = productCatalog.table(
  'products',
  {
    region: region(),
    id: id(),
    storeId: ref('store_id').notNull(),
    categoryId: integer('category_id').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    price: money('price').notNull(),
    currency: currency(),
    stock: integer('stock').notNull(),
    lowStockThreshold: integer('low_stock_threshold').notNull().default(5),
    condition: productCondition('condition').notNull().default('new'),
    status: productStatus('status').notNull().default('active'),
    createdAt: createdAt(),
    priceChangedAt: at('price_changed_at'),
    lowStockSince: at('low_stock_since'),
    // Stored rather than an expression index: ranking reads the vector of every match, and
    // recomputing it from the text per row and per search would cost more than keeping it.
    // Never NULL (title and description are NOT NULL), but no NOT NULL either: no write can
    // reach a generated column, so such a constraint could never be seen to refuse one.
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      sql.raw(`setweight(to_tsvector(${SEARCH_CONFIG_SQL}, title), 'A') || setweight(to_tsvector(${SEARCH_CONFIG_SQL}, description), 'B')`),
    ),
  },
  (t) => [
    primaryKey({ name: 'products_pkey', columns: [t.region, t.id] }),
    index('products_search_vector_idx').using('gin', t.searchVector),
    // A store's open low-stock alerts: the few listings that run short, found without a scan.
    index('products_low_stock_idx').on(t.region, t.storeId).where(sql`low_stock_since IS NOT NULL`),
    siteRule('products'),
    ...references('products', [t.region, t.storeId], [stores.region, stores.id], 'restrict'),
    ...references('products', [t.categoryId], [categories.id], 'restrict'),
    rule('products', 'title', `length(btrim(title)) BETWEEN 1 AND 200`),
    rule('products', 'description', `length(description) <= 10000`),
    amount('products', 'price'),
    currencyOfRegion('products'),
    rule('products', 'stock', `stock >= 0`),
    rule('products', 'low_stock_threshold', `low_stock_threshold >= 0`),
  ],
);

/** Pictures of a product, in display order. */
export const productImages = productCatalog.table(
  'product_images',
  {
    region: region(),
    id: id(),
    productId: ref('product_id').notNull(),
    url: text('url').notNull(),
    position: smallint('position').notNull(),
  },
  (t) => [
    primaryKey({ name: 'product_images_pkey', columns: [t.region, t.id] }),
    siteRule('product_images'),
    unique('product_images_region_product_id_position_key').on(t.region, t.productId, t.position),
    ...references('product_images', [t.region, t.productId], [products.region, products.id], 'cascade', { covered: true }),
    rule('product_images', 'url', `url ~ '^https://'`),
    rule('product_images', 'position', `position >= 1`),
  ],
);

/** A time-boxed percentage off a product, optionally as part of a campaign. */
export const productDiscounts = productCatalog.table(
  'product_discounts',
  {
    region: region(),
    id: id(),
    productId: ref('product_id').notNull(),
    percentage: smallint('percentage').notNull(),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    campaignId: ref('campaign_id'),
  },
  (t) => [
    primaryKey({ name: 'product_discounts_pkey', columns: [t.region, t.id] }),
    siteRule('product_discounts'),
    ...references('product_discounts', [t.region, t.productId], [products.region, products.id], 'cascade'),
    // NO ACTION, not SET NULL: a composite SET NULL would also null the region.
    ...references('product_discounts', [t.region, t.campaignId], [campaigns.region, campaigns.id], 'no action'),
    rule('product_discounts', 'percentage', `percentage BETWEEN 1 AND 100`),
    rule('product_discounts', 'period', `starts_at < ends_at`),
  ],
);

export const productCatalogComponent: Component = {
  schema: productCatalog,
  title: 'Product catalog',
  comment: 'Categories, products, their images and discounts.',
  tables: [
    describe(categories, 'A node of the category tree, global to every site.', {
      id: 'Surrogate key.',
      parentId: 'Parent category; NULL for a top-level category.',
      name: 'Category name, unique among its siblings.',
      description: 'What belongs in the category.',
    }),
    describe(products, 'A product listing offered by a store on one site.', {
      region: 'Site of the listing; equals the site of its store.',
      id: 'Surrogate key, unique within the region.',
      storeId: 'The store that sells the product.',
      categoryId: 'The (leaf) category the product is listed in.',
      title: 'Listing title, in the site\'s language (1 to 200 characters).',
      description: 'Listing description, in the site\'s language (at most 10000 characters).',
      price: 'Current price, greater than zero, in the listing currency.',
      currency: 'ISO 4217 currency of the price; always the currency of the site.',
      stock: 'Units available to sell; never negative.',
      lowStockThreshold: 'The seller is alerted when stock falls to or below this number.',
      condition: 'new, used or refurbished.',
      status: 'active, paused (by the seller), closed, or under_review (by moderation).',
      createdAt: 'When the listing was published.',
      priceChangedAt: 'When the seller last changed the price; NULL while it is the price the listing was published with. Lines of earlier orders were priced before it.',
      lowStockSince: 'The open low-stock alert: when the stock last fell to or under low_stock_threshold; NULL once restocked above it. Set once per crossing, however many sales follow.',
      searchVector: 'Full-text vector of the title (weight A) and description (weight B) in the site\'s language (portuguese for MLB, spanish elsewhere); computed by PostgreSQL, GIN-indexed for search.',
    }),
    describe(productImages, 'A picture of a product, shown in position order.', {
      region: 'Site of the image; equals the site of its product.',
      id: 'Surrogate key, unique within the region.',
      productId: 'The product shown.',
      url: 'HTTPS address of the image.',
      position: 'Display order, from 1; unique per product.',
    }),
    describe(productDiscounts, 'A percentage discount on a product during a period, optionally run by a campaign.', {
      region: 'Site of the discount; equals the site of its product.',
      id: 'Surrogate key, unique within the region.',
      productId: 'The discounted product.',
      percentage: 'Percent off the price, 1 to 100.',
      startsAt: 'Start of the period (inclusive).',
      endsAt: 'End of the period (exclusive); after the start.',
      campaignId: 'The marketing campaign that runs the discount, if any.',
    }),
  ],
};

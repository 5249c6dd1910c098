/** Component 2, Seller management: the stores through which sellers publish and sell. */
import { boolean, pgSchema, primaryKey, text, unique } from 'drizzle-orm/pg-core';
import { createdAt, id, ref, references, region, rule, siteRule } from './columns.ts';
import { describe, type Component } from './component.ts';
import { users } from './user-management.ts';

export const sellerManagement = pgSchema('seller_management');

/** A seller's storefront on one site. */
export const stores = sellerManagement.table(
  'stores',
  {
    region: region(),
    id: id(),
    ownerUserId: ref('owner_user_id').notNull(),
    name: text('name').notNull(),
    isOfficial: boolean('is_official').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'stores_pkey', columns: [t.region, t.id] }),
    siteRule('stores'),
    unique('stores_region_name_key').on(t.region, t.name),
    // A store is closed, never deleted, while it has history: its owner cannot be deleted under it.
    ...references('stores', [t.region, t.ownerUserId], [users.region, users.id], 'restrict'),
    rule('stores', 'name', `length(btrim(name)) > 0`),
  ],
);

export const sellerManagementComponent: Component = {
  schema: sellerManagement,
  title: 'Seller management',
  comment: 'Stores owned by sellers.',
  tables: [
    describe(stores, 'A store: the seller-facing unit that owns products and campaigns on one site.', {
      region: 'Site of the store; equals the site of its owner.',
      id: 'Surrogate key, unique within the region.',
      ownerUserId: 'The seller (a user) who owns the store.',
      name: 'Store name, unique within the site.',
      isOfficial: 'Whether the store is an official brand store (Tienda oficial / Loja oficial).',
      createdAt: 'When the store was opened.',
    }),
  ],
};

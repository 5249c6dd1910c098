/**
 * Reference data: the platform manager (group role ecomdb_platform_manager) owns the category
 * tree, global to every site, and the descriptions of the statuses and payment methods. The ids
 * and names of statuses and methods are the schema's (schema/values.ts: the library and the
 * migrations agree on them), so they are not renamed or added here: only described.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { categories, orderStatuses, paymentMethods, paymentStatuses, shipmentStatuses } from '../../schema/index.ts';
import type { AccessDb } from './db.ts';
import { id, oneOf, refuse, text } from './guard.ts';
import { scalar } from './shared.ts';

export interface CategoryParams {
  readonly name: string;
  readonly description: string;
  /** The parent category; omitted: a top-level category. */
  readonly parentId?: number;
}

export interface Category {
  readonly categoryId: number;
  readonly parentId: number | null;
  readonly name: string;
  readonly description: string;
}

const isUniqueViolation = (e: unknown) => {
  const x = e as { code?: string; cause?: { code?: string } };
  return (x?.cause?.code ?? x?.code) === '23505';
};

async function requireCategory(db: AccessDb, categoryId: number, param: string): Promise<void> {
  const [row] = await db.select({ id: categories.id }).from(categories).where(eq(categories.id, categoryId));
  if (!row) throw refuse('E_ACCESS_NOT_FOUND', `no category ${categoryId}`, `check ${param}`, { categoryId });
}

/** Add a category under `parentId` (or at the top); names are unique among siblings (E_ACCESS_CONFLICT). */
export async function addCategory(db: AccessDb, params: CategoryParams): Promise<Category> {
  const name = text('name', params.name, 1, 100);
  const description = text('description', params.description, 1, 500);
  const parentId = params.parentId === undefined ? null : id('parentId', params.parentId);
  return db.transaction(async (tx) => {
    if (parentId !== null) await requireCategory(tx, parentId, 'parentId');
    const [sibling] = await tx
      .select({ id: categories.id })
      .from(categories)
      .where(and(parentId === null ? isNull(categories.parentId) : eq(categories.parentId, parentId), eq(categories.name, name)));
    if (sibling) throw refuse('E_ACCESS_CONFLICT', `category "${name}" already exists there (id ${sibling.id})`, 'choose another name, or another parent', { name, parentId });
    try {
      const [row] = await tx.insert(categories).values({ parentId, name, description }).returning();
      return { categoryId: row!.id, parentId: row!.parentId, name: row!.name, description: row!.description };
    } catch (e) {
      // A concurrent insert of the same name under the same parent.
      if (isUniqueViolation(e)) throw refuse('E_ACCESS_CONFLICT', `category "${name}" already exists there`, 'choose another name, or another parent', { name, parentId });
      throw e;
    }
  });
}

export interface UpdateCategoryParams {
  readonly categoryId: number;
  readonly name?: string;
  readonly description?: string;
  /** Move it under another category (null: to the top). A category cannot move under itself or its own descendants. */
  readonly parentId?: number | null;
}

/** Rename, describe or move a category. */
export async function updateCategory(db: AccessDb, params: UpdateCategoryParams): Promise<Category> {
  const categoryId = id('categoryId', params.categoryId);
  const name = params.name === undefined ? undefined : text('name', params.name, 1, 100);
  const description = params.description === undefined ? undefined : text('description', params.description, 1, 500);
  const parentId = params.parentId === undefined || params.parentId === null ? params.parentId : id('parentId', params.parentId);
  if (name === undefined && description === undefined && parentId === undefined) {
    throw refuse('E_ACCESS_INVALID', 'nothing to change', 'pass name, description or parentId', { param: 'name' });
  }
  return db.transaction(async (tx) => {
    await requireCategory(tx, categoryId, 'categoryId');
    if (parentId !== undefined && parentId !== null) {
      await requireCategory(tx, parentId, 'parentId');
      // The new parent must not be the category or one of its descendants (the tree stays a tree).
      const below = await scalar<boolean>(tx, sql`
        WITH RECURSIVE below AS (
          SELECT ${categoryId}::integer AS id
          UNION ALL
          SELECT c.id FROM product_catalog.categories AS c JOIN below AS b ON c.parent_id = b.id)
        SELECT EXISTS (SELECT 1 FROM below WHERE id = ${parentId}::integer) AS v`);
      if (below) throw refuse('E_ACCESS_INVALID', `parentId: category ${parentId} is ${parentId === categoryId ? 'the category itself' : 'below it'}`, 'move it under a category outside its own branch', { param: 'parentId' });
    }
    try {
      const [row] = await tx
        .update(categories)
        .set({ ...(name === undefined ? {} : { name }), ...(description === undefined ? {} : { description }), ...(parentId === undefined ? {} : { parentId }) })
        .where(eq(categories.id, categoryId))
        .returning();
      return { categoryId: row!.id, parentId: row!.parentId, name: row!.name, description: row!.description };
    } catch (e) {
      if (isUniqueViolation(e)) throw refuse('E_ACCESS_CONFLICT', `a sibling category is already called "${name}"`, 'choose another name', { categoryId, name });
      throw e;
    }
  });
}

const DESCRIBED = {
  order_status: orderStatuses,
  payment_method: paymentMethods,
  payment_status: paymentStatuses,
  shipment_status: shipmentStatuses,
} as const;

export interface DescribeParams {
  /** Which list: order_status, payment_method, payment_status or shipment_status. */
  readonly kind: keyof typeof DESCRIBED;
  /** The row's name, e.g. `bank_transfer`. */
  readonly name: string;
  readonly description: string;
}

/**
 * Change the description of a status or payment method, as buyers and sellers read it. (A later
 * migration that changes the same row in schema/values.ts sets it again.)
 */
export async function describeReference(db: AccessDb, params: DescribeParams): Promise<{ kind: DescribeParams['kind']; id: number; name: string; description: string }> {
  const kind = oneOf('kind', params.kind, Object.keys(DESCRIBED) as (keyof typeof DESCRIBED)[]);
  const name = text('name', params.name, 1, 64);
  const description = text('description', params.description, 1, 500);
  const table = DESCRIBED[kind];
  const [row] = await db.update(table).set({ description }).where(eq(table.name, name)).returning();
  if (!row) throw refuse('E_ACCESS_NOT_FOUND', `no ${kind.replace('_', ' ')} "${name}"`, 'use a name of the list (schema/values.ts)', { kind, name });
  return { kind, id: row.id, name: row.name, description: row.description };
}

/**
 * What every operation of the query library works on: a drizzle database over postgres.js or
 * PGlite, or a transaction of one. The library never opens a connection; an application (or the
 * read/write router, or a benchmark) owns its connections and hands over a drizzle instance:
 *
 * @example
 *   import postgres from 'postgres';
 *   import { drizzle } from 'drizzle-orm/postgres-js';
 *   import { placeOrder } from 'ecomdb/access';
 *   const db = drizzle(postgres(process.env.DATABASE_URL!));
 *   const order = await placeOrder(db, { region: 'MLA', buyerId: 7, lines: [{ productId: 42, quantity: 1 }] });
 *   // Through the read/write router: reads (OPERATIONS[name].readOnly) on a replica.
 *   const hits = await router.read((sql) => searchProducts(drizzle(sql), { region: 'MLA', words: 'celular' }));
 *
 * An operation that writes more than one row runs in a transaction of its own; given a
 * transaction, it runs in a savepoint of it, so a refusal still leaves nothing behind.
 */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/** A drizzle database (either driver) or a transaction of one. */
export type AccessDb = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

/** An order's key within its site: orders are partitioned by month on created_at, so it is part of the key. */
export interface OrderRef {
  readonly id: number;
  readonly createdAt: Date;
}

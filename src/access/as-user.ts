/**
 * Run operations as a marketplace role and user, under row-level security: one transaction that
 * takes the role's group role (`SET LOCAL ROLE ecomdb_<role>`) and names the acting user
 * (`set_config('ecomdb.user_id', id, true)`). Both end with the transaction, so the connection
 * returns to the pool as it was: this works behind a transaction-pooling pooler.
 *
 * The login that runs it must be a member of the group role (`ecomdb roles grant-login`), or
 * the owner of the database (a superuser may take any role).
 *
 * @example
 *   const orders = await asUser(db, { role: 'user', userId: 12 }, (tx) => orderHistory(tx, { region: 'MLB', buyerId: 12 }));
 */
import { sql } from 'drizzle-orm';
import { dbRole, type RoleName } from '../../schema/security.ts';
import { ROLES } from '../../schema/values.ts';
import type { AccessDb } from './db.ts';
import { id, refuse } from './guard.ts';

export interface Acting {
  /** The marketplace role (`user` for a buyer, `seller`, `bi_analyst`, ...). */
  readonly role: RoleName;
  /** The acting user (users.id); staff roles may act without one. */
  readonly userId?: number;
}

/** Run `work` in one transaction as `acting`; everything it does is subject to the role's grants and policies. */
export async function asUser<T>(db: AccessDb, acting: Acting, work: (tx: AccessDb) => Promise<T>): Promise<T> {
  if (!ROLES.some((r) => r.name === acting.role)) {
    throw refuse('E_ACCESS_INVALID', `role: "${String(acting.role)}" is not a marketplace role`, `use one of ${ROLES.map((r) => r.name).join(', ')}`, { param: 'role' });
  }
  const userId = acting.userId === undefined ? '' : String(id('userId', acting.userId));
  return db.transaction(async (tx) => {
    // One round trip: set_config('role', ..., true) is SET LOCAL ROLE (the same membership check).
    await tx.execute(sql`SELECT pg_catalog.set_config('role', ${dbRole(acting.role)}, true), pg_catalog.set_config('ecomdb.user_id', ${userId}, true)`);
    return work(tx as unknown as AccessDb);
  });
}

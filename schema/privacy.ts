/**
 * What erasing a user (`ecomdb user erase`) does to each table, where the catalog alone cannot
 * tell. Everything else follows from the catalog at run time (src/erase/):
 *
 * - the user's own rows are the row of user_management.users and every row of a table with a
 *   foreign key to it (found in pg_constraint, so a table added later is covered); their text,
 *   varchar, json and jsonb columns that are not part of a key become NULL when nullable, else
 *   '[erased]' (json: '{}'), unless declared here;
 * - then every text, varchar, json and jsonb column of every table of the database (the audit
 *   trail included) is swept for the user's identifiers — name, email, phone, street lines —
 *   which are replaced wherever another row mentions them.
 *
 * Amounts, statuses and keys are never changed, so orders and payments still add up.
 */

/** The value every erased text becomes. */
export const ERASED = '[erased]';

/**
 * A genuine argon2id hash (production cost) of 32 random bytes that were thrown away: well
 * formed for the CHECK on password_hash, and no password verifies against it.
 */
export const ERASED_PASSWORD_HASH = '$argon2id$v=19$m=19456,p=1,t=2$aumwBorNh4exOO3aCvxNtQ$izYjzRaecrnldfVknRVqg7A0e9OtWg55aDzeNY/urXg';

/** The domain of an erased account's email: `.invalid` can never be delivered (RFC 2606). */
export const ERASED_EMAIL_DOMAIN = '@erased.invalid';

/** A column of the user's own rows: a SQL expression over the row (its new value), or kept as it is. */
export type ColumnErasure = { readonly set: string } | 'keep';

export interface TableErasure {
  /** Delete the user's rows instead of pseudonymizing them: data no record depends on. */
  readonly rows?: 'delete';
  /** Columns whose erasure is not the default (any type: a date or an enum too). */
  readonly columns?: Readonly<Record<string, ColumnErasure>>;
  /**
   * false: the sweep leaves this table alone: its rows are people's own identities, so a match
   * there is a namesake (another Ana Gómez), not a mention of the user.
   */
  readonly sweep?: false;
}

const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** Tables by qualified name (schema.table, unquoted). */
export const ERASURE: Readonly<Record<string, TableErasure>> = {
  'user_management.users': {
    columns: {
      name: { set: literal(ERASED) },
      // Unique within the site because the id is.
      email: { set: `'erased-' || id || '${ERASED_EMAIL_DOMAIN}'` },
      phone: { set: 'NULL' },
      birth_date: { set: 'NULL' },
      password_hash: { set: literal(ERASED_PASSWORD_HASH) },
      status: { set: `'closed'` },
    },
    sweep: false,
  },
  'user_management.addresses': {
    // Kept, pseudonymized: the user's orders and shipments point at them.
    columns: { postal_code: { set: `'ERASED'` } },
    sweep: false,
  },
  // A store is a business, its name is not the seller's person (the sweep still removes the
  // seller's name from it).
  'seller_management.stores': { columns: { name: 'keep' } },
  // The answer is the store's text, not the asker's (swept like any other text).
  'reviews_questions.questions': { columns: { answer: 'keep' } },
  // Searches and the recommendations drawn from them are profiling data no record depends on:
  // deleted (a recommendation left without its searches would break the data rule
  // recommendation-relates-to-user).
  'recommendations.user_search_history': { rows: 'delete' },
  'recommendations.recommendation_logs': { rows: 'delete' },
};

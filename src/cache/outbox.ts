/**
 * The database side of cache invalidation, as SQL data (docs/design.md, 'The cache layer'): an
 * outbox table, one trigger function, and an AFTER trigger FOR EACH ROW on every table a cached
 * value reads. A write to any of them, by ecomdb or by psql or another service, adds a row
 * naming the entity it changed (product, store or buyer, with its site and id) in the same
 * transaction, and NOTIFYs the invalidator; both become visible at COMMIT and vanish with a
 * ROLLBACK, so invalidation can only follow a commit, never precede it. The invalidator drains the
 * table (DELETE ... RETURNING), so one that was down catches up on what it missed.
 *
 * Row triggers on a partitioned parent are cloned onto its partitions, so a write that names a
 * partition directly is seen too; `ecomdb partition apply` carries them over to a rebuilt table.
 */
import { FIXED_SEARCH_PATH } from '../db/search-path.ts';
import type { Addition } from '../generate/additions.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../ident.ts';
import type { CacheEntity } from './keys.ts';

export const OUTBOX_SCHEMA = 'ecomdb_cache';
export const OUTBOX_TABLE = 'invalidations';
export const OUTBOX = quoteQualified(OUTBOX_SCHEMA, OUTBOX_TABLE);
/** The channel the triggers NOTIFY and the invalidator LISTENs on. */
export const NOTIFY_CHANNEL = 'ecomdb_cache';
const FUNCTION = quoteQualified(OUTBOX_SCHEMA, 'record_change');
const TRIGGER = 'ecomdb_cache_invalidate';

/**
 * The setting that silences the triggers for one transaction (`SET LOCAL ecomdb.cache_invalidation
 * = off`): the seed loads millions of rows that no cache has seen.
 */
export const CACHE_INVALIDATION_OFF = "SET LOCAL ecomdb.cache_invalidation = 'off'";
/** One outbox row that asks for every cached value to go (after a truncate). */
export const INVALIDATE_EVERYTHING = `INSERT INTO ${OUTBOX} (entity, region, entity_id) VALUES ('all', '', 0)`;

/** A table a cached value reads, the entity its rows belong to, and the column holding that entity's id. */
export interface WatchedTable {
  readonly schema: string;
  readonly table: string;
  readonly entity: Exclude<CacheEntity, 'all'>;
  readonly idColumn: string;
}

/**
 * What the cached reads read: the product page (the listing, its store, images, discounts,
 * reviews and questions), rankings (product titles, store names) and recommendations (a buyer's
 * searches, and the products they find).
 */
export const WATCHED_TABLES: readonly WatchedTable[] = [
  { schema: 'product_catalog', table: 'products', entity: 'product', idColumn: 'id' },
  { schema: 'product_catalog', table: 'product_images', entity: 'product', idColumn: 'product_id' },
  { schema: 'product_catalog', table: 'product_discounts', entity: 'product', idColumn: 'product_id' },
  { schema: 'reviews_questions', table: 'reviews', entity: 'product', idColumn: 'product_id' },
  { schema: 'reviews_questions', table: 'questions', entity: 'product', idColumn: 'product_id' },
  { schema: 'seller_management', table: 'stores', entity: 'store', idColumn: 'id' },
  { schema: 'recommendations', table: 'user_search_history', entity: 'user', idColumn: 'user_id' },
];

const schemaStatement: Addition = {
  key: `SCHEMA ${quoteIdent(OUTBOX_SCHEMA)}`,
  sql: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(OUTBOX_SCHEMA)};`,
  down: `DROP SCHEMA IF EXISTS ${quoteIdent(OUTBOX_SCHEMA)};`,
};

const tableStatement: Addition = {
  key: `TABLE ${OUTBOX}`,
  sql: [
    `CREATE TABLE IF NOT EXISTS ${OUTBOX} (`,
    `  "id" bigserial PRIMARY KEY,`,
    `  "entity" text NOT NULL CHECK (entity IN ('product', 'store', 'user', 'all')),`,
    `  "region" text NOT NULL,`,
    `  "entity_id" bigint NOT NULL,`,
    `  "txid" xid8 NOT NULL DEFAULT pg_current_xact_id(),`,
    `  "created_at" timestamptz NOT NULL DEFAULT clock_timestamp()`,
    `);`,
    `COMMENT ON TABLE ${OUTBOX} IS ${quoteLiteral('Cache invalidations not yet applied to Redis: one row per changed product, store or buyer, written by triggers in the writing transaction and deleted by the invalidator once applied.')};`,
  ].join('\n'),
  down: `DROP TABLE IF EXISTS ${OUTBOX};`,
};

/**
 * The trigger function: one outbox row for the old and (if its key differs) the new row, and a
 * NOTIFY (PostgreSQL folds identical notifications of one transaction into one, delivered at
 * COMMIT). TG_ARGV: the entity, and the column holding its id.
 */
const functionStatement: Addition = {
  key: `FUNCTION ${FUNCTION}`,
  sql: `CREATE OR REPLACE FUNCTION ${FUNCTION}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${FIXED_SEARCH_PATH} AS $fn$
DECLARE
  old_row jsonb;
  new_row jsonb;
BEGIN
  IF coalesce(current_setting('ecomdb.cache_invalidation', true), '') = 'off' THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
  IF old_row IS NOT NULL THEN
    INSERT INTO ${OUTBOX} (entity, region, entity_id) VALUES (TG_ARGV[0], old_row ->> 'region', (old_row ->> TG_ARGV[1])::bigint);
  END IF;
  IF new_row IS NOT NULL AND (old_row IS NULL OR old_row ->> 'region' IS DISTINCT FROM new_row ->> 'region' OR old_row ->> TG_ARGV[1] IS DISTINCT FROM new_row ->> TG_ARGV[1]) THEN
    INSERT INTO ${OUTBOX} (entity, region, entity_id) VALUES (TG_ARGV[0], new_row ->> 'region', (new_row ->> TG_ARGV[1])::bigint);
  END IF;
  PERFORM pg_notify(${quoteLiteral(NOTIFY_CHANNEL)}, '');
  RETURN NULL;
END
$fn$;`,
  down: `DROP FUNCTION IF EXISTS ${FUNCTION}();`,
};

function triggerStatement(t: WatchedTable): Addition {
  const table = quoteQualified(t.schema, t.table);
  return {
    key: `TRIGGER ${quoteIdent(TRIGGER)} ON ${table}`,
    sql: [
      `DROP TRIGGER IF EXISTS ${quoteIdent(TRIGGER)} ON ${table};`,
      `CREATE TRIGGER ${quoteIdent(TRIGGER)} AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${FUNCTION}(${quoteLiteral(t.entity)}, ${quoteLiteral(t.idColumn)});`,
    ].join('\n'),
    down: `DROP TRIGGER IF EXISTS ${quoteIdent(TRIGGER)} ON ${table};`,
  };
}

/** Every statement of the outbox, in the order they must run. */
export function cacheStatements(tables: readonly WatchedTable[] = WATCHED_TABLES): Addition[] {
  return [schemaStatement, tableStatement, functionStatement, ...tables.map(triggerStatement)];
}

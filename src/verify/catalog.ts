/**
 * Catalog rules: read from pg_catalog, so they hold for any database, not only ecomdb's. Each is
 * a SELECT over the schemas being checked ($1, a text[]), returning one row per offender with
 * `object` and `message`. Pure data; src/verify/run.ts executes them.
 */
import { AUDIT_SCHEMA } from '../../schema/audit.ts';
import { quoteLiteral } from '../ident.ts';
import type { SqlRule } from './types.ts';

/** Columns in user tables of the checked schemas (not dropped, not system). */
const COLUMNS = `
  select n.nspname, c.relname, a.attname, a.attnum, a.attnotnull, a.atttypid, c.oid as relid,
         format('%I.%I.%I', n.nspname, c.relname, a.attname) as object
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = any($1) and c.relkind in ('r', 'p') and not c.relispartition and a.attnum > 0 and not a.attisdropped`;

const TABLES = `
  select c.oid, n.nspname, c.relname, c.relkind, format('%I.%I', n.nspname, c.relname) as object
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = any($1) and c.relkind in ('r', 'p') and not c.relispartition`;

const MONEY_WORDS = `'(^|_)(price|amount|total|budget|bid|cost|fee|balance|salary|money|subtotal|discount_total)($|_)'`;

export const CATALOG_RULES: readonly SqlRule[] = [
  {
    id: 'catalog/primary-key',
    category: 'catalog',
    severity: 'error',
    description: 'Every table has a primary key: without one a row cannot be addressed, replicated logically, or referenced.',
    hint: 'add a PRIMARY KEY (for a region-scoped table: (region, id))',
    sql: `select t.object, 'table has no primary key' as message from (${TABLES}) t
           where not exists (select 1 from pg_constraint k where k.conrelid = t.oid and k.contype = 'p')`,
  },
  {
    id: 'catalog/fk-index',
    category: 'catalog',
    severity: 'error',
    description: 'The columns of every foreign key lead some index: otherwise deleting or updating a parent scans the whole child table.',
    hint: 'CREATE INDEX on the foreign key columns (in the same order)',
    sql: `select format('%s.%I', t.object, k.conname) as object,
                 'foreign key (' || (select string_agg(quote_ident(attname), ', ' order by ord) from unnest(k.conkey) with ordinality u(attnum, ord)
                   join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum) || ') is not the leading part of any index' as message
            from (${TABLES}) t join pg_constraint k on k.conrelid = t.oid and k.conparentid = 0 and k.contype = 'f'
           where not exists (
             select 1 from pg_index i
              where i.indrelid = k.conrelid and i.indnkeyatts >= cardinality(k.conkey)
                and (select array_agg(x order by x) from unnest((i.indkey::int2[])[0:cardinality(k.conkey) - 1]) x)
                  = (select array_agg(x order by x) from unnest(k.conkey) x))`,
  },
  {
    id: 'catalog/natural-key-not-null',
    category: 'catalog',
    severity: 'error',
    description: 'No column of a natural key (a UNIQUE constraint) is nullable: rows with NULL in the key are not unique, so the key identifies nothing.',
    hint: 'make the column NOT NULL, or declare the constraint NULLS NOT DISTINCT if NULL is a value',
    sql: `select format('%s.%I', t.object, k.conname) as object,
                 'unique key contains the nullable column ' || quote_ident(a.attname) as message
            from (${TABLES}) t
            join pg_constraint k on k.conrelid = t.oid and k.conparentid = 0 and k.contype = 'u'
            join pg_index i on i.indexrelid = k.conindid
            join pg_attribute a on a.attrelid = t.oid and a.attnum = any(k.conkey)
           where not a.attnotnull and not i.indnullsnotdistinct`,
  },
  {
    id: 'catalog/money-not-float',
    category: 'catalog',
    severity: 'error',
    description: 'Money is never floating point: 0.1 + 0.2 is not 0.3 in binary floating point, and a ledger must add up to the cent.',
    hint: 'use numeric(14,2) (or integer minor units) with a currency column',
    sql: `select c.object, 'money column has the floating-point type ' || format_type(c.atttypid, null) as message
            from (${COLUMNS}) c
           where c.atttypid in ('real'::regtype, 'double precision'::regtype, 'money'::regtype) and c.attname ~ ${MONEY_WORDS}`,
  },
  {
    id: 'catalog/timestamp-with-zone',
    category: 'catalog',
    severity: 'error',
    description: 'Points in time carry a time zone (timestamptz): a marketplace spans UTC-3 to UTC-6, and a zoneless timestamp means a different instant in each.',
    hint: 'ALTER COLUMN ... TYPE timestamptz',
    sql: `select c.object, 'column is timestamp without time zone' as message
            from (${COLUMNS}) c where c.atttypid = 'timestamp'::regtype`,
  },
  {
    id: 'catalog/comment',
    category: 'catalog',
    severity: 'warning',
    description: 'Every table and column has a comment, so that \\d+ explains the model.',
    hint: 'add it in the schema source (describe()) and run npm run generate',
    sql: `select t.object, 'table has no comment' as message from (${TABLES}) t where obj_description(t.oid, 'pg_class') is null
          union all
          select c.object, 'column has no comment' from (${COLUMNS}) c where col_description(c.relid, c.attnum) is null`,
  },
  {
    id: 'catalog/naming',
    category: 'catalog',
    severity: 'warning',
    description: 'Names follow the project convention: lower_snake_case tables and columns; constraints end in _pkey, _fkey, _key or _check.',
    hint: 'rename it (ALTER TABLE ... RENAME)',
    sql: `select t.object, 'table name is not lower_snake_case' as message from (${TABLES}) t where t.relname !~ '^[a-z][a-z0-9_]*$'
          union all
          select c.object, 'column name is not lower_snake_case' from (${COLUMNS}) c where c.attname !~ '^[a-z][a-z0-9_]*$'
          union all
          select format('%s.%I', t.object, k.conname), 'constraint name does not end in ' ||
                 case k.contype when 'p' then '_pkey' when 'f' then '_fkey' when 'u' then '_key' else '_check' end
            from (${TABLES}) t join pg_constraint k on k.conrelid = t.oid and k.conparentid = 0 and k.contype in ('p', 'f', 'u', 'c')
           where k.conname !~ case k.contype when 'p' then '_pkey$' when 'f' then '_fkey$' when 'u' then '_key$' else '_check$' end`,
  },
  {
    id: 'catalog/redundant-index',
    category: 'catalog',
    severity: 'warning',
    description: 'No index repeats another: an index whose columns are the leading columns of another index on the same table only slows writes.',
    hint: 'DROP INDEX the redundant one (keep the one that also backs a constraint)',
    sql: `select format('%s.%I', t.object, ic.relname) as object,
                 'index duplicates the leading columns of ' || string_agg(quote_ident(jc.relname), ', ' order by jc.relname) as message
            from (${TABLES}) t
            join pg_index i on i.indrelid = t.oid
            join pg_class ic on ic.oid = i.indexrelid
            join pg_index j on j.indrelid = t.oid and j.indexrelid <> i.indexrelid
            join pg_class jc on jc.oid = j.indexrelid
           where not i.indisunique and i.indpred is null and j.indpred is null and i.indexprs is null and j.indexprs is null
             and ic.relam = jc.relam
             and i.indnkeyatts <= j.indnkeyatts
             and (i.indkey::int2[])[0:i.indnkeyatts - 1] = (j.indkey::int2[])[0:i.indnkeyatts - 1]
             and (i.indnkeyatts < j.indnkeyatts or i.indexrelid > j.indexrelid)
           group by t.object, ic.relname`,
  },
  {
    id: 'catalog/fk-validated',
    category: 'catalog',
    severity: 'error',
    description: 'Every foreign key is validated: a NOT VALID key checks new rows only, and the old ones may point nowhere.',
    hint: 'ALTER TABLE ... VALIDATE CONSTRAINT (it takes only a SHARE UPDATE EXCLUSIVE lock)',
    sql: `select format('%s.%I', t.object, k.conname) as object, 'foreign key is NOT VALID' as message
            from (${TABLES}) t join pg_constraint k on k.conrelid = t.oid and k.conparentid = 0 and k.contype in ('f', 'c')
           where not k.convalidated`,
  },
  {
    id: 'catalog/fk-enforced',
    category: 'catalog',
    severity: 'error',
    description:
      'Every foreign key is enforced on every table and partition: its checks run as internal triggers, and `DISABLE TRIGGER ALL` (on a partition too) lets rows point nowhere while the key still looks valid.',
    hint: 'ALTER TABLE ... ENABLE TRIGGER ALL on the table named, then check its rows (ecomdb verify --only probe)',
    sql: `select format('%I.%I.%I', n.nspname, c.relname, k.conname) as object,
                 format('foreign key %I is not enforced on %I.%I: %s of its triggers disabled', k.conname, n.nspname, c.relname, count(*)) as message
            from pg_trigger g
            join pg_constraint k on k.oid = g.tgconstraint and k.contype = 'f'
            join pg_class c on c.oid = g.tgrelid join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = any($1) and g.tgisinternal and g.tgenabled = 'D'
           group by n.nspname, c.relname, k.conname`,
  },
  {
    id: 'catalog/security-definer-search-path',
    category: 'catalog',
    severity: 'error',
    description:
      "Every SECURITY DEFINER function (in the checked schemas and the audit schema) fixes its own search_path, with pg_temp last: it runs with its owner's rights, and without a path of its own it resolves names with the caller's, so a schema or temporary object of the caller can replace what it calls.",
    hint: 'ALTER FUNCTION ... SET search_path = pg_catalog, pg_temp, and qualify the schema\'s own objects in its body',
    sql: `select format('%I.%I(%s)', f.nspname, f.proname, f.args) as object,
                 case when f.path is null then 'SECURITY DEFINER function has no search_path of its own: it resolves names with the caller''s'
                      when f.path && array['$user', '"$user"', 'public'] then 'SECURITY DEFINER function''s search_path (' || array_to_string(f.path, ', ') || ') includes a schema other roles may create objects in'
                      else 'SECURITY DEFINER function''s search_path (' || array_to_string(f.path, ', ') || ') does not end with pg_temp: temporary objects are searched first' end as message
            from (select n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) as args,
                         (select string_to_array(replace(substr(c, length('search_path=') + 1), ' ', ''), ',')
                            from unnest(p.proconfig) c where c like 'search_path=%') as path
                    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                   where p.prosecdef and (n.nspname = any($1) or n.nspname = ${quoteLiteral(AUDIT_SCHEMA)})) f
           where f.path is null or f.path && array['$user', '"$user"', 'public'] or f.path[cardinality(f.path)] is distinct from 'pg_temp'`,
  },
];

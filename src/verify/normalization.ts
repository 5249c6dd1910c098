/**
 * Normalization rules that the catalog can decide. First normal form: a column holds one value,
 * not a list — arrays and JSON documents are repeating groups. (Second and third normal form
 * need the data: functional-dependency discovery on a sample is not built yet.)
 */
import type { SqlRule } from './types.ts';

export const NORMALIZATION_RULES: readonly SqlRule[] = [
  {
    id: 'normalization/1nf-repeating-group',
    category: 'normalization',
    severity: 'error',
    description:
      'First normal form: every column holds one atomic value. An array or a JSON list of ids is a repeating group: it cannot carry a foreign key, an index per element, or a constraint.',
    hint: 'move the list into its own table with one row per element and a foreign key back',
    sql: `select format('%I.%I.%I', n.nspname, c.relname, a.attname) as object,
                 'column of type ' || format_type(a.atttypid, a.atttypmod) || ' holds a list, not one value' as message
            from pg_attribute a
            join pg_class c on c.oid = a.attrelid
            join pg_namespace n on n.oid = c.relnamespace
            join pg_type ty on ty.oid = a.atttypid
           where n.nspname = any($1) and c.relkind in ('r', 'p') and not c.relispartition and a.attnum > 0 and not a.attisdropped
             and (ty.typcategory = 'A' or a.atttypid in ('json'::regtype, 'jsonb'::regtype))`,
  },
];

/**
 * SQL fragments over pg_catalog that several catalog readers share (verify's drift, the docs,
 * the partition planner's snapshot, the seed's saved definitions), so that they agree on what
 * they mean.
 */

/**
 * True when the index `index` (an alias of pg_index) belongs to a constraint of its own table: a
 * primary key, unique or exclusion constraint, which creates, names and drops the index with it.
 * Such an index is described by its constraint, not as an index of its own. A foreign key's
 * conindid is not ownership: it names the referenced table's index, which may be a plain
 * CREATE UNIQUE INDEX (on the same table, for a self-reference) and is still an index of its own.
 */
export function indexOwnedByConstraint(index: string): string {
  return `exists (select 1 from pg_catalog.pg_constraint owner
                   where owner.conindid = ${index}.indexrelid and owner.conrelid = ${index}.indrelid and owner.contype in ('p', 'u', 'x'))`;
}

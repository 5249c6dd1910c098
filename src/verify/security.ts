/**
 * Security rules: row-level security where the role matrix needs it, and no grant broader than
 * the matrix (schema/security.ts). SQL rules like the catalog's, over the schemas checked ($1)
 * and the schema of the views without personal data.
 */
import { BI_SCHEMA, DB_ROLES, ROLE_MATRIX, dbRole } from '../../schema/security.ts';
import { quoteLiteral } from '../ident.ts';
import type { SqlRule } from './types.ts';

/** The matrix as SQL rows (role, relation, privilege, column); column NULL for a whole-table privilege. */
function matrixValues(): string {
  const rows = ROLE_MATRIX.flatMap((g) =>
    g.privileges.flatMap((p) =>
      (g.columns ?? [null]).map((c) => `(${quoteLiteral(dbRole(g.role))}, ${quoteLiteral(g.relation)}, ${quoteLiteral(p)}, ${c === null ? 'NULL' : quoteLiteral(c)})`),
    ),
  );
  return `(VALUES ${rows.join(',\n  ')}) AS m(role, relation, privilege, col)`;
}

const ROLE_LIST = `ARRAY[${DB_ROLES.map(quoteLiteral).join(', ')}]::text[]`;

/** Relations (tables, partitions, views) of the checked schemas and of schema bi. */
const RELATIONS = `
  select c.oid, c.relname, c.relowner, c.relacl, n.nspname, pg_catalog.format('%I.%I', n.nspname, c.relname) as object, n.nspname || '.' || c.relname as id
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where (n.nspname = any($1) or n.nspname = ${quoteLiteral(BI_SCHEMA)}) and c.relkind in ('r', 'p', 'v', 'm', 'f')`;

export const SECURITY_RULES: readonly SqlRule[] = [
  {
    id: 'security/row-security',
    category: 'security',
    severity: 'error',
    description:
      'Every region-scoped table, and every partition of one, has row-level security enabled with the policies of its parent: a query that names a partition is filtered by the partition\'s own policies, never the parent\'s.',
    hint: 'run `ecomdb migrate` (the policies of schema/security.ts), then `ecomdb partition apply`; partitions made by hand need ALTER TABLE ... ENABLE ROW LEVEL SECURITY and the parent\'s policies',
    sql: `select r.object,
                 case when not c.relrowsecurity then case when c.relispartition then 'partition without row-level security' else 'region-scoped table without row-level security' end
                      else 'partition without the policies of ' || pg_catalog.format('%s', pg_catalog.pg_partition_root(c.oid)::pg_catalog.regclass) end as message
            from (${RELATIONS}) r join pg_catalog.pg_class c on c.oid = r.oid
           where c.relkind in ('r', 'p') and r.nspname <> ${quoteLiteral(BI_SCHEMA)}
             and exists (select 1 from pg_catalog.pg_attribute a where a.attrelid = c.oid and a.attname = 'region' and not a.attisdropped)
             and (not c.relrowsecurity
                  or (c.relispartition and (select pg_catalog.array_agg(p.polname order by p.polname) from pg_catalog.pg_policy p where p.polrelid = c.oid)
                       is distinct from (select pg_catalog.array_agg(p.polname order by p.polname) from pg_catalog.pg_policy p where p.polrelid = pg_catalog.pg_partition_root(c.oid))))`,
  },
  {
    id: 'security/grants',
    category: 'security',
    severity: 'error',
    description:
      'No role of the marketplace holds a privilege the role matrix (schema/security.ts) does not give it, on a table, a column, a partition, a view or a function; nothing is granted to PUBLIC but EXECUTE on SECURITY INVOKER functions. A broader grant bypasses least privilege (a partition granted directly is read through its own policies only).',
    hint: 'REVOKE it, or add it to the role matrix in schema/security.ts and run `ecomdb generate`',
    sql: `with matrix as (select * from ${matrixValues()}),
          held as (
            select r.object, r.id, r.relowner, a.grantee, a.privilege_type as privilege, null::text as col
              from (${RELATIONS}) r cross join lateral pg_catalog.aclexplode(r.relacl) a
            union all
            select r.object, r.id, r.relowner, a.grantee, a.privilege_type, att.attname::text
              from (${RELATIONS}) r
              join pg_catalog.pg_attribute att on att.attrelid = r.oid and att.attnum > 0 and not att.attisdropped and att.attacl is not null
              cross join lateral pg_catalog.aclexplode(att.attacl) a
            union all
            -- Functions (not trigger functions, which cannot be called): EXECUTE as the matrix's
            -- cells give it; PUBLIC (the default of a new function) only on a SECURITY INVOKER one.
            select pg_catalog.format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes)), p.oid::text, p.proowner,
                   a.grantee, a.privilege_type, null::text
              from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
              cross join lateral pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
             where n.nspname = any($1) and p.prokind = 'f' and p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype
               and (a.grantee <> 0 or p.prosecdef))
          select h.object || coalesce('.' || pg_catalog.quote_ident(h.col), '') as object,
                 pg_catalog.format('%s holds %s%s, which the role matrix does not give it',
                        case when h.grantee = 0 then 'PUBLIC' else pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(h.grantee)) end,
                        h.privilege, case when h.col is null then '' else ' on this column' end) as message
            from held h
           where h.grantee <> h.relowner
             and (h.grantee = 0 or pg_catalog.pg_get_userbyid(h.grantee) = any(${ROLE_LIST}))
             and not exists (select 1 from matrix m
                              where m.role = pg_catalog.pg_get_userbyid(h.grantee) and m.privilege = h.privilege
                                and (m.relation = h.id or (m.privilege = 'EXECUTE' and pg_catalog.to_regprocedure(m.relation)::pg_catalog.oid::text = h.id))
                                and (m.col is null or m.col = h.col))`,
  },
];

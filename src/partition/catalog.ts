/**
 * What the partition planner needs to know about a live database, read in one pass: the
 * region-scoped tables, how each is partitioned today, and everything a rebuild must carry over
 * (keys, indexes, checks, foreign keys in and out, comments, row-level security, grants,
 * publications, owned sequences, triggers). Executor side: the planner gets this as plain data.
 */
import type { Session } from '../db/types.ts';
import { quoteIdent as ident } from '../ident.ts';
import { PARTITION_LAYOUT } from '../../schema/partitions.ts';
import { regionTables } from '../../schema/regions.ts';
import { indexOwnedByConstraint } from '../pg-catalog.ts';

/** Re-exported for the partition commands, which read the region-scoped tables from here. */
export { regionTables };

export interface Constraint {
  readonly name: string;
  /** p primary key, u unique, c check, f foreign key. */
  readonly type: 'p' | 'u' | 'c' | 'f';
  /** pg_get_constraintdef: `PRIMARY KEY (region, id)`, `CHECK (...)`, `FOREIGN KEY ... REFERENCES ...`. */
  readonly definition: string;
  readonly comment: string | null;
}

export interface ForeignKey {
  /** `schema.table` that holds the key. */
  readonly table: string;
  /** `schema.table` it references. */
  readonly references: string;
  readonly name: string;
  readonly definition: string;
  readonly comment: string | null;
}

export interface Index {
  readonly name: string;
  /** pg_get_indexdef of the index on the table itself. */
  readonly definition: string;
  readonly comment: string | null;
}

export interface Partition {
  readonly name: string;
  /** `DEFAULT`, or the values of a LIST partition, or the month (`2026-11`) of a RANGE one. */
  readonly bound: { kind: 'default' } | { kind: 'list'; values: string[] } | { kind: 'month'; month: string } | { kind: 'other'; text: string };
  readonly children: readonly Partition[];
}

export interface TableState {
  readonly schema: string;
  readonly name: string;
  /** `schema.table`. */
  readonly id: string;
  readonly partitioned: boolean;
  /** `LIST (region)`, `RANGE (created_at)` when partitioned. */
  readonly partitionKey: string | null;
  readonly partitions: readonly Partition[];
  /** Columns a copy writes: all but generated ones, in table order. */
  readonly columns: readonly string[];
  /** A column is GENERATED ALWAYS AS IDENTITY: a copy needs OVERRIDING SYSTEM VALUE. */
  readonly alwaysIdentity: boolean;
  readonly owner: string;
  readonly comment: string | null;
  readonly constraints: readonly Constraint[];
  readonly indexes: readonly Index[];
  readonly rowSecurity: { enabled: boolean; forced: boolean };
  /**
   * Its policies: the name and what follows `ON <table>` in CREATE POLICY (`AS PERMISSIVE FOR
   * SELECT TO ... USING (...)`), so that the same policy can be created on a partition.
   */
  readonly policies: readonly { readonly name: string; readonly body: string }[];
  /** Complete GRANT statements, column privileges included (the owner's excluded). */
  readonly grants: readonly string[];
  /** Publications that list the table, with their row filter. */
  readonly publications: readonly { name: string; rowFilter: string | null; columns: string[] | null; viaRoot: boolean }[];
  /** Sequences of a column of the table: owned (serial, bigserial) or an identity's own. */
  readonly sequences: readonly { sequence: string; column: string; identity: boolean }[];
  /** Complete CREATE TRIGGER statements of user triggers. */
  readonly triggers: readonly string[];
  /** Objects that depend on the table and would block a rebuild: rewrite rules of other tables (views are carried, see `views`). */
  readonly dependents: readonly string[];
  /** Definitions a rebuild cannot carry over to a partitioned table (exclusion constraints). */
  readonly unsupported: readonly string[];
  /** For a plain monthly table: the first and last month that hold rows (`YYYY-MM`), when any do (null once partitioned). */
  readonly dataMonths: { first: string; last: string } | null;
}

/**
 * A view or materialized view that reads region-scoped tables, directly or through other views.
 * A rebuild drops it first (a view points at one physical table) and creates it again after,
 * with its indexes, comments, owner and grants.
 */
export interface DependentView {
  readonly schema: string;
  readonly name: string;
  /** `schema.view`. */
  readonly id: string;
  readonly materialized: boolean;
  /** pg_get_viewdef, without its final semicolon. */
  readonly definition: string;
  /** reloptions of a view (`security_barrier=true`, ...). */
  readonly options: readonly string[];
  /** A materialized view holds rows (else it was created WITH NO DATA). */
  readonly populated: boolean;
  readonly owner: string;
  readonly comment: string | null;
  readonly columnComments: readonly { column: string; comment: string }[];
  readonly indexes: readonly Index[];
  /** Complete GRANT statements (the owner's excluded). */
  readonly grants: readonly string[];
  /** `schema.table` of every region-scoped table it reads, directly or through other views. */
  readonly tables: readonly string[];
}

/** A table split by month only (PARTITION_LAYOUT.monthlyOnly), as it is. */
export interface MonthlyOnlyState {
  readonly schema: string;
  readonly name: string;
  readonly id: string;
  readonly owner: string;
  /** The months of its partitions. */
  readonly months: readonly string[];
  /**
   * Its statement-level triggers (a TRUNCATE guard), which PostgreSQL does not clone onto
   * partitions, as CREATE TRIGGER statements with `{partition}` in place of the table.
   */
  readonly partitionTriggers: readonly string[];
}

export interface CatalogSnapshot {
  readonly tables: readonly TableState[];
  /** The tables split by month only that exist and are partitioned (absent: none read). */
  readonly monthlyOnly?: readonly MonthlyOnlyState[];
  /** Views over region-scoped tables, each after the views it reads. */
  readonly views: readonly DependentView[];
  /** Every foreign key whose table or target is a region-scoped table (defined on the parent). */
  readonly foreignKeys: readonly ForeignKey[];
  readonly currentUser: string;
  readonly serverVersion: number;
}

/** Complete GRANT statements on relations `oids`, column privileges included (the owner's excluded). */
function grantsOf(session: Session, oids: readonly number[]): Promise<{ rel: number; sql: string }[]> {
  return session.query<{ rel: number; sql: string }>(
    `select c.oid::int as rel,
            format('GRANT %s ON %I.%I TO %s%s;', a.privilege_type, n.nspname, c.relname,
                   case when a.grantee = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(a.grantee)) end,
                   case when a.is_grantable then ' WITH GRANT OPTION' else '' end) as sql
       from pg_class c join pg_namespace n on n.oid = c.relnamespace cross join lateral aclexplode(c.relacl) a
      where c.oid = any($1::oid[]) and a.grantee <> c.relowner
     union all
     select c.oid::int,
            format('GRANT %s (%I) ON %I.%I TO %s%s;', a.privilege_type, att.attname, n.nspname, c.relname,
                   case when a.grantee = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(a.grantee)) end,
                   case when a.is_grantable then ' WITH GRANT OPTION' else '' end)
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute att on att.attrelid = c.oid and att.attnum > 0 and not att.attisdropped and att.attacl is not null
       cross join lateral aclexplode(att.attacl) a
      where c.oid = any($1::oid[]) and a.grantee <> c.relowner
      order by 2`,
    [oids],
  );
}

/**
 * The views that read the relations `oids`, through any depth of views, each after the views it
 * reads (ordered by the longest path from a table), with everything needed to create it again.
 */
async function dependentViews(session: Session, oids: readonly number[]): Promise<DependentView[]> {
  const views = await session.query<{
    oid: number; schema: string; name: string; materialized: boolean; def: string; options: string[] | null; populated: boolean;
    owner: string; comment: string | null; columns: { column: string; comment: string }[]; tables: string[];
  }>(
    `with recursive reads(view, root, depth) as (
       select w.ev_class, d.refobjid, 1
         from pg_depend d join pg_rewrite w on w.oid = d.objid
        where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
          and d.refobjid = any($1::oid[]) and w.ev_class <> d.refobjid
       union
       select w.ev_class, r.root, r.depth + 1
         from reads r join pg_depend d on d.refobjid = r.view and d.refclassid = 'pg_class'::regclass and d.classid = 'pg_rewrite'::regclass
         join pg_rewrite w on w.oid = d.objid
        where w.ev_class <> r.view and r.depth < 100)
     select c.oid::int as oid, n.nspname as schema, c.relname as name, c.relkind = 'm' as materialized,
            regexp_replace(pg_get_viewdef(c.oid), ';\s*$', '') as def, c.reloptions::text[] as options, c.relispopulated as populated,
            pg_get_userbyid(c.relowner) as owner, obj_description(c.oid, 'pg_class') as comment,
            coalesce((select json_agg(json_build_object('column', a.attname, 'comment', col_description(c.oid, a.attnum)) order by a.attnum)
                        from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and col_description(c.oid, a.attnum) is not null), '[]') as columns,
            array_agg(distinct format('%s.%s', tn.nspname, t.relname)) as tables
       from reads r join pg_class c on c.oid = r.view join pg_namespace n on n.oid = c.relnamespace
       join pg_class t on t.oid = r.root join pg_namespace tn on tn.oid = t.relnamespace
      where c.relkind in ('v', 'm')
      group by c.oid, n.nspname, c.relname
      order by max(r.depth), n.nspname, c.relname`,
    [oids],
  );
  const ids = views.map((v) => v.oid);
  const indexes = await session.query<{ rel: number; name: string; def: string; comment: string | null }>(
    `select i.indrelid::int as rel, ic.relname as name, pg_get_indexdef(i.indexrelid) as def, obj_description(i.indexrelid, 'pg_class') as comment
       from pg_index i join pg_class ic on ic.oid = i.indexrelid
      where i.indrelid = any($1::oid[]) order by ic.relname`,
    [ids],
  );
  const grants = await grantsOf(session, ids);
  return views.map((v) => ({
    schema: v.schema,
    name: v.name,
    id: `${v.schema}.${v.name}`,
    materialized: v.materialized,
    definition: v.def,
    options: v.options ?? [],
    populated: v.populated,
    owner: v.owner,
    comment: v.comment,
    columnComments: v.columns,
    indexes: indexes.filter((i) => i.rel === v.oid).map((i) => ({ name: i.name, definition: i.def, comment: i.comment })),
    grants: grants.filter((g) => g.rel === v.oid).map((g) => g.sql),
    tables: [...v.tables].sort(),
  }));
}

const MONTH_OF_BOUND = `case when pg_get_expr(c.relpartbound, c.oid) ~ '^FOR VALUES FROM \\(''[^'']+''\\) TO'
  then to_char((substring(pg_get_expr(c.relpartbound, c.oid) from '^FOR VALUES FROM \\(''([^'']+)''\\)'))::timestamptz at time zone 'UTC', 'YYYY-MM') end`;

interface PartRow { oid: number; parent: number; name: string; bound: string; month: string | null; values: string[] | null; is_default: boolean }

/** Read the snapshot. `tables` defaults to every region-scoped table of the schema source. */
export async function readCatalog(session: Session, tables: readonly string[] = regionTables()): Promise<CatalogSnapshot> {
  const [who] = await session.query<{ u: string; v: number }>(`select current_user as u, current_setting('server_version_num')::int as v`);
  const rels = await session.query<{ oid: number; schema: string; name: string; kind: string; owner: string; comment: string | null; key: string | null; rls: boolean; force: boolean; columns: string[]; always: boolean }>(
    `select c.oid::int as oid, n.nspname as schema, c.relname as name, c.relkind::text as kind, pg_get_userbyid(c.relowner) as owner,
            obj_description(c.oid, 'pg_class') as comment,
            case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as key,
            c.relrowsecurity as rls, c.relforcerowsecurity as force,
            array(select a.attname::text from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' order by a.attnum) as columns,
            exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attidentity = 'a') as always
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where (n.nspname || '.' || c.relname) = any($1::text[]) and c.relkind in ('r', 'p') and not c.relispartition`,
    [tables],
  );
  const oids = rels.map((r) => r.oid);
  const parts = await session.query<PartRow>(
    `select c.oid::int as oid, t.parentrelid::int as parent, c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound,
            ${MONTH_OF_BOUND} as month,
            case when pg_get_expr(c.relpartbound, c.oid) ~ '^FOR VALUES IN' then
              array(select m[1] from regexp_matches(pg_get_expr(c.relpartbound, c.oid), '''([^'']*)''', 'g') m) end as values,
            pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' as is_default
       from unnest($1::oid[]) r(oid) cross join lateral pg_partition_tree(r.oid) t
       join pg_class c on c.oid = t.relid
      where t.level > 0
      order by t.level, c.relname`,
    [oids],
  );
  const constraints = await session.query<{ rel: number; name: string; type: 'p' | 'u' | 'c' | 'f'; def: string; comment: string | null; target: number }>(
    `select k.conrelid::int as rel, k.conname as name, k.contype::text as type, pg_get_constraintdef(k.oid) as def,
            obj_description(k.oid, 'pg_constraint') as comment, k.confrelid::int as target
       from pg_constraint k
      where k.conparentid = 0 and k.contype in ('p', 'u', 'c', 'f')
        and (k.conrelid = any($1::oid[]) or (k.contype = 'f' and k.confrelid = any($1::oid[])))
      order by k.contype, k.conname`,
    [oids],
  );
  const indexes = await session.query<{ rel: number; name: string; def: string; comment: string | null }>(
    `select i.indrelid::int as rel, ic.relname as name, pg_get_indexdef(i.indexrelid) as def, obj_description(i.indexrelid, 'pg_class') as comment
       from pg_index i join pg_class ic on ic.oid = i.indexrelid
      where i.indrelid = any($1::oid[])
        and not ${indexOwnedByConstraint('i')}
      order by ic.relname`,
    [oids],
  );
  const policies = await session.query<{ rel: number; name: string; body: string }>(
    `select p.polrelid::int as rel, p.polname as name,
            format('AS %s FOR %s TO %s%s%s',
                   case when p.polpermissive then 'PERMISSIVE' else 'RESTRICTIVE' end,
                   case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE' when 'd' then 'DELETE' else 'ALL' end,
                   coalesce((select string_agg(case when r = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(r)) end, ', ') from unnest(p.polroles) r), 'PUBLIC'),
                   coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', ''),
                   coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '')) as body
       from pg_policy p
      where p.polrelid = any($1::oid[]) order by p.polname`,
    [oids],
  );
  const grants = await grantsOf(session, oids);
  // What a rebuild cannot carry over: PostgreSQL 15 has no exclusion constraints on partitioned tables.
  const unsupported = await session.query<{ rel: number; what: string }>(
    `select k.conrelid::int as rel, format('exclusion constraint %I', k.conname) as what
       from pg_constraint k where k.contype = 'x' and k.conrelid = any($1::oid[]) order by 2`,
    [oids],
  );
  const publications = await session.query<{ rel: number; name: string; filter: string | null; columns: string[] | null; via: boolean }>(
    `select r.prrelid::int as rel, p.pubname as name, pg_get_expr(r.prqual, r.prrelid) as filter, p.pubviaroot as via,
            case when r.prattrs is null then null else
              array(select a.attname::text from unnest(r.prattrs::int2[]) k join pg_attribute a on a.attrelid = r.prrelid and a.attnum = k) end as columns
       from pg_publication_rel r join pg_publication p on p.oid = r.prpubid
      where r.prrelid = any($1::oid[]) order by p.pubname`,
    [oids],
  );
  const sequences = await session.query<{ rel: number; sequence: string; column: string; identity: boolean }>(
    `select d.refobjid::int as rel, format('%I.%I', n.nspname, s.relname) as sequence, a.attname as column, d.deptype = 'i' as identity
       from pg_depend d join pg_class s on s.oid = d.objid and s.relkind = 'S' join pg_namespace n on n.oid = s.relnamespace
       join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
      where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
        and d.refobjid = any($1::oid[]) order by 2`,
    [oids],
  );
  const triggers = await session.query<{ rel: number; sql: string }>(
    `select t.tgrelid::int as rel, pg_get_triggerdef(t.oid) || ';' as sql from pg_trigger t
      where t.tgrelid = any($1::oid[]) and not t.tgisinternal and t.tgparentid = 0 order by t.tgname`,
    [oids],
  );
  // Views are carried over by a rebuild (dependentViews); a rule of another table is not.
  const dependents = await session.query<{ rel: number; what: string }>(
    `select distinct d.refobjid::int as rel, format('rule %I on %I.%I', w.rulename, n.nspname, v.relname) as what
       from pg_depend d join pg_rewrite w on w.oid = d.objid join pg_class v on v.oid = w.ev_class join pg_namespace n on n.oid = v.relnamespace
      where d.classid = 'pg_rewrite'::regclass and d.refobjid = any($1::oid[]) and v.oid <> d.refobjid and v.relkind not in ('v', 'm')`,
    [oids],
  );

  const childrenOf = (parent: number): Partition[] =>
    parts
      .filter((p) => p.parent === parent)
      .map((p) => ({
        name: p.name,
        bound: p.is_default
          ? { kind: 'default' as const }
          : p.values
            ? { kind: 'list' as const, values: p.values }
            : p.month
              ? { kind: 'month' as const, month: p.month }
              : { kind: 'other' as const, text: p.bound },
        children: childrenOf(p.oid),
      }));

  const states: TableState[] = [];
  for (const id of tables) {
    const rel = rels.find((r) => `${r.schema}.${r.name}` === id);
    if (!rel) continue;
    const monthly = PARTITION_LAYOUT.monthly[id];
    let dataMonths: TableState['dataMonths'] = null;
    // Only a plain table is scanned for the months its rows span (apply needs them). A
    // partitioned one has no DEFAULT month, so its month partitions already cover every row:
    // scanning the largest tables on every `months` run would be wasted work.
    if (monthly && rel.kind !== 'p') {
      const [m] = await session.query<{ first: string | null; last: string | null }>(
        `select to_char(min(${ident(monthly.column)}) at time zone 'UTC', 'YYYY-MM') as first,
                to_char(max(${ident(monthly.column)}) at time zone 'UTC', 'YYYY-MM') as last
           from ${ident(rel.schema)}.${ident(rel.name)}`,
      );
      if (m?.first && m.last) dataMonths = { first: m.first, last: m.last };
    }
    const of = <T extends { rel: number }>(rows: T[]) => rows.filter((r) => r.rel === rel.oid);
    states.push({
      schema: rel.schema,
      name: rel.name,
      id,
      partitioned: rel.kind === 'p',
      partitionKey: rel.key,
      partitions: childrenOf(rel.oid),
      columns: rel.columns,
      alwaysIdentity: rel.always,
      owner: rel.owner,
      comment: rel.comment,
      constraints: of(constraints).map((k) => ({ name: k.name, type: k.type, definition: k.def, comment: k.comment })),
      indexes: of(indexes).map((i) => ({ name: i.name, definition: i.def, comment: i.comment })),
      rowSecurity: { enabled: rel.rls, forced: rel.force },
      policies: of(policies).map((p) => ({ name: p.name, body: p.body })),
      grants: of(grants).map((g) => g.sql),
      publications: of(publications).map((p) => ({ name: p.name, rowFilter: p.filter, columns: p.columns, viaRoot: p.via })),
      sequences: of(sequences).map((s) => ({ sequence: s.sequence, column: s.column, identity: s.identity })),
      triggers: of(triggers).map((t) => t.sql),
      dependents: of(dependents).map((d) => d.what),
      unsupported: of(unsupported).map((u) => u.what),
      dataMonths,
    });
  }
  const foreignKeys: ForeignKey[] = [];
  const fkRows = await session.query<{ rel: string; target: string; name: string; def: string; comment: string | null }>(
    `select format('%s.%s', n.nspname, c.relname) as rel, format('%s.%s', tn.nspname, tc.relname) as target, k.conname as name,
            pg_get_constraintdef(k.oid) as def, obj_description(k.oid, 'pg_constraint') as comment
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_class tc on tc.oid = k.confrelid join pg_namespace tn on tn.oid = tc.relnamespace
      where k.contype = 'f' and k.conparentid = 0 and (k.conrelid = any($1::oid[]) or k.confrelid = any($1::oid[]))
      order by 1, 3`,
    [oids],
  );
  for (const k of fkRows) foreignKeys.push({ table: k.rel, references: k.target, name: k.name, definition: k.def, comment: k.comment });
  return { tables: states, views: await dependentViews(session, oids), foreignKeys, monthlyOnly: await monthlyOnlyTables(session), currentUser: who!.u, serverVersion: who!.v };
}

/** The tables of PARTITION_LAYOUT.monthlyOnly that exist partitioned, with the months they have. */
async function monthlyOnlyTables(session: Session): Promise<MonthlyOnlyState[]> {
  const rows = await session.query<{ schema: string; name: string; owner: string; months: (string | null)[]; triggers: string[] }>(
    `select n.nspname as schema, p.relname as name, pg_get_userbyid(p.relowner) as owner,
            array(select ${MONTH_OF_BOUND} from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = p.oid order by 1) as months,
            array(select replace(pg_get_triggerdef(t.oid), ' ON ' || p.oid::regclass::text || ' ', ' ON {partition} ') || ';'
                    from pg_trigger t where t.tgrelid = p.oid and not t.tgisinternal and t.tgtype & 1 = 0 order by t.tgname) as triggers
       from pg_class p join pg_namespace n on n.oid = p.relnamespace
      where (n.nspname || '.' || p.relname) = any($1::text[]) and p.relkind = 'p'
      order by 1, 2`,
    [Object.keys(PARTITION_LAYOUT.monthlyOnly)],
  );
  return rows.map((r) => ({ schema: r.schema, name: r.name, id: `${r.schema}.${r.name}`, owner: r.owner, months: r.months.filter((m): m is string => m !== null), partitionTriggers: r.triggers }));
}

/**
 * Looking at partitions without changing anything: `partition list` (every partition with its
 * bounds, row estimate and size) and `partition explain` (which partitions a query reads).
 */
import { randomBytes } from 'node:crypto';
import type { Session } from '../db/types.ts';
import { EcomdbError, pgFields } from '../errors.ts';
import { quoteIdent, quoteLiteral } from '../ident.ts';
import { regionTables } from './catalog.ts';
import { DEFAULT_LOCK_TIMEOUT } from './run.ts';

export interface PartitionRow {
  /** The region-scoped table it belongs to (`schema.table`). */
  readonly table: string;
  /** `schema.name` of the partition (the table itself at level 0). */
  readonly partition: string;
  readonly parent: string | null;
  readonly level: number;
  /** `FOR VALUES IN ('MLA')`, `DEFAULT`, `FOR VALUES FROM (...) TO (...)`, or null for the root. */
  readonly bound: string | null;
  readonly leaf: boolean;
  /** pg_class.reltuples: the planner's estimate (-1 when never analyzed; for a parent, when any of its leaves never was). */
  readonly rowEstimate: number;
  /** Bytes on disk, indexes and TOAST included (for a partitioned table: its partitions'). */
  readonly bytes: number;
}

/**
 * Every partition of `tables`, each table first. A table that is not partitioned (a migrated
 * database before `partition apply`) is listed as itself: a leaf at level 0 with no bound.
 */
export async function listPartitions(session: Session, tables: readonly string[] = regionTables()): Promise<PartitionRow[]> {
  const rows = await session.query<{ tbl: string; part: string; parent: string | null; level: number; bound: string | null; leaf: boolean; est: number; bytes: string }>(
    `select r.tbl, format('%s.%s', n.nspname, c.relname) as part,
            case when t.parentrelid is null then null else format('%s.%s', pn.nspname, pc.relname) end as parent,
            t.level, pg_get_expr(c.relpartbound, c.oid) as bound, t.isleaf as leaf,
            case when t.isleaf then c.reltuples
                 -- a parent's estimate is unknown (-1) while any of its leaves was never analysed
                 else (select case when bool_or(l.reltuples < 0) then -1 else coalesce(sum(l.reltuples), 0) end
                         from pg_partition_tree(t.relid) x join pg_class l on l.oid = x.relid where x.isleaf) end::float8 as est,
            case when t.isleaf then pg_total_relation_size(t.relid)
                 else (select coalesce(sum(pg_total_relation_size(x.relid)), 0) from pg_partition_tree(t.relid) x where x.isleaf) end::text as bytes
       from unnest($1::text[]) with ordinality r(tbl, ord)
       -- pg_partition_tree has no row for a plain table: it is its own tree, one leaf.
       cross join lateral (select relid, parentrelid, isleaf, level from pg_partition_tree(to_regclass(r.tbl))
                           union all
                           select p.oid::regclass, null, true, 0 from pg_class p
                            where p.oid = to_regclass(r.tbl) and p.relkind = 'r' and not p.relispartition) t
       join pg_class c on c.oid = t.relid join pg_namespace n on n.oid = c.relnamespace
       left join pg_class pc on pc.oid = t.parentrelid left join pg_namespace pn on pn.oid = pc.relnamespace
      where to_regclass(r.tbl) is not null
      order by r.ord, t.level > 0, format('%s.%s', n.nspname, c.relname)`,
    [tables],
  );
  return rows.map((r) => ({
    table: r.tbl,
    partition: r.part,
    parent: r.parent,
    level: r.level,
    bound: r.bound,
    leaf: r.leaf,
    rowEstimate: Math.round(Number(r.est)),
    bytes: Number(r.bytes),
  }));
}

export interface ExplainResult {
  /** Every table or partition the plan reads, `schema.name`, once each, in plan order. */
  readonly relations: string[];
  /** Scans in the plan (a self-join reads the same partition twice). */
  readonly scans: number;
  /** Partitions the executor prunes at run time ("Subplans Removed"), summed over the plan. */
  readonly subplansRemoved: number;
  /** The plan as PostgreSQL prints it (text format). */
  readonly text: string;
  /**
   * The role the query was planned as: a NOLOGIN role made for this explain that can only read
   * (pg_read_all_data), or, when this user may not make one, the user itself (`guarded` false).
   */
  readonly plannedAs: string;
  readonly guarded: boolean;
  /** What the caller should tell the user (what this explain could not prevent). */
  readonly notes: string[];
}

interface PlanNode {
  'Relation Name'?: string;
  Schema?: string;
  'Subplans Removed'?: number;
  Plans?: PlanNode[];
}

/**
 * Inside the caller's transaction, which rolls it all back: make a NOLOGIN role whose only
 * privileges are reading (member of pg_read_all_data) and SET LOCAL ROLE to it. Its name is new
 * each time and the role is never committed, so nothing remains and concurrent explains (on any
 * database of the cluster, where role names are shared) cannot collide. Returns the role, or
 * null with the reason when this user cannot make one (CREATEROLE and the right to grant
 * pg_read_all_data are needed): then nothing of the attempt remains either.
 */
async function assumeReadOnlyRole(session: Session): Promise<{ role: string } | { role: null; reason: string }> {
  const role = `ecomdb_explain_${randomBytes(6).toString('hex')}`;
  // The tables have row-level security, and a role without a policy sees no row: the planner
  // would plan `One-Time Filter: false` and read no partition. The role must bypass it, which
  // only a superuser can grant on PostgreSQL 15; anyone else plans as themselves.
  const [me] = await session.query<{ superuser: boolean }>(`select rolsuper as superuser from pg_catalog.pg_roles where rolname = current_user`);
  if (!me?.superuser) return { role: null, reason: 'only a superuser can make a role that bypasses row-level security, which a read-only planning role needs' };
  await session.exec('SAVEPOINT ecomdb_explain_role');
  try {
    await session.exec(`CREATE ROLE ${quoteIdent(role)} NOLOGIN BYPASSRLS`);
    await session.exec(`GRANT pg_read_all_data TO ${quoteIdent(role)}`);
    // A superuser may SET ROLE to anyone; anyone else needs the membership.
    await session.exec(`GRANT ${quoteIdent(role)} TO CURRENT_USER`);
    await session.exec(`SET LOCAL ROLE ${quoteIdent(role)}`);
    await session.exec('RELEASE SAVEPOINT ecomdb_explain_role');
    return { role };
  } catch (error) {
    const pg = pgFields(error);
    // 42501: no CREATEROLE, or no right to grant pg_read_all_data; 42704: a server without it.
    if (pg.code !== '42501' && pg.code !== '42704') throw error;
    await session.exec('ROLLBACK TO SAVEPOINT ecomdb_explain_role');
    return { role: null, reason: pg.message };
  }
}

/**
 * EXPLAIN (never ANALYZE) of one statement, in a transaction that is rolled back. The
 * statement goes through the extended protocol (Session.query), which refuses a second statement
 * after a `;`. Planning locks every partition it looks at: `lockTimeout` bounds that wait.
 *
 * Planning runs code: the planner evaluates IMMUTABLE functions called with constants (and STABLE
 * ones, to prune partitions), and such a function may act outside the transaction (dblink_exec on
 * a second connection, pg_terminate_backend, ...), where no rollback reaches. So the statement is
 * planned as a role that can only read (assumeReadOnlyRole), in a read-only transaction. That
 * role cannot stop a SECURITY DEFINER function, which runs as its owner, nor a connection string
 * with a password in it; when the role cannot be made, the statement is planned as the user, and
 * the result says so.
 */
export async function explainQuery(session: Session, query: string, options: { lockTimeout?: string } = {}): Promise<ExplainResult> {
  const sql = query.trim().replace(/;\s*$/, '');
  if (sql === '') throw new EcomdbError('E_USAGE', 'the query is empty', { hint: 'pass one SELECT, e.g. "SELECT * FROM order_processing.orders WHERE region = \'MLA\'"' });
  // Read-write until the role exists (making it is a write, rolled back with the rest).
  await session.exec('BEGIN');
  try {
    await session.exec(`SET LOCAL lock_timeout = ${quoteLiteral(options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT)}`);
    const [me] = await session.query<{ name: string }>('select current_user::text as name');
    const user = me!.name;
    const assumed = await assumeReadOnlyRole(session);
    await session.exec('SET LOCAL transaction_read_only = on');
    const notes =
      assumed.role === null
        ? [
            `planned as ${user}, not as a read-only role (${assumed.reason}): functions the planner evaluates ran with ${user}'s privileges, and what they did outside the transaction (dblink, pg_terminate_backend, ...) was not rolled back; run explain as a role with CREATEROLE to prevent that`,
          ]
        : [];
    let json: { Plan: PlanNode }[];
    let text: { 'QUERY PLAN': string }[];
    try {
      json = ((await session.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON, VERBOSE, COSTS OFF) ${sql}`))[0]!['QUERY PLAN'] as never);
      if (typeof json === 'string') json = JSON.parse(json);
      text = await session.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${sql}`);
    } catch (error) {
      const pg = pgFields(error);
      if (pg.code === '55P03') {
        throw new EcomdbError('E_PARTITION_FAILED', `cannot explain the query: ${pg.message} (SQLSTATE 55P03)`, {
          hint: 'a table it reads is locked by another session (a partition command?); retry, or raise --lock-timeout',
          details: { sqlstate: pg.code },
        });
      }
      if (assumed.role !== null && (pg.code === '42501' || pg.code === '25006')) {
        throw new EcomdbError('E_USAGE', `cannot explain the query: ${pg.message} (SQLSTATE ${pg.code})`, {
          hint: 'planning it runs something that does more than read (a function the planner evaluates); explain plans as a role that may only read, so that nothing it runs can change anything',
          details: { sqlstate: pg.code },
        });
      }
      throw new EcomdbError('E_USAGE', `cannot explain the query: ${pg.message}`, { hint: 'pass one valid statement, quoted as a single argument', details: { sqlstate: pg.code } });
    }
    const relations: string[] = [];
    let subplansRemoved = 0;
    const walk = (node: PlanNode) => {
      if (node['Relation Name']) relations.push(`${node.Schema ?? 'public'}.${node['Relation Name']}`);
      subplansRemoved += node['Subplans Removed'] ?? 0;
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(json[0]!.Plan);
    return {
      relations: [...new Set(relations)],
      scans: relations.length,
      subplansRemoved,
      text: text.map((r) => r['QUERY PLAN']).join('\n'),
      plannedAs: assumed.role ?? user,
      guarded: assumed.role !== null,
      notes,
    };
  } finally {
    await session.exec('ROLLBACK');
  }
}

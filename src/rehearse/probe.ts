/**
 * What `ecomdb rehearse` reads from the server while a migration runs: the table-level locks of
 * the migrating session (pg_locks), the files of every relation with storage (to see rewrites),
 * and the sessions waiting for a lock (pg_stat_activity, pg_blocking_pids). SQL only; the
 * meaning is in plan.ts.
 */
import type { Session } from '../db/types.ts';
import { kindOf, type RelationFile, type RelationLock, type WaitingSession } from './plan.ts';

/** Schemas that are PostgreSQL's own, not the application's. */
const SYSTEM_SCHEMAS = `n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and n.nspname not like 'pg\\_temp\\_%' and n.nspname not like 'pg\\_toast\\_temp\\_%'`;

/**
 * The granted table-level locks of session `pid` on the application's relations. From the
 * migrating session itself (pid null: its own), relations it created in its open transaction are
 * named too; from another session they are not visible, and left out.
 */
export async function relationLocks(session: Session, pid: number | null): Promise<RelationLock[]> {
  const rows = await session.query<{ relation: string; relkind: string; mode: string }>(
    `select format('%I.%I', n.nspname, c.relname) as relation, c.relkind::text as relkind, l.mode
       from pg_locks l join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
      where l.locktype = 'relation' and l.granted and l.pid = coalesce($1::int, pg_backend_pid())
        and l.database = (select oid from pg_database where datname = current_database())
        and ${SYSTEM_SCHEMAS}`,
    [pid],
  );
  return rows.map((r) => ({ relation: r.relation, kind: kindOf(r.relkind), mode: r.mode }));
}

/**
 * Every relation of the application with its current file (0 for those without storage:
 * partitioned tables and indexes, views, sequences aside).
 */
export async function relationFiles(session: Session): Promise<RelationFile[]> {
  const rows = await session.query<{ oid: string; name: string; relkind: string; filenode: string }>(
    `select c.oid::int8::text as oid, format('%I.%I', n.nspname, c.relname) as name, c.relkind::text as relkind,
            coalesce(pg_relation_filenode(c.oid), 0)::int8::text as filenode
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'm', 'i', 'p', 'I', 'v', 'S') and ${SYSTEM_SCHEMAS}`,
  );
  return rows.map((r) => ({ oid: Number(r.oid), name: r.name, kind: kindOf(r.relkind), filenode: Number(r.filenode) }));
}

/**
 * The sessions of this database waiting for a lock now, with whom they wait for and since when
 * their statement runs. The lock they wait for is named when it is a relation's.
 */
export async function waitingSessions(session: Session): Promise<WaitingSession[]> {
  const rows = await session.query<{ pid: number; blockers: number[]; since: string; waited_ms: number; relation: string | null; mode: string | null }>(
    `select a.pid, pg_blocking_pids(a.pid) as blockers, a.query_start::text as since,
            (extract(epoch from clock_timestamp() - a.query_start) * 1000)::float8 as waited_ms,
            w.relation, w.mode
       from pg_stat_activity a
       left join lateral (
         select case when c.oid is not null then format('%I.%I', n.nspname, c.relname) end as relation, l.mode
           from pg_locks l left join pg_class c on c.oid = l.relation left join pg_namespace n on n.oid = c.relnamespace
          where l.pid = a.pid and not l.granted
          limit 1) w on true
      where a.datname = current_database() and a.backend_type = 'client backend' and a.wait_event_type = 'Lock' and a.pid <> pg_backend_pid()`,
  );
  return rows.map((r) => ({
    pid: Number(r.pid),
    blockers: (r.blockers ?? []).map(Number),
    since: r.since,
    waitedMs: Number(r.waited_ms),
    relation: r.relation,
    mode: r.mode,
  }));
}

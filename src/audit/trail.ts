/**
 * Reading and writing the audit trail (schema/audit.ts) from ecomdb itself: the seed's switch
 * and its summary rows, and the query of `ecomdb audit tail`. SQL as data beside small executors.
 */
import { AUDIT_TRAIL, auditedTableIds } from '../../schema/audit.ts';
import type { Session } from '../db/types.ts';
import { EcomdbError } from '../errors.ts';
import { quoteIdent } from '../ident.ts';
import { AUDIT_TRIGGER, AUDIT_TRUNCATE_TRIGGER } from '../generate/audit.ts';

/** The tables among `tables` (as written, e.g. `"schema"."table"`) that carry the audit triggers, in their order. */
export async function auditedAmong(session: Session, tables: readonly string[]): Promise<string[]> {
  const rows = await session.query<{ tbl: string }>(
    `select u.tbl from pg_catalog.unnest($2::text[]) with ordinality u(tbl, ord)
      where exists (select 1 from pg_catalog.pg_trigger t where t.tgname = $1 and t.tgparentid = 0 and t.tgrelid = u.tbl::pg_catalog.regclass)
      order by u.ord`,
    [AUDIT_TRIGGER, tables],
  );
  return rows.map((r) => r.tbl);
}

/**
 * `ALTER TABLE ... DISABLE` (or `ENABLE`) of the audit triggers of `tables`: owner only, and
 * transactional, so a seed that fails or is killed leaves them enabled. On a partitioned table
 * the statement reaches the triggers cloned onto its partitions.
 */
export function auditTriggersSql(tables: readonly string[], enable: boolean): string[] {
  const verb = enable ? 'ENABLE' : 'DISABLE';
  return tables.flatMap((t) => [`ALTER TABLE ${t} ${verb} TRIGGER ${quoteIdent(AUDIT_TRIGGER)}`, `ALTER TABLE ${t} ${verb} TRIGGER ${quoteIdent(AUDIT_TRUNCATE_TRIGGER)}`]);
}

/** One SEED row per audited table the seed filled: what replaced a row per seeded row. */
export async function recordSeed(session: Session, rows: readonly { table: string; rows: number }[], about: Record<string, unknown>): Promise<void> {
  for (const r of rows) {
    await session.query(
      `insert into audit.trail (table_name, op, new) values ($1, 'SEED', $2::jsonb)`,
      [r.table.replaceAll('"', ''), JSON.stringify({ ...about, rows: r.rows })],
    );
  }
}

export interface TailOptions {
  /** `schema.table` (or a bare table name) of an audited table. */
  readonly table?: string;
  /** Only rows at or after this instant. */
  readonly since?: Date;
  readonly limit: number;
}

export interface TrailRow {
  readonly id: string;
  readonly at: string;
  readonly login: string;
  readonly userId: string | null;
  readonly table: string;
  readonly op: string;
  readonly key: Record<string, unknown> | null;
  readonly old: Record<string, unknown> | null;
  readonly new: Record<string, unknown> | null;
}

/** `schema.table` of an audited table named as such or by its bare name; refused otherwise (E_AUDIT_TABLE). */
export function auditedTable(name: string): string {
  const ids = auditedTableIds();
  const found = name.includes('.') ? ids.find((id) => id === name) : ids.find((id) => id.endsWith(`.${name}`));
  if (!found) {
    throw new EcomdbError('E_AUDIT_TABLE', `${name} is not an audited table`, {
      hint: `name one of: ${ids.join(', ')}`,
      details: { table: name, audited: ids },
    });
  }
  return found;
}

/** The last `limit` rows of the trail (oldest first), filtered by table and time. */
export async function tail(session: Session, options: TailOptions): Promise<TrailRow[]> {
  const [present] = await session.query<{ ok: boolean }>(`select pg_catalog.to_regclass($1) is not null as ok`, [AUDIT_TRAIL]);
  if (!present?.ok) {
    throw new EcomdbError('E_AUDIT_NOT_INSTALLED', `the database has no audit trail (${AUDIT_TRAIL})`, {
      hint: 'run `ecomdb migrate` (or `ecomdb up`) to apply the migrations that create it, or check --url / --data-dir',
    });
  }
  const rows = await session.query<{ id: string; at: string; login: string; user_id: string | null; table_name: string; op: string; key: TrailRow['key']; old: TrailRow['old']; new: TrailRow['new'] }>(
    `select * from (
       select t.id::text as id, pg_catalog.to_char(t.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, t.login, t.user_id, t.table_name, t.op, t.key, t.old, t.new
         from audit.trail t
        where ($1::text is null or t.table_name = $1) and ($2::timestamptz is null or t.at >= $2::timestamptz)
        order by t.at desc, t.id desc
        limit $3) last
      order by last.at, last.id::bigint`,
    [options.table ?? null, options.since?.toISOString() ?? null, options.limit],
  );
  return rows.map((r) => ({ id: r.id, at: r.at, login: r.login, userId: r.user_id, table: r.table_name, op: r.op, key: r.key, old: r.old, new: r.new }));
}

/**
 * Constraint probes: for every NOT NULL, CHECK, UNIQUE and FOREIGN KEY of a non-empty table,
 * attempt a write that breaks it and check that PostgreSQL refuses it with the expected SQLSTATE
 * and the constraint's name. A declared constraint can still be dead: its triggers disabled after
 * a bulk load (ALTER TABLE ... DISABLE TRIGGER ALL), session_replication_role left at replica.
 *
 * Each probe runs under its own savepoint inside one transaction that is always rolled back, so
 * nothing a probe does remains. So that only the constraint under test can refuse the write,
 * the probe first drops, inside that savepoint, every other constraint of the table and every
 * foreign key that references it; the savepoint's rollback restores them and releases the
 * ACCESS EXCLUSIVE locks this takes. Probes therefore block writers to each table for a moment:
 * run them on a replica's promoted copy or a quiet primary.
 *
 * The write UPDATEs one existing row: NOT NULL sets the column to NULL (23502); UNIQUE copies
 * another row's key (23505); FOREIGN KEY points the first non-region column at an id no parent
 * has (23503); CHECK tries hostile values for each column the expression reads — NULL, zero,
 * negatives, NaN, infinities, blanks, unknown codes, every label of an enum — until the
 * constraint fires (23514). A CHECK no such value breaks is reported as a warning (not probed).
 */
import type { Session } from '../db/types.ts';
import { pgFields } from '../errors.ts';
import { quoteIdent, quoteLiteral } from '../ident.ts';
import type { Finding, RuleResult } from './types.ts';

interface Column {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  /** Labels, when the column is an enum. */
  readonly labels: readonly string[] | null;
}

interface Probe {
  readonly table: string;
  readonly display: string;
  /** The constraint's name; for NOT NULL, the column's. */
  readonly name: string;
  readonly kind: 'not_null' | 'check' | 'unique' | 'foreign_key';
  readonly columns: readonly Column[];
}

const EXPECTED = { not_null: '23502', check: '23514', unique: '23505', foreign_key: '23503' } as const;

const HOSTILE_NUMBERS = ['0', '-1', '1', '1000', '-1000000000', 'NaN'];
const HOSTILE_TEXT = ['', '   ', 'XXX', 'not an email', 'http://insecure.example', 'x'.repeat(10_001)];
const HOSTILE_TIME = ['-infinity', 'infinity', '1800-01-01'];

/** Values likely to break a CHECK on a column of this type; NULL first when the column allows it. */
export function hostileValues(column: Column): (string | null)[] {
  const values: (string | null)[] = column.notNull ? [] : [null];
  const type = column.type;
  if (column.labels) values.push(...column.labels);
  else if (/^(numeric|integer|smallint|bigint|real|double precision)/.test(type)) values.push(...HOSTILE_NUMBERS);
  else if (/^(text|character)/.test(type)) values.push(...HOSTILE_TEXT);
  else if (/^(timestamp|date)/.test(type)) values.push(...HOSTILE_TIME);
  else if (type === 'boolean') values.push('true', 'false');
  return values;
}

async function probes(session: Session, schemas: readonly string[]): Promise<Probe[]> {
  const rows = await session.query<{ tbl: string; display: string; name: string; kind: Probe['kind']; columns: Column[] }>(
    `with t as (
       select c.oid, format('%I.%I', n.nspname, c.relname) as tbl, n.nspname || '.' || c.relname as display
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind in ('r', 'p') and not c.relispartition),
     col as (
       select a.attrelid, a.attnum, json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
              'notNull', a.attnotnull,
              'labels', (select json_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = a.atttypid)) as j
         from pg_attribute a where a.attnum > 0 and not a.attisdropped)
     select t.tbl, t.display, a.attname as name, 'not_null' as kind, json_build_array(col.j) as columns
       from t join pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped and a.attnotnull
       join col on col.attrelid = t.oid and col.attnum = a.attnum
     union all
     select t.tbl, t.display, k.conname,
            case k.contype when 'c' then 'check' when 'f' then 'foreign_key' else 'unique' end,
            (select json_agg(col.j order by u.ord) from unnest(k.conkey) with ordinality u(attnum, ord)
               join col on col.attrelid = t.oid and col.attnum = u.attnum)
       from t join pg_constraint k on k.conrelid = t.oid and k.conparentid = 0 and k.contype in ('c', 'u', 'p', 'f')
      order by 1, 4, 3`,
    [schemas],
  );
  return rows.map((r) => ({ table: r.tbl, display: r.display, name: r.name, kind: r.kind, columns: r.columns }));
}

/** SQL that drops every constraint of `table` but `keep` (and the key `keep` references), and every foreign key pointing at it. */
async function isolate(session: Session, table: string, keep: string | null): Promise<string[]> {
  const rows = await session.query<{ sql: string }>(
    `select format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) as sql
       from pg_constraint
      where contype in ('c', 'u', 'p', 'f', 'x') and conparentid = 0
        and ((conrelid = $1::regclass and conname is distinct from $2) or (contype = 'f' and confrelid = $1::regclass and conrelid <> $1::regclass))
        -- a self-referencing foreign key under test needs the key it references
        and conindid is distinct from (select k.conindid from pg_constraint k where k.conrelid = $1::regclass and k.conname = $2 and k.contype = 'f')
      order by contype = 'f' desc, conname`,
    [table.replaceAll('"', ''), keep],
  );
  return rows.map((r) => r.sql);
}

interface Outcome {
  readonly code?: string;
  readonly constraint?: string;
  readonly message?: string;
}

/** Under a savepoint: isolate the constraint, run the write, roll everything back. */
async function attempt(session: Session, probe: Probe, write: string): Promise<Outcome | null> {
  await session.exec('SAVEPOINT ecomdb_probe');
  try {
    for (const drop of await isolate(session, probe.table, probe.kind === 'not_null' ? null : probe.name)) await session.exec(drop);
    await session.exec(write);
    return null;
  } catch (error) {
    const e = error as { constraint_name?: string; constraint?: string };
    const pg = pgFields(error);
    return { code: pg.code, constraint: e.constraint_name ?? e.constraint, message: pg.message };
  } finally {
    await session.exec('ROLLBACK TO SAVEPOINT ecomdb_probe');
  }
}

/** One row, by its physical address; tableoid too, since a ctid repeats across partitions. */
const row = (table: string, offset: number) => `(select tableoid, ctid from ${table} order by tableoid, ctid limit 1 offset ${offset})`;
const literal = (value: string | null) => (value === null ? 'NULL' : quoteLiteral(value));

function orphan(column: Column): string {
  if (/^smallint/.test(column.type)) return '-32000';
  if (/^(integer|bigint)/.test(column.type)) return '-987654321';
  return `'ecomdb-probe-orphan'`;
}

/** Some value of the column's type, to fill a NULL. */
function anyValue(column: Column): string {
  if (/^(smallint|integer|bigint|numeric)/.test(column.type)) return '1';
  if (/^timestamp/.test(column.type)) return 'now()';
  return `'x'`;
}

/** The probe's writes, in the order to try them (a CHECK has several candidates). */
function writes(probe: Probe): string[] {
  const set = (column: Column, value: string) => `UPDATE ${probe.table} SET ${quoteIdent(column.name)} = ${value} WHERE (tableoid, ctid) = ${row(probe.table, 0)}`;
  switch (probe.kind) {
    case 'not_null':
      return [set(probe.columns[0]!, 'NULL')];
    case 'unique': {
      // Two rows whose key columns are all set: a NULL never conflicts.
      const cols = probe.columns.map((c) => quoteIdent(c.name)).join(', ');
      const set = probe.columns.map((c) => `${quoteIdent(c.name)} IS NOT NULL`).join(' AND ');
      const keyed = (offset: number) => `(select tableoid, ctid from ${probe.table} where ${set} order by tableoid, ctid limit 1 offset ${offset})`;
      return [`UPDATE ${probe.table} SET (${cols}) = (SELECT ${cols} FROM ${probe.table} WHERE (tableoid, ctid) = ${keyed(1)}) WHERE (tableoid, ctid) = ${keyed(0)}`];
    }
    case 'foreign_key': {
      // The first non-region column points nowhere. The key's other columns must not be NULL,
      // or MATCH SIMPLE skips the check (a nullable (order_id, order_created_at) pair).
      const column = probe.columns.find((c) => c.name !== 'region') ?? probe.columns[0]!;
      const others = probe.columns.filter((c) => c !== column);
      if (others.length === 0) return [set(column, orphan(column))];
      const names = [column, ...others].map((c) => quoteIdent(c.name)).join(', ');
      const values = [orphan(column), ...others.map((c) => `COALESCE(${quoteIdent(c.name)}, ${anyValue(c)})`)].join(', ');
      return [`UPDATE ${probe.table} SET (${names}) = (${values}) WHERE (tableoid, ctid) = ${row(probe.table, 0)}`];
    }
    case 'check':
      return probe.columns.flatMap((column) => hostileValues(column).map((v) => set(column, literal(v))));
  }
}

/** True when `reported` is a copy of the constraint `name` that PostgreSQL made on a partition of `table`. */
async function isClone(session: Session, table: string, name: string, reported: string | undefined): Promise<boolean> {
  if (!reported) return false;
  const rows = await session.query<{ n: number }>(
    `with recursive c as (
       select oid from pg_constraint where conrelid = $1::regclass and conname = $2 and conparentid = 0
       union all
       select k.oid from pg_constraint k join c on k.conparentid = c.oid)
     select count(*)::int as n from c join pg_constraint k on k.oid = c.oid where k.conname = $3`,
    [table.replaceAll('"', ''), name, reported],
  );
  return rows[0]!.n > 0;
}

/** Run every probe on the schemas; the transaction is rolled back whatever happens. */
export async function probeResult(session: Session, schemas: readonly string[], sample: number): Promise<RuleResult> {
  const started = Date.now();
  const findings: Finding[] = [];
  let probed = 0;
  await session.exec('BEGIN');
  try {
    const sizes = new Map<string, number>();
    for (const probe of await probes(session, schemas)) {
      if (!sizes.has(probe.table)) {
        const [r] = await session.query<{ n: number }>(`select count(*)::int as n from (select 1 from ${probe.table} limit 2) x`);
        sizes.set(probe.table, r!.n);
      }
      const size = sizes.get(probe.table)!;
      if (size === 0 || (probe.kind === 'unique' && size < 2)) continue;
      probed++;
      const expected = EXPECTED[probe.kind];
      const object = `${probe.display}.${probe.name}`;
      let last: Outcome | null = null;
      let fired = false;
      for (const write of writes(probe)) {
        last = await attempt(session, probe, write);
        // On a partition-key column, routing refuses the NULL before NOT NULL is checked.
        if (probe.kind === 'not_null' && last?.code === '23514' && /no partition of relation/.test(last.message ?? '')) fired = true;
        else fired =
          last?.code === expected &&
          (probe.kind === 'not_null' || last.constraint === probe.name || (await isClone(session, probe.table, probe.name, last.constraint)));
        if (fired) break;
      }
      if (fired) continue;
      const what = probe.kind === 'not_null' ? `NOT NULL on ${probe.name}` : probe.name;
      if (probe.kind === 'check' && (last === null || last.code !== expected)) {
        findings.push({ rule: 'probe/constraints', severity: 'warning', object, message: `no hostile value broke ${what}; not probed`, hint: 'probe it by hand' });
      } else {
        findings.push({
          rule: 'probe/constraints',
          severity: 'error',
          object,
          message: `a write breaking ${what} was ${last ? `refused with ${last.code}${last.constraint ? ` by ${last.constraint}` : ''}` : 'accepted'}; expected ${expected}`,
          hint: 'the constraint does not fire: look for disabled triggers (\\d+ table) or session_replication_role, and recreate it',
        });
      }
    }
  } finally {
    await session.exec('ROLLBACK');
  }
  return {
    id: 'probe/constraints',
    category: 'probe',
    severity: 'error',
    description: `Every NOT NULL, CHECK, UNIQUE and FOREIGN KEY refuses a write that breaks it (${probed} probed, each under a savepoint of a transaction that is rolled back).`,
    offenders: findings.filter((f) => f.severity === 'error').length,
    findings: findings.slice(0, sample),
    allowed: [],
    ms: Date.now() - started,
  };
}

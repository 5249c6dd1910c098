/**
 * Deriving the down file of every migration (src/migrations/down.ts holds the format).
 *
 * - drizzle-kit's part: the diff from the migration's snapshot back to the one before it
 *   (drizzle-kit/api's generateMigration(cur, prev)), put in an order PostgreSQL accepts
 *   (constraints and indexes dropped first, columns dropped after the keys are rebuilt, foreign
 *   keys added last).
 * - ecomdb's keyed additions (comments, reference rows, views, ...): a statement whose key an
 *   earlier migration already set is undone by running that earlier statement again; a new key
 *   by the Addition's `down`.
 * - Each step is classified with PostgreSQL's own parser (libpg-query): dropping a table, a
 *   column or a sequence, or changing a column to a type that may not hold its values, loses
 *   data and is marked irreversible with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BREAKPOINT, type MigrationFile } from '../migrations/files.ts';
import type { DownStep } from '../migrations/down.ts';
import { quoteLiteral } from '../ident.ts';
import { downOfKey, keyOf, withoutLeadingComments, type Addition } from './additions.ts';

/** A snapshot as drizzle-kit writes it in migrations/meta (only what is read here is typed). */
export interface Snapshot {
  readonly id?: string;
  readonly prevId?: string;
  readonly tables: Record<string, { schema: string; name: string; columns: Record<string, { name: string; type: string }> }>;
  readonly [k: string]: unknown;
}

/** The snapshot before the first migration: nothing. */
export const EMPTY_SNAPSHOT: Snapshot = {
  version: '7',
  dialect: 'postgresql',
  id: '00000000-0000-0000-0000-000000000000',
  prevId: '',
  tables: {},
  enums: {},
  schemas: {},
  sequences: {},
  roles: {},
  policies: {},
  views: {},
  _meta: { schemas: {}, tables: {}, columns: {} },
};

/**
 * The schema as of `files[index]`: its snapshot, or, for a file drizzle-kit did not write (no
 * snapshot), the latest snapshot before it; EMPTY_SNAPSHOT before the first.
 */
export function snapshotAt(dir: string, files: readonly MigrationFile[], index: number): Snapshot {
  for (let i = index; i >= 0; i--) {
    const path = join(dir, 'meta', `${files[i]!.tag.split('_')[0]}_snapshot.json`);
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  }
  return EMPTY_SNAPSHOT;
}

/** Two snapshots describe the same schema (a custom migration's snapshot repeats the previous one). */
export function sameSchema(a: Snapshot, b: Snapshot): boolean {
  const strip = ({ id: _i, prevId: _p, ...rest }: Snapshot) => JSON.stringify(rest);
  return strip(a) === strip(b);
}

// --- libpg-query's AST, only the parts read here --------------------------------------------

interface RangeVar { schemaname?: string; relname: string }
interface AlterCmd { subtype: string; name?: string; def?: { Constraint?: { contype: string } } }
interface Node {
  DropStmt?: { removeType: string; objects: { List?: { items: { String: { sval: string } }[] } }[] };
  AlterTableStmt?: { relation: RangeVar; cmds: { AlterTableCmd: AlterCmd }[] };
  [k: string]: unknown;
}

/** The statement's syntax tree; null when the parser cannot read it. */
async function parseOne(sql: string): Promise<Node | undefined | null> {
  const { parse } = await import('libpg-query');
  try {
    const result = (await parse(sql)) as { stmts: { stmt: Node }[] };
    return result.stmts[0]?.stmt;
  } catch {
    return null;
  }
}

const qualified = (schema: string | undefined, name: string) => `${schema ?? 'public'}.${name}`;

/** Integer types by width: a move up the list keeps every value. */
const INTEGERS = ['smallint', 'integer', 'bigint'];

/** True when every value of type `from` converts to type `to` unchanged (types as drizzle-kit's snapshots spell them). */
export function widens(from: string, to: string): boolean {
  const norm = (t: string) => t.replace(/\s+/g, ' ').replace(/"/g, '').trim().toLowerCase();
  const [f, t] = [norm(from), norm(to)];
  if (f === t) return true;
  const args = (s: string) => (/\(([^)]*)\)/.exec(s)?.[1] ?? '').split(',').filter(Boolean).map((x) => Number(x.trim()));
  const base = (s: string) => s.replace(/\(.*\)/, '').trim();
  const [fb, tb] = [base(f), base(t)];
  const texty = (b: string) => ['varchar', 'character varying', 'char', 'character', 'text'].includes(b);
  if (tb === 'text' && texty(fb)) return true;
  if ((tb === 'varchar' || tb === 'character varying') && texty(fb) && fb !== 'text') {
    const [fl] = args(f);
    const [tl] = args(t);
    return tl === undefined || (fl !== undefined && fl <= tl);
  }
  if (INTEGERS.includes(fb) && INTEGERS.includes(tb)) return INTEGERS.indexOf(fb) <= INTEGERS.indexOf(tb);
  if (INTEGERS.includes(fb) && tb === 'numeric') {
    const [p, s = 0] = args(t);
    return p === undefined || p - s >= 19;
  }
  if (fb === 'numeric' && tb === 'numeric') {
    const [fp, fs = 0] = args(f);
    const [tp, ts = 0] = args(t);
    if (tp === undefined) return true;
    return fp !== undefined && ts >= fs && tp - ts >= fp - fs;
  }
  return false;
}

function columnType(snapshot: Snapshot, table: string, column: string): string | undefined {
  const t = Object.values(snapshot.tables).find((x) => qualified(x.schema || undefined, x.name) === table);
  return t ? Object.values(t.columns).find((c) => c.name === column)?.type : undefined;
}

/** Why `stmt` (going from `from` back to `to`) loses data, or null. */
function lossOf(stmt: Node | undefined | null, from: Snapshot, to: Snapshot): string | null {
  // Kept in drizzle-kit's place, and assumed to lose data: nothing says it does not.
  if (stmt === null) return 'PostgreSQL\'s parser (libpg-query) cannot read it, so whether it loses data is unknown';
  const drop = stmt?.DropStmt;
  if (drop && (drop.removeType === 'OBJECT_TABLE' || drop.removeType === 'OBJECT_SEQUENCE')) {
    const names = drop.objects.map((o) => (o.List?.items ?? []).map((i) => i.String.sval).join('.')).join(', ');
    return drop.removeType === 'OBJECT_TABLE'
      ? `drops table ${names} and every row it holds`
      : `drops sequence ${names} and its current value`;
  }
  const alter = stmt?.AlterTableStmt;
  if (alter) {
    const table = qualified(alter.relation.schemaname, alter.relation.relname);
    for (const { AlterTableCmd: cmd } of alter.cmds) {
      if (cmd.subtype === 'AT_DropColumn') return `drops column ${table}.${cmd.name} and the values it holds`;
      if (cmd.subtype === 'AT_AlterColumnType') {
        const now = columnType(from, table, cmd.name!);
        const before = columnType(to, table, cmd.name!);
        if (!now || !before || !widens(now, before)) return `changes column ${table}.${cmd.name} from ${now ?? '?'} to ${before ?? '?'}, which may not hold every value it holds now`;
      }
    }
  }
  return null;
}

/**
 * The order a reverse diff runs in (a stable sort on this rank): what depends on a key or a
 * column goes first, columns go after the keys are rebuilt, foreign keys come back last.
 */
function phaseOf(stmt: Node | undefined | null): number {
  const drop = stmt?.DropStmt;
  if (drop) {
    if (['OBJECT_INDEX', 'OBJECT_POLICY', 'OBJECT_VIEW', 'OBJECT_MATVIEW'].includes(drop.removeType)) return 0;
    if (drop.removeType === 'OBJECT_TYPE') return 4;
    if (drop.removeType === 'OBJECT_SCHEMA') return 5;
    return 1;
  }
  const cmds = stmt?.AlterTableStmt?.cmds.map((c) => c.AlterTableCmd) ?? [];
  if (cmds.length > 0 && cmds.every((c) => c.subtype === 'AT_DropConstraint')) return 0;
  if (cmds.length > 0 && cmds.every((c) => c.subtype === 'AT_DropColumn')) return 2;
  if (cmds.length > 0 && cmds.every((c) => c.subtype === 'AT_AddConstraint' && c.def?.Constraint?.contype === 'CONSTR_FOREIGN')) return 3;
  return 1;
}

/** drizzle-kit's statements from `from` back to `to`, one statement each, in a runnable order, classified. */
export async function reverseSchema(from: Snapshot, to: Snapshot): Promise<DownStep[]> {
  if (sameSchema(from, to)) return [];
  const { generateMigration } = await import('drizzle-kit/api');
  const raw = await generateMigration(from as never, to as never);
  const statements = raw.flatMap((s) => s.split(BREAKPOINT)).map((s) => s.trim()).filter((s) => s.length > 0);
  const parsed = await Promise.all(statements.map(async (sql) => ({ sql, stmt: await parseOne(sql) })));
  return parsed
    .map((p, i) => ({ ...p, i, phase: phaseOf(p.stmt) }))
    .sort((a, b) => a.phase - b.phase || a.i - b.i)
    .map((p) => ({ sql: p.sql, irreversible: lossOf(p.stmt, from, to) }));
}

/**
 * The steps that undo the keyed statements of `files[index]`, last statement first. `known` are
 * the additions the schema source generates today (their `down` undoes a key that is new).
 */
export function reverseAdditions(files: readonly MigrationFile[], index: number, known: readonly Addition[], custom: boolean): DownStep[] {
  const file = files[index]!;
  const earlier = new Map<string, string>();
  for (const f of files.slice(0, index)) {
    for (const statement of f.statements) {
      const key = keyOf(statement);
      if (key) earlier.set(key, withoutLeadingComments(statement));
    }
  }
  const byKey = new Map(known.map((a) => [a.key, a]));
  const bySql = new Map(known.map((a) => [a.sql.trim(), a]));
  const steps: DownStep[] = [];
  for (const statement of [...file.statements].reverse()) {
    const sql = withoutLeadingComments(statement);
    const key = keyOf(statement);
    const before = key ? earlier.get(key) : undefined;
    const addition = (key ? byKey.get(key) : undefined) ?? bySql.get(sql.trim());
    const undo = addition?.down ?? (key ? downOfKey(key) : undefined);
    if (before !== undefined) steps.push({ sql: before, irreversible: null });
    else if (undo) steps.push({ sql: undo, irreversible: null });
    else if (key || addition) steps.push(notUndone(key ?? firstLine(sql), `${key ?? firstLine(sql)} cannot be undone: its Addition declares no down`));
    // An unkeyed statement of a drizzle-kit migration is undone by the snapshot diff; in a
    // custom migration nothing says how to undo it.
    else if (custom) steps.push(notUndone(firstLine(sql), `ecomdb cannot derive the reverse of ${file.tag}.sql's statement ${file.statements.indexOf(statement) + 1}: ${firstLine(sql)}`));
  }
  return steps;
}

/** A step for a statement nothing undoes: it runs (harmlessly) only when going down is forced. */
function notUndone(what: string, reason: string): DownStep {
  return { sql: `SELECT ${quoteLiteral(`not undone: ${what}`)} AS ecomdb_irreversible;`, irreversible: reason };
}

function firstLine(sql: string): string {
  const line = sql.split('\n').find((l) => l.trim() && !l.trim().startsWith('--'))?.trim() ?? '';
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

/** Every step of the down file of `files[index]`, in the order they run. */
export async function downSteps(dir: string, files: readonly MigrationFile[], index: number, known: readonly Addition[]): Promise<DownStep[]> {
  const current = snapshotAt(dir, files, index);
  const previous = snapshotAt(dir, files, index - 1);
  const custom = sameSchema(current, previous);
  return [...reverseAdditions(files, index, known, custom), ...(await reverseSchema(current, previous))];
}

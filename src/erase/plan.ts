/**
 * The plan of `ecomdb user erase`: pure, catalog and subject in, statements out (SQL as data).
 * What each table gets is decided by schema/privacy.ts over what the catalog shows; see there.
 */
import { ERASED, ERASED_EMAIL_DOMAIN, ERASED_PASSWORD_HASH, ERASURE, type ColumnErasure } from '../../schema/privacy.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../ident.ts';

/** A column that can hold text: text, varchar, json or jsonb (or a domain over one). */
export interface TextColumn {
  readonly name: string;
  /** The base type: 'text' | 'varchar' | 'json' | 'jsonb'. */
  readonly type: string;
  readonly nullable: boolean;
  /** Part of a primary key, UNIQUE constraint or foreign key of its table. */
  readonly key: boolean;
}

export interface CatalogTable {
  readonly schema: string;
  readonly name: string;
  readonly textColumns: readonly TextColumn[];
  /** Foreign keys to user_management.users: pairs of (column here, column of users). */
  readonly userKeys: readonly (readonly (readonly [string, string])[])[];
}

/** What the erasure reads before it changes anything. */
export interface Subject {
  /** The user's row, by column name (to_jsonb of it). */
  readonly row: Readonly<Record<string, unknown>>;
  /** Values that identify the user wherever they appear: name, email, phone, street lines. */
  readonly identifiers: readonly string[];
  /** Values removed only next to an identifier (a birth date, the old hash in a row snapshot). */
  readonly companions: readonly string[];
}

export type StepKind = 'pseudonymize' | 'delete' | 'sweep';

export interface Step {
  readonly kind: StepKind;
  /** Qualified table name, unquoted (schema.table). */
  readonly table: string;
  readonly sql: string;
  readonly params: readonly unknown[];
  /** For a sweep: a count of the rows that still mention an identifier. */
  readonly remaining?: { readonly sql: string; readonly params: readonly unknown[] };
}

export const USERS_TABLE = 'user_management.users';

/** Shortest identifier the sweep replaces: shorter ones would hit ordinary words. */
export const MIN_IDENTIFIER = 4;

const qualified = (t: CatalogTable) => `${t.schema}.${t.name}`;

/** A literal regular expression for `value` in PostgreSQL's ARE syntax. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
}

/**
 * One pattern matching any of `values` as a whole token: not preceded or followed by a letter,
 * digit or underscore (so "Ana Li" does not match inside "Ana Lima").
 */
export function tokenPattern(values: readonly string[]): string {
  return `(?<![[:alnum:]_])(${values.map(escapeRegex).join('|')})(?![[:alnum:]_])`;
}

/** Values as they appear inside the text form of a json/jsonb value. */
const asJsonText = (values: readonly string[]) => values.map((v) => JSON.stringify(v).slice(1, -1));

/** The new value of a column of the user's own rows, or null to keep it. */
function erasedValue(table: string, column: TextColumn): string | null {
  const declared = ERASURE[table]?.columns?.[column.name];
  if (declared === 'keep') return null;
  if (declared) return declared.set;
  if (column.key) return null;
  if (column.nullable) return 'NULL';
  return column.type === 'json' || column.type === 'jsonb' ? `'{}'` : quoteLiteral(ERASED);
}

/** Statements changing the user's own rows (or deleting them) in one table. */
function ownRows(table: CatalogTable, subject: Subject): Step[] {
  const name = qualified(table);
  const policy = ERASURE[name];
  const target = quoteQualified(table.schema, table.name);
  const keys: (readonly (readonly [string, string])[])[] =
    name === USERS_TABLE ? [[['region', 'region'], ['id', 'id']]] : [...table.userKeys];
  return keys.flatMap((pairs): Step[] => {
    const params = pairs.map(([, users]) => subject.row[users]);
    const where = pairs.map(([column], i) => `${quoteIdent(column)} = $${i + 1}`).join(' AND ');
    if (policy?.rows === 'delete') return [{ kind: 'delete', table: name, sql: `DELETE FROM ${target} WHERE ${where}`, params }];
    const sets = new Map<string, string>();
    for (const column of table.textColumns) {
      const value = erasedValue(name, column);
      if (value !== null) sets.set(column.name, value);
    }
    // Declared columns of other types (a birth date, a status).
    for (const [column, erasure] of Object.entries(policy?.columns ?? {}) as [string, ColumnErasure][]) {
      if (erasure !== 'keep' && !sets.has(column)) sets.set(column, erasure.set);
    }
    if (sets.size === 0) return [];
    const assignments = [...sets].map(([c, v]) => `${quoteIdent(c)} = ${v}`).join(', ');
    // Only rows that still differ: a second erase changes nothing and says so.
    const differs = [...sets].map(([c, v]) => `${quoteIdent(c)} IS DISTINCT FROM ${v}`).join(' OR ');
    return [{ kind: 'pseudonymize', table: name, sql: `UPDATE ${target} SET ${assignments} WHERE ${where} AND (${differs})`, params }];
  });
}

/** The sweep of one table: every text column replaced where it mentions an identifier. */
export function sweepStep(table: CatalogTable, subject: Subject): Step | null {
  const name = qualified(table);
  if (ERASURE[name]?.sweep === false || table.textColumns.length === 0 || subject.identifiers.length === 0) return null;
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const erased = param(ERASED);
  const patterns = (json: boolean) => {
    const values = (v: readonly string[]) => (json ? asJsonText(v) : v);
    return {
      match: param(tokenPattern(values(subject.identifiers))),
      companions: subject.companions.length > 0 ? param(tokenPattern(values(subject.companions))) : null,
    };
  };
  const byKind = new Map<boolean, ReturnType<typeof patterns>>();
  const sets: string[] = [];
  const matches: string[] = [];
  for (const column of table.textColumns) {
    const json = column.type === 'json' || column.type === 'jsonb';
    if (!byKind.has(json)) byKind.set(json, patterns(json));
    const { match, companions } = byKind.get(json)!;
    const text = json ? `${quoteIdent(column.name)}::text` : quoteIdent(column.name);
    let replaced = `regexp_replace(${text}, ${match}, ${erased}, 'gi')`;
    if (companions) replaced = `regexp_replace(${replaced}, ${companions}, ${erased}, 'gi')`;
    if (json) replaced = `(${replaced})::${column.type}`;
    sets.push(`${quoteIdent(column.name)} = CASE WHEN ${text} ~* ${match} THEN ${replaced} ELSE ${quoteIdent(column.name)} END`);
    matches.push(`${text} ~* ${match}`);
  }
  return {
    kind: 'sweep',
    table: name,
    sql: `UPDATE ${quoteQualified(table.schema, table.name)} SET ${sets.join(', ')} WHERE ${matches.join(' OR ')}`,
    params,
    remaining: remainingQuery(table, subject),
  };
}

/** The count of the rows of `table` that mention an identifier. */
function remainingQuery(table: CatalogTable, subject: Subject): { sql: string; params: unknown[] } {
  const plain = tokenPattern(subject.identifiers);
  const json = tokenPattern(asJsonText(subject.identifiers));
  const params: unknown[] = [];
  const at = (value: string) => `$${params.indexOf(value) >= 0 ? params.indexOf(value) + 1 : params.push(value)}`;
  const matches = table.textColumns.map((c) =>
    c.type === 'json' || c.type === 'jsonb' ? `${quoteIdent(c.name)}::text ~* ${at(json)}` : `${quoteIdent(c.name)} ~* ${at(plain)}`,
  );
  return { sql: `SELECT count(*)::int AS n FROM ${quoteQualified(table.schema, table.name)} WHERE ${matches.join(' OR ')}`, params };
}

/**
 * The erasure of `subject`: its own rows first (the users row last, so that nothing points at a
 * half-erased account), then one sweep per table. The sweep may run again: a trigger (an audit
 * trail) can write the old values of the rows just changed; the runner repeats it until no table
 * mentions an identifier any more (`remaining`), which also catches an UPDATE that a rule or a
 * policy quietly turned into nothing.
 */
export function planErase(tables: readonly CatalogTable[], subject: Subject): { own: Step[]; sweep: Step[] } {
  const users = tables.find((t) => qualified(t) === USERS_TABLE);
  if (!users) throw new Error(`${USERS_TABLE} is not in the catalog`);
  const others = tables.filter((t) => t !== users && t.userKeys.length > 0);
  return {
    own: [...others.flatMap((t) => ownRows(t, subject)), ...ownRows(users, subject)],
    sweep: tables.map((t) => sweepStep(t, subject)).filter((s): s is Step => s !== null),
  };
}

/** What the subject's values are: identifiers to sweep for, companions to remove beside them. */
export function subjectOf(row: Readonly<Record<string, unknown>>, streetLines: readonly string[]): Subject {
  // What an earlier erasure wrote is not the user's any more: erasing again sweeps for nothing.
  const text = (v: unknown) =>
    typeof v === 'string' && v.trim().length >= MIN_IDENTIFIER && v !== ERASED && v !== ERASED_PASSWORD_HASH && !v.endsWith(ERASED_EMAIL_DOMAIN) ? [v.trim()] : [];
  // Longest first: the alternation then prefers a whole street line to a name inside it.
  const distinct = (values: string[]) => [...new Set(values)].sort((a, b) => b.length - a.length);
  const identifiers = distinct([...text(row.name), ...text(row.email), ...text(row.phone), ...streetLines.flatMap(text)]);
  const companions = distinct([...text(row.birth_date), ...text(row.password_hash)]);
  return { row, identifiers, companions };
}

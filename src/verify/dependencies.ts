/**
 * Second and third normal form, checked on the data: find the functional dependencies A -> B
 * that hold on a sample of a table, where B is not part of a key and A is not a whole key.
 *   - A a proper part of a composite key: a partial dependency (2NF): B describes part of the key.
 *   - A a non-key column: a transitive dependency (3NF): key -> A -> B, so B is stored again for
 *     every row that shares A (postal code -> city), and the copies can disagree.
 * A dependency counts only with support: A's values repeat (at most half as many distinct values
 * as rows), B varies, and every A value maps to one B in the sample. A sample can show a
 * dependency the business does not have; the allow-list (allowed.ts) records the deliberate ones.
 */
import { quoteIdent } from '../ident.ts';
import type { Session } from '../db/types.ts';
import type { Finding } from './types.ts';

/** Rows sampled per table. */
export const SAMPLE_ROWS = 5000;

export const DEPENDENCY_RULES = [
  {
    id: 'normalization/1nf-delimited-list' as const,
    category: 'normalization' as const,
    severity: 'error' as const,
    description:
      'First normal form, in the data: a text column whose values are lists of codes or ids joined by commas, semicolons or pipes ("12,40,7") is a repeating group in disguise; found on a sample of each table.',
  },
  {
    id: 'normalization/2nf-partial-dependency' as const,
    category: 'normalization' as const,
    severity: 'error' as const,
    description:
      'Second normal form: no column depends on only part of a composite key; otherwise it describes that part, not the row, and is repeated for every row sharing it.',
  },
  {
    id: 'normalization/3nf-transitive-dependency' as const,
    category: 'normalization' as const,
    severity: 'error' as const,
    description:
      'Third normal form: no non-key column depends on another non-key column (as city on postal code): it is stored again for every row that shares the value, and the copies can disagree. Found on a sample of each table.',
  },
];

export interface Dependency {
  readonly determinant: string;
  readonly dependent: string;
  readonly kind: 'partial' | 'transitive';
}

const LIST = /^\s*[A-Za-z0-9_-]+(\s*([,;|])\s*[A-Za-z0-9_-]+)+\s*$/;

/** Text columns of `rows` where most values are delimited lists of codes or ids (pure). */
export function delimitedListColumns(rows: readonly Record<string, unknown>[], columns: readonly string[]): string[] {
  return columns.filter((c) => {
    const values = rows.map((r) => r[c]).filter((v): v is string => typeof v === 'string' && v !== '');
    const lists = values.filter((v) => LIST.test(v)).length;
    return values.length >= 4 && lists * 2 > values.length;
  });
}

/** The dependencies that hold in `rows` (pure). `keys` are the table's candidate keys. */
export function discoverDependencies(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
  keys: readonly (readonly string[])[],
): Dependency[] {
  const keyColumns = new Set(keys.flat());
  const compositeParts = new Set(keys.filter((k) => k.length > 1).flat());
  const text = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v));
  const values = new Map(columns.map((c) => [c, rows.map((r) => text(r[c]))]));
  const distinct = (c: string) => new Set(values.get(c)!.filter((v) => v !== null)).size;
  const n = rows.length;
  const dependents = columns.filter((c) => !keyColumns.has(c) && distinct(c) >= 2 && distinct(c) < n);
  const determinants = columns.filter((c) => {
    const d = distinct(c);
    return d >= 2 && d * 2 <= n && (!keyColumns.has(c) || compositeParts.has(c));
  });
  const found: Dependency[] = [];
  for (const a of determinants) {
    const av = values.get(a)!;
    for (const b of dependents) {
      if (a === b) continue;
      const bv = values.get(b)!;
      const seen = new Map<string, string>();
      let holds = true;
      let pairs = 0;
      for (let i = 0; i < n && holds; i++) {
        if (av[i] === null || bv[i] === null) continue;
        pairs++;
        const prior = seen.get(av[i]!);
        if (prior === undefined) seen.set(av[i]!, bv[i]!);
        else if (prior !== bv[i]) holds = false;
      }
      // Support: A repeats within the pairs compared, and B takes more than one value there.
      if (holds && seen.size * 2 <= pairs && new Set(seen.values()).size >= 2) {
        found.push({ determinant: a, dependent: b, kind: keyColumns.has(a) ? 'partial' : 'transitive' });
      }
    }
  }
  return found;
}

/** Sample each non-empty table of `schemas` and report its partial and transitive dependencies. */
export async function dependencyFindings(session: Session, schemas: readonly string[], sampleRows: number): Promise<Finding[]> {
  const tables = await session.query<{ tbl: string; display: string; columns: string[]; keys: string[][] }>(
    `select format('%I.%I', n.nspname, c.relname) as tbl, n.nspname || '.' || c.relname as display,
            (select array_agg(a.attname::text order by a.attnum) from pg_attribute a
              where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns,
            (select json_agg((select json_agg(a.attname order by u.ord) from unnest(k.conkey) with ordinality u(attnum, ord)
                                join pg_attribute a on a.attrelid = c.oid and a.attnum = u.attnum))
               from pg_constraint k where k.conrelid = c.oid and k.contype in ('p', 'u')) as keys
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1) and c.relkind in ('r', 'p') and not c.relispartition
      order by 1`,
    [schemas],
  );
  const findings: Finding[] = [];
  for (const t of tables) {
    const rows = await session.query<Record<string, unknown>>(
      `select ${t.columns.map((c) => `${quoteIdent(c)}::text`).join(', ')} from ${t.tbl} limit ${Math.max(2, Math.floor(sampleRows))}`,
    );
    if (rows.length < 4) continue;
    for (const column of delimitedListColumns(rows, t.columns)) {
      findings.push({
        rule: 'normalization/1nf-delimited-list',
        severity: 'error',
        object: `${t.display}.${column}`,
        message: `most sampled values of ${column} are delimited lists (such as "${String(rows.find((r) => LIST.test(String(r[column])))?.[column])}")`,
        hint: `move the list into its own table with one row per element and a foreign key back to ${t.display}`,
      });
    }
    // One finding per dependent column and kind, naming every determinant found for it.
    const grouped = new Map<string, Dependency[]>();
    for (const d of discoverDependencies(rows, t.columns, t.keys ?? [])) {
      const key = `${d.kind} ${d.dependent}`;
      grouped.set(key, [...(grouped.get(key) ?? []), d]);
    }
    for (const deps of grouped.values()) {
      const { kind, dependent } = deps[0]!;
      const by = deps.map((d) => d.determinant).join(' and by ');
      findings.push({
        rule: kind === 'partial' ? 'normalization/2nf-partial-dependency' : 'normalization/3nf-transitive-dependency',
        severity: 'error',
        object: `${t.display}.${dependent}`,
        message:
          kind === 'partial'
            ? `${dependent} is determined by ${by}, only part of the key: it describes that part, not the row`
            : `${dependent} is determined by ${by}, not by a key: it is stored again for every row sharing that value`,
        hint: `move ${dependent} to a table keyed by ${deps[0]!.determinant} (or allow it in src/verify/allowed.ts, saying why)`,
      });
    }
  }
  return findings;
}

/** Running the verify rules against a database and collecting their findings. */
import type { Session } from '../db/types.ts';
import { EcomdbError } from '../errors.ts';
import { quoteLiteral } from '../ident.ts';
import { ALLOWED, allowance } from './allowed.ts';
import { CATALOG_RULES } from './catalog.ts';
import { DATA_RULES } from './data-rules.ts';
import { NORMALIZATION_RULES } from './normalization.ts';
import { SECURITY_RULES } from './security.ts';
import type { Finding, RuleResult, SqlRule } from './types.ts';

export const RULES: readonly SqlRule[] = [...CATALOG_RULES, ...NORMALIZATION_RULES, ...DATA_RULES, ...SECURITY_RULES];

/** Rules that are not one SELECT (drift compares two databases; probes write and roll back). */
export const SPECIAL_RULES = [
  'drift/migrations',
  'partition/layout',
  'probe/constraints',
  'normalization/1nf-delimited-list',
  'normalization/2nf-partial-dependency',
  'normalization/3nf-transitive-dependency',
] as const;
const matches = (id: string, pattern: string) => id === pattern || id.startsWith(pattern.endsWith('/') ? pattern : `${pattern}/`);

/** Whether --only / --skip keep the special rule `id`. */
export function selects(id: (typeof SPECIAL_RULES)[number], only: readonly string[] = [], skip: readonly string[] = []): boolean {
  return keeps(id, only, skip);
}

const keeps = (id: string, only: readonly string[], skip: readonly string[]) =>
  (only.length === 0 || only.some((p) => matches(id, p))) && !skip.some((p) => matches(id, p));

/**
 * Rules selected by --only / --skip: exact ids or prefixes such as `catalog/` or `data`. A
 * pattern that matches no rule, or a selection that keeps none (SQL or special), is refused.
 */
export function selectRules(only: readonly string[] = [], skip: readonly string[] = []): SqlRule[] {
  for (const pattern of [...only, ...skip]) {
    if (!RULES.some((r) => matches(r.id, pattern)) && !SPECIAL_RULES.some((id) => matches(id, pattern))) {
      throw new EcomdbError('E_USAGE', `no verify rule matches "${pattern}"`, { hint: `use a rule id or a category: catalog, normalization, data, drift, probe, partition, security` });
    }
  }
  if (![...RULES.map((r) => r.id), ...SPECIAL_RULES].some((id) => keeps(id, only, skip))) {
    throw new EcomdbError('E_USAGE', `--only ${only.join(',') || '(all)'} with --skip ${skip.join(',')} leaves no rule to run`, {
      hint: 'skip less, or name in --only a rule or category that --skip does not remove',
    });
  }
  return RULES.filter((r) => keeps(r.id, only, skip));
}

/**
 * Refuse to check nothing, before any rule runs: schemas named with --schemas (`named`) must
 * exist, and the schemas checked must hold at least one table. Without --schemas, a database
 * with no table in the component schemas (never migrated, or another database) is not "clean".
 */
export async function requireSomethingToCheck(session: Pick<Session, 'query'>, schemas: readonly string[], named: boolean): Promise<void> {
  const rows = await session.query<{ name: string; present: boolean; tables: number }>(
    `select s.name, n.oid is not null as present,
            (select count(*)::int from pg_class c where c.relnamespace = n.oid and c.relkind in ('r', 'p') and not c.relispartition) as tables
       from unnest($1::text[]) with ordinality s(name, ord) left join pg_namespace n on n.nspname = s.name
      order by s.ord`,
    [schemas],
  );
  const unknown = rows.filter((r) => !r.present).map((r) => r.name);
  if (named && unknown.length > 0) {
    const available = (
      await session.query<{ name: string }>(`select nspname::text as name from pg_namespace where nspname !~ '^pg_' and nspname <> 'information_schema' order by 1`)
    ).map((r) => r.name);
    throw new EcomdbError('E_USAGE', `--schemas names ${unknown.length === 1 ? 'a schema' : 'schemas'} the database does not have: ${unknown.join(', ')}`, {
      hint: `name existing schemas (this database has: ${available.join(', ') || 'none'})`,
      details: { unknown, available },
    });
  }
  if (rows.every((r) => r.tables === 0)) {
    if (named) {
      throw new EcomdbError('E_USAGE', `the schemas ${schemas.join(', ')} hold no table: there is nothing to check`, {
        hint: 'name schemas that hold tables, or leave --schemas out for the ten component schemas',
        details: { schemas },
      });
    }
    throw new EcomdbError('E_VERIFY_EMPTY', `no table in the component schemas (${schemas.join(', ')}): there is nothing to check`, {
      hint: 'is the database migrated? run `ecomdb migrate` (or `ecomdb up`) first, or check --url / --data-dir',
      details: { schemas },
    });
  }
}

/** Findings of rules computed outside SQL, as rule results (allow-list applied, capped at `sample`). */
export function resultOf(
  rule: { id: string; category: RuleResult['category']; severity: RuleResult['severity']; description: string },
  all: readonly Finding[],
  sample: number,
  ms: number,
): RuleResult {
  const mine = all.filter((f) => f.rule === rule.id);
  const allowed = mine.filter((f) => allowance(rule.id, f.object)).map((f) => ({ object: f.object, reason: allowance(rule.id, f.object)!.reason }));
  const findings = mine.filter((f) => !allowance(rule.id, f.object));
  return { ...rule, offenders: findings.length, findings: findings.slice(0, sample), allowed, ms };
}

/**
 * The one query that runs a rule: the offenders not on the allow-list counted in full, the first
 * `sample` of them in a stable order, and the allowed ones by name. The rule runs once (its CTE is
 * read twice, so PostgreSQL materializes it); a rule with no offender still yields one row, for
 * the count. The rule is wrapped on lines of its own, so a trailing comment cannot swallow the rest.
 */
function ruleSql(rule: SqlRule, sample: number): string {
  const allowed = ALLOWED.filter((a) => a.rule === rule.id || rule.id.startsWith(`${a.rule}/`)).map((a) => quoteLiteral(a.object));
  const list = `ARRAY[${allowed.join(', ')}]::text[]`;
  return [
    'WITH everything AS (SELECT object::text AS object, message::text AS message FROM (',
    rule.sql,
    ') AS rule),',
    `found AS (SELECT object, message FROM everything WHERE NOT (object = ANY (${list})))`,
    'SELECT (SELECT count(*)::int FROM found) AS offenders,',
    `       (SELECT array_agg(DISTINCT object) FROM everything WHERE object = ANY (${list})) AS allowed,`,
    '       f.object, f.message',
    `  FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT object, message FROM found ORDER BY object, message LIMIT ${sample}) AS f ON true`,
  ].join('\n');
}

export interface RunRulesOptions {
  /**
   * What a rule that cannot run becomes: a finding (verify: a data rule on a database without
   * ecomdb's tables, for instance), or the error itself (seed: inside its load transaction, the
   * first error aborts the transaction and every later rule would fail for that reason alone).
   */
  readonly errors?: 'finding' | 'throw';
}

/**
 * The one runner of SQL rules, for verify and for seed's post-load checks: each rule's offenders
 * are counted in full and at most `sample` of them listed. Runs on the caller's connection, in the
 * caller's transaction if any. Throws a RangeError for a `sample` that is not a whole number.
 */
export async function runRules(
  session: Pick<Session, 'query'>,
  rules: readonly SqlRule[],
  schemas: readonly string[],
  sample = 50,
  options: RunRulesOptions = {},
): Promise<RuleResult[]> {
  if (!Number.isInteger(sample) || sample < 0) throw new RangeError(`sample must be a non-negative integer, got ${sample}`);
  const results: RuleResult[] = [];
  for (const rule of rules) {
    const started = Date.now();
    let rows: { offenders: number; allowed: string[] | null; object: string | null; message: string | null }[];
    try {
      // Data rules name ecomdb's tables themselves; the others read the schemas checked ($1).
      rows = await session.query(ruleSql(rule, sample), rule.category === 'data' ? [] : [schemas]);
    } catch (error) {
      if (options.errors === 'throw') throw error;
      rows = [{ offenders: 1, allowed: null, object: '(rule)', message: `could not run: ${(error as Error).message}` }];
    }
    const findings: Finding[] = rows
      .filter((r) => r.object !== null)
      .map((r) => ({ rule: rule.id, severity: rule.severity, object: r.object!, message: r.message ?? '', hint: rule.hint }));
    results.push({
      id: rule.id,
      category: rule.category,
      severity: rule.severity,
      description: rule.description,
      offenders: Number(rows[0]?.offenders ?? 0),
      findings,
      allowed: (rows[0]?.allowed ?? []).sort().map((object) => ({ object, reason: allowance(rule.id, object)!.reason })),
      ms: Date.now() - started,
    });
  }
  return results;
}

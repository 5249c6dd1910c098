/** Running the verify rules against a database and collecting their findings. */
import type { Session } from '../db/types.ts';
import { EcomdbError } from '../errors.ts';
import { CONSISTENCY_CHECKS } from '../seed/checks.ts';
import { allowance } from './allowed.ts';
import { CATALOG_RULES } from './catalog.ts';
import { NORMALIZATION_RULES } from './normalization.ts';
import type { Finding, RuleResult, SqlRule } from './types.ts';

/** The business consistency checks of the seeder, as data rules. */
const DATA_RULES: readonly SqlRule[] = CONSISTENCY_CHECKS.map((check) => ({
  id: `data/${check.id}`,
  category: 'data',
  severity: 'error',
  description: check.description,
  hint: 'correct the offending rows (the detail says what disagrees)',
  sql: `select format('%s %s', region, id) as object, detail as message from (${check.sql}) offenders`,
}));

export const RULES: readonly SqlRule[] = [...CATALOG_RULES, ...NORMALIZATION_RULES, ...DATA_RULES];

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
  return (only.length === 0 || only.some((p) => matches(id, p))) && !skip.some((p) => matches(id, p));
}

/** Rules selected by --only / --skip: exact ids or prefixes such as `catalog/` or `data`. */
export function selectRules(only: readonly string[] = [], skip: readonly string[] = []): SqlRule[] {
  for (const pattern of [...only, ...skip]) {
    if (!RULES.some((r) => matches(r.id, pattern)) && !SPECIAL_RULES.some((id) => matches(id, pattern))) {
      throw new EcomdbError('E_USAGE', `no verify rule matches "${pattern}"`, { hint: `use a rule id or a category: catalog, normalization, data, drift, probe, partition` });
    }
  }
  return RULES.filter((r) => (only.length === 0 || only.some((p) => matches(r.id, p))) && !skip.some((p) => matches(r.id, p)));
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

/** Run `rules` over `schemas`; each rule's findings are capped at `sample`, counted in full. */
export async function runRules(session: Session, rules: readonly SqlRule[], schemas: readonly string[], sample = 50): Promise<RuleResult[]> {
  const results: RuleResult[] = [];
  for (const rule of rules) {
    const started = Date.now();
    let rows: { object: string; message: string }[];
    try {
      rows = await session.query<{ object: string; message: string }>(
        `select object, message from (${rule.sql}) found order by object, message`,
        rule.category === 'data' ? [] : [schemas],
      );
    } catch (error) {
      // A data rule on a database without ecomdb's tables, for instance: say so, as a finding.
      rows = [{ object: '(rule)', message: `could not run: ${(error as Error).message}` }];
    }
    const allowed = rows.filter((r) => allowance(rule.id, r.object)).map((r) => ({ object: r.object, reason: allowance(rule.id, r.object)!.reason }));
    rows = rows.filter((r) => !allowance(rule.id, r.object));
    const findings: Finding[] = rows.slice(0, sample).map((r) => ({
      rule: rule.id,
      severity: rule.severity,
      object: r.object,
      message: r.message,
      hint: rule.hint,
    }));
    results.push({
      id: rule.id,
      category: rule.category,
      severity: rule.severity,
      description: rule.description,
      offenders: rows.length,
      findings,
      allowed,
      ms: Date.now() - started,
    });
  }
  return results;
}

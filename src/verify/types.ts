/** What `ecomdb verify` reports: findings of rules, each with a stable id. */

export type Severity = 'error' | 'warning';
export type Category = 'catalog' | 'normalization' | 'data' | 'drift' | 'probe' | 'partition' | 'security';

/** One thing wrong, on one object. */
export interface Finding {
  /** The rule's stable id, e.g. `catalog/fk-index`. */
  readonly rule: string;
  readonly severity: Severity;
  /** What it concerns: `schema.table`, `schema.table.column` or a constraint or index name. */
  readonly object: string;
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
}

/** A rule as data: an id, what it protects (for a student), and a query that finds offenders. */
export interface SqlRule {
  readonly id: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly description: string;
  readonly hint: string;
  /** A SELECT returning `object` and `message` for each offender; `$1` is the schemas checked. */
  readonly sql: string;
}

export interface RuleResult {
  readonly id: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly description: string;
  /** How many offenders the rule found (findings lists at most --sample of them). */
  readonly offenders: number;
  readonly findings: readonly Finding[];
  /** Offenders on the allow-list (src/verify/allowed.ts), with its reason; not failures. */
  readonly allowed: readonly { readonly object: string; readonly reason: string }[];
  readonly ms: number;
}

export interface VerifyReport {
  readonly target: string;
  readonly schemas: readonly string[];
  readonly rules: readonly RuleResult[];
  readonly errors: number;
  readonly warnings: number;
}

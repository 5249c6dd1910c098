/**
 * `ecomdb lint` as a library: migration SQL in, findings out, with PostgreSQL's own parser.
 * Pure apart from loading the parser; which files are pending on a database is target.ts.
 */
import { regionTables } from '../../schema/regions.ts';
import { lintFiles, type Finding, type LintOptions } from './check.ts';
import { loadParser, parseFile } from './parse.ts';

export type { Finding, LintOptions } from './check.ts';
export { RULES, type LintRule, type RuleId, type Severity } from './rules.ts';

export interface LintSource {
  /** How findings name the file (a path relative to the working folder). */
  readonly name: string;
  readonly text: string;
}

/**
 * The partitioned parents of the declared layout: every region-scoped table, which
 * `ecomdb partition apply` (and `ecomdb up`) LIST-partitions by site (schema/partitions.ts).
 */
export function declaredPartitioned(): Set<string> {
  return new Set(regionTables());
}

/**
 * Lint `sources` in order, as one run of pending migrations would apply them. `history`: the
 * migrations applied before them, read only for the column types they declare.
 */
export async function lintSources(
  sources: readonly LintSource[],
  options: LintOptions = { partitioned: declaredPartitioned() },
  history: readonly LintSource[] = [],
): Promise<Finding[]> {
  await loadParser();
  const parse = (s: LintSource) => parseFile(s.name, s.text);
  return lintFiles(sources.map(parse), options, history.map(parse));
}

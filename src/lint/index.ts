/**
 * `ecomdb lint` as a library: migration SQL in, findings out, with PostgreSQL's own parser.
 * Pure apart from loading the parser; which files are pending on a database is target.ts.
 */
import { PARTITION_LAYOUT } from '../../schema/partitions.ts';
import { regionTables } from '../../schema/regions.ts';
import { sitePartitionName } from '../partition/plan.ts';
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
 * The partitioned tables of the declared layout (schema/partitions.ts): every region-scoped
 * table, which `ecomdb partition apply` (and `ecomdb up`) LIST-partitions by site, and the site
 * partitions of the monthly tables, themselves partitioned by month.
 */
export function declaredPartitioned(): Set<string> {
  const monthlySites = Object.keys(PARTITION_LAYOUT.monthly).flatMap((qualified) => {
    const [schema, table] = qualified.split('.') as [string, string];
    return [...PARTITION_LAYOUT.sites, 'default'].map((site) => `${schema}.${sitePartitionName(table, site)}`);
  });
  return new Set([...regionTables(), ...monthlySites]);
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

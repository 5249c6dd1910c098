/** `ecomdb verify`: catalog, normalization and data rules against any target, for people and for CI. */
import { Command, Option } from 'commander';
import { COMPONENTS } from '../../../schema/index.ts';
import { openTarget } from '../../db/open.ts';
import { EcomdbError, EXIT } from '../../errors.ts';
import { renderJunit, renderText } from '../../verify/format.ts';
import { driftResult } from '../../verify/drift.ts';
import { probeResult } from '../../verify/probes.ts';
import { layoutResult } from '../../verify/partitions.ts';
import { DEPENDENCY_RULES, SAMPLE_ROWS, dependencyFindings } from '../../verify/dependencies.ts';
import { requireSomethingToCheck, resultOf, runRules, selectRules, selects } from '../../verify/run.ts';
import { readMigrations } from '../../migrations/files.ts';
import type { VerifyReport } from '../../verify/types.ts';
import { contextOf } from '../context.ts';
import * as parse from '../options.ts';
import { assertSeedFinished } from '../../seed/marker.ts';

interface VerifyFlags {
  only?: string;
  skip?: string;
  format: 'text' | 'json' | 'junit';
  sample: string;
  limit: string;
  schemas?: string;
  strict?: boolean;
}

const list = (value?: string) => (value ? value.split(',').map((s) => s.trim()).filter(Boolean) : []);

export function verifyCommand(): Command {
  return new Command('verify')
    .description('check the catalog, normal forms and business data; exit non-zero when a rule fails')
    .option('--only <rules>', 'comma-separated rule ids or categories (catalog, normalization, data, partition, drift, probe)')
    .option('--skip <rules>', 'comma-separated rule ids or categories to leave out')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'junit']).default('text'))
    .option('--sample <rows>', 'rows sampled per table by the data-driven normalization rules', String(SAMPLE_ROWS))
    .option('--limit <n>', 'findings listed per rule (all are counted)', '20')
    .option('--schemas <list>', 'schemas to check (default: the ten component schemas)')
    .option('--strict', 'warnings fail too')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb verify                                   # the embedded database
  $ ecomdb verify --url postgres://postgres@localhost/shop --format junit > verify.xml
  $ ecomdb verify --only catalog --schemas user_management,payments --format json

Exit status: 0 clean (warnings allowed unless --strict), 8 a rule failed or there was nothing to
check (no table in the component schemas), 2 a bad option (a --schemas name the database does not
have, schemas with no table, --only/--skip that keep no rule), 3 the database could not be reached. The JSON report's schema is documented in the README.`,
    )
    .action(async (flags: VerifyFlags, command: Command) => {
      const { target, output, migrationsDir } = contextOf(command);
      const rules = selectRules(list(flags.only), list(flags.skip));
      const sample = parse.integer(flags.limit, '--limit', { min: 0, max: 1_000_000, example: 20 });
      const sampleRows = parse.integer(flags.sample, '--sample', { min: 4, max: 1_000_000, example: SAMPLE_ROWS });
      const schemas = flags.schemas !== undefined ? list(flags.schemas) : COMPONENTS.map((c) => c.schema.schemaName);
      if (schemas.length === 0) throw new EcomdbError('E_USAGE', '--schemas names no schema', { hint: 'e.g. --schemas user_management,payments' });
      const drift = selects('drift/migrations', list(flags.only), list(flags.skip));
      const probe = selects('probe/constraints', list(flags.only), list(flags.skip));
      const files = drift ? readMigrations(migrationsDir) : [];
      const db = await openTarget(target, { create: false });
      let report: VerifyReport;
      try {
        // A database whose seed did not finish holds a partial load, maybe without its keys.
        await db.session(assertSeedFinished);
        await db.session((s) => requireSomethingToCheck(s, schemas, flags.schemas !== undefined));
        const results = await db.session((s) => runRules(s, rules, schemas, sample));
        if (drift) results.push(await driftResult(db, target.kind === 'postgres' ? target.url : null, files, schemas, sample));
        if (probe) results.push(await db.session((s) => probeResult(s, schemas, sample)));
        if (selects('partition/layout', list(flags.only), list(flags.skip))) results.push(await db.session((s) => layoutResult(s, sample)));
        const dependencyRules = DEPENDENCY_RULES.filter((r) => selects(r.id, list(flags.only), list(flags.skip)));
        if (dependencyRules.length > 0) {
          const started = Date.now();
          const found = await db.session((s) => dependencyFindings(s, schemas, sampleRows));
          for (const rule of dependencyRules) results.push(resultOf(rule, found, sample, Date.now() - started));
        }
        const count = (severity: string) => results.filter((r) => r.severity === severity && r.offenders > 0).length;
        report = { target: db.label, schemas, rules: results, errors: count('error'), warnings: count('warning') };
      } finally {
        await db.close();
      }
      if (flags.format === 'json') output.text(JSON.stringify(report, null, 2));
      else if (flags.format === 'junit') output.text(renderJunit(report));
      else output.info(renderText(report));
      if (report.errors > 0 || (flags.strict && report.warnings > 0)) {
        throw new EcomdbError('E_VERIFY_FAILED', `${report.errors} rule(s) failed${flags.strict ? `, ${report.warnings} with warnings` : ''}`, {
          hint: 'see the findings above; each names the object and the fix',
          details: { exit: EXIT.verify },
        });
      }
    });
}

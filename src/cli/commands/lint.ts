/** `ecomdb lint [FILES]`: static safety rules on migration SQL, parsed with PostgreSQL's own parser. */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { Command, Option } from 'commander';
import { openTarget } from '../../db/open.ts';
import { EcomdbError, EXIT } from '../../errors.ts';
import { renderGithub, renderJson, renderJunit, renderText, summarize, type LintReport } from '../../lint/format.ts';
import { declaredPartitioned, lintSources, type LintSource } from '../../lint/index.ts';
import { targetFacts } from '../../lint/target.ts';
import { readMigrations, type MigrationFile } from '../../migrations/files.ts';
import { contextOf, type Context } from '../context.ts';

interface LintFlags {
  format: 'text' | 'json' | 'junit' | 'github';
  strict?: boolean;
  after?: string;
}

/** A migration's path as findings name it: relative to the working folder when inside it (as CI annotations want), else absolute. */
function display(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

function sourcesOf(dir: string, files: readonly MigrationFile[]): LintSource[] {
  return files.map((f) => ({ name: display(join(dir, `${f.tag}.sql`)), text: f.text }));
}

function readFiles(paths: readonly string[]): LintSource[] {
  return paths.map((path) => {
    try {
      return { name: path, text: readFileSync(path, 'utf8') };
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a folder' : 'cannot be read';
      throw new EcomdbError('E_USAGE', `${path} ${reason}`, { hint: 'name migration .sql files, or give no file to lint the pending migrations', cause: error });
    }
  });
}

/** The files to lint and what to assume about the database, by the rules in the README. */
export async function collect(context: Context, paths: readonly string[], flags: Pick<LintFlags, 'after'> = {}): Promise<LintReport> {
  if (flags.after !== undefined && paths.length > 0) {
    throw new EcomdbError('E_USAGE', '--after and FILES cannot be combined', { hint: 'name the files, or give --after TAG to lint the migrations after TAG' });
  }
  if (paths.length > 0) {
    const sources = readFiles(paths);
    const findings = await lintSources(sources, { partitioned: declaredPartitioned() });
    return summarize('files', null, sources.map((s) => s.name), findings);
  }
  const files = readMigrations(context.migrationsDir);
  if (flags.after !== undefined) {
    const at = files.findIndex((f) => f.tag === flags.after);
    if (at < 0) {
      throw new EcomdbError('E_USAGE', `--after ${flags.after}: no such migration in ${display(context.migrationsDir)}`, {
        hint: `give a tag of the journal, e.g. ${files.at(-1)?.tag ?? '0000_schema'}`,
      });
    }
    const sources = sourcesOf(context.migrationsDir, files.slice(at + 1));
    const findings = await lintSources(sources, { partitioned: declaredPartitioned() }, sourcesOf(context.migrationsDir, files.slice(0, at + 1)));
    return summarize('after', flags.after, sources.map((s) => s.name), findings);
  }
  if (!context.targetNamed) {
    const sources = sourcesOf(context.migrationsDir, files);
    const findings = await lintSources(sources, { partitioned: declaredPartitioned() });
    return summarize('all', null, sources.map((s) => s.name), findings);
  }
  const db = await openTarget(context.target, { create: false });
  let facts;
  try {
    facts = await targetFacts(db, files);
  } finally {
    await db.close();
  }
  const sources = sourcesOf(context.migrationsDir, facts.unapplied);
  const applied = files.filter((f) => !facts.unapplied.includes(f));
  const findings = await lintSources(sources, { partitioned: facts.partitioned }, sourcesOf(context.migrationsDir, applied));
  return summarize('pending', db.label, sources.map((s) => s.name), findings);
}

export function lintCommand(): Command {
  return new Command('lint')
    .description('check migration SQL for statements that would lock or break a live database')
    .argument('[files...]', 'migration .sql files (default: see Files below)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'junit', 'github']).default('text'))
    .option('--strict', 'warnings fail too')
    .option('--after <tag>', 'lint the migrations after this one, as a database that has applied it up to TAG would run them (no database needed)')
    .addHelpText(
      'after',
      `
Examples:
  $ ecomdb lint                                    # every migration, as a fresh database would run them
  $ ecomdb lint --url postgres://postgres@localhost/shop --format github   # the ones it has not applied
  $ ecomdb lint migrations/0008_schema.sql --format junit > lint.xml
  $ ecomdb lint --after 0007_views                 # what a database at 0007_views would run next

Files: the ones named; else with --after TAG the migrations after TAG; else, with a database
named (--url, DATABASE_URL, --data-dir, ECOMDB_DATA_DIR), the migrations it has not applied; else
every migration of the folder, in order.
A table created earlier in the linted files is new (empty): statements on it are not flagged.
Silence a rule for a file with a comment: -- ecomdb-lint-disable RULE_ID: reason
or for the next statement only: -- ecomdb-lint-disable-next-statement RULE_ID: reason

Exit status: 0 no error-level finding (warnings allowed unless --strict), ${EXIT.lint} an error-level finding
(E_LINT_FAILED), 2 a file that cannot be read, 3 the database named cannot be reached.`,
    )
    .action(async (paths: string[], flags: LintFlags, command: Command) => {
      const context = contextOf(command);
      const { output } = context;
      const report = await collect(context, paths, flags);
      const format = flags.format === 'text' && output.json ? 'json' : flags.format;
      const failed = report.errors > 0 || (flags.strict === true && report.warnings > 0);
      if (format === 'json' && output.json) {
        // --json: one document on stdout; on failure the error carries the report.
        output.info(renderText(report));
        if (!failed) output.data(report);
      } else if (format === 'json') output.text(renderJson(report));
      else if (format === 'junit') output.text(renderJunit(report, flags.strict));
      else if (format === 'github') {
        const annotations = renderGithub(report);
        if (annotations) output.text(annotations);
        output.info(renderText(report).split('\n').at(-1)!);
      } else output.info(renderText(report));
      if (failed) {
        throw new EcomdbError('E_LINT_FAILED', `${report.errors} error(s)${flags.strict ? ` and ${report.warnings} warning(s)` : ''} in ${report.files.length} migration file(s)`, {
          hint: 'apply each finding\'s rewrite, or disable the rule for the file with -- ecomdb-lint-disable RULE_ID: reason',
          details: output.json ? { ...report } : { errors: report.errors, warnings: report.warnings },
        });
      }
    });
}

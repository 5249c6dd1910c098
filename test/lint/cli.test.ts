/**
 * `ecomdb lint` as CI runs it: which files it reads, its four output formats (JSON, JUnit and
 * GitHub annotations parsed as their consumers would), its exit statuses, and the committed
 * migrations, which must lint clean.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.ts';
import type { LintReport } from '../../src/lint/format.ts';
import { MIGRATIONS_DIR } from '../../src/generate/run.ts';
import { readMigrations } from '../../src/migrations/files.ts';
import { ecomdb, errorCode, jsonError, tempDir } from '../helpers/cli.ts';
import { databasesForBlock, type TestDatabase } from '../helpers/db.ts';
import { addMigration, copyMigrations } from '../helpers/migrations.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const UNSAFE = 'test/lint/fixtures/create-index-concurrently.unsafe.sql';
const WARNING_ONLY = 'test/lint/fixtures/lock-timeout.unsafe.sql';
const SAFE = 'test/lint/fixtures/create-index-concurrently.safe.sql';
const inRepo = { cwd: REPO };
const validate = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(new URL('../../src/lint/report.schema.json', import.meta.url), 'utf8')) as object);
/** The JSON report of a run, checked against its documented schema. */
function report(stdout: string): LintReport {
  const parsed = JSON.parse(stdout) as unknown;
  expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
  return parsed as LintReport;
}
const live = (r: LintReport) => r.findings.filter((f) => f.suppressed === null);

/** An unsafe migration for the pending-files tests: an index built without CONCURRENTLY on a table earlier migrations created. */
const NEW_MIGRATION = "SET lock_timeout = '5s';\n--> statement-breakpoint\nCREATE INDEX orders_total_idx ON order_processing.orders (total);\n";

describe('ecomdb lint: the committed migrations', () => {
  it('lint clean, as a fresh database runs them (every file, in order)', async () => {
    const run = await ecomdb(['lint', '--format', 'json', '--strict'], inRepo);
    expect(run.code, run.stderr).toBe(0);
    const r = report(run.stdout);
    expect(r.mode).toBe('all');
    expect(r.files).toEqual(readMigrations(MIGRATIONS_DIR).map((m) => `migrations/${m.tag}.sql`));
    expect(live(r)).toEqual([]);
  });
});

describe('ecomdb lint FILES: formats and exit statuses', () => {
  it('text: file:line severity rule message, the statement and the rewrite; exit 14', async () => {
    const run = await ecomdb(['lint', UNSAFE], inRepo);
    expect(run.code).toBe(EXIT.lint);
    expect(errorCode(run)).toBe('E_LINT_FAILED');
    expect(run.stderr).toContain(`${UNSAFE}:3: error create-index-concurrently: CREATE INDEX on the existing table shop.accounts without CONCURRENTLY`);
    expect(run.stderr).toContain('    CREATE INDEX accounts_name_idx ON shop.accounts (name)');
    expect(run.stderr).toMatch(/rewrite: CREATE INDEX CONCURRENTLY/);
    expect(run.stdout).toBe('');
  });

  it('a clean file exits 0; warnings alone exit 0, and 14 with --strict', async () => {
    expect((await ecomdb(['lint', SAFE], inRepo)).code).toBe(0);
    const warned = await ecomdb(['lint', WARNING_ONLY], inRepo);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(`${WARNING_ONLY}:1: warning lock-timeout:`);
    const strict = await ecomdb(['lint', WARNING_ONLY, '--strict'], inRepo);
    expect(strict.code).toBe(EXIT.lint);
    expect(errorCode(strict)).toBe('E_LINT_FAILED');
  });

  it('--format json: the report on stdout, every finding with rule, file, line, severity and rewrite', async () => {
    const run = await ecomdb(['lint', UNSAFE, SAFE, WARNING_ONLY, '--format', 'json'], inRepo);
    expect(run.code).toBe(EXIT.lint);
    const r = report(run.stdout);
    expect(r).toMatchObject({ mode: 'files', target: null, files: [UNSAFE, SAFE, WARNING_ONLY], errors: 1, warnings: 1, suppressed: 0 });
    expect(r.findings.map((f) => [f.file, f.line, f.severity, f.rule])).toEqual([
      [UNSAFE, 3, 'error', 'create-index-concurrently'],
      [WARNING_ONLY, 1, 'warning', 'lock-timeout'],
    ]);
    for (const f of r.findings) expect(f.rewrite.length).toBeGreaterThan(10);
  });

  it('the JSON schema rejects a malformed report (the validation can fail)', () => {
    expect(validate({ mode: 'some', target: null, files: [], findings: [{ rule: 'X', line: 0 }], errors: -1, warnings: 0, suppressed: 0 })).toBe(false);
  });

  it('--json: one document on stdout; on failure the error carries the findings', async () => {
    const ok = await ecomdb(['lint', SAFE, '--json'], inRepo);
    expect(ok.code).toBe(0);
    expect(report(ok.stdout).files).toEqual([SAFE]);
    const failed = await ecomdb(['lint', UNSAFE, '--json'], inRepo);
    expect(failed.code).toBe(EXIT.lint);
    const error = jsonError(failed);
    expect(error.code).toBe('E_LINT_FAILED');
    expect((error.details.findings as { rule: string }[]).map((f) => f.rule)).toEqual(['create-index-concurrently']);
  });

  it('--format junit: valid XML, a failing test case per error, a passing one per clean file', async () => {
    const run = await ecomdb(['lint', UNSAFE, SAFE, WARNING_ONLY, '--format', 'junit'], inRepo);
    expect(run.code).toBe(EXIT.lint);
    expect(XMLValidator.validate(run.stdout)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(run.stdout);
    const suites = parsed.testsuites.testsuite as { '@_name': string; '@_failures': string; testcase: Record<string, unknown>[] }[];
    expect(parsed.testsuites['@_failures']).toBe('1');
    expect(suites.map((s) => [s['@_name'], s['@_failures']])).toEqual([
      [`ecomdb lint: ${UNSAFE}`, '1'],
      [`ecomdb lint: ${SAFE}`, '0'],
      [`ecomdb lint: ${WARNING_ONLY}`, '0'],
    ]);
    const failing = suites[0]!.testcase[0]!;
    expect(failing['@_name']).toBe(`create-index-concurrently (${UNSAFE}:3)`);
    expect((failing.failure as Record<string, string>)['@_type']).toBe('error');
    expect(suites[1]!.testcase[0]!.failure).toBeUndefined();
    expect(suites[2]!.testcase[0]!['system-out']).toMatch(/lock_timeout/);
    const strict = await ecomdb(['lint', WARNING_ONLY, '--format', 'junit', '--strict'], inRepo);
    expect(new XMLParser().parse(strict.stdout)).toBeTruthy();
    expect(strict.stdout).toMatch(/<failure type="warning"/);
  });

  it('--format github: one workflow command per finding, escaped as GitHub reads them', async () => {
    const run = await ecomdb(['lint', UNSAFE, WARNING_ONLY, '--format', 'github'], inRepo);
    expect(run.code).toBe(EXIT.lint);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const [error, warning] = lines.map((l) => /^::(error|warning) file=([^,]+),line=(\d+),title=([^:]+)::(.+)$/.exec(l));
    expect(error?.slice(1, 5)).toEqual(['error', UNSAFE, '3', 'ecomdb lint create-index-concurrently']);
    expect(error?.[5]).toMatch(/Rewrite: CREATE INDEX CONCURRENTLY/);
    expect(warning?.slice(1, 4)).toEqual(['warning', WARNING_ONLY, '1']);
    // A file name with a comma or a colon cannot break the command's properties.
    const dir = tempDir();
    const odd = join(dir, 'a,b:c.sql');
    writeFileSync(odd, readFileSync(join(REPO, UNSAFE), 'utf8'));
    const escaped = await ecomdb(['lint', odd, '--format', 'github']);
    expect(escaped.stdout).toContain(`file=${odd.replace(/:/g, '%3A').replace(/,/g, '%2C')},line=3,`);
  });

  it('a missing file or a folder is E_USAGE (exit 2), before anything is linted', async () => {
    for (const path of ['no/such/file.sql', 'test/lint/fixtures']) {
      const run = await ecomdb(['lint', SAFE, path], inRepo);
      expect(run.code).toBe(EXIT.usage);
      expect(errorCode(run)).toBe('E_USAGE');
      expect(run.stderr).toContain(path);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('unparsable SQL is a syntax finding (exit 14) with the parser\'s line', async () => {
    const path = join(tempDir(), 'broken.sql');
    writeFileSync(path, "SET lock_timeout = '1s';\nALTER TABLE shop.a\n  ADD COLUMN;\n");
    const run = await ecomdb(['lint', path, '--format', 'json']);
    expect(run.code).toBe(EXIT.lint);
    expect(report(run.stdout).findings.map((f) => [f.rule, f.line])).toEqual([['syntax', 3]]);
  });
});

describe('ecomdb lint: the migrations a database has not applied', () => {
  const fresh = databasesForBlock();
  let db: TestDatabase;
  let dir: string;
  let added: string;
  beforeAll(async () => {
    db = await fresh('lint_pending');
    dir = copyMigrations();
    added = addMigration(dir, 'orders_index', NEW_MIGRATION);
  });

  it('on a server: only the new file is linted; tables earlier files created exist', async () => {
    const run = await ecomdb(['lint', '--url', db.url, '--migrations', dir, '--format', 'json']);
    expect(run.code).toBe(EXIT.lint);
    const r = report(run.stdout);
    expect(r.mode).toBe('pending');
    expect(r.target).toContain(db.name);
    expect(r.files).toEqual([join(dir, `${added}.sql`)]);
    // The server's tables are plain (not partitioned), so the plain-table rule applies.
    expect(r.findings.map((f) => [f.rule, f.line])).toEqual([['create-index-concurrently', 3]]);
  });

  it('on a server, its own partitioned tables get the partitioned-table rule', async () => {
    await db.sql.unsafe(`
      create schema lintcheck;
      create table lintcheck.events (region text not null, total numeric) partition by list (region);
      create table lintcheck.events_mlb partition of lintcheck.events for values in ('MLB');`);
    const here = copyMigrations();
    addMigration(here, 'events_index', "SET lock_timeout = '5s';\nCREATE INDEX events_total_idx ON lintcheck.events (total);\n");
    const run = await ecomdb(['lint', '--url', db.url, '--migrations', here, '--format', 'json']);
    expect(run.code).toBe(EXIT.lint);
    expect(report(run.stdout).findings.map((f) => f.rule)).toEqual(['partitioned-index']);
  });

  it('on the embedded database (--data-dir): the same', async () => {
    const data = tempDir();
    const pristine = copyMigrations();
    expect((await ecomdb(['migrate', '--data-dir', data, '--migrations', pristine])).code).toBe(0);
    const nothing = await ecomdb(['lint', '--data-dir', data, '--migrations', pristine, '--format', 'json']);
    expect(nothing.code).toBe(0);
    expect(report(nothing.stdout).files).toEqual([]);
    addMigration(pristine, 'orders_index', NEW_MIGRATION);
    const run = await ecomdb(['lint', '--data-dir', data, '--migrations', pristine, '--format', 'json']);
    expect(run.code).toBe(EXIT.lint);
    expect(report(run.stdout).findings.map((f) => f.rule)).toEqual(['create-index-concurrently']);
  }, 120_000);

  it('--after TAG: the migrations after TAG, with no database; the declared layout says which tables are partitioned', async () => {
    const all = readMigrations(dir).map((m) => m.tag);
    const run = await ecomdb(['lint', '--after', all.at(-2)!, '--migrations', dir, '--format', 'json']);
    expect(run.code).toBe(EXIT.lint);
    const r = report(run.stdout);
    expect(r).toMatchObject({ mode: 'after', target: all.at(-2), files: [join(dir, `${all.at(-1)}.sql`)] });
    expect(r.findings.map((f) => f.rule)).toEqual(['partitioned-index']);
    const unknown = await ecomdb(['lint', '--after', '9999_nothing', '--migrations', dir]);
    expect(unknown.code).toBe(EXIT.usage);
    expect(errorCode(unknown)).toBe('E_USAGE');
    const both = await ecomdb(['lint', '--after', all.at(-2)!, UNSAFE], inRepo);
    expect(errorCode(both)).toBe('E_USAGE');
  });

  it('a database that cannot be reached is exit 3', async () => {
    const run = await ecomdb(['lint', '--url', 'postgres://postgres@127.0.0.1:1/nothing', '--migrations', dir]);
    expect(run.code).toBe(EXIT.target);
  });
});

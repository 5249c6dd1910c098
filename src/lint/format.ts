/**
 * The four shapes of a lint report: readable text, JSON (the report as is), JUnit XML for CI
 * dashboards and GitHub Actions workflow commands (`::error file=...,line=...::`), which GitHub
 * shows as annotations on the pull request's diff. Pure: report in, text out.
 */
import type { Finding } from './check.ts';

export interface LintReport {
  /**
   * What was linted: `files` (named on the command line), `pending` (not applied on the target),
   * `after` (the migrations after `--after TAG`, those up to it taken as applied), `all` (every
   * file of the folder, on an empty database).
   */
  readonly mode: 'files' | 'pending' | 'after' | 'all';
  /** The database asked what is pending (its masked URL or folder), the `--after` tag, or null. */
  readonly target: string | null;
  readonly files: readonly string[];
  /** Every finding, those silenced by a disable comment included (`suppressed` holds the reason). */
  readonly findings: readonly Finding[];
  readonly errors: number;
  readonly warnings: number;
  readonly suppressed: number;
}

export function summarize(mode: LintReport['mode'], target: string | null, files: readonly string[], findings: readonly Finding[]): LintReport {
  const live = findings.filter((f) => f.suppressed === null);
  return {
    mode,
    target,
    files,
    findings,
    errors: live.filter((f) => f.severity === 'error').length,
    warnings: live.filter((f) => f.severity === 'warning').length,
    suppressed: findings.length - live.length,
  };
}

export function renderText(report: LintReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    if (f.suppressed !== null) continue;
    lines.push(`${f.file}:${f.line}: ${f.severity} ${f.rule}: ${f.message}`);
    if (f.statement) lines.push(`    ${f.statement}`);
    lines.push(`    rewrite: ${f.rewrite}`);
  }
  const suppressed = report.suppressed ? `, ${report.suppressed} disabled by comment` : '';
  lines.push(`${report.files.length} file(s) linted: ${report.errors} error(s), ${report.warnings} warning(s)${suppressed}`);
  return lines.join('\n');
}

export function renderJson(report: LintReport): string {
  return JSON.stringify(report, null, 2);
}

const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/**
 * One test suite per file, one test case per finding (a failure for an error, or for a warning
 * with `strict`; otherwise the warning is the case's output), one passing case for a clean file.
 */
export function renderJunit(report: LintReport, strict = false): string {
  let failuresTotal = 0;
  let testsTotal = 0;
  const suites = report.files.map((file) => {
    const findings = report.findings.filter((f) => f.file === file && f.suppressed === null);
    const cases = findings.map((f) => {
      const open = `    <testcase classname="ecomdb.lint" name="${xml(`${f.rule} (${file}:${f.line})`)}" file="${xml(file)}" line="${f.line}">`;
      const body = xml(`${f.file}:${f.line}: ${f.message}\n${f.statement ?? ''}\nrewrite: ${f.rewrite}`);
      const inner = f.severity === 'error' || strict ? `<failure type="${f.severity}" message="${xml(f.message)}">${body}</failure>` : `<system-out>${body}</system-out>`;
      return `${open}\n      ${inner}\n    </testcase>`;
    });
    if (cases.length === 0) cases.push(`    <testcase classname="ecomdb.lint" name="${xml(`${file} is clean`)}" file="${xml(file)}"/>`);
    const failures = findings.filter((f) => f.severity === 'error' || strict).length;
    failuresTotal += failures;
    testsTotal += cases.length;
    return `  <testsuite name="${xml(`ecomdb lint: ${file}`)}" tests="${cases.length}" failures="${failures}" errors="0">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ecomdb lint" tests="${testsTotal}" failures="${failuresTotal}">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** GitHub's escaping of a workflow command's message and of its properties. */
const ghData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProperty = (s: string) => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function renderGithub(report: LintReport): string {
  const lines = report.findings
    .filter((f) => f.suppressed === null)
    .map((f) => `::${f.severity} file=${ghProperty(f.file)},line=${f.line},title=${ghProperty(`ecomdb lint ${f.rule}`)}::${ghData(`${f.message}. Rewrite: ${f.rewrite}`)}`);
  return lines.length ? lines.join('\n') : '';
}

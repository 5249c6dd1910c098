/**
 * The three shapes of a verify report: a readable list, JSON (the report object as is; its
 * schema is documented in the README and checked by a test), and JUnit XML for CI dashboards.
 * Pure: report in, text out.
 */
import type { VerifyReport } from './types.ts';

export function renderText(report: VerifyReport): string {
  const lines: string[] = [];
  for (const rule of report.rules) {
    if (rule.offenders === 0) continue;
    lines.push(`${rule.severity === 'error' ? 'ERROR' : 'WARN '} ${rule.id} (${rule.offenders}): ${rule.description}`);
    for (const f of rule.findings) lines.push(`      ${f.object}: ${f.message}`);
    if (rule.offenders > rule.findings.length) lines.push(`      ... and ${rule.offenders - rule.findings.length} more`);
    lines.push(`      fix: ${rule.findings[0]?.hint ?? ''}`);
  }
  const clean = report.rules.filter((r) => r.offenders === 0).length;
  lines.push(`${report.rules.length} rules on ${report.target}: ${clean} clean, ${report.errors} error(s), ${report.warnings} warning(s)`);
  return lines.join('\n');
}

const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

export function renderJunit(report: VerifyReport): string {
  const categories = [...new Set(report.rules.map((r) => r.category))];
  const suites = categories.map((category) => {
    const rules = report.rules.filter((r) => r.category === category);
    const failures = rules.filter((r) => r.offenders > 0).length;
    const seconds = rules.reduce((s, r) => s + r.ms, 0) / 1000;
    const cases = rules.map((r) => {
      const open = `    <testcase classname="ecomdb.verify.${xml(category)}" name="${xml(r.id)}" time="${(r.ms / 1000).toFixed(3)}"`;
      if (r.offenders === 0) return `${open}/>`;
      const body = r.findings.map((f) => `${f.object}: ${f.message}`).join('\n');
      return `${open}>\n      <failure type="${r.severity}" message="${xml(`${r.offenders} offender(s): ${r.description}`)}">${xml(body)}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="ecomdb verify: ${xml(category)}" tests="${rules.length}" failures="${failures}" errors="0" time="${seconds.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const failures = report.rules.filter((r) => r.offenders > 0).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ecomdb verify" tests="${report.rules.length}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}

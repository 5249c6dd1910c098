/**
 * partition/layout: a partitioned database has the layout schema/partitions.ts declares, today:
 * every region-scoped table partitioned, every declared site with its partitions, every month up
 * to the declared months ahead. What `ecomdb partition apply` would still do is the finding,
 * like pg_partman's premake check. A database with plain tables only is a legitimate layout
 * (`ecomdb up --no-partition`) and passes.
 */
import type { Session } from '../db/types.ts';
import { readCatalog } from '../partition/catalog.ts';
import { monthOf } from '../partition/months.ts';
import { applyPlan } from '../partition/plan.ts';
import type { Finding, RuleResult } from './types.ts';

export const LAYOUT_RULE = {
  id: 'partition/layout',
  category: 'partition',
  severity: 'warning',
  description:
    'A partitioned database has the declared layout (schema/partitions.ts): every region-scoped table partitioned, every declared site with its partitions, and the months ahead ready.',
} as const;

export async function layoutResult(session: Session, sample: number, month = monthOf(new Date())): Promise<RuleResult> {
  const started = Date.now();
  const snapshot = await readCatalog(session);
  const findings: Finding[] = [];
  const hint = 'run `ecomdb partition apply` (`ecomdb partition plan` shows what it would do)';
  if (snapshot.tables.some((t) => t.partitioned)) {
    try {
      // One finding per table, with everything apply would still do to it (a missing site is a
      // build and an attach step per table); steps that concern no single table (a lock, the
      // statistics) are left out, they only accompany the others.
      const pending = new Map<string, string[]>();
      for (const step of applyPlan(snapshot, { month }).steps) {
        if (step.table) pending.set(step.table, [...(pending.get(step.table) ?? []), step.title]);
      }
      for (const [table, titles] of pending) {
        findings.push({ rule: LAYOUT_RULE.id, severity: LAYOUT_RULE.severity, object: table, message: `pending: ${titles.join('; ')}`, hint });
      }
    } catch (error) {
      findings.push({ rule: LAYOUT_RULE.id, severity: LAYOUT_RULE.severity, object: '(layout)', message: (error as Error).message, hint });
    }
  }
  return { ...LAYOUT_RULE, offenders: findings.length, findings: findings.slice(0, sample), allowed: [], ms: Date.now() - started };
}

/**
 * Drift: the live database against what the committed migrations define. The reference is a
 * scratch database migrated from scratch — on the same server when the user may create one (so
 * both sides print definitions with the same PostgreSQL version), else an in-memory PGlite.
 * Both catalogs are read into the same flat list of "object → definition" entries and compared:
 * what is missing, what is unexpected, and what differs.
 */
import type { Database, Session } from '../db/types.ts';
import { scratchName as scratchNameOf, withScratchDatabase } from '../db/scratch.ts';
import { withMigratedMemoryPglite } from '../migrations/memory.ts';
import { runMigrations } from '../migrations/run.ts';
import type { MigrationFile } from '../migrations/files.ts';
import { monthOf } from '../partition/months.ts';
import { applyPlan } from '../partition/plan.ts';
import { runPartition } from '../partition/run.ts';
import type { Finding, RuleResult } from './types.ts';
import { indexOwnedByConstraint } from '../pg-catalog.ts';

/**
 * One catalog entry per table, column, constraint and index of `schemas` (partitions aside).
 * Constraints PostgreSQL clones onto partitions (conparentid <> 0) are the parent's, not
 * entries of their own.
 */
export async function catalogEntries(session: Session, schemas: readonly string[]): Promise<Map<string, string>> {
  const rows = await session.query<{ object: string; definition: string }>(
    `with t as (
       select c.oid, c.relkind, c.relispartition, format('%I.%I', n.nspname, c.relname) as name
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind in ('r', 'p')
          -- Partitions are operations' business (sites added, months created as time passes),
          -- not the migrations': the parents, with their partition keys, are compared.
          and not c.relispartition)
     select 'table ' || t.name as object,
            concat_ws(' ', case t.relkind when 'p' then 'partitioned by ' || pg_get_partkeydef(t.oid) else 'plain' end,
                      case when t.relispartition then 'partition of ' || (select i.inhparent::regclass::text from pg_inherits i where i.inhrelid = t.oid)
                           || ' ' || pg_get_expr((select relpartbound from pg_class where oid = t.oid), t.oid) end,
                      'comment=' || coalesce(obj_description(t.oid, 'pg_class'), '(none)')) as definition
       from t
     union all
     select 'column ' || t.name || '.' || quote_ident(a.attname),
            concat_ws(' ', format_type(a.atttypid, a.atttypmod), case when a.attnotnull then 'not null' else 'null' end,
                      'default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '(none)'),
                      'comment=' || coalesce(col_description(t.oid, a.attnum), '(none)'))
       from t join pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
       left join pg_attrdef d on d.adrelid = t.oid and d.adnum = a.attnum
      where not t.relispartition
     union all
     select 'constraint ' || t.name || '.' || quote_ident(k.conname), pg_get_constraintdef(k.oid)
       from t join pg_constraint k on k.conrelid = t.oid and k.conparentid = 0 and k.contype in ('p', 'f', 'u', 'c', 'x')
      where not t.relispartition
     union all
     select 'index ' || t.name || '.' || quote_ident(ic.relname), pg_get_indexdef(i.indexrelid)
       from t join pg_index i on i.indrelid = t.oid join pg_class ic on ic.oid = i.indexrelid
      where not t.relispartition
        and not ${indexOwnedByConstraint('i')}`,
    [schemas],
  );
  return new Map(rows.map((r) => [r.object, r.definition]));
}

/** The differences between the expected and the live catalog, as findings. Pure. */
export function compareCatalogs(expected: Map<string, string>, live: Map<string, string>): Finding[] {
  const findings: Finding[] = [];
  const hint = 'bring the database back to the migrations (ecomdb migrate), or put the change in a new migration';
  for (const [object, definition] of expected) {
    const actual = live.get(object);
    if (actual === undefined) findings.push({ rule: 'drift/missing', severity: 'error', object, message: `missing; the migrations define: ${definition}`, hint });
    else if (actual !== definition) {
      findings.push({ rule: 'drift/changed', severity: 'error', object, message: `is "${actual}"; the migrations define "${definition}"`, hint });
    }
  }
  for (const [object, definition] of live) {
    if (!expected.has(object)) findings.push({ rule: 'drift/unexpected', severity: 'error', object, message: `not in the migrations: ${definition}`, hint });
  }
  return findings.sort((a, b) => a.object.localeCompare(b.object));
}

/** Scratch databases of drift are named `ecomdb_drift_<epoch>_<pid>_<random>` (src/db/scratch.ts). */
export const DRIFT_SCRATCH_PREFIX = 'ecomdb_drift_';

export { SCRATCH_STALE_SECONDS } from '../db/scratch.ts';

/** The name of a new drift scratch database (see src/db/scratch.ts). */
export function scratchName(epoch: number, pid = process.pid, random?: string): string {
  return scratchNameOf(DRIFT_SCRATCH_PREFIX, epoch, pid, random);
}

/**
 * A freshly migrated reference: a scratch database on the same server, else in-memory PGlite.
 * When the live database is partitioned, the reference is partitioned too, as declared in
 * schema/partitions.ts: both layouts are legitimate, and each is compared with its own kind.
 * The scratch database is dropped whatever happens: on failure, on SIGINT/SIGTERM, and, after a
 * SIGKILL, by the next run's sweep.
 */
async function referenceEntries(target: Database, url: string | null, files: readonly MigrationFile[], schemas: readonly string[], partitioned: boolean) {
  const partition = async (db: Database) => {
    if (partitioned) await runPartition(db, (snapshot) => applyPlan(snapshot, { month: monthOf(new Date()) }));
  };
  if (target.kind === 'postgres' && url) {
    try {
      return await withScratchDatabase(url, { prefix: DRIFT_SCRATCH_PREFIX }, async ({ db: scratch, swept }) => {
        await runMigrations(scratch, files);
        await partition(scratch);
        return { where: 'a scratch database on the same server', swept, entries: await scratch.session((s) => catalogEntries(s, schemas)) };
      });
    } catch {
      // No CREATE DATABASE privilege, for instance: compare with PGlite below.
    }
  }
  const swept: string[] = [];
  return withMigratedMemoryPglite(
    files,
    async (reference) => {
      await partition(reference);
      return { where: 'an in-memory PGlite', swept, entries: await reference.session((s) => catalogEntries(s, schemas)) };
    },
    'reference',
  );
}

/** The drift rule's result for the live database `db`. */
export async function driftResult(db: Database, url: string | null, files: readonly MigrationFile[], schemas: readonly string[], sample: number): Promise<RuleResult> {
  const started = Date.now();
  const live = await db.session((s) => catalogEntries(s, schemas));
  const partitioned = [...live.entries()].some(([object, definition]) => object.startsWith('table ') && definition.startsWith('partitioned'));
  const reference = await referenceEntries(db, url, files, schemas, partitioned);
  const findings = compareCatalogs(reference.entries, live);
  return {
    id: 'drift/migrations',
    category: 'drift',
    severity: 'error',
    description: `The database is what the committed migrations${partitioned ? ' and schema/partitions.ts' : ''} define (compared with ${reference.where}${partitioned ? ', partitioned the same way' : ''}): no table, column, type, nullability, default, constraint, index or comment differs.${reference.swept.length > 0 ? ` (Dropped ${reference.swept.length} scratch database(s) that interrupted runs had left: ${reference.swept.join(', ')}.)` : ''}`,
    offenders: findings.length,
    findings: findings.slice(0, sample),
    allowed: [],
    ms: Date.now() - started,
  };
}

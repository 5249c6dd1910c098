/**
 * Drift: the live database against what the committed migrations define. The reference is a
 * scratch database migrated from scratch — on the same server when the user may create one (so
 * both sides print definitions with the same PostgreSQL version), else an in-memory PGlite.
 * Both catalogs are read into the same flat list of "object → definition" entries and compared:
 * what is missing, what is unexpected, and what differs.
 */
import { randomBytes } from 'node:crypto';
import type { Database, Session } from '../db/types.ts';
import { openPostgres } from '../db/postgres.ts';
import { parseDatabaseUrl } from '../db/url.ts';
import { quoteIdent } from '../ident.ts';
import { withMigratedMemoryPglite } from '../migrations/memory.ts';
import { runMigrations } from '../migrations/run.ts';
import type { MigrationFile } from '../migrations/files.ts';
import { monthOf } from '../partition/months.ts';
import { applyPlan } from '../partition/plan.ts';
import { runPartition } from '../partition/run.ts';
import { undoOnSignal } from '../signals.ts';
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

/** Scratch databases of drift are named `ecomdb_drift_<epoch>_<pid>_<random>`. */
const SCRATCH = 'ecomdb_drift_';

/** A scratch database older than this, with no session connected, was left by an interrupted run. */
export const SCRATCH_STALE_SECONDS = 3600;

/**
 * The name of a new scratch database. Its age is in its name: `epoch` is the server's clock
 * (seconds) when it was made. A name is given atomically with the database, so even a process
 * killed right after CREATE DATABASE leaves a database whose age is known; a COMMENT ON DATABASE
 * would be a second statement (and a window without it), and the age of its directory
 * (pg_stat_file) is readable by superusers only. The server's clock, not ours, so that runs from
 * machines whose clocks disagree judge ages alike. The pid says which process made it.
 */
export function scratchName(epoch: number, pid = process.pid, random = randomBytes(3).toString('hex')): string {
  return `${SCRATCH}${Math.floor(epoch)}_${pid}_${random}`;
}

/**
 * Drop the scratch databases interrupted runs left behind (killed with SIGKILL, or a machine that
 * went down): older than SCRATCH_STALE_SECONDS by their name and with no session connected. The
 * DROP is without FORCE: a run still using its database (however long it takes) makes it fail,
 * and so does one that connects meanwhile; so do databases of other owners. Those are skipped.
 * Returns the names dropped.
 */
export async function sweepStaleScratch(session: Session): Promise<string[]> {
  const stale = await session.query<{ name: string }>(
    `select d.datname::text as name from pg_database d
      where d.datname ~ '^${SCRATCH}[0-9]+_[0-9]+_[0-9a-f]+$'
        and to_timestamp(substring(d.datname from '^${SCRATCH}([0-9]+)_')::bigint) < now() - make_interval(secs => $1)
        and not exists (select 1 from pg_stat_activity a where a.datid = d.oid)
      order by 1`,
    [SCRATCH_STALE_SECONDS],
  );
  const dropped: string[] = [];
  for (const { name } of stale) {
    try {
      await session.exec(`drop database if exists ${quoteIdent(name)}`);
      dropped.push(name);
    } catch {
      // In use after all, or not ours to drop: leave it.
    }
  }
  return dropped;
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
  let swept: string[] = [];
  if (target.kind === 'postgres' && url) {
    let admin: Database | null = null;
    try {
      admin = await openPostgres(url);
      const server = admin;
      // A sweep that fails (a server that hides pg_stat_activity, say) must not cost the comparison.
      swept = await server.session(sweepStaleScratch).catch(() => []);
      const [clock] = await server.session((s) => s.query<{ epoch: number }>(`select extract(epoch from now())::float8 as epoch`));
      const name = scratchName(clock!.epoch);
      const drop = () => server.session((s) => s.exec(`drop database if exists ${quoteIdent(name)} with (force)`));
      let creating: Promise<unknown> = Promise.resolve();
      let opening: Promise<Database> | null = null;
      // On a signal: after the CREATE has finished (a DROP before it would find nothing, and the
      // database would be made right after), and after closing our own connection to it: the
      // server would otherwise cut it in the middle of a write, and postgres.js then throws
      // outside any promise, which ends the process before the DROP is sent.
      const undo = async () => {
        await creating.catch(() => undefined);
        const scratch = await opening?.catch(() => null);
        await scratch?.close().catch(() => undefined);
        await drop();
      };
      return await undoOnSignal(undo, async () => {
        creating = server.session((s) => s.exec(`create database ${quoteIdent(name)}`));
        await creating;
        try {
          opening = openPostgres({ ...parseDatabaseUrl(url), database: name });
          const scratch = await opening;
          try {
            await runMigrations(scratch, files);
            await partition(scratch);
            return { where: 'a scratch database on the same server', swept, entries: await scratch.session((s) => catalogEntries(s, schemas)) };
          } finally {
            await scratch.close();
          }
        } finally {
          await drop();
        }
      });
    } catch {
      // No CREATE DATABASE privilege, for instance: compare with PGlite below.
    } finally {
      await admin?.close();
    }
  }
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

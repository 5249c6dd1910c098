/**
 * The pure half of `ecomdb rehearse`: which migrations are pending, and turning what was observed
 * on the server (lock samples, relation files before and after, waiting sessions, call spans)
 * into a report per statement and a verdict. No I/O here (docs/design.md, 'Rehearsing a
 * migration').
 */
import { parseMigration, type MigrationFile } from '../migrations/files.ts';

// ---------------------------------------------------------------------------------------------
// Pending files

/** The files given on the command line, placed after the journal's (in the order given). */
export function extraMigrations(journal: readonly MigrationFile[], given: readonly { path: string; text: string }[]): MigrationFile[] {
  const newest = Math.max(0, ...journal.map((f) => f.when));
  return given.map((g, i) => {
    const tag = (g.path.split(/[\\/]/).at(-1) ?? g.path).replace(/\.sql$/i, '');
    return parseMigration(journal.length + i, tag, newest + 1 + i, g.text);
  });
}

/** Split the journal into the files a base already had and those it did not (pending). */
export function splitByBase(journal: readonly MigrationFile[], baseTags: ReadonlySet<string>): { base: MigrationFile[]; pending: MigrationFile[] } {
  return { base: journal.filter((f) => baseTags.has(f.tag)), pending: journal.filter((f) => !baseTags.has(f.tag)) };
}

// ---------------------------------------------------------------------------------------------
// Locks

/** PostgreSQL's table-level lock modes, weakest first, as pg_locks names them. */
export const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
] as const;

export type LockMode = (typeof LOCK_MODES)[number];

/**
 * What a table lock held by a migration stops the application from doing: plain reads take
 * AccessShareLock, SELECT ... FOR UPDATE/SHARE RowShareLock, INSERT/UPDATE/DELETE
 * RowExclusiveLock (PostgreSQL's conflict table).
 */
export function lockBlocks(mode: string): 'reads and writes' | 'writes' | 'other schema changes only' {
  switch (mode) {
    case 'AccessExclusiveLock':
      return 'reads and writes';
    case 'ExclusiveLock':
    case 'ShareRowExclusiveLock':
    case 'ShareLock':
      return 'writes';
    default:
      return 'other schema changes only';
  }
}

/** A table-level lock on a relation. */
export interface RelationLock {
  readonly relation: string;
  /** pg_class.relkind in words: table, partitioned table, index, ... */
  readonly kind: string;
  readonly mode: string;
}

const lockKey = (l: RelationLock) => `${l.relation}\u0000${l.mode}`;

const rank = (mode: string) => LOCK_MODES.indexOf(mode as LockMode);

/**
 * The locks a statement took: per relation, the strongest mode in `after`, when no lock at least
 * as strong was held `before` (a transactional file keeps its earlier statements' locks).
 * Relations not in `existed` (made by the statement itself: nobody else can wait for them) are
 * left out when `existed` is given.
 */
export function newLocks(before: readonly RelationLock[], after: readonly RelationLock[], existed?: ReadonlySet<string>): RelationLock[] {
  const had = strongest(before);
  return uniqueLocks(
    [...strongest(after).values()].filter((l) => (!existed || existed.has(l.relation)) && rank(l.mode) > rank(had.get(l.relation)?.mode ?? '')),
  );
}

/** The strongest lock per relation. */
function strongest(locks: readonly RelationLock[]): Map<string, RelationLock> {
  const out = new Map<string, RelationLock>();
  for (const l of locks) {
    const had = out.get(l.relation);
    if (!had || rank(l.mode) > rank(had.mode)) out.set(l.relation, l);
  }
  return out;
}

/** Each (relation, mode) once, strongest mode first, then by relation. */
export function uniqueLocks(locks: readonly RelationLock[]): RelationLock[] {
  const seen = new Map<string, RelationLock>();
  for (const l of locks) if (!seen.has(lockKey(l))) seen.set(lockKey(l), l);
  return [...seen.values()].sort((a, b) => rank(b.mode) - rank(a.mode) || a.relation.localeCompare(b.relation));
}

const KINDS: Record<string, string> = { r: 'table', p: 'partitioned table', i: 'index', I: 'partitioned index', m: 'materialized view', v: 'view', S: 'sequence', t: 'TOAST table', f: 'foreign table', c: 'type' };

/** pg_class.relkind in words. */
export const kindOf = (relkind: string): string => KINDS[relkind] ?? relkind;

/** Locks for people: one line per mode, the first few relations named, e.g. `ShareLock on a, b (+3 more)`. */
export function describeLocks(locks: readonly RelationLock[], named = 3): string[] {
  const byMode = new Map<string, string[]>();
  for (const l of uniqueLocks(locks)) byMode.set(l.mode, [...(byMode.get(l.mode) ?? []), l.relation]);
  return [...byMode].map(([mode, relations]) => {
    const more = relations.length > named ? ` (+${relations.length - named} more)` : '';
    return `${mode} on ${relations.slice(0, named).join(', ')}${more}`;
  });
}

// ---------------------------------------------------------------------------------------------
// Rewrites

/** A relation with storage and its current file (pg_relation_filenode). */
export interface RelationFile {
  readonly oid: number;
  readonly name: string;
  readonly kind: string;
  readonly filenode: number;
}

export interface Rewrite {
  readonly relation: string;
  readonly kind: string;
  /** `rewritten`: same relation, new file; `rebuilt`: dropped and made again under the same name (an index ALTER TYPE rebuilds). */
  readonly how: 'rewritten' | 'rebuilt';
}

/**
 * The relations whose data was written anew between two snapshots: the same oid with another
 * file (ALTER TABLE rewrites, TRUNCATE, VACUUM FULL, CLUSTER, REINDEX), or a name that now
 * belongs to a new relation of the same kind (ALTER COLUMN TYPE drops and rebuilds the indexes
 * on the column). New names (CREATE INDEX) and dropped relations are neither.
 */
export function rewrites(before: readonly RelationFile[], after: readonly RelationFile[]): Rewrite[] {
  const byOid = new Map(before.map((r) => [r.oid, r]));
  const byName = new Map(before.map((r) => [r.name, r]));
  const out: Rewrite[] = [];
  for (const r of after) {
    const old = byOid.get(r.oid);
    if (old) {
      if (old.filenode !== r.filenode) out.push({ relation: r.name, kind: r.kind, how: 'rewritten' });
      continue;
    }
    const namesake = byName.get(r.name);
    if (namesake && namesake.kind === r.kind && !after.some((a) => a.oid === namesake.oid)) out.push({ relation: r.name, kind: r.kind, how: 'rebuilt' });
  }
  return out.sort((a, b) => a.relation.localeCompare(b.relation));
}

// ---------------------------------------------------------------------------------------------
// Waits

/** A session seen waiting for a lock in one sample of pg_stat_activity. */
export interface WaitingSession {
  readonly pid: number;
  /** pg_blocking_pids: the sessions it waits for (holders, and requests ahead of it in the queue). */
  readonly blockers: readonly number[];
  /** Its current statement's start (pg_stat_activity.query_start), as text: one wait per (pid, since). */
  readonly since: string;
  /** How long its statement has been running at the sample, ms: the wait so far. */
  readonly waitedMs: number;
  /** The relation of the lock it waits for; null for a row or transaction lock. */
  readonly relation: string | null;
  readonly mode: string | null;
}

/**
 * The sessions of one sample that wait, directly or through a chain, for `pid`: a writer queued
 * behind another writer that waits for the migration is held up by the migration too.
 */
export function waitingOn(sample: readonly WaitingSession[], pid: number): WaitingSession[] {
  const blocked = new Set<number>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of sample) {
      if (s.pid === pid || blocked.has(s.pid)) continue;
      if (s.blockers.some((b) => b === pid || blocked.has(b))) {
        blocked.add(s.pid);
        grew = true;
      }
    }
  }
  return sample.filter((s) => blocked.has(s.pid));
}

/** One client statement held up by the migration, over all the samples that saw it. */
export interface Wait {
  readonly pid: number;
  readonly since: string;
  readonly waitedMs: number;
  readonly relation: string | null;
  readonly mode: string | null;
  /** Index of the statement (in the rehearsal's list) blamed: the one that took the lock it waits for. */
  readonly statement: number;
}

/**
 * The statement to blame for a wait on `relation`: the statement of the current file that first
 * took a lock on it (a transactional file keeps its locks until COMMIT, so a later statement's
 * time is spent waiting on an earlier one's lock); else the statement running when it was seen.
 */
export function blame(relation: string | null, current: number, fileStatements: readonly { index: number; locks: readonly RelationLock[] }[]): number {
  if (relation !== null) {
    for (const s of fileStatements) if (s.locks.some((l) => l.relation === relation)) return s.index;
  }
  return current;
}

/** Keep, per (pid, since), the longest wait seen; the first sample's blame stands. */
export function mergeWait(waits: Map<string, Wait>, seen: Omit<Wait, 'statement'>, statement: number): void {
  const key = `${seen.pid}|${seen.since}`;
  const had = waits.get(key);
  if (!had) waits.set(key, { ...seen, statement });
  else if (seen.waitedMs > had.waitedMs) waits.set(key, { ...had, waitedMs: seen.waitedMs, relation: had.relation ?? seen.relation, mode: had.mode ?? seen.mode });
}

// ---------------------------------------------------------------------------------------------
// The report

/** A call of the workload: when it started and ended (performance.now() ms), and whether it wrote. */
export interface CallSpan {
  readonly start: number;
  readonly end: number;
  readonly readOnly: boolean;
}

/** The longest call of each kind that overlapped [from, to]. */
export function longestCalls(spans: readonly CallSpan[], from: number, to: number): { reads: number | null; writes: number | null } {
  let reads: number | null = null;
  let writes: number | null = null;
  for (const s of spans) {
    if (s.end < from || s.start > to) continue;
    const ms = s.end - s.start;
    if (s.readOnly) reads = Math.max(reads ?? 0, ms);
    else writes = Math.max(writes ?? 0, ms);
  }
  return { reads, writes };
}

export interface StatementReport {
  readonly file: string;
  /** 1-based, within its file. */
  readonly statement: number;
  readonly sql: string;
  readonly transactional: boolean;
  readonly ms: number;
  /** Table-level locks this statement took (granted), strongest first, and what each stops. */
  readonly locks: readonly (RelationLock & { readonly blocks: string })[];
  readonly rewritten: readonly Rewrite[];
  /** Client statements held up by a lock this statement took. */
  readonly blocked: {
    readonly waits: number;
    readonly sessions: number;
    /** The longest, ms (to the sampling interval); 0 when none. */
    readonly longestWaitMs: number;
    readonly relations: readonly string[];
  };
  /** How long the migration itself waited for a lock held by the clients, ms. */
  readonly migrationWaitedMs: number;
  /** The longest workload calls that overlapped this statement (client side), ms. */
  readonly longestCallMs: { readonly reads: number | null; readonly writes: number | null };
}

/** The statement's report from what was observed; pure. */
export function statementReport(
  s: { file: MigrationFile; statement: number; sql: string; ms: number; locks: readonly RelationLock[]; rewritten: readonly Rewrite[]; migrationWaitedMs: number; longestCallMs: StatementReport['longestCallMs'] },
  waits: readonly Wait[],
): StatementReport {
  const longest = waits.reduce((n, w) => Math.max(n, w.waitedMs), 0);
  return {
    file: `${s.file.tag}.sql`,
    statement: s.statement,
    sql: firstLine(s.sql),
    transactional: s.file.transactional,
    ms: round(s.ms),
    locks: uniqueLocks(s.locks).map((l) => ({ ...l, blocks: lockBlocks(l.mode) })),
    rewritten: s.rewritten,
    blocked: {
      waits: waits.length,
      sessions: new Set(waits.map((w) => w.pid)).size,
      longestWaitMs: round(longest),
      relations: [...new Set(waits.map((w) => w.relation).filter((r): r is string => r !== null))].sort(),
    },
    migrationWaitedMs: round(s.migrationWaitedMs),
    longestCallMs: { reads: s.longestCallMs.reads === null ? null : round(s.longestCallMs.reads), writes: s.longestCallMs.writes === null ? null : round(s.longestCallMs.writes) },
  };
}

export const round = (x: number) => Math.round(x * 10) / 10;

/** The statement's first line of SQL (comments skipped), shortened. */
export function firstLine(sql: string): string {
  const line = (sql.split('\n').find((l) => l.trim() && !l.trim().startsWith('--')) ?? sql).trim();
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

/** The statements whose blocking exceeded `maxLockMs` (none when it is undefined). */
export function overLimit(statements: readonly StatementReport[], maxLockMs: number | undefined): StatementReport[] {
  if (maxLockMs === undefined) return [];
  return statements.filter((s) => s.blocked.longestWaitMs > maxLockMs);
}

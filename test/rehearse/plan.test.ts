/** The pure half of rehearse: locks taken, rewrites, who waits for whom, which statement is blamed. */
import { describe, expect, it } from 'vitest';
import { urlWithDatabase } from '../../src/db/url.ts';
import {
  blame, describeLocks, extraMigrations, lockBlocks, longestCalls, mergeWait, newLocks, overLimit, rewrites, splitByBase, waitingOn,
  type RelationFile, type RelationLock, type StatementReport, type Wait,
} from '../../src/rehearse/plan.ts';
import { parseMigration } from '../../src/migrations/files.ts';

const lock = (relation: string, mode: string, kind = 'table'): RelationLock => ({ relation, mode, kind });
const file = (oid: number, name: string, filenode: number, kind = 'table'): RelationFile => ({ oid, name, kind, filenode });

describe('newLocks', () => {
  it('keeps the strongest mode per relation, and only when stronger than what was already held', () => {
    const before = [lock('s.a', 'RowExclusiveLock')];
    const after = [lock('s.a', 'RowExclusiveLock'), lock('s.a', 'ShareLock'), lock('s.b', 'AccessShareLock'), lock('s.b', 'AccessExclusiveLock')];
    expect(newLocks(before, after)).toEqual([lock('s.b', 'AccessExclusiveLock'), lock('s.a', 'ShareLock')]);
    expect(newLocks([lock('s.a', 'AccessExclusiveLock')], [lock('s.a', 'ShareLock')])).toEqual([]);
  });

  it('leaves out relations the statement made itself', () => {
    const after = [lock('s.a', 'ShareLock'), lock('s.new_idx', 'AccessExclusiveLock', 'index')];
    expect(newLocks([], after, new Set(['s.a']))).toEqual([lock('s.a', 'ShareLock')]);
  });

  it('says what each mode stops, and groups them for people', () => {
    expect(lockBlocks('AccessExclusiveLock')).toBe('reads and writes');
    expect(lockBlocks('ShareLock')).toBe('writes');
    expect(lockBlocks('ShareRowExclusiveLock')).toBe('writes');
    expect(lockBlocks('ShareUpdateExclusiveLock')).toBe('other schema changes only');
    expect(describeLocks([lock('s.a', 'ShareLock'), lock('s.b', 'ShareLock'), lock('s.c', 'ShareLock'), lock('s.d', 'ShareLock'), lock('s.e', 'AccessExclusiveLock')])).toEqual([
      'AccessExclusiveLock on s.e',
      'ShareLock on s.a, s.b, s.c (+1 more)',
    ]);
  });
});

describe('rewrites', () => {
  it('a new file for the same relation is a rewrite; a namesake of the same kind replacing a dropped one is a rebuild', () => {
    const before = [file(1, 's.t', 100), file(2, 's.t_pkey', 200, 'index'), file(3, 's.t_col_idx', 300, 'index'), file(4, 's.u', 400)];
    const after = [file(1, 's.t', 101), file(2, 's.t_pkey', 200, 'index'), file(9, 's.t_col_idx', 900, 'index'), file(4, 's.u', 400), file(10, 's.new_idx', 1000, 'index')];
    expect(rewrites(before, after)).toEqual([
      { relation: 's.t', kind: 'table', how: 'rewritten' },
      { relation: 's.t_col_idx', kind: 'index', how: 'rebuilt' },
    ]);
  });

  it('nothing changed, nothing rewritten (a metadata-only change)', () => {
    const files = [file(1, 's.t', 100), file(2, 's.p', 0, 'partitioned table')];
    expect(rewrites(files, files)).toEqual([]);
  });
});

describe('waits', () => {
  const w = (pid: number, blockers: number[], relation: string | null = 's.t') => ({ pid, blockers, since: `t${pid}`, waitedMs: 10 * pid, relation, mode: 'RowExclusiveLock' });

  it('counts the sessions waiting for the migration directly or through a chain, not the others', () => {
    const sample = [w(11, [7]), w(12, [11], null), w(13, [99]), w(7, [14])];
    expect(waitingOn(sample, 7).map((s) => s.pid).sort()).toEqual([11, 12]);
  });

  it('blames the statement of the file that first locked the relation, else the running one', () => {
    const statements = [
      { index: 4, locks: [lock('s.t', 'ShareLock')] },
      { index: 5, locks: [] },
    ];
    expect(blame('s.t', 5, statements)).toBe(4);
    expect(blame('s.other', 5, statements)).toBe(5);
    expect(blame(null, 5, statements)).toBe(5);
  });

  it('keeps the longest sighting of one wait, under its first blame', () => {
    const waits = new Map<string, Wait>();
    mergeWait(waits, { pid: 1, since: 'a', waitedMs: 10, relation: 's.t', mode: 'RowExclusiveLock' }, 4);
    mergeWait(waits, { pid: 1, since: 'a', waitedMs: 30, relation: 's.t', mode: 'RowExclusiveLock' }, 5);
    mergeWait(waits, { pid: 1, since: 'b', waitedMs: 5, relation: 's.t', mode: 'RowExclusiveLock' }, 5);
    expect([...waits.values()].map((x) => [x.since, x.waitedMs, x.statement])).toEqual([
      ['a', 30, 4],
      ['b', 5, 5],
    ]);
  });

  it('the longest calls overlapping a statement, reads and writes apart', () => {
    const spans = [
      { start: 0, end: 50, readOnly: true },
      { start: 90, end: 400, readOnly: false },
      { start: 500, end: 900, readOnly: false },
    ];
    expect(longestCalls(spans, 100, 200)).toEqual({ reads: null, writes: 310 });
    expect(longestCalls(spans, 0, 1000)).toEqual({ reads: 50, writes: 400 });
  });

  it('over the limit: only statements whose longest wait exceeds it', () => {
    const s = (n: number, longestWaitMs: number) => ({ file: 'f.sql', statement: n, blocked: { longestWaitMs } }) as StatementReport;
    expect(overLimit([s(1, 600), s(2, 400)], 500).map((x) => x.statement)).toEqual([1]);
    expect(overLimit([s(1, 600)], undefined)).toEqual([]);
  });
});

describe('pending files', () => {
  const journal = [parseMigration(0, '0000_a', 1000, 'select 1'), parseMigration(1, '0001_b', 2000, 'select 2')];

  it('files named on the command line come after the journal, tagged by their names', () => {
    const extra = extraMigrations(journal, [{ path: 'x/add-index.sql', text: '-- ecomdb:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c)' }]);
    expect(extra).toMatchObject([{ index: 2, tag: 'add-index', transactional: false }]);
    expect(extra[0]!.when).toBeGreaterThan(2000);
  });

  it('the journal split by the tags a base revision had', () => {
    const { base, pending } = splitByBase(journal, new Set(['0000_a']));
    expect(base.map((f) => f.tag)).toEqual(['0000_a']);
    expect(pending.map((f) => f.tag)).toEqual(['0001_b']);
  });

  it('a scratch database URL keeps the server, user and parameters', () => {
    expect(urlWithDatabase('postgres://u:p@h:5433/shop?sslmode=require&dbname=x', 'scratch_1')).toBe('postgres://u:p@h:5433/scratch_1?sslmode=require');
    expect(urlWithDatabase('postgresql://u@/shop?host=/var/run/postgresql', 's')).toBe('postgresql://u@/s?host=/var/run/postgresql');
  });
});

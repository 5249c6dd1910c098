/** planMigrations is pure: the history and the files in, a verdict out. */
import { describe, expect, it } from 'vitest';
import { parseMigration, splitStatements } from '../../src/migrations/files.ts';
import { planError, planMigrations } from '../../src/migrations/plan.ts';

const files = [
  parseMigration(0, '0000_a', 1000, 'CREATE TABLE a (id int);'),
  parseMigration(1, '0001_b', 2000, 'CREATE TABLE b (id int);\n--> statement-breakpoint\nCREATE TABLE c (id int);'),
  parseMigration(2, '0002_c', 3000, '-- ecomdb:no-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);'),
];
const applied = (n: number) => files.slice(0, n).map((f, i) => ({ id: i + 1, hash: f.hash, createdAt: f.when }));

describe('planMigrations', () => {
  it('on an empty history, every file is pending, in journal order', () => {
    const plan = planMigrations(files, []);
    expect(plan.pending.map((f) => f.tag)).toEqual(['0000_a', '0001_b', '0002_c']);
    expect(plan.problems).toEqual([]);
  });

  it('skips applied files and keeps the rest', () => {
    const plan = planMigrations(files, applied(2));
    expect(plan.migrations.map((m) => m.state)).toEqual(['applied', 'applied', 'pending']);
    expect(plan.pending.map((f) => f.tag)).toEqual(['0002_c']);
  });

  it('flags an applied file whose text changed, and plans nothing', () => {
    const edited = [files[0]!, parseMigration(1, '0001_b', 2000, 'CREATE TABLE b (id bigint);'), files[2]!];
    const plan = planMigrations(edited, applied(2));
    expect(plan.migrations[1]!.state).toBe('modified');
    expect(plan.pending).toEqual([]);
    expect(planError(plan)?.code).toBe('E_MIGRATION_MODIFIED');
    expect(planError(plan)?.details.file).toBe('0001_b.sql');
  });

  it('flags a new file placed before an applied one', () => {
    const inserted = [files[0]!, parseMigration(1, '0001_x', 1500, 'SELECT 1;'), { ...files[1]!, index: 2 }];
    const plan = planMigrations(inserted, [
      { id: 1, hash: files[0]!.hash, createdAt: 1000 },
      { id: 2, hash: files[1]!.hash, createdAt: 2000 },
    ]);
    expect(plan.migrations.map((m) => m.state)).toEqual(['applied', 'out_of_order', 'applied']);
    expect(planError(plan)?.code).toBe('E_MIGRATION_OUT_OF_ORDER');
  });

  it('flags a new file with an older timestamp than the newest applied one, even at the end of the journal', () => {
    const late = [...files.slice(0, 2), parseMigration(2, '0002_old', 1500, 'SELECT 1;')];
    const plan = planMigrations(late, applied(2));
    expect(plan.migrations[2]!.state).toBe('out_of_order');
  });

  it('flags a recorded migration that has no file', () => {
    const plan = planMigrations(files.slice(0, 1), applied(2));
    expect(planError(plan)?.code).toBe('E_MIGRATION_UNKNOWN');
  });
});

describe('migration files', () => {
  it('splits on breakpoints and drops comment-only pieces', () => {
    expect(splitStatements('A;\n--> statement-breakpoint\n-- only a comment\n--> statement-breakpoint\nB;\n')).toEqual(['A;', 'B;']);
  });

  it('honours the no-transaction marker only on the first line', () => {
    expect(files[2]!.transactional).toBe(false);
    expect(parseMigration(0, 'x', 1, 'SELECT 1;\n-- ecomdb:no-transaction').transactional).toBe(true);
  });
});

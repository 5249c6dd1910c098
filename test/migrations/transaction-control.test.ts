/**
 * A transactional migration file that holds its own transaction control (COMMIT, BEGIN,
 * SAVEPOINT, ...) is refused before anything runs: a COMMIT inside would keep the statements
 * before it even when the file is reported rolled back.
 */
import { describe, expect, it } from 'vitest';
import { parseMigration } from '../../src/migrations/files.ts';
import { planError, planMigrations } from '../../src/migrations/plan.ts';
import { transactionControl } from '../../src/migrations/transaction-control.ts';
import { ecomdb } from '../helpers/cli.ts';
import { databasesForBlock } from '../helpers/db.ts';
import { addMigration, copyMigrations } from '../helpers/migrations.ts';

describe('transactionControl', () => {
  it('finds every statement that controls the transaction, in any case', () => {
    const found: [string, string][] = [
      ['COMMIT', 'COMMIT'],
      ['commit;', 'COMMIT'],
      ['CREATE TABLE a (id int); COMMIT; CREATE TABLE b (id int)', 'COMMIT'],
      ['END', 'END'],
      ['end work', 'END WORK'],
      ['ROLLBACK', 'ROLLBACK'],
      ['ROLLBACK TO SAVEPOINT s', 'ROLLBACK TO'],
      ['abort', 'ABORT'],
      ['BEGIN', 'BEGIN'],
      ['BEGIN ISOLATION LEVEL SERIALIZABLE', 'BEGIN'],
      ['START TRANSACTION', 'START TRANSACTION'],
      ['SAVEPOINT s', 'SAVEPOINT'],
      ['RELEASE SAVEPOINT s', 'RELEASE'],
      ['PREPARE TRANSACTION \'t\'', 'PREPARE TRANSACTION'],
      ['COMMIT PREPARED \'t\'', 'COMMIT PREPARED'],
      ['ROLLBACK PREPARED \'t\'', 'ROLLBACK PREPARED'],
      ['-- a comment first\nCOMMIT', 'COMMIT'],
      ['/* a /* nested */ comment */ COMMIT', 'COMMIT'],
      ["SELECT 'it''s'; COMMIT", 'COMMIT'],
      ["SELECT E'\\'; COMMIT; \\''; COMMIT", 'COMMIT'],
      ['SELECT 1 AS "a;b"; commit', 'COMMIT'],
      ['CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END; COMMIT', 'COMMIT'],
    ];
    for (const [sql, words] of found) expect(transactionControl(sql), sql).toBe(words);
  });

  it('is not fooled by comments, strings, quoted names, dollar-quoted bodies or function bodies', () => {
    const clean = [
      'CREATE TABLE a (id int)',
      '-- COMMIT\nCREATE TABLE a (id int)',
      '/* COMMIT; */ CREATE TABLE a (id int)',
      "INSERT INTO t VALUES ('; COMMIT; ')",
      "INSERT INTO t VALUES (E'it\\'s; COMMIT')",
      'CREATE TABLE "commit" (id int); CREATE TABLE "x;commit" (id int)',
      'CREATE TABLE t (begin int, "end" int)',
      'DO $$ BEGIN PERFORM 1; END $$',
      'CREATE PROCEDURE p() LANGUAGE plpgsql AS $body$ BEGIN COMMIT; END $body$',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END',
      'CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END',
      'PREPARE q AS SELECT 1',
      'SELECT $1::int, a$b FROM t',
    ];
    for (const sql of clean) expect(transactionControl(sql), sql).toBeNull();
  });

  it('refuses a pending transactional file (E_MIGRATION_TRANSACTION_CONTROL, naming file and statement), not a no-transaction one', () => {
    const files = [
      parseMigration(0, '0000_a', 1000, 'CREATE TABLE a (id int);'),
      parseMigration(1, '0001_b', 2000, 'CREATE TABLE b (id int);\n--> statement-breakpoint\nCOMMIT;\n--> statement-breakpoint\nCREATE TABLE c (id int);'),
    ];
    const error = planError(planMigrations(files, []));
    expect(error?.code).toBe('E_MIGRATION_TRANSACTION_CONTROL');
    expect(error?.exitCode).toBe(4);
    expect(error?.details).toMatchObject({ file: '0001_b.sql', statement: 2, transactionControl: 'COMMIT' });
    expect(planMigrations(files, []).pending).toEqual([]);

    const noTx = parseMigration(1, '0001_b', 2000, '-- ecomdb:no-transaction\nBEGIN;\n--> statement-breakpoint\nCREATE TABLE b (id int);\n--> statement-breakpoint\nCOMMIT;');
    expect(planError(planMigrations([files[0]!, noTx], []))).toBeUndefined();
  });
});

describe('ecomdb migrate with a COMMIT inside a transactional file', () => {
  const databases = databasesForBlock();

  it('is refused before anything runs, exit 4, and the database is unchanged', async () => {
    const db = await databases('tx_control', { migrated: false });
    const dir = copyMigrations();
    const tag = addMigration(
      dir,
      'sneaky_commit',
      [
        'CREATE TABLE public.before_commit (id int PRIMARY KEY);',
        '-- ecomdb wraps this file in a transaction: the COMMIT below would keep the table above',
        'COMMIT;',
        'CREATE TABLE public.after_commit (id int PRIMARY KEY);',
        'SELECT 1/0;',
      ].join('\n--> statement-breakpoint\n'),
    );
    const run = await ecomdb(['migrate', '--url', db.url, '--migrations', dir, '--json']);
    expect(run.code, run.stderr).toBe(4);
    expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'E_MIGRATION_TRANSACTION_CONTROL', details: { file: `${tag}.sql` } });
    // status reports the same problem (its --json report lists it among the problems).
    const status = await ecomdb(['status', '--url', db.url, '--migrations', dir]);
    expect(status.code).toBe(4);
    expect(status.stderr.trim().split('\n').at(-1)).toMatch(/^error E_MIGRATION_TRANSACTION_CONTROL:/);
    const [row] = await db.sql`
      select to_regclass('public.before_commit') as b, to_regclass('public.after_commit') as a,
             to_regnamespace('drizzle') as d, to_regnamespace('user_management') as u`;
    expect(row).toEqual({ b: null, a: null, d: null, u: null });
  });
});

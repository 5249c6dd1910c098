/**
 * The rules of `ecomdb lint`, as data: a stable id, a severity, what goes wrong and the safe
 * rewrite. The checks themselves are in check.ts; the lock facts behind them are in
 * docs/design.md ('What migration statements lock'). Pure.
 */

export type Severity = 'error' | 'warning';

export interface LintRule {
  readonly id: string;
  readonly severity: Severity;
  /** What the statement does to a live database, in one sentence. */
  readonly summary: string;
  /** The safe way to get the same result. */
  readonly rewrite: string;
}

const NO_TX = 'a file of its own whose first line is `-- ecomdb:no-transaction`';

export const RULES = [
  {
    id: 'create-index-concurrently',
    severity: 'error',
    summary: 'CREATE INDEX without CONCURRENTLY on an existing table holds a SHARE lock, blocking every write, for the whole build',
    rewrite: `CREATE INDEX CONCURRENTLY ... in ${NO_TX}`,
  },
  {
    id: 'drop-index-concurrently',
    severity: 'error',
    summary: 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index\'s table, blocking reads and writes',
    rewrite: `DROP INDEX CONCURRENTLY ... in ${NO_TX}`,
  },
  {
    id: 'needs-no-transaction',
    severity: 'error',
    summary: 'the statement cannot run inside a transaction block, and ecomdb migrate runs it in one (a transactional file, or a piece of a no-transaction file holding other statements, which is sent as one query): it fails',
    rewrite: `move it to ${NO_TX}, alone between --> statement-breakpoint markers`,
  },
  {
    id: 'add-column-volatile-default',
    severity: 'error',
    summary: 'ADD COLUMN with a volatile default (random(), clock_timestamp(), gen_random_uuid(), nextval(), a serial or identity column) rewrites the table under an ACCESS EXCLUSIVE lock',
    rewrite: 'add the column without a default (or with a constant one), set the default with ALTER COLUMN ... SET DEFAULT, backfill the existing rows in batches',
  },
  {
    id: 'add-column-generated-stored',
    severity: 'error',
    summary: 'ADD COLUMN ... GENERATED ALWAYS AS (...) STORED computes every row: a table rewrite under an ACCESS EXCLUSIVE lock',
    rewrite: 'add a plain nullable column, fill it from a trigger for new rows and in batches for old ones; or compute it in a view or an expression index',
  },
  {
    id: 'add-column-required',
    severity: 'error',
    summary: 'ADD COLUMN ... NOT NULL without a default fails on a table that holds rows',
    rewrite: 'add the column with a constant default, or add it nullable, backfill it, then make it NOT NULL through a validated CHECK (see set-not-null)',
  },
  {
    id: 'set-not-null',
    severity: 'error',
    summary: 'ALTER COLUMN ... SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock unless a validated CHECK (col IS NOT NULL) already proves it',
    rewrite: 'ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (a later file); then SET NOT NULL (no scan) and DROP CONSTRAINT c',
  },
  {
    id: 'constraint-not-valid',
    severity: 'error',
    summary: 'ADD FOREIGN KEY or CHECK without NOT VALID checks every existing row while it holds its lock (SHARE ROW EXCLUSIVE for a foreign key, ACCESS EXCLUSIVE for a CHECK)',
    rewrite: 'ADD CONSTRAINT ... NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT ... in a later file (it takes SHARE UPDATE EXCLUSIVE: writes go on)',
  },
  {
    id: 'validate-same-transaction',
    severity: 'warning',
    summary: 'VALIDATE CONSTRAINT in the same transaction as its ADD ... NOT VALID scans while the stronger lock of the ADD is still held: NOT VALID buys nothing',
    rewrite: 'put the VALIDATE CONSTRAINT in a later migration file (its own transaction)',
  },
  {
    id: 'alter-column-type',
    severity: 'error',
    summary: 'ALTER COLUMN ... TYPE rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock (not flagged when the old type is known from the migrations and the change is binary-coercible: varchar(n) to varchar(m >= n) or text, numeric(p,s) to numeric(p2 >= p,s))',
    rewrite: 'add a column of the new type, fill it from a trigger and in batches, switch the application, drop the old column later',
  },
  {
    id: 'drop-column',
    severity: 'error',
    summary: 'DROP COLUMN breaks every running application that still reads or writes the column',
    rewrite: 'expand/contract: release an application that no longer uses the column first, then drop it in a later migration',
  },
  {
    id: 'drop-table',
    severity: 'error',
    summary: 'DROP TABLE (or DROP SCHEMA, which takes its tables with it) breaks every running application that still uses the table, and its data is gone',
    rewrite: 'expand/contract: release an application that no longer uses the table first, keep a copy (rename into an archive schema), drop it later',
  },
  {
    id: 'rename-column',
    severity: 'error',
    summary: 'RENAME COLUMN breaks every running application that uses the old name',
    rewrite: 'expand/contract: add the new column, keep both in step with a trigger, backfill, move the application, drop the old one later',
  },
  {
    id: 'rename-table',
    severity: 'error',
    summary: 'RENAME TABLE breaks every running application that uses the old name',
    rewrite: 'expand/contract: rename and leave an updatable view under the old name until no application uses it',
  },
  {
    id: 'partitioned-index',
    severity: 'error',
    summary: 'CREATE INDEX on a partitioned parent builds the index on every partition in one statement, holding a SHARE lock on each (CONCURRENTLY is not possible on a partitioned table)',
    rewrite: 'CREATE INDEX ... ON ONLY parent (an invalid, empty index); CREATE INDEX CONCURRENTLY on each partition; ALTER INDEX parent_index ATTACH PARTITION partition_index for each',
  },
  {
    id: 'partitioned-parent-lock',
    severity: 'warning',
    summary: 'ALTER TABLE on a partitioned parent (without ONLY) takes its lock on every partition, and waits for the slowest transaction on any of them',
    rewrite: 'set a short lock_timeout and retry; where the command allows it, run it per partition (ALTER TABLE partition ...) and then ALTER TABLE ONLY parent',
  },
  {
    id: 'backfill-under-lock',
    severity: 'warning',
    summary: 'UPDATE or DELETE of a table that an ALTER TABLE earlier in the same transaction locked: every row is rewritten while the ACCESS EXCLUSIVE lock is held, blocking reads and writes for the whole backfill',
    rewrite: 'commit the schema change first, then backfill in a later file (or a no-transaction file), in batches of a few thousand rows',
  },
  {
    id: 'lock-timeout',
    severity: 'warning',
    summary: 'a statement that locks an existing table runs without lock_timeout: waiting behind a long transaction, it blocks every query queued behind it',
    rewrite: "SET lock_timeout = '5s' (or SET LOCAL) at the top of the file, or run ecomdb migrate --lock-timeout 5s, and retry on timeout",
  },
  {
    id: 'transaction-control',
    severity: 'error',
    summary: 'BEGIN, COMMIT, ROLLBACK, SAVEPOINT ... inside a file ecomdb migrate runs in its own transaction (it refuses the file)',
    rewrite: `remove it; a file that must manage its own transactions goes in ${NO_TX}`,
  },
  {
    id: 'vacuum-full',
    severity: 'error',
    summary: 'VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock, blocking reads and writes',
    rewrite: 'plain VACUUM (no lock against reads or writes), or pg_repack / pg_squeeze outside the migrations',
  },
  {
    id: 'cluster',
    severity: 'error',
    summary: 'CLUSTER rewrites the table in index order under an ACCESS EXCLUSIVE lock, blocking reads and writes',
    rewrite: 'pg_repack --order-by outside the migrations, or leave the order alone',
  },
  {
    id: 'reindex-concurrently',
    severity: 'error',
    summary: 'REINDEX without CONCURRENTLY blocks writes to the table (and reads that use the index) while it rebuilds',
    rewrite: `REINDEX ... CONCURRENTLY in ${NO_TX}`,
  },
  {
    id: 'refresh-concurrently',
    severity: 'error',
    summary: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY holds an ACCESS EXCLUSIVE lock on the view while its query runs: every reader (the BI reports) waits',
    rewrite: 'REFRESH MATERIALIZED VIEW CONCURRENTLY (the view needs a unique index on plain columns covering every row)',
  },
  {
    id: 'unique-constraint-without-index',
    severity: 'error',
    summary: 'ADD PRIMARY KEY or UNIQUE builds its index under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole build',
    rewrite: `CREATE UNIQUE INDEX CONCURRENTLY i ... in ${NO_TX}; then ALTER TABLE ... ADD CONSTRAINT c UNIQUE USING INDEX i (or PRIMARY KEY USING INDEX i)`,
  },
  {
    id: 'enum-value-in-transaction',
    severity: 'error',
    summary: 'a value added by ALTER TYPE ... ADD VALUE cannot be used before its transaction commits: the later statement of the same file fails',
    rewrite: 'add the enum value in one migration file and use it in a later one',
  },
  {
    id: 'timestamp-without-time-zone',
    severity: 'warning',
    summary: 'a timestamp without time zone stores a wall-clock time that means different instants in different sites',
    rewrite: 'timestamptz (timestamp with time zone)',
  },
  {
    id: 'syntax',
    severity: 'error',
    summary: "PostgreSQL's parser refuses the statement",
    rewrite: 'fix the SQL; the message and line are the parser\'s',
  },
  {
    id: 'lint-disable',
    severity: 'error',
    summary: 'an ecomdb-lint-disable comment without a reason, or naming no known rule',
    rewrite: '-- ecomdb-lint-disable RULE_ID: why the statement is safe here',
  },
] as const satisfies readonly LintRule[];

export type RuleId = (typeof RULES)[number]['id'];

const BY_ID = new Map<string, LintRule>(RULES.map((r) => [r.id, r]));

export function ruleOf(id: RuleId): LintRule {
  return BY_ID.get(id)!;
}

export function isRuleId(id: string): id is RuleId {
  return BY_ID.has(id);
}

/**
 * Every failure ecomdb expects is an EcomdbError with a stable code, an exit status and a hint
 * that tells the user what to do. Tests assert the code, never the wording.
 */

/** Exit statuses, documented in the README. */
export const EXIT = {
  ok: 0,
  /** A bug or an error ecomdb did not anticipate. */
  internal: 1,
  /** The command line is wrong (unknown option, bad value). */
  usage: 2,
  /** The database cannot be reached or opened (bad URL, refused, not PostgreSQL, embedded store in use, missing or unusable). */
  target: 3,
  /** The migration history conflicts with the files (edited, missing or out-of-order migration), or a file cannot run safely as written; nothing ran. */
  history: 4,
  /** A migration failed and was rolled back. */
  migration: 5,
  /** Another process held the migration lock for longer than --wait allows. */
  busy: 6,
  /** The seed was refused (unmigrated or non-empty database, too large to fit) or failed and was rolled back. */
  seed: 7,
  /** `ecomdb verify` found a failing rule, or nothing to check. */
  verify: 8,
  /** A partition command was refused (the database is not in a state it can work on) or failed and was rolled back. */
  partition: 9,
  /** A file or folder ecomdb was asked to write cannot be written (not a folder, read-only, no space). */
  output: 10,
  /** The database role lacks a privilege the command needs (SQLSTATE 42501). */
  permission: 11,
  /** A marketplace operation of the query library (src/access) was refused; nothing it would have written was kept. */
  access: 12,
  /** `ecomdb bench` found no marketplace to drive (the database is not seeded), or its check after the run found units oversold, coupon uses beyond a limit, an acknowledged order lost or a data rule broken. */
  bench: 13,
  /** `ecomdb lint` found an error-level finding in the migrations it checked. */
  lint: 14,
  /** `ecomdb rehearse`: a client waited longer than --max-lock-ms on a lock a migration took, a pending migration failed in the rehearsal, or the database to rehearse on could not be cloned. */
  rehearse: 15,
  /** `ecomdb status --check` found the database behind (migrations pending) or ahead (applied migrations this version does not have) of the files. */
  status: 16,
  /** A cache command (`ecomdb cache ...`) could not reach or use Redis. */
  cache: 17,
  /** A security command refused: `roles` (an unknown role, a reserved name, a role it must not change, group roles missing), `audit` (no trail, not readable by the role, a table not audited), `user erase` (unknown or staff account), or failed and was rolled back. */
  security: 18,
  /** A seed of this database did not finish (killed, interrupted or failed before cleaning up): every command but `seed` refuses it until `ecomdb seed` runs again. */
  unfinished: 19,
  /** Interrupted by Ctrl-C (SIGINT, 128 + 2, as a shell reports it); what was in flight was rolled back or undone. */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15); what was in flight was rolled back or undone. */
  terminated: 143,
} as const;

export type ErrorCode =
  | 'E_USAGE'
  | 'E_REHEARSE_LOCK'
  | 'E_REHEARSE_FAILED'
  | 'E_REHEARSE_CLONE'
  | 'E_TARGET_URL'
  | 'E_TARGET_UNREACHABLE'
  | 'E_TARGET_LOCKED'
  | 'E_TARGET_PROTOCOL'
  | 'E_TARGET_MISSING'
  | 'E_TARGET_DATA_DIR'
  | 'E_MIGRATIONS_DIR'
  | 'E_MIGRATION_MODIFIED'
  | 'E_MIGRATION_OUT_OF_ORDER'
  | 'E_MIGRATION_UNKNOWN'
  | 'E_MIGRATION_TRANSACTION_CONTROL'
  | 'E_MIGRATION_FAILED'
  | 'E_MIGRATION_LOCK_TIMEOUT'
  | 'E_MIGRATION_IRREVERSIBLE'
  | 'E_STATUS_BEHIND'
  | 'E_STATUS_AHEAD'
  | 'E_IDENTIFIER'
  | 'E_GENERATE'
  | 'E_REPLICA_TOPOLOGY'
  | 'E_REPLICA_PREREQUISITE'
  | 'E_REPLICA_EXISTS'
  | 'E_REPLICA_NOT_FOUND'
  | 'E_REPLICA_SCRIPT'
  | 'E_REPLICA_NODE_DOWN'
  | 'E_REPLICA_TIMEOUT'
  | 'E_REPLICA_STALE'
  | 'E_SEED_NOT_MIGRATED'
  | 'E_SEED_NOT_EMPTY'
  | 'E_SEED_FAILED'
  | 'E_SEED_TOO_LARGE'
  | 'E_SEED_BUSY'
  | 'E_SEED_UNFINISHED'
  | 'E_VERIFY_FAILED'
  | 'E_VERIFY_EMPTY'
  | 'E_DOCS_STALE'
  | 'E_PARTITION_REGION'
  | 'E_PARTITION_TABLE'
  | 'E_PARTITION_STATE'
  | 'E_PARTITION_FAILED'
  | 'E_PARTITION_STALE'
  | 'E_OUTPUT_PATH'
  | 'E_PERMISSION'

  | 'E_ACCESS_INVALID'
  | 'E_ACCESS_NOT_FOUND'
  | 'E_ACCESS_FORBIDDEN'
  | 'E_ACCESS_STATE'
  | 'E_ACCESS_CONFLICT'
  | 'E_ACCESS_OUT_OF_STOCK'
  | 'E_ACCESS_COUPON'
  | 'E_BENCH_MIX'
  | 'E_BENCH_NOT_SEEDED'
  | 'E_BENCH_CHECK_FAILED'
  | 'E_LINT_FAILED'
  | 'E_CACHE_UNREACHABLE'
  | 'E_CACHE_FAILED'
  | 'E_AUDIT_NOT_INSTALLED'
  | 'E_AUDIT_TABLE'
  | 'E_AUDIT_FORBIDDEN'
  | 'E_ROLES_ROLE'
  | 'E_ROLES_NAME'
  | 'E_ROLES_CONFLICT'
  | 'E_ROLES_NOT_MIGRATED'
  | 'E_ROLES_PASSWORD'
  | 'E_ERASE_NOT_FOUND'
  | 'E_ERASE_AMBIGUOUS'
  | 'E_ERASE_STAFF'
  | 'E_ERASE_FAILED';

/** The exit status of every code (the README's table lists the same). */
export const EXIT_OF: Readonly<Record<ErrorCode, number>> = {
  E_USAGE: EXIT.usage,
  E_TARGET_URL: EXIT.target,
  E_TARGET_UNREACHABLE: EXIT.target,
  E_TARGET_LOCKED: EXIT.target,
  /** Something answers at the URL's host and port, but not PostgreSQL (an HTTP server, say). */
  E_TARGET_PROTOCOL: EXIT.target,
  /** A command that only reads found no embedded database in --data-dir (it creates none). */
  E_TARGET_MISSING: EXIT.target,
  /** --data-dir cannot hold the embedded database (a file, not writable, no such place). */
  E_TARGET_DATA_DIR: EXIT.target,
  E_MIGRATIONS_DIR: EXIT.usage,
  E_MIGRATION_MODIFIED: EXIT.history,
  E_MIGRATION_OUT_OF_ORDER: EXIT.history,
  E_MIGRATION_UNKNOWN: EXIT.history,
  /**
   * A transactional file holds COMMIT, BEGIN, SAVEPOINT...: refused before anything runs, hence
   * the status of the other refusals-before-running (4), not of a failed-and-rolled-back file (5).
   */
  E_MIGRATION_TRANSACTION_CONTROL: EXIT.history,
  E_MIGRATION_FAILED: EXIT.migration,
  E_MIGRATION_LOCK_TIMEOUT: EXIT.busy,
  /**
   * Going down (`migrate --to`) would run a step that loses data (a dropped table or column, a
   * narrowing type change) without --force, or a step that cannot work on this database (a key
   * without the partition key on a partitioned table): refused before anything runs.
   */
  E_MIGRATION_IRREVERSIBLE: EXIT.history,
  /** `status --check`: migrations are pending. */
  E_STATUS_BEHIND: EXIT.status,
  /** `status --check`: the database records migrations newer than every file (a newer version migrated it). */
  E_STATUS_AHEAD: EXIT.status,
  E_IDENTIFIER: EXIT.usage,
  E_GENERATE: EXIT.internal,
  /** The topology declaration (src/replica/topology.ts) is invalid. */
  E_REPLICA_TOPOLOGY: EXIT.usage,
  /** This machine lacks what a local read layer needs (PostgreSQL 15+ binaries, the postgres OS user, a free port). */
  E_REPLICA_PREREQUISITE: EXIT.usage,
  /** `replica up --local` found a read layer already built in its folder. */
  E_REPLICA_EXISTS: EXIT.usage,
  /** No local read layer in the folder, or no node of that name. */
  E_REPLICA_NOT_FOUND: EXIT.usage,
  /** A generated script failed while building the read layer. */
  E_REPLICA_SCRIPT: EXIT.internal,
  /** A node of the read layer does not answer. */
  E_REPLICA_NODE_DOWN: EXIT.target,
  /** A node did not reach the expected state within a bounded wait. */
  E_REPLICA_TIMEOUT: EXIT.target,
  /** The committed replica scripts differ from a fresh generation. */
  E_REPLICA_STALE: EXIT.history,
  E_SEED_NOT_MIGRATED: EXIT.seed,
  E_SEED_NOT_EMPTY: EXIT.seed,
  E_SEED_FAILED: EXIT.seed,
  /** The seed would not fit: more than the free space of the embedded database's folder, or than ecomdb seeds on a server. */
  E_SEED_TOO_LARGE: EXIT.seed,
  /** Another `ecomdb seed` is loading this database (it holds the seed's advisory lock). */
  E_SEED_BUSY: EXIT.seed,
  /** The database records an unfinished seed (src/seed/marker.ts): its data is partial; run `ecomdb seed` again. */
  E_SEED_UNFINISHED: EXIT.unfinished,
  E_VERIFY_FAILED: EXIT.verify,
  /** The database has no table in the schemas verify checks by default: a run would check nothing. */
  E_VERIFY_EMPTY: EXIT.verify,
  /** The committed docs/ differ from a fresh `ecomdb docs` generation. */
  E_DOCS_STALE: EXIT.history,
  /** A region that is not a known site id (schema/values.ts). */
  E_PARTITION_REGION: EXIT.usage,
  /** A table name that is not a region-scoped table. */
  E_PARTITION_TABLE: EXIT.usage,
  /** The database is not in a state the partition command can work from (not partitioned yet, foreign layout, dependent rules). */
  E_PARTITION_STATE: EXIT.partition,
  /** A partition command failed and was rolled back. */
  E_PARTITION_FAILED: EXIT.partition,
  /** The committed partitions/ differ from a fresh `ecomdb partition generate`. */
  E_PARTITION_STALE: EXIT.history,
  /** An output folder (docs --out, replica generate --out) is a file, under a file, read-only or full. */
  E_OUTPUT_PATH: EXIT.output,
  /** The role may not do what the command needs; commands that know better map 42501 themselves. */
  E_PERMISSION: EXIT.permission,
  /** A parameter of a marketplace operation is malformed or out of range (a quantity of 0, a rating of 6, a price with 3 decimals). */
  E_ACCESS_INVALID: EXIT.access,
  /** The user, product, order, store, ... named does not exist in that site. */
  E_ACCESS_NOT_FOUND: EXIT.access,
  /** It exists, but is not the caller's to act on (another store's listing, another buyer's order, a review by someone who did not buy). */
  E_ACCESS_FORBIDDEN: EXIT.access,
  /** The operation does not fit the current state (cancelling a shipped order, paying a cancelled one, buying a paused listing). */
  E_ACCESS_STATE: EXIT.access,
  /** It would duplicate what must be unique (an email already registered in the site, a second review of a product). */
  E_ACCESS_CONFLICT: EXIT.access,
  /** A line asks for more units than the product has in stock. */
  E_ACCESS_OUT_OF_STOCK: EXIT.access,
  /** The coupon is unknown, switched off, expired or used up (`details.reason`). */
  E_ACCESS_COUPON: EXIT.access,
  /** The bench's mix (--mix, --mix-file) names an unknown operation, repeats one, or has shares that do not add up to 100. */
  E_BENCH_MIX: EXIT.usage,
  /** The database holds no marketplace for the bench to drive: not migrated, or not seeded (no active products or buyers). */
  E_BENCH_NOT_SEEDED: EXIT.bench,
  /** After the run, stock, coupon uses, acknowledged orders or the data rules did not add up (`details.check`). */
  E_BENCH_CHECK_FAILED: EXIT.bench,
  /** A migration file holds a statement that would lock or break a live database (an error-level lint rule), not disabled by a comment with a reason. */
  E_LINT_FAILED: EXIT.lint,
  /** A client statement waited longer than --max-lock-ms for a lock a rehearsed migration held (`details.report`). */
  E_REHEARSE_LOCK: EXIT.rehearse,
  /** A pending migration failed on the scratch database; the statements after it did not run (`details.report`). */
  E_REHEARSE_FAILED: EXIT.rehearse,
  /** --from could not be copied (no pg_dump, no privilege, a dump or restore error). */
  E_REHEARSE_CLONE: EXIT.rehearse,
  /** A cache command found no Redis at --redis-url (or REDIS_URL, or the default 127.0.0.1:6379), or it did not answer in time. */
  E_CACHE_UNREACHABLE: EXIT.cache,
  /** Redis answered a cache command with an error (out of memory, a refused command, a wrong password). */
  E_CACHE_FAILED: EXIT.cache,
  /** The database has no audit trail (not migrated, or migrated before it existed). */
  E_AUDIT_NOT_INSTALLED: EXIT.security,
  /** `audit tail --table` names a table that is not audited (schema/audit.ts). */
  E_AUDIT_TABLE: EXIT.security,
  /** The role may not read the audit trail (SQLSTATE 42501): only its owner and the roles it grants SELECT. */
  E_AUDIT_FORBIDDEN: EXIT.security,
  /** `roles grant-login --role` names no marketplace role. */
  E_ROLES_ROLE: EXIT.security,
  /** The login name is malformed or reserved (a group role, pg_*, postgres). */
  E_ROLES_NAME: EXIT.security,
  /** The name belongs to a superuser or a group role, which ecomdb does not turn into an application login. */
  E_ROLES_CONFLICT: EXIT.security,
  /** The group roles are missing: the server's databases were never migrated. */
  E_ROLES_NOT_MIGRATED: EXIT.security,
  /** The password's environment variable is unset or empty, or stdin gave none. */
  E_ROLES_PASSWORD: EXIT.security,
  /** `user erase`: no user with that id (in that --region). */
  E_ERASE_NOT_FOUND: EXIT.security,
  /** `user erase`: the id exists in several sites and no --region says which. */
  E_ERASE_AMBIGUOUS: EXIT.security,
  /** `user erase`: the account is staff (administrator, moderator, ...), whose actions are records others rely on. */
  E_ERASE_STAFF: EXIT.security,
  /** `user erase` failed (a constraint, a trigger, a privilege) and was rolled back. */
  E_ERASE_FAILED: EXIT.security,
};

export class EcomdbError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  /** What the user can do about it; printed after the message. */
  readonly hint: string | undefined;
  /** Structured facts for --json output (file, statement, sqlstate, ...). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'EcomdbError';
    this.code = code;
    this.exitCode = EXIT_OF[code];
    this.hint = options.hint;
    this.details = options.details ?? {};
  }
}

export function isEcomdbError(error: unknown): error is EcomdbError {
  return error instanceof EcomdbError;
}

/** The PostgreSQL error fields both drivers expose (postgres.js and PGlite use the same names). */
export interface PgErrorFields {
  code?: string;
  message: string;
  detail?: string;
  position?: string | number;
}

export function pgFields(error: unknown): PgErrorFields {
  if (error && typeof error === 'object' && 'message' in error) {
    const e = error as { code?: unknown; message: unknown; detail?: unknown; position?: unknown };
    return {
      code: typeof e.code === 'string' ? e.code : undefined,
      message: String(e.message),
      detail: typeof e.detail === 'string' ? e.detail : undefined,
      position: typeof e.position === 'string' || typeof e.position === 'number' ? e.position : undefined,
    };
  }
  return { message: String(error) };
}

/** SQLSTATE 42501 insufficient_privilege: the role lacks a privilege on an object. */
export function isInsufficientPrivilege(error: unknown): boolean {
  return pgFields(error).code === '42501';
}

/** E_PERMISSION for a 42501, with what the role needs (`needs`) as the hint. */
export function permissionError(error: unknown, needs: string): EcomdbError {
  const pg = pgFields(error);
  return new EcomdbError('E_PERMISSION', `${pg.message.replace(/\s+/g, ' ')} (SQLSTATE 42501)`, {
    hint: needs,
    details: { sqlstate: '42501' },
    cause: error,
  });
}

/**
 * SQLSTATE 53200 (out of shared memory) with a hint about max_locks_per_transaction: PostgreSQL's
 * lock table is full. A transaction keeps a lock on every partition and index it touches until
 * COMMIT, so work over hundreds of partitions can fill the table of a server with the default 64.
 */
export const LOCK_TABLE_FULL_HINT =
  "PostgreSQL's lock table is full (a transaction over hundreds of partitions keeps a lock on each until COMMIT): raise max_locks_per_transaction (e.g. 256) and restart the server, or retry when fewer transactions are running";

export function isLockTableFull(error: unknown): boolean {
  return pgFields(error).code === '53200';
}

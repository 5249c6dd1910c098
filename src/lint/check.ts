/**
 * The checks of `ecomdb lint`: parsed migration files in, findings out. Pure (the parser aside):
 * no database, no file system. What each rule relies on about PostgreSQL's locks is in
 * docs/design.md ('What migration statements lock').
 *
 * "Existing" means not created earlier in the files being linted: a table created in the same
 * file or in an earlier pending file is new and empty, so building an index on it, or adding a
 * constraint that checks its rows, locks nobody out. Everything else is taken to be in use and
 * to hold rows.
 */
import { ruleOf, isRuleId, type RuleId, type Severity } from './rules.ts';
import type { Node, ParsedFile, Statement } from './parse.ts';

export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly file: string;
  readonly line: number;
  readonly message: string;
  readonly rewrite: string;
  /** The statement, shortened to one line. */
  readonly statement: string | null;
  /** The reason of the disable comment that silences it; null when it counts. */
  readonly suppressed: string | null;
}

export interface LintOptions {
  /**
   * `schema.table` of the partitioned parents (for ecomdb: the region-scoped tables of the
   * declared layout, or what the target's catalog says).
   */
  readonly partitioned: ReadonlySet<string>;
}

type Fields = Record<string, unknown>;

/** The kind and fields of a node `{ Kind: {...} }`. */
function unwrap(node: unknown): [string, Fields] | null {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return null;
  const entries = Object.entries(node as Node);
  if (entries.length !== 1) return null;
  const [kind, fields] = entries[0]!;
  return fields && typeof fields === 'object' && !Array.isArray(fields) ? [kind, fields as Fields] : null;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The field of a `{ Kind: {...} }` node when it is of that kind. */
function as(node: unknown, kind: string): Fields | null {
  const u = unwrap(node);
  return u && u[0] === kind ? u[1] : null;
}

/** Every node below `node` (depth first), as [kind, fields]. */
function* walk(node: unknown): Generator<[string, Fields]> {
  if (Array.isArray(node)) {
    for (const item of node) yield* walk(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Fields)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && /^[A-Z]/.test(key)) yield [key, value as Fields];
    yield* walk(value);
  }
}

/** `names: [{String: {sval}}...]` as strings. */
function names(value: unknown): string[] {
  return list(value).map((n) => String(as(n, 'String')?.sval ?? ''));
}

interface RangeVar {
  schemaname?: string;
  relname?: string;
  inh?: boolean;
  relpersistence?: string;
}

export function relationKey(rv: RangeVar | undefined): string {
  return `${rv?.schemaname ?? 'public'}.${rv?.relname ?? ''}`;
}

/** Functions whose value changes per row: as a column default they make ADD COLUMN rewrite the table. */
const VOLATILE = new Set([
  'random', 'random_normal', 'gen_random_uuid', 'uuidv4', 'uuidv7', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4',
  'clock_timestamp', 'timeofday', 'nextval', 'currval', 'setseed', 'txid_current', 'pg_current_xact_id',
]);
const SERIAL = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

/** Statements that cannot run in a transaction block, by kind (VACUUM is checked apart: ANALYZE can). */
const NEVER_IN_TRANSACTION = new Set(['CreatedbStmt', 'AlterSystemStmt', 'CreateTableSpaceStmt', 'DropTableSpaceStmt']);

const oneLine = (sql: string) => {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
};

interface Disable {
  readonly rules: ReadonlySet<string>;
  readonly reason: string;
}

/** A column's type as far as a rewrite is concerned: its name (`varchar`, `numeric`...), modifiers and arrayness. */
interface ColumnType {
  readonly name: string;
  readonly mods: readonly number[];
  readonly array: boolean;
}

function typeOf(typeName: unknown): ColumnType | null {
  const t = typeName as Fields | undefined;
  if (!t) return null;
  const name = names(t.names).at(-1) ?? '';
  const mods = list(t.typmods).map((m) => ((as(m, 'A_Const')?.ival as Fields | undefined)?.ival as number | undefined) ?? 0);
  return { name, mods, array: list(t.arrayBounds).length > 0 };
}

/**
 * True when PostgreSQL changes the column's type without rewriting the table: the old values are
 * valid as they are (docs/design.md, 'What migration statements lock').
 */
function binaryCoercible(from: ColumnType, to: ColumnType): boolean {
  const wider = (limited: boolean) => to.mods.length === 0 || (limited && from.mods.length > 0 && to.mods[0]! >= from.mods[0]!);
  if (from.array === to.array && from.name === to.name && from.mods.join() === to.mods.join()) return true;
  // Arrays are rewritten even between element types that are binary-coercible (varchar[] to text[]).
  if (from.array || to.array) return false;
  if (to.name === 'text') return from.name === 'varchar' || from.name === 'text';
  if (to.name === 'varchar') return (from.name === 'text' && to.mods.length === 0) || (from.name === 'varchar' && wider(true));
  if (to.name === 'varbit' && from.name === 'varbit') return wider(true);
  if (to.name === 'numeric' && from.name === 'numeric') {
    if (to.mods.length === 0) return true;
    return from.mods.length > 0 && (from.mods[1] ?? 0) === (to.mods[1] ?? 0) && to.mods[0]! >= from.mods[0]!;
  }
  return false;
}

/** State carried from file to file: what the pending files create. */
interface Carried {
  /** The type of every column the files (and the history before them) declare: `schema.table.column`. */
  readonly columns: Map<string, ColumnType>;
  readonly schemas: Set<string>;
  readonly tables: Set<string>;
  readonly indexes: Set<string>;
  /** CHECK (col IS NOT NULL) constraints seen: `table.constraint` → column, and whether validated. */
  readonly nullChecks: Map<string, { column: string; valid: boolean }>;
}

/** State of one file. */
interface FileState {
  lockTimeout: boolean;
  lockTimeoutReported: boolean;
  /** Enum values added in this transactional file: value → type. */
  readonly enumValues: Map<string, string>;
  /** `table.constraint` added NOT VALID in this transactional file. */
  readonly notValid: Set<string>;
  /** Existing tables an ALTER TABLE of this transactional file locked (held until its COMMIT). */
  readonly altered: Set<string>;
}

const DISABLE = /^ecomdb-lint-disable(-next-statement)?(?:\s+([^:]*?))?\s*(?::\s*(.*))?$/;

/**
 * Lint `files` in order. `history` holds the migrations already applied before them: they are not
 * linted, and create nothing new; only the column types they declare are learned, so that a type
 * change that rewrites nothing is not flagged.
 */
export function lintFiles(files: readonly ParsedFile[], options: LintOptions, history: readonly ParsedFile[] = []): Finding[] {
  const carried: Carried = { columns: new Map(), schemas: new Set(), tables: new Set(), indexes: new Set(), nullChecks: new Map() };
  for (const file of history) for (const statement of file.statements) learnColumns(statement, carried.columns);
  return files.flatMap((file) => lintFile(file, carried, options));
}

/** Follow the column types a statement declares, changes, renames or drops. */
function learnColumns({ kind, node }: Statement, columns: Map<string, ColumnType>): void {
  const rel = node.relation as RangeVar | undefined;
  const table = relationKey(rel);
  const set = (column: Fields) => {
    const type = typeOf(column.typeName);
    if (type && typeof column.colname === 'string') columns.set(`${table}.${column.colname}`, type);
  };
  const moveTable = (to: string) => {
    for (const [key, type] of [...columns]) {
      if (!key.startsWith(`${table}.`)) continue;
      columns.delete(key);
      columns.set(`${to}.${key.slice(table.length + 1)}`, type);
    }
  };
  if (kind === 'CreateStmt') {
    for (const element of list(node.tableElts)) {
      const column = as(element, 'ColumnDef');
      if (column) set(column);
    }
  } else if (kind === 'AlterTableStmt') {
    for (const cmd of list(node.cmds).map((c) => as(c, 'AlterTableCmd') ?? {})) {
      const def = as(cmd.def, 'ColumnDef');
      if (cmd.subtype === 'AT_AddColumn' && def) set(def);
      else if (cmd.subtype === 'AT_AlterColumnType' && def) set({ ...def, colname: cmd.name });
      else if (cmd.subtype === 'AT_DropColumn') columns.delete(`${table}.${String(cmd.name)}`);
    }
  } else if (kind === 'RenameStmt' && rel) {
    if (node.renameType === 'OBJECT_COLUMN') {
      const type = columns.get(`${table}.${String(node.subname)}`);
      columns.delete(`${table}.${String(node.subname)}`);
      if (type) columns.set(`${table}.${String(node.newname)}`, type);
    } else if (node.renameType === 'OBJECT_TABLE') moveTable(`${rel.schemaname ?? 'public'}.${String(node.newname)}`);
  }
}

function lintFile(file: ParsedFile, carried: Carried, options: LintOptions): Finding[] {
  const raw: { rule: RuleId; line: number; message: string; statement: Statement | null }[] = [];
  const fileDisables: Disable[] = [];
  const statementDisables = new Map<Statement, Disable[]>();

  for (const comment of file.comments) {
    const match = DISABLE.exec(comment.text);
    if (!match) continue;
    const [, nextStatement, ruleList = '', reason = ''] = match;
    const rules = ruleList.split(/[\s,]+/).filter(Boolean);
    const unknown = rules.filter((r) => !isRuleId(r) || r === 'lint-disable');
    if (rules.length === 0 || unknown.length > 0) {
      raw.push({ rule: 'lint-disable', line: comment.line, message: rules.length === 0 ? 'the disable comment names no rule' : `unknown rule ${unknown.join(', ')} in the disable comment`, statement: null });
      continue;
    }
    if (reason.trim().length === 0) {
      raw.push({ rule: 'lint-disable', line: comment.line, message: `disabling ${rules.join(', ')} needs a reason after a colon`, statement: null });
      continue;
    }
    const disable = { rules: new Set(rules), reason: reason.trim() };
    if (!nextStatement) {
      fileDisables.push(disable);
      continue;
    }
    const target = file.statements.find((s) => s.start >= comment.end);
    if (!target) {
      raw.push({ rule: 'lint-disable', line: comment.line, message: 'the disable-next-statement comment has no statement after it', statement: null });
      continue;
    }
    statementDisables.set(target, [...(statementDisables.get(target) ?? []), disable]);
  }

  for (const problem of file.syntax) raw.push({ rule: 'syntax', line: problem.line, message: problem.message, statement: null });

  const state: FileState = { lockTimeout: false, lockTimeoutReported: false, enumValues: new Map(), notValid: new Set(), altered: new Set() };
  for (const statement of file.statements) {
    const report = (rule: RuleId, message: string) => raw.push({ rule, line: statement.line, message, statement });
    checkStatement(statement, file, state, carried, options, report);
    learnColumns(statement, carried.columns);
  }

  return raw.map(({ rule, line, message, statement }) => {
    const definition = ruleOf(rule);
    const disables = [...fileDisables, ...((statement && statementDisables.get(statement)) ?? [])];
    const disabled = rule === 'lint-disable' ? undefined : disables.find((d) => d.rules.has(rule));
    return {
      rule,
      severity: definition.severity,
      file: file.name,
      line,
      message,
      rewrite: definition.rewrite,
      statement: statement ? oneLine(file.text.slice(statement.start, statement.end)) : null,
      suppressed: disabled?.reason ?? null,
    };
  });
}

type Report = (rule: RuleId, message: string) => void;

function checkStatement(statement: Statement, file: ParsedFile, state: FileState, carried: Carried, options: LintOptions, report: Report): void {
  const { kind, node } = statement;
  const isNew = (rv: RangeVar | undefined) => rv?.relpersistence === 't' || carried.tables.has(relationKey(rv));
  const indexKey = (parts: string[]) => (parts.length > 1 ? parts.slice(-2).join('.') : `public.${parts[0]}`);
  /** A statement that takes a lock on an existing relation: it should run under lock_timeout. */
  const locks = (what: string) => {
    if (state.lockTimeout || state.lockTimeoutReported) return;
    state.lockTimeoutReported = true;
    report('lock-timeout', `${what} without lock_timeout set earlier in the file`);
  };
  const inTransaction = (what: string) => {
    if (file.transactional) report('needs-no-transaction', `${what} cannot run inside a transaction block, and this file runs in one`);
    else if (statement.pieceStatements > 1) {
      report('needs-no-transaction', `${what} shares its piece with ${statement.pieceStatements - 1} other statement(s): one query, hence one implicit transaction; put a --> statement-breakpoint between them`);
    }
  };

  // A value added to an enum earlier in this transaction cannot be used yet.
  if (state.enumValues.size > 0 && kind !== 'AlterEnumStmt') {
    for (const [k, f] of walk(node)) {
      if (k !== 'A_Const') continue;
      const value = (f.sval as Fields | undefined)?.sval;
      if (typeof value === 'string' && state.enumValues.has(value)) {
        report('enum-value-in-transaction', `'${value}' was added to ${state.enumValues.get(value)} earlier in this transaction and cannot be used before it commits`);
        break;
      }
    }
  }

  switch (kind) {
    case 'VariableSetStmt': {
      if (node.name === 'lock_timeout') state.lockTimeout = node.kind === 'VAR_SET_VALUE' && !isZero(list(node.args)[0]);
      return;
    }
    case 'SelectStmt': {
      for (const [k, f] of walk(node)) {
        if (k !== 'FuncCall' || names(f.funcname).at(-1) !== 'set_config') continue;
        const [setting, value] = list(f.args).map((a) => (as(a, 'A_Const')?.sval as Fields | undefined)?.sval);
        if (setting === 'lock_timeout') state.lockTimeout = typeof value === 'string' && value.trim() !== '0';
      }
      return;
    }
    case 'TransactionStmt': {
      if (file.transactional) report('transaction-control', `${String(node.kind).replace(/^TRANS_STMT_/, '')} inside a file that ecomdb migrate runs in its own transaction`);
      return;
    }
    case 'CreateStmt': {
      const rel = node.relation as RangeVar;
      // New from here on: a foreign key to itself locks nothing that exists.
      carried.tables.add(relationKey(rel));
      for (const parent of list(node.inhRelations)) {
        const rv = as(parent, 'RangeVar') as RangeVar | null;
        if (node.partbound && rv && !isNew(rv)) locks(`CREATE TABLE ... PARTITION OF ${relationKey(rv)} (ACCESS EXCLUSIVE on the parent)`);
      }
      for (const [k, f] of walk(node.tableElts)) {
        if (k === 'Constraint' && f.contype === 'CONSTR_FOREIGN' && !isNew(f.pktable as RangeVar)) locks(`a foreign key to ${relationKey(f.pktable as RangeVar)} (SHARE ROW EXCLUSIVE on it)`);
        if (k === 'ColumnDef') checkTimestamp(f, report);
      }
      return;
    }
    case 'CreateSchemaStmt': {
      if (typeof node.schemaname === 'string') carried.schemas.add(node.schemaname);
      return;
    }
    case 'CreateTableAsStmt': {
      const into = node.into as { rel?: RangeVar } | undefined;
      carried.tables.add(relationKey(into?.rel));
      return;
    }
    case 'IndexStmt': {
      const rel = node.relation as RangeVar;
      const key = relationKey(rel);
      if (node.concurrent) inTransaction('CREATE INDEX CONCURRENTLY');
      if (!isNew(rel)) {
        if (options.partitioned.has(key)) {
          // ON ONLY builds nothing (an invalid index that partitions' indexes attach to later).
          if (rel.inh) report('partitioned-index', `CREATE INDEX on the partitioned table ${key} builds it on every partition at once`);
        } else if (!node.concurrent) {
          report('create-index-concurrently', `CREATE INDEX on the existing table ${key} without CONCURRENTLY`);
        }
        if (!node.concurrent) locks(`CREATE INDEX on ${key} (SHARE)`);
      }
      if (typeof node.idxname === 'string') carried.indexes.add(`${rel.schemaname ?? 'public'}.${node.idxname}`);
      return;
    }
    case 'DropStmt': {
      const objects = list(node.objects).map((o) => names(as(o, 'List')?.items));
      if (node.removeType === 'OBJECT_SCHEMA') {
        for (const schema of list(node.objects).map((o) => String(as(o, 'String')?.sval ?? ''))) {
          if (carried.schemas.has(schema)) continue;
          report('drop-table', `DROP SCHEMA ${schema}${node.behavior === 'DROP_CASCADE' ? ' CASCADE drops every table in it' : ''}`);
          locks(`DROP SCHEMA ${schema}`);
        }
      } else if (node.removeType === 'OBJECT_TABLE') {
        for (const parts of objects) {
          const key = indexKey(parts);
          if (carried.tables.has(key)) continue;
          report('drop-table', `DROP TABLE ${key}`);
          locks(`DROP TABLE ${key} (ACCESS EXCLUSIVE)`);
        }
      } else if (node.removeType === 'OBJECT_INDEX') {
        if (node.concurrent) inTransaction('DROP INDEX CONCURRENTLY');
        for (const parts of objects) {
          const key = indexKey(parts);
          if (carried.indexes.has(key) || node.concurrent) continue;
          report('drop-index-concurrently', `DROP INDEX ${key} without CONCURRENTLY`);
          locks(`DROP INDEX ${key} (ACCESS EXCLUSIVE on its table)`);
        }
      }
      return;
    }
    case 'RenameStmt': {
      const rel = node.relation as RangeVar | undefined;
      if (!rel) return;
      const key = relationKey(rel);
      if (node.renameType === 'OBJECT_TABLE') {
        if (isNew(rel)) carried.tables.add(`${rel.schemaname ?? 'public'}.${String(node.newname)}`);
        else {
          report('rename-table', `RENAME of the table ${key} to ${String(node.newname)}`);
          locks(`ALTER TABLE ${key} RENAME (ACCESS EXCLUSIVE)`);
        }
      } else if (node.renameType === 'OBJECT_COLUMN' && node.relationType === 'OBJECT_TABLE' && !isNew(rel)) {
        report('rename-column', `RENAME of the column ${key}.${String(node.subname)} to ${String(node.newname)}`);
        locks(`ALTER TABLE ${key} RENAME COLUMN (ACCESS EXCLUSIVE)`);
      }
      return;
    }
    case 'AlterTableStmt':
      return checkAlterTable(node, file, state, carried, options, report, locks, inTransaction);
    case 'AlterEnumStmt': {
      if (file.transactional && typeof node.newVal === 'string' && !node.oldVal) state.enumValues.set(node.newVal, names(node.typeName).join('.'));
      return;
    }
    case 'VacuumStmt': {
      if (!node.is_vacuumcmd) return;
      inTransaction('VACUUM');
      const full = list(node.options).some((o) => as(o, 'DefElem')?.defname === 'full');
      const rels = list(node.rels).map((r) => (as(r, 'VacuumRelation')?.relation ?? {}) as RangeVar);
      if (full && (rels.length === 0 || rels.some((r) => !isNew(r)))) {
        report('vacuum-full', `VACUUM FULL ${rels.length ? rels.map(relationKey).join(', ') : '(every table)'}`);
        locks('VACUUM FULL (ACCESS EXCLUSIVE)');
      }
      return;
    }
    case 'ClusterStmt': {
      const rel = node.relation as RangeVar | undefined;
      if (rel && isNew(rel)) return;
      report('cluster', `CLUSTER ${rel ? relationKey(rel) : '(every clustered table)'}`);
      locks('CLUSTER (ACCESS EXCLUSIVE)');
      return;
    }
    case 'ReindexStmt': {
      const concurrently = list(node.params).some((o) => as(o, 'DefElem')?.defname === 'concurrently');
      if (concurrently) inTransaction('REINDEX CONCURRENTLY');
      const rel = node.relation as RangeVar | undefined;
      const fresh = rel && (node.kind === 'REINDEX_OBJECT_INDEX' ? carried.indexes.has(relationKey(rel)) : isNew(rel));
      if (!concurrently && !fresh) {
        report('reindex-concurrently', `REINDEX ${rel ? relationKey(rel) : String(node.name ?? '')} without CONCURRENTLY`);
        locks('REINDEX (SHARE on the table)');
      }
      return;
    }
    case 'RefreshMatViewStmt': {
      const rel = node.relation as RangeVar;
      if (isNew(rel) || node.concurrent || node.skipData) return;
      report('refresh-concurrently', `REFRESH MATERIALIZED VIEW ${relationKey(rel)} without CONCURRENTLY`);
      locks(`REFRESH MATERIALIZED VIEW ${relationKey(rel)} (ACCESS EXCLUSIVE)`);
      return;
    }
    case 'CreateTrigStmt':
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
    case 'RuleStmt': {
      const rel = (node.relation ?? node.table) as RangeVar | undefined;
      if (rel && !isNew(rel)) locks(`${kind.replace(/Stmt$/, '')} on ${relationKey(rel)}`);
      return;
    }
    case 'UpdateStmt':
    case 'DeleteStmt': {
      const rel = node.relation as RangeVar | undefined;
      const key = relationKey(rel);
      if (rel && state.altered.has(key)) report('backfill-under-lock', `${kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE'} of ${key} after an ALTER TABLE of it in the same transaction`);
      return;
    }
    case 'LockStmt':
    case 'TruncateStmt': {
      const rels = list(node.relations).map((r) => as(r, 'RangeVar') as RangeVar);
      if (rels.some((r) => !isNew(r))) locks(`${kind === 'LockStmt' ? 'LOCK' : 'TRUNCATE'} ${rels.map(relationKey).join(', ')}`);
      return;
    }
    case 'DropdbStmt': {
      inTransaction('DROP DATABASE');
      report('drop-table', `DROP DATABASE ${String(node.dbname)} drops every table in it`);
      return;
    }
    default:
      if (NEVER_IN_TRANSACTION.has(kind)) inTransaction(kind.replace(/Stmt$/, ''));
  }
}

function isZero(arg: unknown): boolean {
  const c = as(arg, 'A_Const');
  if (!c) return false;
  const s = (c.sval as Fields | undefined)?.sval;
  const i = (c.ival as Fields | undefined)?.ival;
  if (typeof s === 'string') return /^\s*0\s*(ms|s|min|h|d)?\s*$/.test(s);
  return i === undefined || i === 0;
}

function checkTimestamp(column: Fields, report: Report): void {
  const type = names((column.typeName as Fields | undefined)?.names);
  if (type.at(-1) === 'timestamp') report('timestamp-without-time-zone', `column ${String(column.colname ?? '')} is timestamp without time zone`);
}

function checkAlterTable(
  node: Fields,
  file: ParsedFile,
  state: FileState,
  carried: Carried,
  options: LintOptions,
  report: Report,
  locks: (what: string) => void,
  inTransaction: (what: string) => void,
): void {
  const rel = node.relation as RangeVar;
  const key = relationKey(rel);
  const objtype = node.objtype as string;
  const fresh = objtype === 'OBJECT_INDEX' ? carried.indexes.has(key) : rel.relpersistence === 't' || carried.tables.has(key);
  const cmds = list(node.cmds).map((c) => as(c, 'AlterTableCmd') ?? {});
  let partitionWide = false;
  let weakOnly = true;

  for (const cmd of cmds) {
    const subtype = cmd.subtype as string;
    const def = unwrap(cmd.def);
    if (subtype !== 'AT_ValidateConstraint') weakOnly = false;
    if (!['AT_AttachPartition', 'AT_DetachPartition', 'AT_DetachPartitionFinalize', 'AT_ChangeOwner'].includes(subtype)) partitionWide = true;
    switch (subtype) {
      case 'AT_AddColumn': {
        if (!def || def[0] !== 'ColumnDef') break;
        const column = def[1];
        checkTimestamp(column, report);
        if (fresh) break;
        const constraints = list(column.constraints).map((c) => as(c, 'Constraint') ?? {});
        const type = names((column.typeName as Fields | undefined)?.names).at(-1) ?? '';
        const name = `${key}.${String(column.colname)}`;
        const dflt = constraints.find((c) => c.contype === 'CONSTR_DEFAULT');
        const generated = constraints.find((c) => c.contype === 'CONSTR_GENERATED');
        const identity = constraints.some((c) => c.contype === 'CONSTR_IDENTITY');
        const volatile = dflt ? [...walk(dflt.raw_expr)].find(([k, f]) => k === 'FuncCall' && VOLATILE.has(names(f.funcname).at(-1) ?? '')) : undefined;
        if (generated && generated.generated_kind !== 'v') report('add-column-generated-stored', `ADD COLUMN ${name} GENERATED ... STORED on an existing table`);
        else if (volatile) report('add-column-volatile-default', `ADD COLUMN ${name} with the volatile default ${names(volatile[1].funcname).at(-1)}()`);
        else if (SERIAL.has(type) || identity) report('add-column-volatile-default', `ADD COLUMN ${name} ${identity ? 'GENERATED AS IDENTITY' : type} fills every row from a sequence`);
        else if (constraints.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY') && !dflt) report('add-column-required', `ADD COLUMN ${name} NOT NULL without a default`);
        // A REFERENCES or CHECK written on the new column is checked against every row, and cannot say NOT VALID.
        const checked = constraints.find((c) => c.contype === 'CONSTR_FOREIGN' || c.contype === 'CONSTR_CHECK');
        if (checked) report('constraint-not-valid', `ADD COLUMN ${name} with an inline ${checked.contype === 'CONSTR_FOREIGN' ? 'REFERENCES' : 'CHECK'}, checked on every existing row`);
        break;
      }
      case 'AT_SetNotNull': {
        if (fresh) break;
        const column = String(cmd.name);
        const proven = [...carried.nullChecks.entries()].some(([k, v]) => k.startsWith(`${key}.`) && v.column === column && v.valid);
        if (!proven) report('set-not-null', `SET NOT NULL on ${key}.${column} without a validated CHECK (${column} IS NOT NULL)`);
        break;
      }
      case 'AT_AddConstraint': {
        if (!def || def[0] !== 'Constraint') break;
        const c = def[1];
        const name = `${key}.${String(c.conname ?? '')}`;
        if (c.contype === 'CONSTR_CHECK') {
          const test = as(c.raw_expr, 'NullTest');
          const column = test?.nulltesttype === 'IS_NOT_NULL' ? names(as(test.arg, 'ColumnRef')?.fields) : [];
          if (column.length === 1) carried.nullChecks.set(name, { column: column[0]!, valid: fresh || !c.skip_validation });
        }
        if ((c.contype === 'CONSTR_FOREIGN' || c.contype === 'CONSTR_CHECK') && c.skip_validation && file.transactional) state.notValid.add(name);
        if (fresh) break;
        const partitionedFk = c.contype === 'CONSTR_FOREIGN' && options.partitioned.has(key) && rel.inh;
        if (partitionedFk) {
          // PostgreSQL 15 to 17 refuse NOT VALID for a foreign key of a partitioned table; a
          // key added to the parent adopts the partitions' equivalent, validated keys instead.
          report(
            'constraint-not-valid',
            `ADD FOREIGN KEY ${String(c.conname ?? '')} on the partitioned table ${key} ${c.skip_validation ? 'NOT VALID, which PostgreSQL refuses before 18' : 'checks every partition under the lock'}: add it NOT VALID to each partition, VALIDATE each, then add it to the parent, which adopts them`,
          );
        } else if ((c.contype === 'CONSTR_FOREIGN' || c.contype === 'CONSTR_CHECK') && !c.skip_validation) {
          report('constraint-not-valid', `ADD ${c.contype === 'CONSTR_FOREIGN' ? 'FOREIGN KEY' : 'CHECK'} ${String(c.conname ?? '')} on the existing table ${key} without NOT VALID`);
        }
        if ((c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE') && !c.indexname) {
          report('unique-constraint-without-index', `ADD ${c.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE'} on the existing table ${key} builds its index under ACCESS EXCLUSIVE`);
        }
        break;
      }
      case 'AT_ValidateConstraint': {
        const name = `${key}.${String(cmd.name)}`;
        if (state.notValid.has(name)) report('validate-same-transaction', `VALIDATE CONSTRAINT ${String(cmd.name)} in the transaction that added it NOT VALID`);
        const check = carried.nullChecks.get(name);
        if (check) carried.nullChecks.set(name, { ...check, valid: true });
        break;
      }
      case 'AT_AlterColumnType': {
        if (def?.[0] !== 'ColumnDef') break;
        checkTimestamp({ ...def[1], colname: cmd.name }, report);
        if (fresh) break;
        const from = carried.columns.get(`${key}.${String(cmd.name)}`);
        const to = typeOf(def[1].typeName);
        // A USING expression is evaluated for every row: a rewrite whatever the types.
        const noRewrite = from && to && !def[1].raw_default && binaryCoercible(from, to);
        if (!noRewrite) {
          const known = from ? ` (from ${from.name}${from.mods.length ? `(${from.mods.join(',')})` : ''})` : '';
          report('alter-column-type', `ALTER COLUMN ${String(cmd.name)} TYPE ${to?.name ?? ''}${known} on the existing table ${key}`);
        }
        break;
      }
      case 'AT_DropColumn': {
        if (!fresh) report('drop-column', `DROP COLUMN ${key}.${String(cmd.name)}`);
        break;
      }
      case 'AT_DetachPartition': {
        if (def?.[0] === 'PartitionCmd' && def[1].concurrent) inTransaction('DETACH PARTITION ... CONCURRENTLY');
        break;
      }
      default:
    }
  }
  if (fresh) return;
  if (objtype === 'OBJECT_TABLE' && options.partitioned.has(key) && rel.inh && partitionWide) {
    report('partitioned-parent-lock', `ALTER TABLE ${key} (without ONLY) locks every partition of the partitioned table`);
  }
  if (weakOnly) return;
  locks(`ALTER ${objtype.replace(/^OBJECT_/, '').replace('_', ' ')} ${key}`);
  if (objtype === 'OBJECT_TABLE' && file.transactional) state.altered.add(key);
}

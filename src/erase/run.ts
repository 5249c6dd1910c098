/**
 * Running `ecomdb user erase`: one transaction that reads the catalog and the user, plans
 * (plan.ts) and executes, all or nothing. See schema/privacy.ts for what happens to each table.
 */
import type { SiteId } from '../../schema/values.ts';
import { FIXED_SEARCH_PATH } from '../db/search-path.ts';
import type { Database, Session } from '../db/types.ts';
import { AUDIT_REDACT_SETTING } from '../generate/audit.ts';
import { EcomdbError, isInsufficientPrivilege, permissionError, pgFields } from '../errors.ts';
import { quoteIdent } from '../ident.ts';
import { planErase, subjectOf, type CatalogTable, type Step, type StepKind } from './plan.ts';

export interface EraseOptions {
  readonly userId: number;
  /** Needed only when the id exists in more than one site. */
  readonly region?: SiteId;
}

export interface EraseChange {
  readonly table: string;
  readonly action: StepKind;
  readonly rows: number;
}

export interface EraseResult {
  readonly region: SiteId;
  readonly userId: number;
  /** An earlier erasure already did it: nothing was left to change. */
  readonly alreadyErased: boolean;
  /** Rows changed per table and action (tables with no change left out). */
  readonly changes: readonly EraseChange[];
  /** Tables whose UPDATE triggers refused the sweep and were switched off for it, inside the transaction. */
  readonly bypassedTriggers: readonly string[];
  /** Sweep passes that changed rows (a trigger writing old values back, like an audit trail's, makes a second one). */
  readonly sweepPasses: number;
}

/** Roles whose accounts are never erased by this command: staff, whose actions others rely on. */
const ERASABLE_ROLES = new Set(['user', 'seller']);
const MAX_SWEEP_PASSES = 4;

/**
 * Every ordinary and partitioned table (partitions are reached through their parent) outside
 * the system schemas and drizzle's migration history, with its text-like columns and its
 * foreign keys to user_management.users.
 */
export async function readEraseCatalog(session: Session): Promise<CatalogTable[]> {
  const rows = await session.query<{ schema: string; name: string; text_columns: CatalogTable['textColumns'] | null; user_keys: [string, string][][] | null }>(
    `SELECT n.nspname AS schema, c.relname AS name,
            (SELECT json_agg(json_build_object(
                      'name', a.attname, 'type', bt.typname, 'nullable', NOT a.attnotnull,
                      'key', EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                                      WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u', 'f') AND a.attnum = ANY (k.conkey)))
                    ORDER BY a.attnum)
               FROM pg_catalog.pg_attribute a
               JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
               JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                AND bt.typname IN ('text', 'varchar', 'json', 'jsonb')) AS text_columns,
            (SELECT json_agg((SELECT json_agg(json_build_array(a.attname, ra.attname) ORDER BY k.i)
                                FROM unnest(f.conkey, f.confkey) WITH ORDINALITY AS k(attnum, refnum, i)
                                JOIN pg_catalog.pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum
                                JOIN pg_catalog.pg_attribute ra ON ra.attrelid = f.confrelid AND ra.attnum = k.refnum)
                             ORDER BY f.conname)
               FROM pg_catalog.pg_constraint f
              WHERE f.conrelid = c.oid AND f.contype = 'f' AND f.conparentid = 0
                AND f.confrelid = 'user_management.users'::pg_catalog.regclass) AS user_keys
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'drizzle') AND n.nspname NOT LIKE 'pg\\_%'
      ORDER BY 1, 2`,
  );
  return rows.map((r) => ({
    schema: r.schema,
    name: r.name,
    textColumns: r.text_columns ?? [],
    userKeys: (r.user_keys ?? []).map((pairs) => pairs.map(([a, b]) => [a, b] as const)),
  }));
}

/** Rows a statement changed (UPDATE/DELETE wrapped so that both drivers count alike). */
async function changed(session: Session, step: Step): Promise<number> {
  const [row] = await session.query<{ n: number }>(`WITH changed AS (${step.sql} RETURNING 1) SELECT count(*)::int AS n FROM changed`, step.params);
  return row!.n;
}

interface TriggerState {
  readonly relation: string;
  readonly trigger: string;
  /** pg_trigger.tgenabled: O (on), D (off), R (replica only), A (always). */
  readonly enabled: 'O' | 'D' | 'R' | 'A';
  readonly owned: boolean;
}

/** User triggers of `table` and its partitions that fire on the statement's event, parents first. */
async function eventTriggers(session: Session, step: Step): Promise<TriggerState[]> {
  const event = step.kind === 'delete' ? 8 : 16; // pg_trigger.tgtype bits: DELETE 8, UPDATE 16
  const [schema, name] = step.table.split('.') as [string, string];
  return session.query(
    `SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS relation, tg.tgname AS trigger, tg.tgenabled::text AS enabled,
            pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE') AS owned
       FROM pg_catalog.pg_partition_tree(pg_catalog.format('%I.%I', $1::text, $2::text)::pg_catalog.regclass) p
       JOIN pg_catalog.pg_class c ON c.oid = p.relid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_trigger tg ON tg.tgrelid = c.oid
      WHERE NOT tg.tgisinternal AND (tg.tgtype & $3::int2) <> 0
      ORDER BY p.level, 1, 2`,
    [schema, name, event],
  );
}

const SWITCH = { O: 'ENABLE', D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' } as const;

/**
 * Run one step; when it fails and the table has triggers on its event (an append-only audit
 * trail refusing UPDATE), switch those triggers off for this one statement — as their owner,
 * inside this transaction, so no other session ever sees them off — and run it again.
 */
async function runStep(session: Session, step: Step, bypassed: Set<string>): Promise<number> {
  await session.exec('SAVEPOINT erase_step');
  try {
    const n = await changed(session, step);
    await session.exec('RELEASE SAVEPOINT erase_step');
    return n;
  } catch (error) {
    await session.exec('ROLLBACK TO SAVEPOINT erase_step');
    const states = await eventTriggers(session, step);
    const triggers = states.filter((t) => t.enabled !== 'D');
    if (triggers.length === 0) throw stepFailed(step, error);
    if (triggers.some((t) => !t.owned)) {
      throw new EcomdbError('E_ERASE_FAILED', `the triggers of ${step.table} refused the erasure (${pgFields(error).message}); nothing was changed`, {
        hint: 'run `ecomdb user erase` as the owner of the tables, who may switch those triggers off for the erasure',
        details: { table: step.table, sqlstate: pgFields(error).code },
        cause: error,
      });
    }
    // Switching a parent's trigger also switches its partitions' clones (PostgreSQL 15 and
    // later): the previous state of every relation is put back, parents first, so a clone that
    // was off stays off.
    for (const t of triggers) await session.exec(`ALTER TABLE ${t.relation} DISABLE TRIGGER ${quoteIdent(t.trigger)}`);
    let n: number;
    try {
      n = await changed(session, step);
    } catch (again) {
      throw stepFailed(step, again);
    }
    for (const t of states) await session.exec(`ALTER TABLE ${t.relation} ${SWITCH[t.enabled]} TRIGGER ${quoteIdent(t.trigger)}`);
    bypassed.add(step.table);
    return n;
  }
}

function stepFailed(step: Step, error: unknown): EcomdbError {
  if (error instanceof EcomdbError) return error;
  if (isInsufficientPrivilege(error)) return permissionError(error, 'run `ecomdb user erase` as the owner of the tables; nothing was changed');
  const pg = pgFields(error);
  const constraint = (error as { constraint_name?: string; cause?: { constraint_name?: string } }).constraint_name;
  return new EcomdbError('E_ERASE_FAILED', `erasing ${step.table} failed: ${pg.message}; nothing was changed`, {
    hint: `check the constraints, rules and triggers of ${step.table}; a column whose erased value breaks a constraint gets its own in schema/privacy.ts`,
    details: { table: step.table, action: step.kind, sqlstate: pg.code, constraint },
    cause: error,
  });
}

/** The user to erase, locked; refused when unknown, ambiguous or staff. */
async function findSubject(session: Session, options: EraseOptions): Promise<{ row: Record<string, unknown>; role: string; streetLines: string[] }> {
  const rows = await session.query<{ row: Record<string, unknown>; role: string }>(
    `SELECT to_jsonb(u) AS row, r.name AS role
       FROM user_management.users u JOIN user_management.roles r ON r.id = u.role_id
      WHERE u.id = $1 AND ($2::text IS NULL OR u.region = $2::text)
      ORDER BY u.region
        FOR UPDATE OF u`,
    [options.userId, options.region ?? null],
  );
  const where = options.region ? ` in ${options.region}` : '';
  if (rows.length === 0) {
    throw new EcomdbError('E_ERASE_NOT_FOUND', `no user ${options.userId}${where}`, {
      hint: 'check the id (and --region); nothing was changed',
      details: { userId: options.userId, region: options.region ?? null },
    });
  }
  if (rows.length > 1) {
    const regions = rows.map((r) => String(r.row.region));
    throw new EcomdbError('E_ERASE_AMBIGUOUS', `user id ${options.userId} exists in ${regions.join(', ')}`, {
      hint: `name the account's site with --region (${regions.join(' or ')}); nothing was changed`,
      details: { userId: options.userId, regions },
    });
  }
  const { row, role } = rows[0]!;
  if (!ERASABLE_ROLES.has(role)) {
    throw new EcomdbError('E_ERASE_STAFF', `user ${options.userId} is staff (${role}): staff accounts are not erased`, {
      hint: 'their actions (moderation, roles, reference data) are records others rely on; an administrator changes the account\'s role first if it must go',
      details: { userId: options.userId, region: row.region, role },
    });
  }
  const streets = await session.query<{ street_line: string }>(
    `SELECT street_line FROM user_management.addresses WHERE region = $1 AND user_id = $2`,
    [row.region, options.userId],
  );
  return { row, role, streetLines: streets.map((s) => s.street_line) };
}

/** Erase one user's personal data, in one transaction. */
export async function eraseUser(db: Database, options: EraseOptions): Promise<EraseResult> {
  return db.session(async (session) => {
    await session.exec('BEGIN');
    try {
      // Names resolve to the catalog and to the tables as written, never to a look-alike of
      // another schema; a row-level security policy makes a statement fail rather than quietly
      // skip the rows it hides; and the audit trail lets its owner rewrite its old and new rows
      // (the redaction it allows for erasure), so its guard need not be switched off.
      await session.exec(`SET LOCAL search_path = ${FIXED_SEARCH_PATH}; SET LOCAL row_security = off; SET LOCAL ${AUDIT_REDACT_SETTING} = on`);
      const found = await findSubject(session, options);
      const subject = subjectOf(found.row, found.streetLines);
      const plan = planErase(await readEraseCatalog(session), subject);
      const counts = new Map<string, EraseChange>();
      const bypassed = new Set<string>();
      const count = (step: Step, rows: number) => {
        const key = `${step.table} ${step.kind}`;
        counts.set(key, { table: step.table, action: step.kind, rows: (counts.get(key)?.rows ?? 0) + rows });
      };
      for (const step of plan.own) count(step, await runStep(session, step, bypassed));
      let passes = 0;
      for (;;) {
        const pending: Step[] = [];
        for (const step of plan.sweep) {
          const [row] = await session.query<{ n: number }>(step.remaining!.sql, step.remaining!.params);
          if (row!.n > 0) pending.push(step);
        }
        if (pending.length === 0) break;
        if (++passes > MAX_SWEEP_PASSES) {
          throw new EcomdbError('E_ERASE_FAILED', `after ${MAX_SWEEP_PASSES} sweeps, ${pending.map((s) => s.table).join(', ')} still mention the user; nothing was changed`, {
            hint: 'a trigger writes the values back, or a rule turns the UPDATE into nothing: check those tables',
            details: { tables: pending.map((s) => s.table) },
          });
        }
        for (const step of pending) count(step, await runStep(session, step, bypassed));
      }
      await session.exec('COMMIT');
      const changes = [...counts.values()].filter((c) => c.rows > 0);
      return {
        region: found.row.region as SiteId,
        userId: options.userId,
        alreadyErased: changes.length === 0,
        changes,
        bypassedTriggers: [...bypassed],
        sweepPasses: passes,
      };
    } catch (error) {
      await session.exec('ROLLBACK').catch(() => {});
      if (error instanceof EcomdbError) throw error;
      throw stepFailed({ kind: 'sweep', table: 'the database', sql: '', params: [] }, error);
    }
  });
}

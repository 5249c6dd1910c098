/**
 * The audit trail as migration statements (docs/design.md, 'The audit trail'), from the
 * declaration in schema/audit.ts. Pure: declaration in, keyed SQL statements out, each with the
 * SQL that undoes it.
 *
 * Every function sets its own search_path (pg_catalog, then pg_temp last), so that it means the
 * same whatever path the session that fires it has; `audit.record` is SECURITY DEFINER because
 * the roles whose changes it records may not write the trail themselves. It runs as the owner of
 * the audit schema (the role that migrates), and records the login (`session_user`), which a
 * SECURITY DEFINER function does not change, and the marketplace user of the transaction
 * (`ecomdb.user_id`).
 */
import { PARTITION_LAYOUT } from '../../schema/partitions.ts';
import { AUDIT_OPERATIONS, AUDIT_SCHEMA, AUDIT_TABLE, AUDITED_TABLES, keyColumns, tableId } from '../../schema/audit.ts';
import { FIXED_SEARCH_PATH } from '../db/search-path.ts';
import { quoteIdent, quoteLiteral, quoteQualified } from '../ident.ts';
import { markedAddition, type Addition } from './additions.ts';

const schema = quoteIdent(AUDIT_SCHEMA);
const trail = quoteQualified(AUDIT_SCHEMA, AUDIT_TABLE);
const record = `${schema}.${quoteIdent('record')}`;
const refuse = `${schema}.${quoteIdent('refuse_change')}`;

/** The setting under which the trail's owner may rewrite `old` and `new` (erasure of personal data). */
export const AUDIT_REDACT_SETTING = 'ecomdb.audit_redact';

/** The trigger that records an audited table's row changes, and the one that records its TRUNCATE. */
export const AUDIT_TRIGGER = 'audit_trail';
export const AUDIT_TRUNCATE_TRIGGER = 'audit_trail_truncate';

function schemaStatement(): Addition {
  return markedAddition(`SCHEMA ${schema}`, [
    `CREATE SCHEMA IF NOT EXISTS ${schema};`,
    `REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC;`,
    `COMMENT ON SCHEMA ${schema} IS ${quoteLiteral('Audit trail: who changed which sensitive row, when, from what to what. Append-only; written by triggers only.')};`,
  ], `DROP SCHEMA IF EXISTS ${schema};`);
}

function tableStatement(): Addition {
  const column = (name: string, text: string) => `COMMENT ON COLUMN ${trail}.${quoteIdent(name)} IS ${quoteLiteral(text)};`;
  const ahead = PARTITION_LAYOUT.monthsAhead;
  return markedAddition(`TABLE ${trail}`, [
    `CREATE TABLE ${trail} (
  "id" bigserial NOT NULL,
  "at" timestamptz NOT NULL DEFAULT pg_catalog.now(),
  "login" text NOT NULL DEFAULT SESSION_USER,
  "user_id" text DEFAULT pg_catalog.current_setting('ecomdb.user_id', true),
  "table_name" text NOT NULL,
  "op" text NOT NULL,
  "key" jsonb,
  "old" jsonb,
  "new" jsonb,
  "xid" bigint NOT NULL DEFAULT pg_catalog.txid_current(),
  CONSTRAINT "trail_pkey" PRIMARY KEY ("id", "at"),
  CONSTRAINT "trail_op_check" CHECK (op IN (${AUDIT_OPERATIONS.map(quoteLiteral).join(', ')}))
) PARTITION BY RANGE ("at");`,
    `CREATE INDEX "trail_table_name_at_idx" ON ${trail} ("table_name", "at");`,
    `REVOKE ALL ON ${trail} FROM PUBLIC;`,
    `COMMENT ON TABLE ${trail} IS ${quoteLiteral('One row per change of an audited row (and per TRUNCATE, and per seed). Partitioned by month on at; append-only.')};`,
    column('id', 'Order of the changes.'),
    column('at', 'When: the start of the changing transaction. Partition key.'),
    column('login', 'Who: the login of the session (session_user), unchanged by SET ROLE and SECURITY DEFINER.'),
    column('user_id', 'Who in the marketplace: the ecomdb.user_id of the transaction, if set.'),
    column('table_name', 'What: schema.table of the audited table (its parent when the row is in a partition).'),
    column('op', 'INSERT, UPDATE, DELETE, TRUNCATE, or SEED (one row per ecomdb seed, whose rows are not recorded one by one).'),
    column('key', 'The primary key of the changed row, as a JSON object.'),
    column('old', 'The row before the change (UPDATE, DELETE), as JSON; secret columns redacted.'),
    column('new', 'The row after the change (INSERT, UPDATE), as JSON; secret columns redacted.'),
    column('xid', 'The transaction, to group the changes it made.'),
    // The first months now; `ecomdb partition months` (and the seed) keep them ahead, like the others.
    `DO $$
DECLARE
  first date := pg_catalog.date_trunc('month', pg_catalog.now() AT TIME ZONE 'UTC')::date;
  m date;
BEGIN
  FOR i IN 0..${ahead} LOOP
    m := (first + pg_catalog.make_interval(months => i))::date;
    EXECUTE pg_catalog.format('CREATE TABLE IF NOT EXISTS ${AUDIT_SCHEMA}.%I PARTITION OF ${trail} FOR VALUES FROM (%L) TO (%L)',
                              '${AUDIT_TABLE}_' || pg_catalog.to_char(m, 'YYYY_MM'),
                              pg_catalog.to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00',
                              pg_catalog.to_char((m + pg_catalog.make_interval(months => 1))::date, 'YYYY-MM-DD') || ' 00:00:00+00');
  END LOOP;
END $$;`,
  ], `DROP TABLE IF EXISTS ${trail};`);
}

function recordFunction(): Addition {
  return markedAddition(`FUNCTION ${record}()`, [
    `CREATE OR REPLACE FUNCTION ${record}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${FIXED_SEARCH_PATH} AS $$
-- Arguments: the audited table (schema.table), its key columns and its secret columns (comma-separated).
DECLARE
  key_columns text[] := pg_catalog.string_to_array(TG_ARGV[1], ',');
  secret text[] := pg_catalog.string_to_array(TG_ARGV[2], ',');
  before jsonb;
  after jsonb;
  c text;
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    INSERT INTO ${trail} ("login", "user_id", "table_name", "op")
    VALUES (SESSION_USER, pg_catalog.current_setting('ecomdb.user_id', true), TG_ARGV[0], TG_OP);
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN before := pg_catalog.to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN after := pg_catalog.to_jsonb(NEW); END IF;
  FOREACH c IN ARRAY secret LOOP
    IF before ? c THEN before := pg_catalog.jsonb_set(before, ARRAY[c], '"[redacted]"'); END IF;
    IF after ? c THEN
      after := pg_catalog.jsonb_set(after, ARRAY[c],
        CASE WHEN TG_OP = 'UPDATE' AND (pg_catalog.to_jsonb(OLD) -> c) IS DISTINCT FROM (pg_catalog.to_jsonb(NEW) -> c)
             THEN '"[redacted, changed]"'::jsonb ELSE '"[redacted]"'::jsonb END);
    END IF;
  END LOOP;
  INSERT INTO ${trail} ("login", "user_id", "table_name", "op", "key", "old", "new")
  VALUES (SESSION_USER, pg_catalog.current_setting('ecomdb.user_id', true), TG_ARGV[0], TG_OP,
          (SELECT pg_catalog.jsonb_object_agg(k, COALESCE(after, before) -> k) FROM pg_catalog.unnest(key_columns) AS k),
          before, after);
  RETURN NULL;
END $$;`,
    `REVOKE ALL ON FUNCTION ${record}() FROM PUBLIC;`,
    `COMMENT ON FUNCTION ${record}() IS ${quoteLiteral('Trigger of every audited table: appends the change to audit.trail (SECURITY DEFINER: the changing role may not write the trail).')};`,
  ], `DROP FUNCTION IF EXISTS ${record}();`);
}

/** The trail's triggers: a row guard, and a TRUNCATE guard on the parent and on every month partition. */
export const TRAIL_GUARD_TRIGGER = 'trail_guard';
export const TRAIL_TRUNCATE_TRIGGER = 'trail_no_truncate';

function refuseFunction(): Addition {
  const owner = `(SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = '${AUDIT_SCHEMA}.${AUDIT_TABLE}'::pg_catalog.regclass)`;
  return markedAddition(`FUNCTION ${refuse}()`, [
    `CREATE OR REPLACE FUNCTION ${refuse}() RETURNS trigger
LANGUAGE plpgsql SET search_path = ${FIXED_SEARCH_PATH} AS $$
-- The trail is append-only, and only its owner writes it (${record}() runs as the owner): a role
-- granted INSERT, UPDATE, DELETE or TRUNCATE on it by mistake still cannot forge or change a row.
-- One exception, for erasing personal data: the owner (or a member of the owner role) may rewrite
-- "old" and "new", and nothing else, with ${AUDIT_REDACT_SETTING} = on in its transaction.
BEGIN
  IF TG_LEVEL = 'ROW' AND pg_catalog.pg_has_role(CURRENT_USER, ${owner}, 'MEMBER') THEN
    IF TG_OP = 'INSERT' THEN
      RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND pg_catalog.current_setting('${AUDIT_REDACT_SETTING}', true) = 'on'
       AND (NEW.id, NEW.at, NEW.login, NEW.user_id, NEW.table_name, NEW.op, NEW.key, NEW.xid)
           IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.login, OLD.user_id, OLD.table_name, OLD.op, OLD.key, OLD.xid) THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit.trail is append-only and written by its triggers: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'the audit trail keeps every change; nobody forges, updates, deletes or truncates it';
END $$;`,
    `REVOKE ALL ON FUNCTION ${refuse}() FROM PUBLIC;`,
    `COMMENT ON FUNCTION ${refuse}() IS ${quoteLiteral('Trigger of audit.trail: refuses INSERT by any role but its owner, UPDATE, DELETE and TRUNCATE (append-only).')};`,
    `CREATE TRIGGER ${quoteIdent(TRAIL_GUARD_TRIGGER)} BEFORE INSERT OR UPDATE OR DELETE ON ${trail} FOR EACH ROW EXECUTE FUNCTION ${refuse}();`,
    // A statement trigger is not cloned onto partitions, and a partition can be truncated by name:
    // each month partition gets its own (here, and from \`ecomdb partition months\`).
    `CREATE TRIGGER ${quoteIdent(TRAIL_TRUNCATE_TRIGGER)} BEFORE TRUNCATE ON ${trail} FOR EACH STATEMENT EXECUTE FUNCTION ${refuse}();`,
    `DO $$
DECLARE p regclass;
BEGIN
  FOR p IN SELECT i.inhrelid::regclass FROM pg_catalog.pg_inherits i WHERE i.inhparent = '${AUDIT_SCHEMA}.${AUDIT_TABLE}'::pg_catalog.regclass LOOP
    EXECUTE pg_catalog.format('CREATE TRIGGER ${TRAIL_TRUNCATE_TRIGGER} BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION ${AUDIT_SCHEMA}.refuse_change()', p);
  END LOOP;
END $$;`,
  ], [`DROP TRIGGER IF EXISTS ${quoteIdent(TRAIL_TRUNCATE_TRIGGER)} ON ${trail};`, `DROP TRIGGER IF EXISTS ${quoteIdent(TRAIL_GUARD_TRIGGER)} ON ${trail};`, `DROP FUNCTION IF EXISTS ${refuse}() CASCADE;`].join('\n'));
}

function tableTriggers(): Addition[] {
  return AUDITED_TABLES.map(({ table, redact = [] }) => {
    const id = tableId(table);
    const [s, name] = id.split('.') as [string, string];
    const target = quoteQualified(s, name);
    const args = [id, keyColumns(table).join(','), redact.join(',')].map(quoteLiteral).join(', ');
    return markedAddition(`TRIGGER ${quoteIdent(AUDIT_TRIGGER)} ON ${target}`, [
      `CREATE TRIGGER ${quoteIdent(AUDIT_TRIGGER)} AFTER INSERT OR UPDATE OR DELETE ON ${target} FOR EACH ROW EXECUTE FUNCTION ${record}(${args});`,
      `CREATE TRIGGER ${quoteIdent(AUDIT_TRUNCATE_TRIGGER)} AFTER TRUNCATE ON ${target} FOR EACH STATEMENT EXECUTE FUNCTION ${record}(${args});`,
    ], [`DROP TRIGGER IF EXISTS ${quoteIdent(AUDIT_TRUNCATE_TRIGGER)} ON ${target};`, `DROP TRIGGER IF EXISTS ${quoteIdent(AUDIT_TRIGGER)} ON ${target};`].join('\n'));
  });
}

/** The audit trail's statements, in the order they must run. */
export function auditStatements(): Addition[] {
  return [schemaStatement(), tableStatement(), recordFunction(), refuseFunction(), ...tableTriggers()];
}

/**
 * A database whose owner set `search_path = evil, pg_catalog` and filled `evil` with look-alikes
 * of the catalog (views that hide foreign keys, indexes and partitions) and of built-in functions,
 * operators and aggregates, each of which records its calls. ecomdb's commands must report the
 * truth and call none of them: every session it opens fixes its own search_path. Also: the verify
 * rule for SECURITY DEFINER functions without a fixed search_path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditedTableIds } from '../../schema/audit.ts';
import { COMPONENTS } from '../../schema/index.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { postgresClient } from '../../src/db/postgres.ts';
import { FIXED_SEARCH_PATH } from '../../src/db/search-path.ts';
import { seededTables } from '../../src/seed/load.ts';
import { ecomdb, tempDir } from '../helpers/cli.ts';
import { databasesForBlock, SERVER_URL, type TestDatabase } from '../helpers/db.ts';

/** Built-in functions ecomdb's SQL (or SQL it causes to run) calls: (signature, return type, body calling the original). */
const FUNCTIONS: readonly [string, string, string][] = [
  ['lower(t text)', 'text', 'pg_catalog.lower(t)'],
  ['upper(t text)', 'text', 'pg_catalog.upper(t)'],
  ['length(t text)', 'integer', 'pg_catalog.length(t)'],
  ['btrim(t text)', 'text', 'pg_catalog.btrim(t)'],
  ['now()', 'timestamptz', 'pg_catalog.now()'],
  ['quote_ident(t text)', 'text', 'pg_catalog.quote_ident(t)'],
  ['quote_literal(t text)', 'text', 'pg_catalog.quote_literal(t)'],
  ['md5(t text)', 'text', 'pg_catalog.md5(t)'],
  ['obj_description(o oid, c name)', 'text', 'pg_catalog.obj_description(o, c)'],
  ['col_description(o oid, n integer)', 'text', 'pg_catalog.col_description(o, n)'],
  ['pg_get_constraintdef(o oid)', 'text', 'pg_catalog.pg_get_constraintdef(o)'],
  ['pg_get_indexdef(o oid)', 'text', 'pg_catalog.pg_get_indexdef(o)'],
  ['pg_get_expr(e pg_node_tree, o oid)', 'text', 'pg_catalog.pg_get_expr(e, o)'],
  ['pg_get_userbyid(o oid)', 'name', 'pg_catalog.pg_get_userbyid(o)'],
  ['pg_get_partkeydef(o oid)', 'text', 'pg_catalog.pg_get_partkeydef(o)'],
  ['pg_get_triggerdef(o oid)', 'text', 'pg_catalog.pg_get_triggerdef(o)'],
  ['format_type(o oid, m integer)', 'text', 'pg_catalog.format_type(o, m)'],
  ['current_setting(n text)', 'text', 'pg_catalog.current_setting(n)'],
  ['current_setting(n text, m boolean)', 'text', 'pg_catalog.current_setting(n, m)'],
  ['set_config(n text, v text, l boolean)', 'text', 'pg_catalog.set_config(n, v, l)'],
  ['to_char(t timestamptz, f text)', 'text', 'pg_catalog.to_char(t, f)'],
  ['string_to_array(t text, d text)', 'text[]', 'pg_catalog.string_to_array(t, d)'],
  ['pg_get_serial_sequence(t text, c text)', 'text', 'pg_catalog.pg_get_serial_sequence(t, c)'],
  ['pg_try_advisory_lock(k bigint)', 'boolean', 'pg_catalog.pg_try_advisory_lock(k)'],
  ['pg_advisory_xact_lock(k bigint)', 'void', 'pg_catalog.pg_advisory_xact_lock(k)'],
  ['to_jsonb(r anyelement)', 'jsonb', 'pg_catalog.to_jsonb(r)'],
  ['websearch_to_tsquery(c regconfig, q text)', 'tsquery', 'pg_catalog.websearch_to_tsquery(c, q)'],
  ['greatest_of(a numeric)', 'numeric', 'a'],
];

/** Catalog look-alikes: each lies (hides foreign keys, secondary indexes, partitions) and records its reads. */
const VIEWS: readonly [string, string][] = [
  ['pg_constraint', `contype <> 'f'`],
  ['pg_index', 'indisprimary'],
  ['pg_inherits', 'false'],
  ['pg_class', 'true'],
  ['pg_namespace', 'true'],
  ['pg_attribute', 'true'],
  ['pg_trigger', 'false'],
  ['pg_proc', 'true'],
  ['pg_depend', 'true'],
];

const ATTRIBUTE_COLUMNS = 'attrelid, attname, atttypid, attlen, attnum, atttypmod, attnotnull, atthasdef, attidentity, attgenerated, attisdropped, attcollation';

function evilSql(): string {
  return [
    `CREATE SCHEMA evil`,
    `CREATE TABLE evil.calls (fn text NOT NULL, by_role text NOT NULL DEFAULT current_user)`,
    `GRANT USAGE ON SCHEMA evil TO PUBLIC`,
    `GRANT INSERT, SELECT ON evil.calls TO PUBLIC`,
    `CREATE FUNCTION evil.note(fn text) RETURNS boolean LANGUAGE sql VOLATILE AS $$ INSERT INTO evil.calls (fn) VALUES (fn) RETURNING true $$`,
    ...FUNCTIONS.map(([signature, returns, body]) => {
      const name = signature.slice(0, signature.indexOf('('));
      return `CREATE FUNCTION evil.${signature} RETURNS ${returns} LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM evil.note('${name}'); ${returns === 'void' ? `PERFORM ${body}; RETURN;` : `RETURN ${body};`} END $$`;
    }),
    `CREATE FUNCTION evil.count_step(n bigint) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM evil.note('count'); RETURN n + 1; END $$`,
    `CREATE AGGREGATE evil.count(*) (sfunc = evil.count_step, stype = bigint, initcond = '0')`,
    `CREATE FUNCTION evil.text_eq(a text, b text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM evil.note('='); RETURN pg_catalog.texteq(a, b); END $$`,
    `CREATE OPERATOR evil.= (leftarg = text, rightarg = text, function = evil.text_eq)`,
    `CREATE FUNCTION evil.name_eq(a name, b name) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM evil.note('= name'); RETURN pg_catalog.nameeq(a, b); END $$`,
    `CREATE OPERATOR evil.= (leftarg = name, rightarg = name, function = evil.name_eq)`,
    // (pg_attribute without attmissingval: a view cannot have a column of type anyarray.)
    ...VIEWS.map(([view, filter]) => `CREATE VIEW evil.${view} AS SELECT ${view === 'pg_attribute' ? ATTRIBUTE_COLUMNS : '*'} FROM pg_catalog.${view} WHERE evil.note('${view}') AND (${filter})`),
  ].join(';\n');
}

/** A client that reads the truth whatever the database's search_path. */
function honest(url: string): postgres.Sql {
  return postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: 'pg_catalog' } });
}

async function calls(url: string): Promise<{ fn: string; n: number }[]> {
  const sql = honest(url);
  try {
    return await sql.unsafe<{ fn: string; n: number }[]>(`SELECT fn, pg_catalog.count(*)::int AS n FROM evil.calls GROUP BY fn ORDER BY fn`);
  } finally {
    await sql.end();
  }
}

describe('a database whose search_path puts look-alikes before pg_catalog', () => {
  const fresh = databasesForBlock();
  let db: TestDatabase;

  beforeAll(async () => {
    db = await fresh('evil_path', { migrated: false });
    await db.sql.unsafe(evilSql());
    await db.sql.unsafe(`ALTER DATABASE ${db.name} SET search_path = evil, pg_catalog`);
  });

  it('fools a client that does not fix its search_path (the trap is real)', async () => {
    const naive = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      await naive.unsafe(`SELECT lower('A'), now()`);
      await naive.unsafe(`SELECT count(*) FROM pg_constraint`);
    } finally {
      await naive.end();
    }
    expect((await calls(db.url)).map((c) => c.fn)).toEqual(expect.arrayContaining(['lower', 'now', 'count', 'pg_constraint']));
    const sql = honest(db.url);
    await sql.unsafe(`TRUNCATE evil.calls`);
    await sql.end();
  });

  describe('ecomdb on it', () => {
    // Slow steps on a shared machine (the drift rule migrates and partitions a scratch database).
    const SLOW = 400_000;

    beforeAll(async () => {
      const migrate = await ecomdb(['migrate', '--url', db.url]);
      expect(migrate.code, migrate.stderr).toBe(0);
      const apply = await ecomdb(['partition', 'apply', '--url', db.url]);
      expect(apply.code, apply.stderr).toBe(0);
      const seed = await ecomdb(['seed', '--url', db.url, '--until', '2026-11-01', '--scale', '1']);
      expect(seed.code, seed.stderr).toBe(0);
    }, SLOW);

    it('verify runs every rule the look-alikes would fool and finds the database clean', async () => {
      const verify = await ecomdb(['verify', '--url', db.url, '--format', 'json']);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      const report = JSON.parse(verify.stdout) as { rules: { id: string; offenders: number }[] };
      const ran = new Map(report.rules.map((r) => [r.id, r.offenders]));
      for (const id of ['catalog/fk-index', 'catalog/primary-key', 'catalog/fk-enforced', 'drift/migrations', 'partition/layout', 'catalog/security-definer-search-path']) {
        expect(ran.get(id), id).toBe(0);
      }
    }, SLOW);

    it('partition list, bench (the query library) and audit tail see the truth', async () => {
      const list = await ecomdb(['partition', 'list', '--url', db.url, '--json']);
      expect(list.code, list.stderr).toBe(0);
      const partitions = (JSON.parse(list.stdout) as { partitions: { table: string; partition: string }[] }).partitions;
      const truth = honest(db.url);
      try {
        const [{ n }] = (await truth.unsafe<{ n: number }[]>(
          `SELECT pg_catalog.count(*)::int AS n FROM pg_catalog.pg_partition_tree('order_processing.orders') WHERE level > 0`,
        )) as unknown as [{ n: number }];
        expect(n).toBeGreaterThan(10);
        expect(partitions.filter((p) => p.table === 'order_processing.orders').length).toBe(n + 1);
      } finally {
        await truth.end();
      }
      const bench = await ecomdb(['bench', '--url', db.url, '--transactions', '150', '--clients', '2'], { killAfterMs: 300_000 });
      expect(bench.code, bench.stderr).toBe(0);
      const tail = await ecomdb(['audit', 'tail', '--url', db.url, '--table', 'payments', '--json']);
      expect(tail.code, tail.stderr).toBe(0);
      expect((JSON.parse(tail.stdout) as { rows: { op: string }[] }).rows.map((r) => r.op)).toContain('SEED');
    }, SLOW);

    it('stored nothing that refers to a look-alike, left the audit triggers on, and called none of them', async () => {
      const truth = honest(db.url);
      try {
        // The CHECKs (email = lower(email), ...) and defaults mean pg_catalog's functions.
        const stored = await truth.unsafe(
          `SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) AS what
             FROM pg_catalog.pg_depend d
             JOIN pg_catalog.pg_proc p ON d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid = d.refobjid
            WHERE p.pronamespace = 'evil'::pg_catalog.regnamespace
              AND NOT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) OPERATOR(pg_catalog.~~) '%evil%'`,
        );
        expect(stored).toEqual([]);
        // The seed switched the audit triggers off for its load only, and said so: one SEED row
        // per audited table it filled, no row per seeded row.
        const [{ seeded, rowwise, disabled }] = (await truth.unsafe(
          `SELECT (SELECT count(*)::int FROM audit.trail WHERE op = 'SEED') AS seeded,
                  (SELECT count(*)::int FROM audit.trail WHERE op <> 'SEED' AND xid IN (SELECT xid FROM audit.trail WHERE op = 'SEED')) AS rowwise,
                  (SELECT count(*)::int FROM pg_trigger WHERE tgname = 'audit_trail' AND tgenabled <> 'O') AS disabled`,
        )) as unknown as [{ seeded: number; rowwise: number; disabled: number }];
        expect(rowwise).toBe(0);
        const audited = new Set(auditedTableIds());
        expect(seeded).toBe(seededTables().filter((t) => audited.has(t.replaceAll('"', ''))).length);
        expect(seeded).toBeGreaterThanOrEqual(4);
        expect(disabled).toBe(0);
      } finally {
        await truth.end();
      }
      expect(await calls(db.url)).toEqual([]);
    });
  });
});

describe('the connection parameter', () => {
  it('is set by the only two places in src/ that open a connection', () => {
    const root = fileURLToPath(new URL('../../src', import.meta.url));
    const openers = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => {
        const text = readFileSync(join(root, f), 'utf8');
        return /^import (?!type )[^;]*from 'postgres';/m.test(text) || /PGlite\.create\(/.test(text);
      })
      .sort();
    expect(openers).toEqual(['db/pglite.ts', 'db/postgres.ts']);
    expect(readFileSync(join(root, 'db/postgres.ts'), 'utf8')).toContain('search_path: FIXED_SEARCH_PATH');
    const pglite = readFileSync(join(root, 'db/pglite.ts'), 'utf8');
    // Every PGlite it creates is followed by the SET.
    expect(pglite.match(/PGlite\.create\(/g)?.length).toBe(pglite.match(/\.exec\(SET_FIXED_SEARCH_PATH\)/g)?.length);
  });

  it('wins over a search_path in the URL\'s options, which keep their other settings', async () => {
    const sql = postgresClient(`${SERVER_URL}?options=-c%20search_path%3Devil%20-c%20statement_timeout%3D7s`, { max: 1 });
    try {
      expect(await sql.unsafe(`SELECT current_setting('search_path') AS path, current_setting('statement_timeout') AS timeout`)).toEqual([
        { path: FIXED_SEARCH_PATH, timeout: '7s' },
      ]);
    } finally {
      await sql.end();
    }
  });
});

describe('the embedded database (PGlite) with the same look-alikes', () => {
  const SLOW = 400_000;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('ecomdb-evil-');
    const migrate = await ecomdb(['migrate', '--data-dir', dir]);
    expect(migrate.code, migrate.stderr).toBe(0);
    const pg = await PGlite.create(join(dir, 'pgdata'));
    try {
      await pg.exec(evilSql());
      await pg.exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = evil, pg_catalog', current_database()); END $$`);
      await pg.exec(`SET search_path = evil, pg_catalog`);
      // The trap is real in a session on that path.
      await pg.query(`SELECT lower('A')`);
      expect((await pg.query(`SELECT fn FROM evil.calls`)).rows).toEqual([{ fn: 'lower' }]);
      await pg.exec(`TRUNCATE evil.calls`);
    } finally {
      await pg.close();
    }
  }, SLOW);

  it('every session ecomdb opens on it has the fixed search_path', async () => {
    const db = await openPglite(dir);
    try {
      expect(await db.session((s) => s.query(`SHOW search_path`))).toEqual([{ search_path: FIXED_SEARCH_PATH }]);
    } finally {
      await db.close();
    }
  });

  it('verify, partition months and audit tail report the truth and call none of them', async () => {
    const verify = await ecomdb(['verify', '--data-dir', dir, '--only', 'catalog', '--format', 'json']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const ran = new Map((JSON.parse(verify.stdout) as { rules: { id: string; offenders: number }[] }).rules.map((r) => [r.id, r.offenders]));
    for (const id of ['catalog/fk-index', 'catalog/primary-key', 'catalog/security-definer-search-path']) expect(ran.get(id), id).toBe(0);
    const months = await ecomdb(['partition', 'months', '--ahead', '5', '--data-dir', dir]);
    expect(months.code, months.stderr).toBe(0);
    const tail = await ecomdb(['audit', 'tail', '--data-dir', dir, '--json']);
    expect(tail.code, tail.stderr).toBe(0);

    const pg = await PGlite.create(join(dir, 'pgdata'));
    try {
      await pg.exec(`SET search_path = pg_catalog`);
      expect((await pg.query(`SELECT fn FROM evil.calls`)).rows).toEqual([]);
      const trail = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'audit.trail'::regclass`);
      expect(trail.rows[0]!.n).toBe(6);
    } finally {
      await pg.close();
    }
  }, SLOW);
});

/**
 * PGlite cannot be trapped through `evil` like a server: it starts every session with
 * `-c search_path=public` on its command line, which wins over ALTER DATABASE, ALTER ROLE and
 * ALTER SYSTEM (checked below). What an embedded database's owner can do is put look-alikes in
 * `public`, the path PGlite does give a session: pg_catalog is searched first only among
 * functions of identical argument types, so an overload with a closer match (quote_ident(name),
 * `name || text`, col_description(oid, smallint) ...) captures calls, or makes them ambiguous.
 * Without ecomdb's fixed search_path, verify calls these thousands of times and partition and
 * seed fail on the ambiguity (measured by skipping the SET in src/db/pglite.ts).
 */
const PUBLIC_OVERLOADS: readonly [string, string, string][] = [
  ['quote_ident(t name)', 'text', 'pg_catalog.quote_ident(t::text)'],
  ['quote_literal(t name)', 'text', 'pg_catalog.quote_literal(t::text)'],
  ['lower(t name)', 'text', 'pg_catalog.lower(t::text)'],
  ['upper(t name)', 'text', 'pg_catalog.upper(t::text)'],
  ['length(t name)', 'integer', 'pg_catalog.length(t::text)'],
  ['lower(t character varying)', 'text', 'pg_catalog.lower(t::text)'],
  ['format(f text, a name)', 'text', 'pg_catalog.format(f, a::text)'],
  ['format(f text, a name, b name)', 'text', 'pg_catalog.format(f, a::text, b::text)'],
  ['string_to_array(t name, d text)', 'text[]', 'pg_catalog.string_to_array(t::text, d)'],
  ['replace(t name, a text, b text)', 'text', 'pg_catalog.replace(t::text, a, b)'],
  ['substr(t name, n integer)', 'text', 'pg_catalog.substr(t::text, n)'],
  ['obj_description(o regclass, c name)', 'text', 'pg_catalog.obj_description(o::oid, c)'],
  ['col_description(o regclass, n smallint)', 'text', 'pg_catalog.col_description(o::oid, n)'],
  ['format_type(o oid, m smallint)', 'text', 'pg_catalog.format_type(o, m)'],
  ['pg_get_expr(e pg_node_tree, o regclass)', 'text', 'pg_catalog.pg_get_expr(e, o::oid)'],
];

function publicOverloadsSql(): string {
  const fns = PUBLIC_OVERLOADS.map(
    ([sig, ret, body]) =>
      `CREATE FUNCTION public.${sig} RETURNS ${ret} LANGUAGE plpgsql AS $f$ BEGIN INSERT INTO public.calls VALUES ('${sig}'); RETURN ${body}; END $f$;`,
  );
  const op = (name: string, left: string, right: string, body: string) =>
    `CREATE FUNCTION public.${name}(a ${left}, b ${right}) RETURNS text LANGUAGE plpgsql AS $f$ BEGIN INSERT INTO public.calls VALUES ('||(${left},${right})'); RETURN ${body}; END $f$;
CREATE OPERATOR public.|| (LEFTARG = ${left}, RIGHTARG = ${right}, FUNCTION = public.${name});`;
  return [
    'CREATE TABLE public.calls (fn text);',
    ...fns,
    op('name_cat', 'name', 'text', 'pg_catalog.textcat(a::text, b)'),
    op('cat_name', 'text', 'name', 'pg_catalog.textcat(a, b::text)'),
  ].join('\n');
}

describe('the embedded database (PGlite) with look-alikes on the search_path PGlite gives every session', () => {
  const SLOW = 600_000;
  let dir: string;
  const calls = async () => {
    const pg = await PGlite.create(join(dir, 'pgdata'));
    try {
      return (await pg.query<{ fn: string; n: number }>(`SELECT fn, count(*)::int AS n FROM public.calls GROUP BY 1 ORDER BY 1`)).rows;
    } finally {
      await pg.close();
    }
  };

  beforeAll(async () => {
    dir = tempDir('ecomdb-public-');
    const migrate = await ecomdb(['migrate', '--data-dir', dir]);
    expect(migrate.code, migrate.stderr).toBe(0);
    let pg = await PGlite.create(join(dir, 'pgdata'));
    try {
      await pg.exec(publicOverloadsSql());
      // What PGlite does with the settings a server would apply at connection: nothing.
      await pg.exec(`CREATE SCHEMA evil`);
      await pg.exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = evil, pg_catalog', current_database()); END $$`);
      await pg.exec(`ALTER ROLE CURRENT_USER SET search_path = evil, pg_catalog`);
    } finally {
      await pg.close();
    }
    pg = await PGlite.create(join(dir, 'pgdata'));
    try {
      expect((await pg.query(`SHOW search_path`)).rows).toEqual([{ search_path: 'public' }]);
      // The trap is real on that path: a catalog query as ecomdb writes them calls the look-alikes.
      await pg.query(`SELECT quote_ident(c.relname), n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LIMIT 1`);
      const trapped = (await pg.query<{ fn: string }>(`SELECT DISTINCT fn FROM public.calls`)).rows.map((r) => r.fn).sort();
      // (format(text, name) too: the ALTER DATABASE above passed it current_database().)
      expect(trapped).toEqual(expect.arrayContaining(['quote_ident(t name)', '||(name,text)', '||(text,name)']));
      await pg.exec(`TRUNCATE public.calls`);
    } finally {
      await pg.close();
    }
  }, SLOW);

  it('verify, partition apply and seed report the truth, succeed, and call none of them', async () => {
    const verify = await ecomdb(['verify', '--data-dir', dir, '--format', 'json']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const ran = new Map((JSON.parse(verify.stdout) as { rules: { id: string; offenders: number }[] }).rules.map((r) => [r.id, r.offenders]));
    for (const id of ['catalog/fk-index', 'catalog/primary-key', 'catalog/security-definer-search-path', 'security/row-security', 'security/grants']) expect(ran.get(id), id).toBe(0);
    expect(await calls()).toEqual([]);
    const apply = await ecomdb(['partition', 'apply', '--data-dir', dir]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(await calls()).toEqual([]);
    const seed = await ecomdb(['seed', '--data-dir', dir, '--scale', '0.1']);
    expect(seed.code, seed.stderr).toBe(0);
    expect(await calls()).toEqual([]);
    const pg = await PGlite.create(join(dir, 'pgdata'));
    try {
      await pg.exec(`SET search_path = pg_catalog`);
      const parts = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'order_processing.orders'::regclass`);
      expect(parts.rows[0]!.n).toBeGreaterThan(0);
      const orders = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM order_processing.orders`);
      expect(orders.rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await pg.close();
    }
  }, SLOW);
});

describe('verify: catalog/security-definer-search-path', () => {
  const fresh = databasesForBlock();
  let db: TestDatabase;
  beforeAll(async () => {
    db = await fresh('definer');
  });

  const rule = async () => {
    const run = await ecomdb(['verify', '--url', db.url, '--only', 'catalog/security-definer-search-path', '--format', 'json']);
    const report = JSON.parse(run.stdout) as { rules: { id: string; offenders: number; findings: { object: string; message: string }[] }[] };
    return { code: run.code, result: report.rules.find((r) => r.id === 'catalog/security-definer-search-path')! };
  };

  it('is clean on ecomdb\'s own functions (the audit trigger is SECURITY DEFINER with a fixed path)', async () => {
    const [{ n }] = (await db.sql.unsafe(`SELECT count(*)::int AS n FROM pg_proc WHERE prosecdef AND pronamespace = 'audit'::regnamespace`)) as unknown as [{ n: number }];
    expect(n).toBe(1);
    const { code, result } = await rule();
    expect(code).toBe(0);
    expect(result.offenders).toBe(0);
  });

  it('every function the migrations create sets its own search_path', async () => {
    const schemas = [...COMPONENTS.map((c) => c.schema.schemaName), 'audit'];
    const loose = await db.sql.unsafe(
      `SELECT p.oid::regprocedure::text AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = ANY($1) AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')`,
      [schemas],
    );
    expect(loose).toEqual([]);
    const [{ n }] = (await db.sql.unsafe(`SELECT count(*)::int AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1)`, [schemas])) as unknown as [{ n: number }];
    expect(n).toBeGreaterThanOrEqual(2);
  });

  it('names a SECURITY DEFINER function without a search_path, or with one that ends before pg_temp', async () => {
    await db.sql.unsafe(`CREATE FUNCTION user_management.open_door(n integer) RETURNS integer LANGUAGE sql SECURITY DEFINER AS $$ SELECT n $$;
      CREATE FUNCTION marketing.half_shut() RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$ SELECT 1 $$;
      CREATE FUNCTION marketing.public_path() RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$ SELECT 1 $$;
      CREATE FUNCTION marketing.fine() RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, marketing, pg_temp AS $$ SELECT 1 $$;`);
    const { code, result } = await rule();
    expect(code).toBe(8);
    expect(result.findings.map((f) => f.object).sort()).toEqual(['marketing.half_shut()', 'marketing.public_path()', 'user_management.open_door(n integer)']);
    expect(result.findings.find((f) => f.object.startsWith('user_management'))!.message).toContain('no search_path');
  });
});

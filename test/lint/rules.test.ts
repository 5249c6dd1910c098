/**
 * The rules of ecomdb lint on their fixtures: every unsafe migration in fixtures/ is flagged by
 * exactly the rule its name says, and its safe twin is clean. Then what "existing" means, the
 * disable comments, lines and syntax errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULES, lintSources, declaredPartitioned, type Finding } from '../../src/lint/index.ts';
import { transactionControl } from '../../src/migrations/transaction-control.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (name: string) => ({ name, text: readFileSync(`${FIXTURES}${name}`, 'utf8') });
const pairs = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.unsafe.sql'))
  .map((f) => f.replace(/\.unsafe\.sql$/, ''))
  .sort();

const live = (findings: readonly Finding[]) => findings.filter((f) => f.suppressed === null);
const rulesOf = (findings: readonly Finding[]) => [...new Set(live(findings).map((f) => f.rule))];
const lint = (...texts: string[]) => lintSources(texts.map((text, i) => ({ name: `m${i}.sql`, text })));

describe('fixtures', () => {
  it('at least 15 unsafe migrations, each with a safe twin, each rule with a known id', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(15);
    const ids = RULES.map((r) => r.id as string);
    for (const rule of pairs) {
      expect(ids).toContain(rule);
      expect(readdirSync(FIXTURES)).toContain(`${rule}.safe.sql`);
    }
  });

  for (const rule of pairs) {
    it(`${rule}: the unsafe migration is flagged by exactly that rule, its safe twin is clean`, async () => {
      const unsafe = await lintSources([fixture(`${rule}.unsafe.sql`)]);
      expect(rulesOf(unsafe)).toEqual([rule]);
      for (const f of live(unsafe)) {
        expect(f.line).toBeGreaterThan(0);
        expect(f.rewrite.length).toBeGreaterThan(10);
        expect(f.severity).toBe(RULES.find((r) => r.id === rule)!.severity);
      }
      const safe = await lintSources([fixture(`${rule}.safe.sql`)]);
      expect(live(safe)).toEqual([]);
    });
  }
});

describe('documentation', () => {
  it("the README's lint section lists every rule with its severity", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### `ecomdb lint`'), readme.indexOf('### `ecomdb docs`'));
    const rows = new Map<string, string>();
    for (const [, ids, severity] of section.matchAll(/^\| (`[a-z-]+`(?:, `[a-z-]+`)*) \| (error|warning) \|/gm)) {
      for (const [, id] of ids!.matchAll(/`([a-z-]+)`/g)) rows.set(id!, severity!);
    }
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(RULES.map((r) => [r.id, r.severity])));
  });
});

describe('existing tables', () => {
  it('a table created in the same file or an earlier linted file is new: indexes and constraints on it are fine', async () => {
    const create = "CREATE TABLE shop.coupons (id bigint PRIMARY KEY, code text);";
    const index = "CREATE INDEX coupons_code_idx ON shop.coupons (code);--> statement-breakpoint\nALTER TABLE shop.coupons ALTER COLUMN code SET NOT NULL;";
    expect(live(await lint(`${create}\n--> statement-breakpoint\n${index}`))).toEqual([]);
    expect(live(await lint(create, index))).toEqual([]);
    // Alone, the second file works on a table it did not create.
    expect(rulesOf(await lint(index)).sort()).toEqual(['create-index-concurrently', 'lock-timeout', 'set-not-null']);
  });

  it('a new table referencing itself, or a table the files created, needs no lock_timeout; referencing an existing one does', async () => {
    const own = 'CREATE TABLE shop.cats (id int PRIMARY KEY, parent_id int REFERENCES shop.cats (id));';
    expect(live(await lint(own))).toEqual([]);
    expect(rulesOf(await lint('CREATE TABLE shop.notes (id int PRIMARY KEY, account_id int REFERENCES shop.accounts (id));'))).toEqual(['lock-timeout']);
  });

  it('a table renamed from a new one stays new; an index created earlier may be dropped without CONCURRENTLY', async () => {
    const text = [
      "CREATE TABLE shop.t (id int);",
      'ALTER TABLE shop.t RENAME TO u;',
      'CREATE INDEX u_id_idx ON shop.u (id);',
      'DROP INDEX shop.u_id_idx;',
      'ALTER TABLE shop.u DROP COLUMN id;',
      'DROP TABLE shop.u;',
    ].join('\n--> statement-breakpoint\n');
    expect(live(await lint(text))).toEqual([]);
  });

  it('DROP SCHEMA of a schema the files did not create drops tables; inline REFERENCES and CHECK on a new column are checked on every row', async () => {
    const lt = "SET lock_timeout = '1s';\n";
    expect(rulesOf(await lint(`${lt}DROP SCHEMA shop CASCADE;`))).toEqual(['drop-table']);
    expect(live(await lint(`${lt}CREATE SCHEMA scratch;\nCREATE TABLE scratch.t (a int);\nDROP SCHEMA scratch CASCADE;`))).toEqual([]);
    expect(rulesOf(await lint(`${lt}ALTER TABLE shop.orders ADD COLUMN coupon_id int REFERENCES shop.coupons (id);`))).toEqual(['constraint-not-valid']);
    expect(rulesOf(await lint(`${lt}ALTER TABLE shop.orders ADD COLUMN weight int CHECK (weight > 0);`))).toEqual(['constraint-not-valid']);
    expect(live(await lint(`${lt}ALTER TABLE shop.orders ADD COLUMN weight int;`))).toEqual([]);
  });

  it('a type change is clean when the old type is known and nothing is rewritten; history teaches types, not new tables', async () => {
    const history = [{ name: 'old.sql', text: 'CREATE TABLE shop.p (code varchar(10), price numeric(10,2), n int);\n--> statement-breakpoint\nALTER TABLE shop.p RENAME COLUMN code TO sku;' }];
    const alter = (sql: string) => lintSources([{ name: 'new.sql', text: `SET lock_timeout = '1s';\n${sql}` }], undefined, history);
    expect(live(await alter('ALTER TABLE shop.p ALTER COLUMN sku TYPE varchar(40), ALTER COLUMN price TYPE numeric(16,2);'))).toEqual([]);
    const [changed] = live(await alter('ALTER TABLE shop.p ALTER COLUMN n TYPE bigint;'));
    expect(changed).toMatchObject({ rule: 'alter-column-type', message: expect.stringContaining('(from int4)') });
    expect(rulesOf(await alter('ALTER TABLE shop.p ALTER COLUMN sku TYPE text USING upper(sku);'))).toEqual(['alter-column-type']);
    expect(rulesOf(await alter('ALTER TABLE shop.p ALTER COLUMN code TYPE text;'))).toEqual(['alter-column-type']);
    // Without the history the old type is unknown: flagged.
    expect(rulesOf(await lint("SET lock_timeout = '1s';\nALTER TABLE shop.p ALTER COLUMN sku TYPE varchar(40);"))).toEqual(['alter-column-type']);
    // The history's tables are existing, not new.
    expect(rulesOf(await alter('CREATE INDEX p_sku ON shop.p (sku);'))).toEqual(['create-index-concurrently']);
  });

  it('the partitioned tables are the declared layout by default, or the ones given', async () => {
    expect(declaredPartitioned().has('order_processing.orders')).toBe(true);
    expect(declaredPartitioned().has('user_management.roles')).toBe(false);
    // A site partition of a monthly table is partitioned by month in turn.
    expect(declaredPartitioned().has('order_processing.orders_mlb')).toBe(true);
    expect(declaredPartitioned().has('order_processing.orders_default')).toBe(true);
    expect(declaredPartitioned().has('user_management.users_mlb')).toBe(false);
    const text = "SET lock_timeout = '1s';\nCREATE INDEX x ON shop.things (a);";
    expect(rulesOf(await lintSources([{ name: 'a.sql', text }]))).toEqual(['create-index-concurrently']);
    expect(rulesOf(await lintSources([{ name: 'a.sql', text }], { partitioned: new Set(['shop.things']) }))).toEqual(['partitioned-index']);
  });

  it('a foreign key on a partitioned parent is flagged even NOT VALID (refused before PostgreSQL 18); on a partition it is fine', async () => {
    const fk = (table: string, notValid: string) => `SET lock_timeout = '1s';\nALTER TABLE ONLY ${table} ADD CONSTRAINT x_fk FOREIGN KEY (region, store_id) REFERENCES seller_management.stores (region, id)${notValid};`;
    const [finding] = live(await lint(fk('product_catalog.products', ' NOT VALID').replace('ONLY ', '')));
    expect(finding).toMatchObject({ rule: 'constraint-not-valid', message: expect.stringContaining('refuses before 18') });
    expect(rulesOf(await lint(fk('product_catalog.products', '').replace('ONLY ', '')))).toEqual(['constraint-not-valid', 'partitioned-parent-lock']);
    expect(live(await lint(fk('product_catalog.products_mlb', ' NOT VALID')))).toEqual([]);
  });

  it('a SET NOT NULL proven by a CHECK validated in an earlier file is fine', async () => {
    const add = "SET lock_timeout = '1s';\nALTER TABLE shop.a ADD CONSTRAINT a_b_nn CHECK (b IS NOT NULL) NOT VALID;";
    const validate = "SET lock_timeout = '1s';\nALTER TABLE shop.a VALIDATE CONSTRAINT a_b_nn;";
    const set = "SET lock_timeout = '1s';\nALTER TABLE shop.a ALTER COLUMN b SET NOT NULL;";
    expect(live(await lint(add, validate, set))).toEqual([]);
    expect(rulesOf(await lint(add, set))).toEqual(['set-not-null']);
  });

  it('lock_timeout set to 0, or reset, does not count; set_config does', async () => {
    const alter = 'ALTER TABLE shop.a ADD COLUMN c text;';
    expect(rulesOf(await lint(`SET lock_timeout = 0;\n${alter}`))).toEqual(['lock-timeout']);
    expect(rulesOf(await lint(`SET lock_timeout = '2s';\nRESET lock_timeout;\n${alter}`))).toEqual(['lock-timeout']);
    expect(rulesOf(await lint(`SET LOCAL lock_timeout = '2s';\n${alter}`))).toEqual([]);
    expect(rulesOf(await lint(`SELECT set_config('lock_timeout', '3s', true);\n${alter}`))).toEqual([]);
  });

  it('transaction control and CONCURRENTLY are fine in a no-transaction file', async () => {
    const text = ['-- ecomdb:no-transaction\nBEGIN;', 'SELECT 1;', 'COMMIT;', 'CREATE TABLE shop.n (a int);', 'CREATE INDEX CONCURRENTLY n_a ON shop.n (a);'].join('\n--> statement-breakpoint\n');
    expect(live(await lint(text))).toEqual([]);
    expect(rulesOf(await lint(text.replace('-- ecomdb:no-transaction\n', ''))).sort()).toEqual(['needs-no-transaction', 'transaction-control']);
  });

  it("agrees with ecomdb migrate's own refusal of transaction control", async () => {
    const samples = [
      'BEGIN;', 'START TRANSACTION;', 'COMMIT;', 'END;', 'ROLLBACK;', 'ABORT;', 'SAVEPOINT s;', 'RELEASE SAVEPOINT s;',
      "PREPARE TRANSACTION 'x';", "COMMIT PREPARED 'x';", 'PREPARE q AS SELECT 1;', 'SELECT 1;',
      "CREATE FUNCTION shop.g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;",
      "DO $$ BEGIN COMMIT; END $$;", "SELECT 'COMMIT';", '/* BEGIN; */ SELECT 1;',
    ];
    for (const sql of samples) {
      const flagged = rulesOf(await lint(sql)).includes('transaction-control');
      expect([sql, flagged]).toEqual([sql, transactionControl(sql) !== null]);
    }
  });

  it('in a no-transaction file, CONCURRENTLY must be alone in its piece: a piece is one query, one implicit transaction', async () => {
    const joined = "-- ecomdb:no-transaction\nSET lock_timeout = '1s'; CREATE INDEX CONCURRENTLY i ON shop.a (b);";
    const [finding] = live(await lint(joined));
    expect(finding).toMatchObject({ rule: 'needs-no-transaction', line: 2, message: expect.stringContaining('statement-breakpoint') });
    expect(live(await lint(joined.replace('; CREATE', ';\n--> statement-breakpoint\nCREATE')))).toEqual([]);
  });

  it('words in comments, strings and function bodies are not statements', async () => {
    const text = [
      "-- DROP TABLE shop.accounts; CREATE INDEX i ON shop.accounts (a);",
      "COMMENT ON TABLE shop.n IS 'DROP TABLE shop.accounts; COMMIT;';",
      'CREATE FUNCTION shop.f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN COMMIT; DROP TABLE shop.accounts; END $$;',
    ].join('\n');
    expect(live(await lint(text))).toEqual([]);
  });
});

describe('disable comments', () => {
  const unsafe = "SET lock_timeout = '1s';\nCREATE INDEX i ON shop.accounts (email);\nALTER TABLE shop.accounts DROP COLUMN old;";

  it('a file-level disable with a reason silences the rule in that file only, and is kept in the report', async () => {
    const disabled = `-- ecomdb-lint-disable create-index-concurrently, drop-column: the table holds 12 rows\n${unsafe}`;
    const [first, second] = [await lint(disabled), await lint(unsafe)];
    expect(rulesOf(first)).toEqual([]);
    expect(first.filter((f) => f.suppressed === 'the table holds 12 rows').map((f) => f.rule).sort()).toEqual(['create-index-concurrently', 'drop-column']);
    expect(rulesOf(second).sort()).toEqual(['create-index-concurrently', 'drop-column']);
  });

  it('a disable without a reason, or naming an unknown rule, is itself a finding and silences nothing', async () => {
    for (const comment of ['-- ecomdb-lint-disable create-index-concurrently', '-- ecomdb-lint-disable create-index-concurrently:   ', '-- ecomdb-lint-disable no-such-rule: because', '-- ecomdb-lint-disable: because']) {
      const findings = await lint(`${comment}\n${unsafe}`);
      expect(rulesOf(findings).sort()).toEqual(['create-index-concurrently', 'drop-column', 'lint-disable']);
      expect(live(findings).find((f) => f.rule === 'lint-disable')!.line).toBe(1);
    }
  });

  it('a next-statement disable silences only the statement after it', async () => {
    const text = "SET lock_timeout = '1s';\n-- ecomdb-lint-disable-next-statement drop-column: nothing reads it since 3.0\nALTER TABLE shop.a DROP COLUMN x;\nALTER TABLE shop.a DROP COLUMN y;";
    const findings = await lint(text);
    expect(live(findings).map((f) => [f.rule, f.line])).toEqual([['drop-column', 4]]);
    expect(findings.filter((f) => f.suppressed).map((f) => f.line)).toEqual([3]);
  });
});

describe('lines and syntax', () => {
  it('lines count from the file, across breakpoints and multi-byte comments', async () => {
    const text = "-- Criação dos índices: ñandú, ação, 価格\nSET lock_timeout = '1s';\n--> statement-breakpoint\nCOMMENT ON TABLE shop.a IS 'preço médio — ação';\n--> statement-breakpoint\n\n\nCREATE INDEX i ON shop.a (b);";
    const [finding] = live(await lint(text));
    expect(finding).toMatchObject({ rule: 'create-index-concurrently', line: 8, file: 'm0.sql', statement: 'CREATE INDEX i ON shop.a (b)' });
  });

  it("SQL PostgreSQL's parser refuses is a syntax finding at its line; the other pieces are still checked", async () => {
    const text = "SET lock_timeout = '1s';\n--> statement-breakpoint\nALTER TABLE shop.a\n  ADD COLUMN;\n--> statement-breakpoint\nDROP TABLE shop.b;";
    const findings = live(await lint(text));
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['syntax', 4],
      ['drop-table', 6],
    ]);
    expect(findings[0]!.message).toMatch(/syntax error/);
  });
});

/**
 * `ecomdb user erase` on a seeded marketplace — PostgreSQL, PostgreSQL partitioned, PGlite:
 * afterwards no text, varchar or json column of any table holds any of the user's former
 * personal values (found by a catalog search of its own, independent of the erasure's), every
 * order and payment of the user is unchanged and the data rules hold; an append-only log whose
 * triggers refuse UPDATE (as an audit trail's do) is scrubbed too; erasing again changes
 * nothing; an unknown id and a staff account are refused with nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/types.ts';
import { DATA_RULES } from '../../src/verify/data-rules.ts';
import { runRules } from '../../src/verify/run.ts';
import { checksums } from '../helpers/checksums.ts';
import { ecomdb, errorCode, jsonError, tempDir } from '../helpers/cli.ts';
import { createMigratedDatabase, withPostgres, type TestDatabase } from '../helpers/db.ts';

const SEED_ARGS = ['seed', '--until', '2026-11-01', '--seed', '3', '--regions', 'MLA,MLB', '--scale', '0.5'];

/** The personal values given to the chosen buyer before the erasure: distinctive, so a find is theirs. */
const PERSON = {
  name: 'Zuleika Tremendo-Quispe',
  email: 'zuleika.tq7@example.com',
  phone: '+5491199887766',
  birthDate: '1937-02-11',
  document: 'DNI 30111222',
  street: 'Pasaje Inexistente 4321',
} as const;
const OWN_MESSAGE = (k: number) => `Mensaje ${k} de Zuleika: mi documento es ${PERSON.document}, vivo en ${PERSON.street}`;
const REVIEW = 'Reseña escrita por Zuleika: llegó tarde a Pasaje Inexistente';
const QUESTION = '¿Lo envían a Pasaje Inexistente 4321? Pregunta de Zuleika';
const SEARCH = 'regalo para zuleika tremendo';

/**
 * An append-only log of user rows as jsonb, partitioned, whose triggers refuse UPDATE and DELETE
 * to everyone, fed by a trigger on users: the shape of an audit trail.
 */
const ROW_LOG = `
CREATE SCHEMA erase_probe;
CREATE TABLE erase_probe.row_log (at timestamptz NOT NULL DEFAULT now(), who text NOT NULL, old_row jsonb, new_row jsonb) PARTITION BY RANGE (at);
CREATE TABLE erase_probe.row_log_all PARTITION OF erase_probe.row_log FOR VALUES FROM ('2000-01-01') TO ('2100-01-01');
CREATE FUNCTION erase_probe.refuse() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN RAISE EXCEPTION 'erase_probe.row_log is append-only'; END $$;
CREATE TRIGGER row_log_append_only BEFORE UPDATE OR DELETE ON erase_probe.row_log FOR EACH ROW EXECUTE FUNCTION erase_probe.refuse();
CREATE FUNCTION erase_probe.log_user() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN INSERT INTO erase_probe.row_log (who, old_row, new_row) VALUES (current_user, to_jsonb(OLD), to_jsonb(NEW)); RETURN NULL; END $$;
CREATE TRIGGER users_row_log AFTER UPDATE ON user_management.users FOR EACH ROW EXECUTE FUNCTION erase_probe.log_user();`;

interface Chosen {
  region: string;
  id: number;
}

/** A buyer with paid orders, a conversation where both sides wrote, a review; given distinctive values. */
async function prepare(db: Database): Promise<{ who: Chosen; staff: Chosen; before: unknown }> {
  return db.session(async (s) => {
    const [who] = await s.query<Chosen>(`
      SELECT u.region, u.id::int AS id FROM user_management.users u JOIN user_management.roles r ON r.id = u.role_id
       WHERE r.name = 'user'
         AND EXISTS (SELECT 1 FROM order_processing.orders o JOIN payments.payments p ON p.region = o.region AND p.order_id = o.id AND p.order_created_at = o.created_at
                      WHERE o.region = u.region AND o.buyer_id = u.id)
         AND EXISTS (SELECT 1 FROM reviews_questions.reviews v WHERE v.region = u.region AND v.buyer_id = u.id AND v.comment IS NOT NULL)
         AND EXISTS (SELECT 1 FROM messaging.conversations c JOIN messaging.messages m ON m.region = c.region AND m.conversation_id = c.id
                      WHERE c.region = u.region AND c.buyer_id = u.id AND m.sender_id <> u.id)
         AND EXISTS (SELECT 1 FROM messaging.messages m WHERE m.region = u.region AND m.sender_id = u.id)
       ORDER BY u.id LIMIT 1`);
    expect(who, 'the seed has a buyer with payments, a review and a two-sided conversation').toBeDefined();
    const [staff] = await s.query<Chosen>(`
      SELECT u.region, u.id::int AS id FROM user_management.users u JOIN user_management.roles r ON r.id = u.role_id
       WHERE r.name = 'user' AND u.id <> $1
         AND NOT EXISTS (SELECT 1 FROM order_processing.orders o WHERE o.region = u.region AND o.buyer_id = u.id)
       ORDER BY u.id DESC LIMIT 1`, [who!.id]);
    await s.exec(`UPDATE user_management.users SET role_id = (SELECT id FROM user_management.roles WHERE name = 'administrator') WHERE id = ${staff!.id}`);

    await s.exec(ROW_LOG);
    const key = [who!.region, who!.id];
    // A row logged before the erasure (its triggers then log the erasure's own update too).
    await s.query(`UPDATE user_management.users SET name = $3, email = $4, phone = $5, birth_date = $6::date WHERE region = $1 AND id = $2`, [...key, PERSON.name, PERSON.email, PERSON.phone, PERSON.birthDate]);
    await s.query(`UPDATE user_management.addresses SET street_line = $3 WHERE region = $1 AND user_id = $2`, [...key, PERSON.street]);
    await s.query(
      `UPDATE messaging.messages m SET body = 'Mensaje ' || m.id || ' de Zuleika: mi documento es ${PERSON.document}, vivo en ${PERSON.street}'
        WHERE m.region = $1 AND m.sender_id = $2`,
      key,
    );
    // The other side mentions the buyer: the sweep must find it.
    await s.query(
      // In the site's language: the data rules judge the language of every message.
      `UPDATE messaging.messages m SET body = CASE WHEN c.region = 'MLB' THEN 'Oi ' || $3 || ', vou ligar no ' ELSE 'Hola ' || $3 || ', te llamo al ' END || $4
         FROM messaging.conversations c
        WHERE c.region = m.region AND c.id = m.conversation_id AND c.region = $1 AND c.buyer_id = $2 AND m.sender_id <> $2`,
      [...key, PERSON.name, PERSON.phone],
    );
    await s.query(`UPDATE reviews_questions.reviews SET comment = $3 WHERE region = $1 AND buyer_id = $2 AND comment IS NOT NULL`, [...key, REVIEW]);
    await s.query(
      `INSERT INTO reviews_questions.questions (region, product_id, asker_id, body)
       SELECT $1, p.id, $2, $3 FROM product_catalog.products p WHERE p.region = $1 ORDER BY p.id LIMIT 1`,
      [...key, QUESTION],
    );
    await s.query(`INSERT INTO recommendations.user_search_history (region, user_id, query_text) VALUES ($1, $2, $3)`, [...key, SEARCH]);
    return { who: who!, staff: staff!, before: await ordersOf(s, who!) };
  });
}

/** Every order of the user with its amounts, status and payments: what must not change. */
async function ordersOf(s: Parameters<Parameters<Database['session']>[0]>[0], who: Chosen): Promise<unknown[]> {
  const rows = await s.query<{ orders: unknown[] | null }>(
    `SELECT json_agg(json_build_object('id', o.id, 'status', o.status_id, 'total', o.total::text, 'discount', o.discount_total::text,
              'address', o.shipping_address_id, 'payments',
              (SELECT json_agg(json_build_array(p.id, p.amount::text, p.status_id, p.method_id, p.transaction_ref) ORDER BY p.id)
                 FROM payments.payments p WHERE p.region = o.region AND p.order_id = o.id AND p.order_created_at = o.created_at))
            ORDER BY o.id) AS orders
       FROM order_processing.orders o WHERE o.region = $1 AND o.buyer_id = $2`,
    [who.region, who.id],
  );
  return rows[0]!.orders ?? [];
}

/** The former personal values, and the user's own texts. */
async function formerValues(db: Database, who: Chosen): Promise<string[]> {
  const messages = await db.session((s) => s.query<{ body: string }>(`SELECT body FROM messaging.messages WHERE region = $1 AND sender_id = $2`, [who.region, who.id]));
  expect(messages.length).toBeGreaterThan(0);
  expect(messages[0]!.body).toContain(OWN_MESSAGE(0).slice(-40));
  return [PERSON.name, PERSON.email, PERSON.phone, PERSON.document, PERSON.street, REVIEW, QUESTION, SEARCH, ...messages.map((m) => m.body)];
}

/** Every text-like column of every table and partition, searched (case-insensitively) for each value. */
async function findEverywhere(db: Database, values: readonly string[]): Promise<string[]> {
  return db.session(async (s) => {
    const columns = await s.query<{ rel: string; col: string }>(
      `SELECT format('%I.%I', table_schema, table_name) AS rel, quote_ident(column_name) AS col
         FROM information_schema.columns
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
          AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED')
        ORDER BY 1, 2`,
    );
    expect(columns.length).toBeGreaterThan(40);
    const found: string[] = [];
    for (const { rel, col } of columns) {
      const [row] = await s.query<{ hits: string[] | null }>(
        `SELECT array_agg(DISTINCT v) AS hits FROM ${rel} t, unnest($1::text[]) AS v WHERE strpos(lower(t.${col}::text), lower(v)) > 0`,
        [values],
      );
      for (const v of row!.hits ?? []) found.push(`${rel}.${col}: ${v}`);
    }
    return found;
  });
}

const TARGETS = ['server', 'partitioned', 'pglite'] as const;

describe.each(TARGETS)('ecomdb user erase on %s', (kind) => {
  let test: TestDatabase | undefined;
  let args: string[];
  let cwd: string | undefined;
  let open: () => Promise<Database>;
  let chosen: Awaited<ReturnType<typeof prepare>>;
  let former: string[];

  beforeAll(async () => {
    if (kind === 'pglite') {
      cwd = tempDir();
      expect((await ecomdb(['migrate'], { cwd })).code).toBe(0);
      args = [];
      const { openPglite } = await import('../../src/db/pglite.ts');
      open = () => openPglite(`${cwd}/.ecomdb`);
    } else {
      test = await createMigratedDatabase(`erase_${kind}`);
      args = ['--url', test.url];
      if (kind === 'partitioned') expect((await ecomdb(['partition', 'apply', ...args])).code).toBe(0);
      const { openPostgres } = await import('../../src/db/postgres.ts');
      open = () => openPostgres(test!.url);
    }
    const seeded = await ecomdb([...SEED_ARGS, ...args], { cwd });
    expect(seeded.code, seeded.stderr).toBe(0);
    const db = await open();
    try {
      chosen = await prepare(db);
      former = await formerValues(db, chosen.who);
      // The search can fail: before the erasure it finds every value.
      const before = await findEverywhere(db, former);
      for (const v of former) expect(before.some((f) => f.endsWith(`: ${v}`)), v).toBe(true);
    } finally {
      await db.close();
    }
  });

  afterAll(async () => {
    await test?.drop();
  });

  const run = (...more: string[]) => ecomdb(['user', 'erase', ...more, ...args, '--json'], { cwd });

  it('refuses an unknown id and a staff account (exit 18), changing nothing', async () => {
    const db = await open();
    const before = await db.session(checksums).finally(() => db.close());
    const unknown = await run('987654321');
    expect(unknown.code).toBe(18);
    expect(errorCode(unknown)).toBe('E_ERASE_NOT_FOUND');
    const staff = await run(String(chosen.staff.id));
    expect(staff.code).toBe(18);
    expect(jsonError(staff).code).toBe('E_ERASE_STAFF');
    const wrongSite = await run(String(chosen.who.id), '--region', chosen.who.region === 'MLA' ? 'MLB' : 'MLA');
    expect(errorCode(wrongSite)).toBe('E_ERASE_NOT_FOUND');
    const db2 = await open();
    expect(await db2.session(checksums).finally(() => db2.close())).toEqual(before);
  });

  it('fails, changing nothing, when a rule turns its UPDATE into nothing (the values would stay)', async () => {
    const db = await open();
    await db.session((s) => s.exec(`
      CREATE TABLE erase_probe.notes (note text NOT NULL);
      INSERT INTO erase_probe.notes VALUES ('llamar a ${PERSON.name} al ${PERSON.phone}');
      CREATE RULE notes_keep AS ON UPDATE TO erase_probe.notes DO INSTEAD NOTHING;`)).finally(() => db.close());
    try {
      const db2 = await open();
      const before = await db2.session(checksums).finally(() => db2.close());
      const failed = await run(String(chosen.who.id));
      expect(failed.code).toBe(18);
      expect(jsonError(failed).code).toBe('E_ERASE_FAILED');
      expect(failed.stderr).toContain('erase_probe.notes');
      const db3 = await open();
      expect(await db3.session(checksums).finally(() => db3.close())).toEqual(before);
    } finally {
      // Without the rule, the erasure below must scrub this table too.
      const db4 = await open();
      await db4.session((s) => s.exec(`DROP RULE notes_keep ON erase_probe.notes`)).finally(() => db4.close());
    }
  });

  it('leaves none of the user\'s personal values in any text column, keeps every order and payment, and the data rules hold', async () => {
    const erased = await run(String(chosen.who.id));
    expect(erased.code, erased.stderr).toBe(0);
    const result = JSON.parse(erased.stdout) as { alreadyErased: boolean; bypassedTriggers: string[]; changes: { table: string; action: string; rows: number }[] };
    expect(result.alreadyErased).toBe(false);
    // The migrations' own audit trail is redacted through the path it opens for erasure; only the
    // stand-in log needed its guard switched off (the search below covers every text and jsonb
    // column, the trail's included).
    expect(result.bypassedTriggers).toEqual(['erase_probe.row_log']);
    expect(result.changes).toEqual(expect.arrayContaining([expect.objectContaining({ table: 'audit.trail', action: 'sweep' })]));
    expect(result.changes).toEqual(expect.arrayContaining([
      expect.objectContaining({ table: 'user_management.users', action: 'pseudonymize', rows: 1 }),
      expect.objectContaining({ table: 'recommendations.user_search_history', action: 'delete' }),
      expect.objectContaining({ table: 'messaging.messages', action: 'sweep' }),
      expect.objectContaining({ table: 'erase_probe.row_log', action: 'sweep' }),
    ]));

    const db = await open();
    try {
      expect(await findEverywhere(db, former)).toEqual([]);
      await db.session(async (s) => {
        expect(await ordersOf(s, chosen.who)).toEqual(chosen.before);
        const report = await runRules(s, DATA_RULES, []);
        expect(report.length).toBeGreaterThan(20);
        expect(report.filter((r) => r.offenders > 0)).toEqual([]);
        const [user] = await s.query<{ email: string; status: string; birth_date: string | null; phone: string | null }>(
          `SELECT email, status::text, birth_date::text, phone FROM user_management.users WHERE region = $1 AND id = $2`,
          [chosen.who.region, chosen.who.id],
        );
        expect(user).toEqual({ email: `erased-${chosen.who.id}@erased.invalid`, status: 'closed', birth_date: null, phone: null });
        // The log kept its rows (append-only), without the birth date next to the user's identity; its trigger is back on.
        const log = await s.query<{ n: number; dated: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE old_row::text LIKE '%${PERSON.birthDate}%')::int AS dated FROM erase_probe.row_log`);
        expect(log[0]!.n).toBeGreaterThanOrEqual(2);
        expect(log[0]!.dated).toBe(0);
        const refused = await s.exec(`UPDATE erase_probe.row_log SET who = 'x'`).then(() => null, (e: Error) => e.message);
        expect(refused).toContain('append-only');
      });
    } finally {
      await db.close();
    }
  });

  it('is idempotent: erasing again changes nothing', async () => {
    const db = await open();
    const before = await db.session(checksums).finally(() => db.close());
    const again = await run(String(chosen.who.id), '--region', chosen.who.region);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyErased: true, changes: [] });
    const db2 = await open();
    expect(await db2.session(checksums).finally(() => db2.close())).toEqual(before);
  });
});

/**
 * src/ident.ts is the one place names and strings become SQL text: what it quotes reaches
 * PostgreSQL as exactly the name or string it was given, and what it cannot quote safely is
 * refused with E_IDENTIFIER.
 */
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryPglite } from '../src/db/pglite.ts';
import { MAX_IDENTIFIER_BYTES, quoteIdent, quoteLiteral, quoteQualified } from '../src/ident.ts';

const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

const AWKWARD = ['plain', 'it\'s', 'say "hi"', 'back\\slash', '$$ dollar $$', 'línea ñ 日本', "'; DROP TABLE t; --", ' '];

describe('quoting (pure)', () => {
  it('doubles the quote character and nothing else', () => {
    expect(quoteIdent('orders')).toBe('"orders"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteQualified('order_processing', 'orders')).toBe('"order_processing"."orders"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('back\\slash')).toBe("'back\\slash'");
  });

  it('refuses names PostgreSQL would truncate or cannot hold, and NUL in a literal', () => {
    expect(quoteIdent('x'.repeat(MAX_IDENTIFIER_BYTES))).toHaveLength(MAX_IDENTIFIER_BYTES + 2);
    expect(codeOf(() => quoteIdent('x'.repeat(MAX_IDENTIFIER_BYTES + 1)))).toBe('E_IDENTIFIER');
    // 32 two-byte characters: 64 bytes, though only 32 characters.
    expect(codeOf(() => quoteIdent('ñ'.repeat(32)))).toBe('E_IDENTIFIER');
    expect(codeOf(() => quoteIdent(''))).toBe('E_IDENTIFIER');
    expect(codeOf(() => quoteIdent('a\0b'))).toBe('E_IDENTIFIER');
    expect(codeOf(() => quoteLiteral('a\0b'))).toBe('E_IDENTIFIER');
  });
});

describe('quoting on PostgreSQL (PGlite)', () => {
  let pg: PGlite;
  beforeAll(async () => {
    ({ pg } = await openMemoryPglite());
  });
  afterAll(async () => {
    await pg?.close();
  });

  it('a quoted literal reads back as the very string', async () => {
    for (const value of AWKWARD) {
      const { rows } = await pg.query<{ v: string }>(`SELECT ${quoteLiteral(value)} AS v`);
      expect(rows[0]!.v).toBe(value);
    }
  });

  it('a quoted name creates an object of the very name', async () => {
    for (const [i, name] of AWKWARD.entries()) {
      await pg.exec(`CREATE TABLE ${quoteIdent(name)} (${quoteIdent(`c${i} ${name}`)} int)`);
      const { rows } = await pg.query<{ t: string }>(`SELECT relname AS t FROM pg_class WHERE relname = $1`, [name]);
      expect(rows.map((r) => r.t)).toEqual([name]);
    }
  });
});

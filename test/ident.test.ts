/**
 * src/ident.ts is the one place names and strings become SQL text: what it quotes reaches
 * PostgreSQL as exactly the name or string it was given, and what it cannot quote safely is
 * refused with E_IDENTIFIER.
 */
import { describe, expect, it } from 'vitest';
import { MAX_IDENTIFIER_BYTES, quoteIdent, quoteLiteral, quoteQualified } from '../src/ident.ts';
import { pgliteForBlock } from './helpers/db.ts';

const refused = expect.objectContaining({ code: 'E_IDENTIFIER' });

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
    expect(() => quoteIdent('x'.repeat(MAX_IDENTIFIER_BYTES + 1))).toThrow(refused);
    // 32 two-byte characters: 64 bytes, though only 32 characters.
    expect(() => quoteIdent('ñ'.repeat(32))).toThrow(refused);
    expect(() => quoteIdent('')).toThrow(refused);
    expect(() => quoteIdent('a\0b')).toThrow(refused);
    expect(() => quoteLiteral('a\0b')).toThrow(refused);
  });
});

describe('quoting on PostgreSQL (PGlite)', () => {
  const pglite = pgliteForBlock({ migrated: false });

  it('a quoted literal reads back as the very string', async () => {
    for (const value of AWKWARD) {
      const { rows } = await pglite().query<{ v: string }>(`SELECT ${quoteLiteral(value)} AS v`);
      expect(rows[0]!.v).toBe(value);
    }
  });

  it('a quoted name creates an object of the very name', async () => {
    for (const [i, name] of AWKWARD.entries()) {
      await pglite().exec(`CREATE TABLE ${quoteIdent(name)} (${quoteIdent(`c${i} ${name}`)} int)`);
      const { rows } = await pglite().query<{ t: string }>(`SELECT relname AS t FROM pg_class WHERE relname = $1`, [name]);
      expect(rows.map((r) => r.t)).toEqual([name]);
    }
  });
});

/**
 * The one place identifiers and literals become SQL text. Every name that comes from
 * configuration or from the user goes through quoteIdent, which also enforces PostgreSQL's
 * 63-byte limit (longer names would be silently truncated by the server).
 */
import { EcomdbError } from './errors.ts';

export const MAX_IDENTIFIER_BYTES = 63;

/** `"name"`, with embedded quotes doubled. Throws E_IDENTIFIER for an empty or over-long name. */
export function quoteIdent(name: string): string {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0 || bytes > MAX_IDENTIFIER_BYTES || name.includes('\0')) {
    throw new EcomdbError('E_IDENTIFIER', `invalid identifier "${name}": it must be 1 to ${MAX_IDENTIFIER_BYTES} bytes`, {
      hint: 'use a shorter name',
      details: { identifier: name, bytes },
    });
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."name"`. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A standard-conforming string literal: `'it''s'`. */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new EcomdbError('E_IDENTIFIER', 'a string literal cannot contain a NUL byte');
  return `'${value.replaceAll("'", "''")}'`;
}

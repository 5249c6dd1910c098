/**
 * The value lists of schema/values.ts are the one home of the sites and of the reference ids:
 * site input is checked in one place with the caller's error code, reference ids are the ones
 * the migrations insert, and the site-currency CASE gives every site its currency.
 */
import type { PGlite } from '@electric-sql/pglite';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_DATA } from '../../schema/index.ts';
import { siteCurrencySql } from '../../schema/columns.ts';
import { assertSites, currencyOf, parseSite, parseSites, referenceId, referenceIds, ROLES, SITE_IDS, SITES } from '../../schema/values.ts';
import { quoteLiteral, quoteQualified } from '../../src/ident.ts';
import { migratedPglite } from '../helpers/db.ts';

const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('sites: one validator, the caller chooses the error code', () => {
  it('parseSite trims and upper-cases what a user types', () => {
    expect(parseSite(' mla ')).toBe('MLA');
    expect(parseSites(['mlb', 'MLA', 'mlb'])).toEqual(['MLB', 'MLA']);
  });

  it('refuses unknown, malformed and missing sites with the code it is given', () => {
    for (const bad of ['XXX', '', 'ML', 'MLA;DROP', "MLA'"]) {
      expect(codeOf(() => parseSite(bad)), bad).toBe('E_USAGE');
      expect(codeOf(() => parseSite(bad, 'E_PARTITION_REGION')), bad).toBe('E_PARTITION_REGION');
    }
    expect(codeOf(() => parseSites([]))).toBe('E_USAGE');
  });

  it('names every unknown site at once', () => {
    try {
      parseSites(['MLA', 'xx', 'yy']);
      expect.unreachable();
    } catch (error) {
      expect((error as { details: unknown }).details).toEqual({ unknown: ['XX', 'YY'] });
    }
  });

  it('assertSites takes declarations as written: no case folding', () => {
    expect(codeOf(() => assertSites(['MLA', 'MLB'], 'E_REPLICA_TOPOLOGY'))).toBeUndefined();
    expect(codeOf(() => assertSites(['mla'], 'E_REPLICA_TOPOLOGY'))).toBe('E_REPLICA_TOPOLOGY');
  });

  it('every site has a three-letter currency', () => {
    for (const id of SITE_IDS) expect(currencyOf(id)).toMatch(/^[A-Z]{3}$/);
  });
});

describe('values on a migrated database (PGlite)', () => {
  let pg: PGlite;
  beforeAll(async () => {
    ({ pg } = await migratedPglite());
  });
  afterAll(async () => {
    await pg?.close();
  });

  it('referenceIds are the ids the migrations insert, by name', async () => {
    for (const { table, values } of REFERENCE_DATA) {
      const config = getTableConfig(table);
      const { rows } = await pg.query<{ id: number; name: string }>(`SELECT id, name FROM ${quoteQualified(config.schema!, config.name)}`);
      const ids = referenceIds(values) as Record<string, number>;
      expect(Object.fromEntries(rows.map((r) => [r.name, r.id])), config.name).toEqual(ids);
    }
    expect(referenceId(ROLES, 'seller')).toBe(2);
  });

  it('siteCurrencySql gives each site its currency and an unknown site none', async () => {
    const cases = [...SITES.map((s) => [s.id, s.currency] as const), ['XXX', ''] as const];
    for (const [site, currency] of cases) {
      const { rows } = await pg.query<{ c: string }>(`SELECT ${siteCurrencySql(quoteLiteral(site))} AS c`);
      expect(rows[0]!.c, site).toBe(currency);
    }
  });
});

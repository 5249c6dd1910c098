/**
 * The value lists of schema/values.ts are the one home of the sites and of the reference ids:
 * site input is checked in one place with the caller's error code, reference ids are the ones
 * the migrations insert, and the site-currency CASE gives every site its currency.
 */
import { getTableConfig } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DATA } from '../../schema/index.ts';
import { siteCurrencySql } from '../../schema/columns.ts';
import { assertSites, currencyOf, parseSite, parseSites, referenceId, referenceIds, ROLES, SITE_IDS, SITES } from '../../schema/values.ts';
import { quoteLiteral, quoteQualified } from '../../src/ident.ts';
import { pgliteForBlock } from '../helpers/db.ts';

const failsWith = (code: string) => expect.objectContaining({ code });

describe('sites: one validator, the caller chooses the error code', () => {
  it('parseSite trims and upper-cases what a user types', () => {
    expect(parseSite(' mla ')).toBe('MLA');
    expect(parseSites(['mlb', 'MLA', 'mlb'])).toEqual(['MLB', 'MLA']);
  });

  it('refuses unknown, malformed and missing sites with the code it is given', () => {
    for (const bad of ['XXX', '', 'ML', 'MLA;DROP', "MLA'"]) {
      expect(() => parseSite(bad), bad).toThrow(failsWith('E_USAGE'));
      expect(() => parseSite(bad, 'E_PARTITION_REGION'), bad).toThrow(failsWith('E_PARTITION_REGION'));
    }
    expect(() => parseSites([])).toThrow(failsWith('E_USAGE'));
  });

  it('names every unknown site at once', () => {
    expect(() => parseSites(['MLA', 'xx', 'yy'])).toThrow(expect.objectContaining({ details: { unknown: ['XX', 'YY'] } }));
  });

  it('assertSites takes declarations as written: no case folding', () => {
    expect(() => assertSites(['MLA', 'MLB'], 'E_REPLICA_TOPOLOGY')).not.toThrow();
    expect(() => assertSites(['mla'], 'E_REPLICA_TOPOLOGY')).toThrow(failsWith('E_REPLICA_TOPOLOGY'));
  });

  it('every site has a three-letter currency', () => {
    for (const id of SITE_IDS) expect(currencyOf(id)).toMatch(/^[A-Z]{3}$/);
  });
});

describe('values on a migrated database (PGlite)', () => {
  const pglite = pgliteForBlock({ migrated: true });

  it('referenceIds are the ids the migrations insert, by name', async () => {
    for (const { table, values } of REFERENCE_DATA) {
      const config = getTableConfig(table);
      const { rows } = await pglite().query<{ id: number; name: string }>(`SELECT id, name FROM ${quoteQualified(config.schema!, config.name)}`);
      const ids = referenceIds(values) as Record<string, number>;
      expect(Object.fromEntries(rows.map((r) => [r.name, r.id])), config.name).toEqual(ids);
    }
    expect(referenceId(ROLES, 'seller')).toBe(2);
  });

  it('siteCurrencySql gives each site its currency and an unknown site none', async () => {
    const cases = [...SITES.map((s) => [s.id, s.currency] as const), ['XXX', ''] as const];
    for (const [site, currency] of cases) {
      const { rows } = await pglite().query<{ c: string }>(`SELECT ${siteCurrencySql(quoteLiteral(site))} AS c`);
      expect(rows[0]!.c, site).toBe(currency);
    }
  });
});

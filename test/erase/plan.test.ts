/** The erasure's planner, pure: which statements a catalog and a user give. */
import { describe, expect, it } from 'vitest';
import { ERASED } from '../../schema/privacy.ts';
import { openMemoryPglite } from '../../src/db/pglite.ts';
import { escapeRegex, planErase, subjectOf, tokenPattern, type CatalogTable } from '../../src/erase/plan.ts';

const col = (name: string, extra: Partial<CatalogTable['textColumns'][number]> = {}) => ({ name, type: 'text', nullable: false, key: false, ...extra });
const USERS: CatalogTable = {
  schema: 'user_management',
  name: 'users',
  textColumns: [col('region', { key: true }), col('name'), col('email', { key: true }), col('password_hash'), col('phone', { nullable: true })],
  userKeys: [],
};
/** A table the policy knows nothing about, as a later migration might add it. */
const LATER: CatalogTable = {
  schema: 'loyalty',
  name: 'cards',
  textColumns: [col('region', { key: true }), col('holder'), col('notes', { nullable: true }), col('extra', { type: 'jsonb' }), col('code', { key: true })],
  userKeys: [[['region', 'region'], ['holder_id', 'id']]],
};
const LOG: CatalogTable = { schema: 'audit', name: 'trail', textColumns: [col('who'), col('old_row', { type: 'jsonb', nullable: true })], userKeys: [] };
const ROW = { region: 'MLA', id: 7, name: 'Ana Gómez', email: 'ana@example.com', phone: '+5491123456789', birth_date: '1990-05-01', password_hash: '$argon2id$x' };

describe('planErase', () => {
  const subject = subjectOf(ROW, ['Calle Falsa 123', 'ab']);
  const plan = planErase([LOG, LATER, USERS], subject);

  it('erases the text of a table it finds by its foreign key to users, keys and region left alone', () => {
    const step = plan.own.find((s) => s.table === 'loyalty.cards')!;
    expect(step.kind).toBe('pseudonymize');
    expect(step.params).toEqual(['MLA', 7]);
    expect(step.sql).toContain(`"holder" = '${ERASED}'`);
    expect(step.sql).toContain('"notes" = NULL');
    expect(step.sql).toContain(`"extra" = '{}'`);
    expect(step.sql).not.toMatch(/"code" =|"region" = '/);
    expect(step.sql).toContain('WHERE "region" = $1 AND "holder_id" = $2');
  });

  it('erases the account last, as declared, and never sweeps the account table', () => {
    const last = plan.own.at(-1)!;
    expect(last.table).toBe('user_management.users');
    expect(last.sql).toContain(`"email" = 'erased-' || id || '@erased.invalid'`);
    expect(last.sql).toContain(`"status" = 'closed'`);
    expect(plan.sweep.map((s) => s.table)).toEqual(['audit.trail', 'loyalty.cards']);
  });

  it('sweeps json text for the identifiers, with the companions only next to them', () => {
    const step = plan.sweep.find((s) => s.table === 'audit.trail')!;
    expect(step.sql).toContain('"old_row"::text ~*');
    expect(step.sql).toContain('::jsonb');
    // Longest first, so a whole street line wins over a name inside it; too short ('ab') left out.
    expect(subject.identifiers).toEqual(['ana@example.com', 'Calle Falsa 123', '+5491123456789', 'Ana Gómez']);
    expect(step.params).toContain(tokenPattern(subject.identifiers));
    expect(step.params).toContain(tokenPattern(['$argon2id$x', '1990-05-01']));
  });

  it('has nothing to sweep for once the account is erased (a second erase changes nothing)', () => {
    const again = subjectOf({ ...ROW, name: ERASED, email: 'erased-7@erased.invalid', phone: null, birth_date: null, password_hash: null }, [ERASED]);
    expect(again.identifiers).toEqual([]);
    expect(planErase([LOG, USERS], again).sweep).toEqual([]);
  });

  it('matches a value literally and as a whole token, in PostgreSQL\'s own regular expressions', async () => {
    expect(escapeRegex('+54 (11) a.b*c')).toBe('\\+54 \\(11\\) a\\.b\\*c');
    const { pg } = await openMemoryPglite();
    try {
      const match = async (text: string, values: string[]) =>
        (await pg.query<{ m: boolean }>(`select $1 ~* $2 as m`, [text, tokenPattern(values)])).rows[0]!.m;
      expect(await match('x ana@exampleXcom', ['ana@example.com'])).toBe(false);
      expect(await match('escribime a ANA@example.com.', ['ana@example.com'])).toBe(true);
      expect(await match('Ana Lima', ['Ana Li'])).toBe(false);
      expect(await match('hola Ana Li!', ['Ana Li'])).toBe(true);
      expect(await match('llamame al +5491123456789', ['+5491123456789'])).toBe(true);
      expect(await match('llamame al 5491123456789', ['+5491123456789'])).toBe(false);
    } finally {
      await pg.close();
    }
  });
});

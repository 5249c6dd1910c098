/** discoverDependencies is pure: rows in, the dependencies that hold with support out. */
import { describe, expect, it } from 'vitest';
import { delimitedListColumns, discoverDependencies } from '../../src/verify/dependencies.ts';

describe('delimitedListColumns', () => {
  it('finds lists of ids or codes, not prose with commas', () => {
    const rows = [
      { tags: '12,40,7', body: 'Olá, quando será enviado meu pedido?', codes: 'MLA;MLU' },
      { tags: '3, 9', body: 'Hola, ¿cuándo despachan?', codes: 'MLB' },
      { tags: '5|6|7', body: 'Produto novo, com garantia, envio', codes: 'MLM' },
      { tags: null, body: 'ok, gracias', codes: 'MCO' },
      { tags: '1,2', body: 'fine', codes: 'MLC' },
    ];
    expect(delimitedListColumns(rows, ['tags', 'body', 'codes'])).toEqual(['tags']);
  });
});

const rows = [
  { id: 1, postal_code: '1000', city: 'Buenos Aires', name: 'Ana' },
  { id: 2, postal_code: '1000', city: 'Buenos Aires', name: 'Beto' },
  { id: 3, postal_code: '5000', city: 'Córdoba', name: 'Caro' },
  { id: 4, postal_code: '5000', city: 'Córdoba', name: 'Dani' },
  { id: 5, postal_code: '2000', city: 'Rosario', name: 'Eva' },
  { id: 6, postal_code: '2000', city: 'Rosario', name: 'Fede' },
];

describe('discoverDependencies', () => {
  it('finds postal_code -> city, a transitive dependency, and nothing about the key or unique names', () => {
    expect(discoverDependencies(rows, ['id', 'postal_code', 'city', 'name'], [['id']])).toEqual([
      { determinant: 'postal_code', dependent: 'city', kind: 'transitive' },
      { determinant: 'city', dependent: 'postal_code', kind: 'transitive' },
    ]);
  });

  it('a single counterexample breaks the dependency', () => {
    const broken = [...rows, { id: 7, postal_code: '1000', city: 'La Plata', name: 'Gus' }];
    const found = discoverDependencies(broken, ['id', 'postal_code', 'city', 'name'], [['id']]);
    expect(found.find((d) => d.determinant === 'postal_code')).toBeUndefined();
  });

  it('calls a dependency on part of a composite key partial (2NF)', () => {
    const lines = [
      { region: 'MLA', id: 1, currency: 'ARS' },
      { region: 'MLA', id: 2, currency: 'ARS' },
      { region: 'MLB', id: 1, currency: 'BRL' },
      { region: 'MLB', id: 2, currency: 'BRL' },
    ];
    expect(discoverDependencies(lines, ['region', 'id', 'currency'], [['region', 'id']])).toEqual([
      { determinant: 'region', dependent: 'currency', kind: 'partial' },
    ]);
  });

  it('needs support: a determinant whose values do not repeat proves nothing', () => {
    const unique = rows.map((r, i) => ({ ...r, postal_code: String(i) }));
    expect(discoverDependencies(unique, ['id', 'postal_code', 'city', 'name'], [['id']]).filter((d) => d.determinant === 'postal_code')).toEqual([]);
  });
});

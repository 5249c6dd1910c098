/**
 * The exit statuses are a contract: src/errors.ts, the README's table and `ecomdb --help` say the
 * same thing, so a code or a status added in one place and forgotten in another fails here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_OF } from '../../src/errors.ts';
import { ecomdb } from '../helpers/cli.ts';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** status → codes, from the rows of the README's table under "Exit statuses and error codes". */
function readmeTable(): Map<number, string[]> {
  const section = README.slice(README.indexOf('### Exit statuses and error codes'));
  const rows = new Map<number, string[]>();
  for (const [, status, codes] of section.matchAll(/^\| (\d+) \|[^|]*\|([^|]*)\|$/gm)) {
    rows.set(Number(status), [...codes!.matchAll(/`(E_[A-Z_]+)`/g)].map((m) => m[1]!));
  }
  return rows;
}

describe('exit statuses', () => {
  it('the README lists every status once and every code under its status', () => {
    const table = readmeTable();
    expect([...table.keys()].sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
    const listed = [...table].flatMap(([status, codes]) => codes.map((code) => [code, status] as const));
    const expected = [...Object.entries(EXIT_OF), ['E_INTERNAL', EXIT.internal] as const];
    expect(Object.fromEntries(listed)).toEqual(Object.fromEntries(expected));
    expect(listed).toHaveLength(expected.length);
  });

  it('ecomdb --help names every status', async () => {
    const help = await ecomdb(['--help']);
    const epilogue = help.stdout.slice(help.stdout.indexOf('Exit status:'));
    const named = [...epilogue.matchAll(/\b(\d+) [a-z]/g)].map((m) => Number(m[1]));
    expect(named).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });
});

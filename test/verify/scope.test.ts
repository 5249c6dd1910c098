/**
 * `ecomdb verify` never passes having checked nothing: schemas that do not exist, schemas that
 * hold no table and a selection that keeps no rule are usage errors (exit 2), refused before any
 * rule runs; a database without any table in the component schemas is reported as such (exit 8).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecomdb, jsonError } from '../helpers/cli.ts';
import { createMigratedDatabase, createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('what ecomdb verify checks', () => {
  let migrated: TestDatabase;
  let empty: TestDatabase;
  beforeAll(async () => {
    [migrated, empty] = await Promise.all([createMigratedDatabase('verify_scope'), createTestDatabase('verify_empty')]);
  });
  afterAll(async () => {
    await Promise.all([migrated?.drop(), empty?.drop()]);
  });

  it('refuses schemas that do not exist, naming them (exit 2)', async () => {
    const nope = await ecomdb(['verify', '--url', migrated.url, '--json', '--schemas', 'nope']);
    expect(nope.code, nope.stderr).toBe(2);
    expect(jsonError(nope)).toMatchObject({ code: 'E_USAGE', details: { unknown: ['nope'] } });
    const typo = await ecomdb(['verify', '--url', migrated.url, '--json', '--only', 'catalog', '--schemas', 'user_management,payment']);
    expect(typo.code, typo.stderr).toBe(2);
    expect(jsonError(typo)).toMatchObject({ code: 'E_USAGE', details: { unknown: ['payment'] } });
  });

  it('refuses schemas that hold no table (exit 2), and an empty --schemas', async () => {
    const publicOnly = await ecomdb(['verify', '--url', migrated.url, '--json', '--only', 'catalog', '--schemas', 'public']);
    expect(publicOnly.code, publicOnly.stderr).toBe(2);
    expect(jsonError(publicOnly).code).toBe('E_USAGE');
    const blank = await ecomdb(['verify', '--url', migrated.url, '--json', '--schemas', ' , ']);
    expect(blank.code, blank.stderr).toBe(2);
    expect(jsonError(blank).code).toBe('E_USAGE');
  });

  it('refuses --only / --skip that leave no rule to run (exit 2)', async () => {
    const none = await ecomdb(['verify', '--url', migrated.url, '--json', '--only', 'catalog', '--skip', 'catalog']);
    expect(none.code, none.stderr).toBe(2);
    expect(jsonError(none).code).toBe('E_USAGE');
  });

  it('does not pass on a database with no table to check (exit 8)', async () => {
    const run = await ecomdb(['verify', '--url', empty.url, '--json', '--only', 'catalog']);
    expect(run.code, run.stderr).toBe(8);
    expect(jsonError(run).code).toBe('E_VERIFY_EMPTY');
  });

  it('still passes when the schemas named exist and hold tables', async () => {
    const run = await ecomdb(['verify', '--url', migrated.url, '--format', 'json', '--only', 'catalog', '--schemas', 'user_management,payments']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ schemas: ['user_management', 'payments'], errors: 0 });
  });
});

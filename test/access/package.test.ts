/**
 * An application depends on ecomdb by name (node_modules/ecomdb, here a link to this repository)
 * and imports the schema, the query library and the migration check through package.json "exports": its TypeScript
 * compiles, and runs through tsx. A misuse the types must catch, and a path the package does not
 * export, fail to compile: the check can fail.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/generate/run.ts';
import { tempDir } from '../helpers/cli.ts';

const APP = `import { getTableName } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { orders, products } from 'ecomdb/schema';
import { OPERATIONS, placeOrder, searchProducts, type PlacedOrder } from 'ecomdb/access';
import { orderHistory, isEcomdbError } from 'ecomdb';
import { assertCurrent, type MigrationCheck } from 'ecomdb/migrations';

// No connection is made: postgres.js connects on the first query, and none runs.
const db = drizzle(postgres('postgres://nobody@127.0.0.1:1/none'));

export async function buyFirst(words: string): Promise<PlacedOrder | null> {
  try {
    const [hit] = await searchProducts(db, { region: 'MLB', words });
    if (!hit) return null;
    return await placeOrder(db, { region: 'MLB', buyerId: 1, lines: [{ productId: hit.productId, quantity: 1 }], couponCode: 'BEMVINDO1' });
  } catch (error) {
    if (isEcomdbError(error) && error.code === 'E_ACCESS_OUT_OF_STOCK') return null;
    throw error;
  }
}

export const lastOrders = (buyerId: number) => orderHistory(db, { region: 'MLB', buyerId, status: 'paid', limit: 10 });
/** At start-up: refuse a database behind or ahead of the migrations. */
export const startUp = (): Promise<MigrationCheck> => assertCurrent(db);
export const totals = db.select({ id: orders.id, total: orders.total }).from(orders);

console.log(JSON.stringify([getTableName(orders), getTableName(products), Object.keys(OPERATIONS).length]));
process.exit(0);
`;

const MISUSE = `import { placeOrder } from 'ecomdb/access';
import { EcomdbError } from 'ecomdb/src/errors.ts';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

const db = drizzle(postgres(''));
void placeOrder(db, { region: 'XXX', buyerId: 'seven', lines: [] });
void EcomdbError;
`;

/** What an application's tsconfig needs: the package's sources import each other with .ts extensions. */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    types: ['node'],
  },
  files: ['app.ts', 'misuse.ts'],
};

describe('ecomdb as a package', () => {
  let dir: string;
  let tsc: { status: number | null; out: string };

  beforeAll(() => {
    dir = tempDir('ecomdb-app-');
    const modules = join(dir, 'node_modules');
    mkdirSync(modules);
    symlinkSync(PROJECT_ROOT, join(modules, 'ecomdb'));
    // The application's own dependencies, the ones ecomdb uses.
    for (const dep of ['drizzle-orm', 'postgres', 'tsx', '@types']) symlinkSync(realpathSync(join(PROJECT_ROOT, 'node_modules', dep)), join(modules, dep));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'shop', type: 'module', dependencies: { ecomdb: '*' } }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    writeFileSync(join(dir, 'app.ts'), APP);
    writeFileSync(join(dir, 'misuse.ts'), MISUSE);
    const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    tsc = { status: run.status, out: `${run.stdout}${run.stderr}` };
  });

  it('compiles an application that imports { orders } from ecomdb/schema and the query functions by name', () => {
    const errors = tsc.out.split('\n').filter((line) => /error TS/.test(line));
    expect(errors.filter((line) => !line.startsWith('misuse.ts'))).toEqual([]);
  });

  it('refuses, at compile time, a wrong site, a wrong parameter type and a path the package does not export', () => {
    expect(tsc.status).not.toBe(0);
    const codes = tsc.out.split('\n').filter((line) => line.startsWith('misuse.ts')).map((line) => /error (TS\d+)/.exec(line)?.[1]);
    expect(codes.sort()).toEqual(['TS2307', 'TS2322', 'TS2322']);
  });

  it('runs through tsx, with no build step', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'app.ts'], { cwd: dir, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(['orders', 'products', expect.any(Number)]);
  });
});

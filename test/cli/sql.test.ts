/** `ecomdb sql`: the complete DDL, grouped by component, for reading. */
import { describe, expect, it } from 'vitest';
import { COMPONENTS } from '../../schema/index.ts';
import { spawnSync } from 'node:child_process';
import { BIN, ecomdb } from '../helpers/cli.ts';

describe('ecomdb sql', () => {
  it('prints every table once, each under its own component heading, in the paper\'s order', async () => {
    const run = await ecomdb(['sql']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.match(/^CREATE TABLE /gm)).toHaveLength(25);
    const headings = [...run.stdout.matchAll(/^-- (.+) \(schema (\w+)\)$/gm)].map((m) => m[2]);
    // First the shared objects (the cluster-wide group roles), then one section per component.
    expect(headings).toEqual(['public', ...COMPONENTS.map((c) => c.schema.schemaName)]);
    expect(run.stdout.split('(schema user_management)')[0]).toContain('CREATE ROLE "ecomdb_user" NOLOGIN');
    // Each table's statements sit in its component's section.
    const section = run.stdout.split('(schema order_processing)')[1]!.split('(schema reviews_questions)')[0]!;
    expect(section).toContain('CREATE TABLE "order_processing"."order_details"');
    expect(section).toContain('COMMENT ON COLUMN "order_processing"."orders"."total"');
    expect(section).not.toContain('CREATE TABLE "user_management"');
  });

  it('stops quietly when its reader goes away (ecomdb sql | head -1)', () => {
    const run = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" sql | head -1 > /dev/null; echo "exit \${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('exit 0');
    expect(run.stderr).not.toContain('EPIPE');
  });

  it('--component prints only that component', async () => {
    const run = await ecomdb(['sql', '--component', 'payments']);
    expect(run.code, run.stderr).toBe(0);
    const tables = [...run.stdout.matchAll(/^CREATE TABLE "(\w+)"\."(\w+)"/gm)].map((m) => `${m[1]}.${m[2]}`);
    expect(tables.sort()).toEqual(['payments.payment_methods', 'payments.payment_statuses', 'payments.payments']);
  });
});

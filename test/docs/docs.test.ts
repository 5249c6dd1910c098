/** `ecomdb docs`: the committed data dictionary is fresh, its Mermaid parses, and it covers every table. */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTableName } from 'drizzle-orm';
import mermaid from 'mermaid';
import { describe, expect, it } from 'vitest';
import { COMPONENTS } from '../../schema/index.ts';
import type { CatalogForeignKey, CatalogSchema, CatalogTable } from '../../src/docs/catalog.ts';
import { componentPage, entityOf, GENERATED_MARKER, mermaidType, overviewPage, relationship } from '../../src/docs/render.ts';
import { ecomdb, errorCode, jsonError, tempDir } from '../helpers/cli.ts';
import { createMigratedDatabase } from '../helpers/db.ts';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const read = (name: string) => readFileSync(join(DOCS, name), 'utf8');
/** The files `ecomdb docs` wrote: hand-written pages beside them (design.md) carry no marker. */
const docFiles = () => readdirSync(DOCS).filter((n) => n.endsWith('.md') && read(n).startsWith(GENERATED_MARKER)).sort();
const mermaidBlocks = (markdown: string) => [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

/** mermaid.parse rejects with the parser's error; resolve to it (or null) so a test can assert either way. */
async function parseError(diagram: string): Promise<Error | null> {
  try {
    await mermaid.parse(diagram);
    return null;
  } catch (error) {
    return error as Error;
  }
}

const COMPONENT_TABLES = COMPONENTS.map((c) => ({ schema: c.schema.schemaName, tables: c.tables.map((t) => getTableName(t.table)) }));

describe('ecomdb docs: the committed docs/ are a fresh generation', () => {
  it('--check passes on the committed folder', async () => {
    const run = await ecomdb(['docs', '--check', '--out', DOCS]);
    expect(run.code, run.stderr).toBe(0);
    expect(docFiles()).toEqual(['README.md', 'roles.md', ...COMPONENT_TABLES.map((c) => `${c.schema}.md`)].sort());
    // The hand-written design notes live in the same folder and are neither generated nor checked.
    expect(readdirSync(DOCS)).toContain('design.md');
    expect(docFiles()).not.toContain('design.md');
  });

  it('--check fails with E_DOCS_STALE naming the edited and leftover files; a run then repairs the folder', async () => {
    const out = join(tempDir(), 'docs');
    cpSync(DOCS, out, { recursive: true });
    writeFileSync(join(out, 'payments.md'), read('payments.md').replace('| `amount` |', '| `amount_edited` |'));
    writeFileSync(join(out, 'old_component.md'), `${GENERATED_MARKER}\n\n# A component that no longer exists\n`);
    writeFileSync(join(out, 'notes.md'), '# Hand-written notes, not generated\n');

    const check = await ecomdb(['docs', '--check', '--out', out, '--json']);
    expect(check.code, check.stderr).toBe(4);
    const { error } = JSON.parse(check.stdout) as { error: { code: string; details: { stale: string[] } } };
    expect(error.code).toBe('E_DOCS_STALE');
    expect(error.details.stale).toEqual(['old_component.md', 'payments.md']);

    const write = await ecomdb(['docs', '--out', out]);
    expect(write.code, write.stderr).toBe(0);
    expect(readFileSync(join(out, 'payments.md'), 'utf8')).toBe(read('payments.md'));
    expect(existsSync(join(out, 'old_component.md'))).toBe(false);
    expect(existsSync(join(out, 'notes.md'))).toBe(true);
  });

  it('--url documents a server database as it is: migrated, it gives the same bytes as the committed docs', async () => {
    const db = await createMigratedDatabase('docs');
    try {
      const run = await ecomdb(['docs', '--check', '--out', DOCS, '--url', db.url]);
      expect(run.code, run.stderr).toBe(0);
      await db.sql.unsafe(`comment on table payments.payments is 'Changed on the server only.'`);
      const stale = await ecomdb(['docs', '--check', '--out', DOCS, '--url', db.url, '--json']);
      expect(stale.code).toBe(4);
      expect(errorCode(stale)).toBe('E_DOCS_STALE');
      expect(jsonError(stale).details).toMatchObject({ stale: ['payments.md'] });
    } finally {
      await db.drop();
    }
  });

  it('--help shows examples', async () => {
    const run = await ecomdb(['docs', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('$ ecomdb docs --check');
  });
});

describe('ecomdb docs: every Mermaid diagram parses', () => {
  // roles.md is the role matrix: tables, no diagram.
  it.each(docFiles().filter((f) => f !== 'roles.md'))('%s', async (name) => {
    const blocks = mermaidBlocks(read(name));
    expect(blocks).toHaveLength(1);
    for (const block of blocks) {
      expect(block.startsWith('erDiagram\n')).toBe(true);
      expect(await parseError(block)).toBeNull();
    }
  });

  it('the parser rejects a broken diagram, so the check above can fail', async () => {
    const [overview] = mermaidBlocks(read('README.md'));
    expect(await parseError(overview!.replace('||..o{', '||..x{'))).toBeInstanceOf(Error);
    expect(await parseError('erDiagram\n  a {\n    text name "a "quoted" word"\n  }\n')).toBeInstanceOf(Error);
  });

  it('comments with quotes and pipes, and long or quoted type names, still parse and render', async () => {
    const catalog: CatalogSchema = {
      name: 'odd',
      comment: 'Names with "quotes" | pipes <b>tags</b> and *stars*.',
      tables: [
        {
          schema: 'odd',
          name: 'things',
          comment: 'A "thing" | another.',
          columns: [
            { name: 'id', type: 'bigint', nullable: false, default: null, comment: 'The "id".' },
            { name: 'at', type: 'timestamp(3) with time zone', nullable: true, default: 'now()', comment: 'When | where.' },
            { name: 'label', type: 'character varying(20)', nullable: false, default: "'a|b'::character varying", comment: null },
            { name: 'kind', type: 'odd."Kind"', nullable: false, default: null, comment: 'Line one.\nLine two.' },
            { name: 'parent_id', type: 'bigint', nullable: true, default: null, comment: null },
          ],
          primaryKey: { name: 'things_pkey', columns: ['id'], definition: 'PRIMARY KEY (id)' },
          uniqueKeys: [],
          foreignKeys: [
            { name: 'things_parent_fk', columns: ['parent_id'], definition: 'FOREIGN KEY (parent_id) REFERENCES odd.things(id)', targetSchema: 'odd', targetTable: 'things', targetColumns: ['id'] },
            { name: 'things_id_fk', columns: ['id'], definition: 'FOREIGN KEY (id) REFERENCES other.base(id)', targetSchema: 'other', targetTable: 'base', targetColumns: ['id'] },
          ],
          checks: [{ name: 'things_label_check', columns: ['label'], definition: "CHECK ((label ~ '^(a|b)$'::text))" }],
          indexes: [],
        },
      ],
    };
    const page = componentPage(catalog, () => 'Odd | things', 1);
    const [diagram] = mermaidBlocks(page);
    expect(await parseError(diagram!)).toBeNull();
    expect(diagram).toContain(`timestamptz(3) at "When | where."`);
    expect(diagram).toContain(`"The 'id'."`);
    expect(diagram).toContain('  other__base\n');
    // Nullable FK: the parent is optional; an FK that is the primary key: one-to-one, identifying.
    expect(diagram).toContain('odd__things |o..o{ odd__things : "parent_id"');
    expect(diagram).toContain('other__base ||--o| odd__things : "id"');
    // A pipe would end a Markdown table cell; HTML would be rendered.
    expect(page).toContain("| `label` | `character varying(20)` | no | `'a\\|b'::character varying` |  |");
    expect(page).toContain('When \\| where.');
    expect(page).toContain('\\<b\\>tags\\</b\\> and \\*stars\\*');
    expect(page).toContain("- `things_label_check`: `CHECK ((label ~ '^(a|b)$'::text))`");
    expect(overviewPage([catalog], () => 'Odd')).toContain('| 1 | [Odd](odd.md) | `odd` | things |');
    expect(mermaidType('"Quoted Type"[]')).toBe('Quoted_Type[]');
  });
});

describe('ecomdb docs: relationships', () => {
  // One shipment per order: the unique key (region, order_id) lies within the FK (region, order_id,
  // order_created_at) that the order's monthly key requires.
  const fk: CatalogForeignKey = {
    name: 'shipments_region_order_id_order_created_at_fkey',
    columns: ['region', 'order_id', 'order_created_at'],
    definition: 'FOREIGN KEY (region, order_id, order_created_at) REFERENCES order_processing.orders(region, id, created_at)',
    targetSchema: 'order_processing',
    targetTable: 'orders',
    targetColumns: ['region', 'id', 'created_at'],
  };
  const column = (name: string, type: string) => ({ name, type, nullable: false, default: null, comment: null });
  const shipments: CatalogTable = {
    schema: 'shipping_logistics',
    name: 'shipments',
    comment: null,
    columns: [column('region', 'text'), column('id', 'bigint'), column('order_id', 'bigint'), column('order_created_at', 'timestamp with time zone')],
    primaryKey: { name: 'shipments_pkey', columns: ['region', 'id'], definition: 'PRIMARY KEY (region, id)' },
    uniqueKeys: [{ name: 'shipments_region_order_id_key', columns: ['region', 'order_id'], definition: 'UNIQUE (region, order_id)' }],
    foreignKeys: [fk],
    checks: [],
    indexes: [],
  };

  it('an FK whose columns contain a key of the child is drawn one-to-one, and one-to-many without that key', () => {
    expect(relationship(shipments, fk)).toBe('order_processing__orders ||..o| shipping_logistics__shipments : "region, order_id, order_created_at"');
    expect(relationship({ ...shipments, uniqueKeys: [] }, fk)).toBe('order_processing__orders ||..o{ shipping_logistics__shipments : "region, order_id, order_created_at"');
    const wider = { ...shipments, uniqueKeys: [{ name: 'k', columns: ['region', 'order_id', 'carrier'], definition: 'UNIQUE (region, order_id, carrier)' }] };
    expect(relationship(wider, fk)).toContain('||..o{');
  });
});

describe('ecomdb docs: coverage', () => {
  it('the overview lists and draws all 25 tables, and links every component page', () => {
    const overview = read('README.md');
    const [diagram] = mermaidBlocks(overview);
    const all = COMPONENT_TABLES.flatMap((c) => c.tables.map((t) => entityOf(c.schema, t)));
    expect(all).toHaveLength(25);
    for (const entity of all) expect(diagram).toMatch(new RegExp(`^  ${entity}$`, 'm'));
    for (const { schema } of COMPONENT_TABLES) expect(overview).toContain(`](${schema}.md)`);
  });

  it.each(COMPONENT_TABLES)('$schema: its page documents and draws its own tables, and only those with columns', ({ schema, tables }) => {
    const page = read(`${schema}.md`);
    const [diagram] = mermaidBlocks(page);
    for (const table of tables) {
      expect(page).toContain(`\n### ${table}\n`);
      expect(diagram).toContain(`  ${entityOf(schema, table)} {\n`);
    }
    const withColumns = [...diagram!.matchAll(/^ {2}(\w+) \{$/gm)].map((m) => m[1]);
    expect(withColumns.sort()).toEqual(tables.map((t) => entityOf(schema, t)).sort());
  });
});
